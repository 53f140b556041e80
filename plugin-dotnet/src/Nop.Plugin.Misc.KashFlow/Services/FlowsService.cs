// The plugin's side of flows (issue 20): asks the engine whether a flows document is valid
// (kfs_flows_validate) and what flows would have done with the store's last orders (kfs_flows_dry_run,
// fed with snapshots from the same builder the order consumer uses). The engine owns the flow types,
// their validation and evaluation; nothing here decides what a flow means. Also serves the example
// flows the designer's "Load example" offers (the repository's examples/flows/*.json, embedded).
using System.Text.Json;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Shipping;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>An example flows document: its key (file name), the locale resource of its name, the document.</summary>
public sealed record FlowExample(string Key, string NameResource, string Json);

public static class FlowExamples
{
    /// <summary>In the order the "Load example" menu lists them.</summary>
    public static readonly IReadOnlyList<string> Keys = ["every-order", "invoice-on-paid", "trade-on-dispatch", "rollup-guests", "paid-rollup-guests"];

    private static readonly Lazy<IReadOnlyList<FlowExample>> Loaded = new(() => Keys.Select(Load).ToList());

    public static IReadOnlyList<FlowExample> All => Loaded.Value;

    private static FlowExample Load(string key)
    {
        var assembly = typeof(FlowExamples).Assembly;
        var name = $"{assembly.GetName().Name}.FlowExamples.{key}.json";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the example flows '{name}' are not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return new FlowExample(key, KashFlowLocales.FlowsExamplePrefix + key, reader.ReadToEnd());
    }
}

public static class FlowsValidator
{
    /// <summary>
    /// The engine's verdict on a flows document. Text that is not JSON, and an engine that cannot answer
    /// (library missing, built without flows), come back as one error without a box, so the page says so
    /// above the diagram instead of failing.
    /// </summary>
    /// <param name="emptyMessage">What to say of a blank document (a locale resource).</param>
    /// <param name="notJsonTemplate">What to say of text that is not JSON; {0} is the parser's reason (a locale resource).</param>
    public static FlowValidation Validate(string? flowsJson, string emptyMessage, string notJsonTemplate)
    {
        if (string.IsNullOrWhiteSpace(flowsJson))
            return new FlowValidation(false, [new FlowError(null, null, null, emptyMessage)]);
        try
        {
            using var _ = JsonDocument.Parse(flowsJson);
        }
        catch (JsonException ex)
        {
            return new FlowValidation(false, [new FlowError(null, null, null, string.Format(System.Globalization.CultureInfo.CurrentCulture, notJsonTemplate, ex.Message))]);
        }
        try
        {
            return FlowDocuments.ParseValidation(KashFlowFlows.ValidateJson(flowsJson));
        }
        catch (Exception ex) when (ex is KashFlowNativeException or JsonException)
        {
            return new FlowValidation(false, [new FlowError(null, null, null, ex.Message)]);
        }
    }
}

/// <summary>"What would these flows have done with the last N orders": nothing is posted, nothing is journalled.</summary>
public class FlowDryRun
{
    public const int MaxOrders = 1000;

    private readonly IOrderService _orderService;
    private readonly OrderSnapshotBuilder _snapshotBuilder;

    public FlowDryRun(IOrderService orderService, OrderSnapshotBuilder snapshotBuilder)
    {
        _orderService = orderService;
        _snapshotBuilder = snapshotBuilder;
    }

    /// <summary>The engine's dry-run report for the newest <paramref name="count"/> orders (1..1000). Throws KashFlowNativeException when the engine refuses.</summary>
    public async Task<DryRunReport> RunAsync(string flowsJson, int count)
    {
        var orders = await _orderService.SearchOrdersAsync(pageIndex: 0, pageSize: Math.Clamp(count, 1, MaxOrders));
        var input = new List<DryRunOrder>(orders.Count);
        foreach (var order in orders)
        {
            // with the facts flow conditions read, saved flows or not: the flows on the page may be new
            using var snapshot = JsonDocument.Parse(await _snapshotBuilder.BuildJsonAsync(order, flowFacts: true));
            input.Add(new DryRunOrder(snapshot.RootElement.Clone(), EventsOf(order)));
        }
        return FlowDocuments.ParseDryRun(KashFlowFlows.DryRunJson(flowsJson, FlowDocuments.DryRunOrdersJson(input)));
    }

    /// <summary>The triggers an order has been through after it was placed, read from its state (placed is implied, as in the contract's example).</summary>
    public static IReadOnlyList<string> EventsOf(Order order)
    {
        var events = new List<string>();
        if (order.PaymentStatus is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded || order.PaidDateUtc is not null)
            events.Add(FlowNames.OrderPaid);
        if (order.ShippingStatus is ShippingStatus.PartiallyShipped or ShippingStatus.Shipped or ShippingStatus.Delivered)
            events.Add(FlowNames.OrderShipped);
        if (order.ShippingStatus == ShippingStatus.Delivered)
            events.Add(FlowNames.OrderDelivered);
        if (order.OrderStatus == OrderStatus.Complete)
            events.Add(FlowNames.OrderCompleted);
        if (order.RefundedAmount > 0 || order.PaymentStatus is PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded)
            events.Add(FlowNames.OrderRefunded);
        if (order.OrderStatus == OrderStatus.Cancelled)
            events.Add(FlowNames.OrderCancelled);
        return events;
    }
}
