using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>The snapshot built from a nopCommerce order equals the golden fixture of the same order.</summary>
public class GoldenSnapshotTests
{
    [Fact]
    public void There_are_golden_fixtures()
    {
        Assert.True(FixtureOrders.Files().Any(), $"no fixtures in {FixtureOrders.FixtureDirectory} (branch mapping provides them)");
    }

    [Fact]
    public async Task Every_fixture_is_rebuilt_exactly_from_its_nopCommerce_order()
    {
        var failures = new List<string>();
        foreach (var file in FixtureOrders.Files())
        {
            var fixture = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            await using var store = new TestStore();
            var order = FixtureOrders.Seed(store, fixture);
            await using var scope = store.Scope();
            var built = JsonNode.Parse(await scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order));
            failures.AddRange(JsonCompare.Differences(fixture, built).Select(d => $"{Path.GetFileName(file)} {d}"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Through the native library, the snapshot the plugin builds previews to the invoice the mapping
    /// fixtures expect (&lt;name&gt;.expected.json: Canonical → Preview.Invoice, Warnings → Preview.Warnings).
    /// </summary>
    [Fact]
    public async Task Every_fixture_previews_to_its_expected_invoice_through_the_engine()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        // previews are checked against the account's lookups once read (else each warns that it was not)
        await store.Host.Engine!.LookupsAsync();
        var failures = new List<string>();
        var checkedFixtures = 0;
        foreach (var file in FixtureOrders.Files())
        {
            var expectedFile = Path.ChangeExtension(file, ".expected.json");
            if (!File.Exists(expectedFile))
                continue;
            var fixture = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            var expected = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(expectedFile))!;
            await using var orderStore = new TestStore();
            var order = FixtureOrders.Seed(orderStore, fixture);
            await using var scope = orderStore.Scope();
            var snapshot = await scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order);

            var preview = (JsonObject)JsonNode.Parse(store.Host.Engine!.PreviewJson(snapshot))!;
            var name = Path.GetFileName(file);
            if (preview["Ok"]?.GetValue<bool>() != true)
                failures.Add($"{name}: not Ok: {preview["Errors"]?.ToJsonString()}");
            failures.AddRange(JsonCompare.Differences(expected["Canonical"], preview["Invoice"], "$.Invoice").Select(d => $"{name} {d}"));
            // the engine's preview carries each warning's text; the fixture has {Code, Path, Message}
            var expectedWarnings = new JsonArray((expected["Warnings"] as JsonArray ?? [])
                .Select(w => (JsonNode?)JsonValue.Create(w is JsonObject o ? o["Message"]?.GetValue<string>() : w?.GetValue<string>())).ToArray());
            failures.AddRange(JsonCompare.Differences(expectedWarnings, preview["Warnings"], "$.Warnings").Select(d => $"{name} {d}"));
            checkedFixtures++;
        }
        Assert.True(checkedFixtures > 0, "no fixture has an expected preview");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void The_comparison_sees_values_not_spelling()
    {
        Assert.Empty(JsonCompare.Differences(JsonNode.Parse("""{"A":18.0,"B":null,"C":[1]}"""), JsonNode.Parse("""{"C":[1.00],"A":18.0000}""")));
        Assert.Equal(["$.A: expected 18.0, got 18.01"], JsonCompare.Differences(JsonNode.Parse("""{"A":18.0}"""), JsonNode.Parse("""{"A":18.01}""")));
        Assert.Single(JsonCompare.Differences(JsonNode.Parse("""{"A":"x"}"""), JsonNode.Parse("""{"A":"x","B":"extra"}""")));
        Assert.Single(JsonCompare.Differences(JsonNode.Parse("""{"A":[1,2]}"""), JsonNode.Parse("""{"A":[1]}""")));
    }
}
