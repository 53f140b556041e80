// The flow documents the designer page exchanges with the engine (the flows contract of issue 20; Rust
// owns the types, validation, evaluation and dry run): the validation result of kfs_flows_validate, the
// dry-run report of kfs_flows_dry_run and its input rows, and the one fact C# reads from a flows
// document itself: which triggers its enabled flows use (customer and product events are only sent when
// a flow listens for them). The flows document stays the JSON the merchant saved; nothing here
// interprets conditions or steps.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

/// <summary>The flow triggers and the event kinds the plugin sends for the new ones (the flows contract).</summary>
public static class FlowNames
{
    public static readonly IReadOnlyList<string> Triggers =
    [
        OrderPlaced, OrderPaid, OrderShipped, OrderDelivered, OrderCompleted, OrderRefunded, OrderCancelled,
        CustomerRegistered, CustomerChanged, ProductChanged,
    ];

    public const string OrderPlaced = "OrderPlaced";
    public const string OrderPaid = EngineNames.OrderPaid;
    public const string OrderShipped = EngineNames.OrderShipped;
    public const string OrderDelivered = EngineNames.OrderDelivered;
    public const string OrderCompleted = EngineNames.OrderCompleted;
    public const string OrderRefunded = EngineNames.OrderRefunded;
    public const string OrderCancelled = EngineNames.OrderCancelled;
    public const string CustomerRegistered = "CustomerRegistered";
    public const string CustomerChanged = "CustomerChanged";
    public const string ProductChanged = "ProductChanged";

    /// <summary>Condition fields, operators and step kinds the designer offers (the contract's lists).</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["Store", "PaymentMethod", "CustomerRole", "BillingCountry", "Currency", "HasVatNumber", "OrderTotal", "ProductSku", "ProductCategory"];

    public static readonly IReadOnlyList<string> Ops = ["Equals", "NotEquals", "In", "NotIn", "AtLeast", "AtMost", "Between", "Is"];

    public static readonly IReadOnlyList<string> StepKinds =
        ["Customer", "Invoice", "Payment", "OrderNote", "OrderStatus", "Stock", "CreditNote", "Product"];
}

/// <summary>One error of kfs_flows_validate: the flow, the designer box (Flow, Trigger, When, When.All[1], Steps[2]) and the JSON path.</summary>
public sealed record FlowError(string? FlowId, string? Box, string? Path, string? Message);

/// <summary>kfs_flows_validate's answer.</summary>
public sealed record FlowValidation(bool Valid, IReadOnlyList<FlowError>? Errors)
{
    public IReadOnlyList<FlowError> ErrorList => Errors ?? [];
}

/// <summary>One order of kfs_flows_dry_run's input: the snapshot as the consumer sends it, and the events it has had.</summary>
public sealed record DryRunOrder(JsonElement Snapshot, IReadOnlyList<string> Events);

/// <summary>One row of the dry run: what one trigger of one order would have done (Error: why its invoice could not be worked out).</summary>
public sealed record DryRunRow(long OrderId, string? CustomOrderNumber, string? Trigger, string? Flow,
    IReadOnlyList<string>? Explanation, IReadOnlyList<string>? Steps, string? InvoiceTotal, string? Currency = null, string? Error = null);

/// <summary>kfs_flows_dry_run's answer.</summary>
public sealed record DryRunReport(IReadOnlyList<DryRunRow>? Rows, int Orders, long ElapsedMs)
{
    public IReadOnlyList<DryRunRow> RowList => Rows ?? [];
}

public static class FlowDocuments
{
    /// <summary>
    /// The triggers of the enabled flows of a flows document; empty when blank (the default flow, which
    /// listens to no customer or product event) or not readable (the engine refuses such a document anyway).
    /// </summary>
    public static IReadOnlySet<string> EnabledTriggers(string? flowsJson)
    {
        var triggers = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(flowsJson))
            return triggers;
        try
        {
            if (JsonNode.Parse(flowsJson) is not JsonObject root || root["Flows"] is not JsonArray flows)
                return triggers;
            foreach (var flow in flows.OfType<JsonObject>())
            {
                var enabled = flow["Enabled"] is not JsonValue e || !e.TryGetValue<bool>(out var on) || on;
                if (enabled && flow["Trigger"] is JsonValue t && t.TryGetValue<string>(out var trigger))
                    triggers.Add(trigger);
            }
        }
        catch (JsonException)
        {
        }
        return triggers;
    }

    /// <summary>The dry run's orders document: one {"Snapshot":…,"Events":[…]} per order.</summary>
    public static string DryRunOrdersJson(IEnumerable<DryRunOrder> orders) =>
        JsonSerializer.Serialize(orders.ToList(), FlowJsonContext.Default.ListDryRunOrder);

    public static FlowValidation ParseValidation(string json) =>
        JsonSerializer.Deserialize(json, FlowJsonContext.Default.FlowValidation)
        ?? throw new JsonException("the engine answered an empty flows validation");

    public static DryRunReport ParseDryRun(string json) =>
        JsonSerializer.Deserialize(json, FlowJsonContext.Default.DryRunReport)
        ?? throw new JsonException("the engine answered an empty dry run");

    public static string ToJson(FlowValidation validation) => JsonSerializer.Serialize(validation, FlowJsonContext.Default.FlowValidation);
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FlowValidation))]
[JsonSerializable(typeof(DryRunReport))]
[JsonSerializable(typeof(List<DryRunOrder>))]
internal sealed partial class FlowJsonContext : JsonSerializerContext;
