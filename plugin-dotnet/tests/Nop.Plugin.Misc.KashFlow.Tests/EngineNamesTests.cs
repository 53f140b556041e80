using System.Text.RegularExpressions;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The Rust enum names C# copies (EngineNames) are tied to the Rust source: each list must be exactly the
/// variants of its enum as core/src declares it today, so adding, renaming or removing a variant there fails
/// here until the C# follows. The real engine is also asked to accept every name C# sends it.
/// </summary>
public partial class EngineNamesTests
{
    public static TheoryData<string, string, string> Enums() => new()
    {
        { nameof(EngineNames.RecordStates), "core/src/engine/model.rs", "RecordState" },
        { nameof(EngineNames.JobStates), "core/src/engine/model.rs", "JobState" },
        { nameof(EngineNames.ReceiptStates), "core/src/engine/model.rs", "ReceiptState" },
        { nameof(EngineNames.OutcomeKinds), "core/src/engine/model.rs", "OutcomeKind" },
        { nameof(EngineNames.CreditCauses), "core/src/engine/events.rs", "CreditCause" },
        { nameof(EngineNames.CircuitStates), "core/src/engine/breaker.rs", "CircuitState" },
        { nameof(EngineNames.KashFlowModes), "core/src/engine/config.rs", "KashFlowMode" },
        { nameof(EngineNames.Transports), "core/src/kashflow/transport.rs", "TransportKind" },
        { nameof(EngineNames.RewardPointsPolicies), "core/src/mapping/rules.rs", "RewardPointsPolicy" },
        { nameof(EngineNames.GiftCardPolicies), "core/src/mapping/rules.rs", "GiftCardPolicy" },
        { nameof(EngineNames.SkuLessItemPolicies), "core/src/mapping/rules.rs", "SkuLessItemPolicy" },
        { nameof(EngineNames.InvoiceNumberStrategies), "core/src/mapping/rules.rs", "InvoiceNumberStrategy" },
        { nameof(EngineNames.CustomerCodeStrategies), "core/src/mapping/rules.rs", "CustomerCodeStrategy" },
    };

    [Theory]
    [MemberData(nameof(Enums))]
    public void Each_copied_list_is_exactly_the_variants_of_its_Rust_enum(string list, string file, string rustEnum)
    {
        var rust = RustEnumVariants(Source(file), rustEnum);
        Assert.True(rust.Count >= 2, $"{rustEnum} not found in {file}");
        Assert.Equal(rust.Order(StringComparer.Ordinal), Copied(list).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_event_kinds_are_the_names_the_engine_gives_its_events()
    {
        // OrderEvent's variants carry other names (Paid, CreditRelease): kind_name() is the wire name
        // OrderEvent's and its Milestone's (OrderShipped, OrderDelivered, OrderCompleted): every kind_name there
        var kinds = Functions(Source("core/src/engine/events.rs"), "kind_name").SelectMany(MatchArmStrings).Distinct().ToList();
        Assert.Equal(kinds.Order(StringComparer.Ordinal), EngineNames.EventKinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_error_codes_are_the_codes_the_engine_reports()
    {
        var codes = MatchArmStrings(Function(Source("core/src/engine/error.rs"), "code"));
        Assert.Equal(codes.Order(StringComparer.Ordinal), EngineNames.ErrorCodes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_reader_of_the_Rust_source_sees_variants_with_data_and_comments()
    {
        // what the comparison relies on, checked against text of the shapes core/src uses
        const string text = """
            /// doc
            #[derive(Debug)]
            pub enum Sample {
                /// A unit variant.
                First,
                #[default]
                Second { until_ms: i64 },
                Third(PaymentEvent),
                // Commented,
            }
            """;
        Assert.Equal(["First", "Second", "Third"], RustEnumVariants(text, "Sample"));
        Assert.Empty(RustEnumVariants(text, "Other"));
    }

    [Fact]
    public async Task The_engine_accepts_every_state_and_event_kind_the_plugin_sends()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var engine = store.Host.Engine!;
        foreach (var state in EngineNames.RecordStates)
            Assert.Equal(0, EngineDocuments.ParseRecordPage(engine.ListRecordsJson(new RecordQuery([state], null, null, null, 1, 10).ToJson())).Total);
        Assert.ThrowsAny<Exception>(() => engine.ListRecordsJson(new RecordQuery(["Sleeping"], null, null, null, 1, 10).ToJson()));

        // an event of an order the journal does not know is refused or recorded, never "unknown Kind"
        foreach (var kind in EngineNames.EventKinds)
        {
            try
            {
                engine.EnqueueEvent($$"""{"Kind":"{{kind}}","OrderId":9101,"Seq":1,"Items":[],"Restock":false,"Amount":1.00}""");
            }
            catch (Native.KashFlowNativeException ex)
            {
                Assert.DoesNotContain("unknown event Kind", ex.Message);
            }
        }
        var unknown = Assert.ThrowsAny<Native.KashFlowNativeException>(() => engine.EnqueueEvent("""{"Kind":"OrderLost","OrderId":9101}"""));
        Assert.Contains("unknown event Kind", unknown.Message);
        Assert.Contains(unknown.Code, EngineNames.ErrorCodes);
    }

    [Fact]
    public void The_engine_accepts_every_strategy_the_configure_page_offers()
    {
        foreach (var name in EngineNames.InvoiceNumberStrategies)
            Assert.True(RulesValidator.Validate("{\"InvoiceNumber\":{\"Strategy\":\"" + name + "\"}}").Valid, name);
        foreach (var name in EngineNames.CustomerCodeStrategies)
            Assert.True(RulesValidator.Validate("{\"CustomerCodes\":{\"Strategy\":\"" + name + "\"}}").Valid, name);
        Assert.False(RulesValidator.Validate("""{"CustomerCodes":{"Strategy":"FromShoeSize"}}""").Valid);
    }

    private static IReadOnlyList<string> Copied(string list) =>
        (IReadOnlyList<string>)typeof(EngineNames).GetField(list)!.GetValue(null)!;

    private static string Source(string relative) =>
        File.ReadAllText(Path.Combine([FixtureOrders.RepositoryRoot(), .. relative.Split('/')]));

    /// <summary>The variant names of <c>pub enum {name} { ... }</c>: identifiers at the start of a line at depth one.</summary>
    internal static List<string> RustEnumVariants(string source, string name)
    {
        var m = Regex.Match(source, @"pub enum " + Regex.Escape(name) + @"\s*\{");
        if (!m.Success)
            return [];
        var variants = new List<string>();
        var depth = 1;
        var atItemStart = true;
        var i = m.Index + m.Length;
        while (i < source.Length && depth > 0)
        {
            if (source.AsSpan(i).StartsWith("//"))
            {
                i = source.IndexOf('\n', i) is var nl and >= 0 ? nl : source.Length;
                continue;
            }
            var c = source[i];
            if (c == '#' && depth == 1)
            {
                // an attribute: skip its brackets
                var close = source.IndexOf(']', i);
                i = close + 1;
                continue;
            }
            if (c is '{' or '(')
                depth++;
            else if (c is '}' or ')')
                depth--;
            else if (c == ',' && depth == 1)
                atItemStart = true;
            else if (depth == 1 && atItemStart && char.IsLetter(c))
            {
                var id = Regex.Match(source[i..], @"^[A-Za-z_][A-Za-z0-9_]*").Value;
                variants.Add(id);
                atItemStart = false;
                i += id.Length;
                continue;
            }
            i++;
        }
        return variants;
    }

    /// <summary>The body of <c>fn {name}(</c>, up to the next <c>fn</c>.</summary>
    private static string Function(string source, string name)
    {
        var start = Regex.Match(source, @"\bfn " + Regex.Escape(name) + @"\(");
        Assert.True(start.Success, $"fn {name} not found");
        var next = Regex.Match(source[(start.Index + start.Length)..], @"\bfn ");
        return next.Success ? source.Substring(start.Index, start.Length + next.Index) : source[start.Index..];
    }

    /// <summary>Every <c>fn {name}(</c> of the source, each up to the next fn.</summary>
    private static List<string> Functions(string source, string name)
    {
        var bodies = new List<string>();
        foreach (Match start in Regex.Matches(source, @"\bfn " + Regex.Escape(name) + @"\("))
        {
            var next = Regex.Match(source[(start.Index + start.Length)..], @"\bfn ");
            bodies.Add(next.Success ? source.Substring(start.Index, start.Length + next.Index) : source[start.Index..]);
        }
        Assert.True(bodies.Count > 0, $"fn {name} not found");
        return bodies;
    }

    private static List<string> MatchArmStrings(string body) =>
        ArmString().Matches(body).Select(m => m.Groups[1].Value).Distinct().ToList();

    [GeneratedRegex(@"=>\s*""([A-Za-z]+)""")]
    private static partial Regex ArmString();
}
