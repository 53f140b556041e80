// Applies one engine outcome to nopCommerce, the way an admin would, idempotently (outcomes are
// delivered at least once: a crash between applying and acknowledging repeats one):
//  - SetOrderStatus: OrderStatusId + UpdateOrderAsync + OrderStatusChangedEvent (UpdateOrderAsync alone
//    raises no status event). Only forward moves: Processing is applied to a Pending order only, and a
//    Cancelled or Complete order is never moved by KashFlow.
//  - AddOrderNote: a private note (DisplayToCustomer false), skipped when the same text is already there. A
//    failure's note is worded here, by the phrase for its error code (the one the admin pages show), with the
//    code in brackets; the engine's wording stands for a code without a phrase.
//  - SetStock: AdjustInventoryAsync by (target - current) with a "KashFlow:" message, for products that
//    manage stock themselves; attribute-combination and multi-warehouse stock is left alone (logged); a SKU
//    the shop does not have is nothing to do (said once per SKU, not a warning per pull).
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Catalog;
using Nop.Services.Logging;
using Nop.Services.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public enum ApplyResult
{
    /// <summary>Done (or already done, or nothing to do): acknowledge it.</summary>
    Applied,

    /// <summary>It can never be applied (unknown order/product/kind): log and acknowledge it.</summary>
    Rejected,
}

public class OutcomeApplier
{
    // one stock adjustment at a time in this process: read-modify-write of StockQuantity
    private static readonly SemaphoreSlim StockLock = new(1, 1);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> UnmatchedSkusLogged = new();

    private readonly TimeProvider _time;
    private readonly IEventPublisher _eventPublisher;
    private readonly ILogger _logger;
    private readonly IOrderService _orderService;
    private readonly IProductService _productService;
    private readonly Factories.KashFlowPhrases _phrases;

    public OutcomeApplier(IEventPublisher eventPublisher, ILogger logger, IOrderService orderService, IProductService productService,
        Factories.KashFlowPhrases phrases, TimeProvider? time = null)
    {
        _phrases = phrases;
        _time = time ?? TimeProvider.System;
        _eventPublisher = eventPublisher;
        _logger = logger;
        _orderService = orderService;
        _productService = productService;
    }

    /// <summary>Throws when nopCommerce itself fails (database): the outcome stays unacknowledged and comes back.</summary>
    public Task<ApplyResult> ApplyAsync(EngineOutcome outcome) => outcome.Kind switch
    {
        EngineNames.SetOrderStatus => SetOrderStatusAsync(outcome),
        EngineNames.AddOrderNote => AddOrderNoteAsync(outcome),
        EngineNames.SetStock => SetStockAsync(outcome),
        _ => RejectAsync(outcome, $"unknown outcome kind '{outcome.Kind}'"),
    };

    private async Task<ApplyResult> SetOrderStatusAsync(EngineOutcome outcome)
    {
        if (!Enum.TryParse<OrderStatus>(outcome.OrderStatus, ignoreCase: false, out var target) || !Enum.IsDefined(target))
            return await RejectAsync(outcome, $"unknown order status '{outcome.OrderStatus}'");
        var order = await LoadOrderAsync(outcome);
        if (order is null)
            return await RejectAsync(outcome, $"order {outcome.OrderId} not found");

        var previous = order.OrderStatus;
        if (previous == target)
            return ApplyResult.Applied;
        var allowed = target switch
        {
            OrderStatus.Processing => previous == OrderStatus.Pending,
            _ => previous is not (OrderStatus.Cancelled or OrderStatus.Complete),
        };
        if (!allowed)
        {
            await _logger.InformationAsync($"KashFlow: order {order.Id} stays {previous} (KashFlow asked for {target}; only forward moves are applied).");
            return ApplyResult.Applied;
        }

        order.OrderStatus = target;
        await _orderService.UpdateOrderAsync(order);
        await _eventPublisher.PublishAsync(new OrderStatusChangedEvent(order, previous));
        return ApplyResult.Applied;
    }

    private async Task<ApplyResult> AddOrderNoteAsync(EngineOutcome outcome)
    {
        if (string.IsNullOrWhiteSpace(outcome.Note))
            return await RejectAsync(outcome, "empty note");
        var order = await LoadOrderAsync(outcome);
        if (order is null)
            return await RejectAsync(outcome, $"order {outcome.OrderId} not found");

        var text = await _phrases.FailureNoteAsync(outcome) ?? outcome.Note;
        var notes = await _orderService.GetOrderNotesByOrderIdAsync(order.Id);
        if (notes.Any(n => string.Equals(n.Note, text, StringComparison.Ordinal)))
            return ApplyResult.Applied;
        await _orderService.InsertOrderNoteAsync(new OrderNote
        {
            OrderId = order.Id,
            Note = text,
            DisplayToCustomer = false,
            CreatedOnUtc = _time.GetUtcNow().UtcDateTime,
        });
        return ApplyResult.Applied;
    }

    private async Task<ApplyResult> SetStockAsync(EngineOutcome outcome)
    {
        if (string.IsNullOrWhiteSpace(outcome.Sku) || outcome.Quantity is null)
            return await RejectAsync(outcome, "SetStock without Sku or Quantity");
        await StockLock.WaitAsync();
        try
        {
            var product = await _productService.GetProductBySkuAsync(outcome.Sku);
            if (product is null)
            {
                // A KashFlow product the shop does not sell is normal, and every stock pull reports it
                // again: in a real store that was ten warnings per pull (every 15 minutes). Nothing to do;
                // say so once per SKU and process.
                if (UnmatchedSkusLogged.TryAdd(outcome.Sku.Trim().ToUpperInvariant(), 0))
                    await _logger.InformationAsync($"KashFlow: stock of '{outcome.Sku}' not set: no nopCommerce product has this SKU (said once per SKU until the next restart).");
                return ApplyResult.Applied;
            }
            if (product.ManageInventoryMethod != ManageInventoryMethod.ManageStock || product.UseMultipleWarehouses)
            {
                await _logger.InformationAsync($"KashFlow: stock of '{outcome.Sku}' not set: the product's stock is not tracked as a single quantity in nopCommerce.");
                return ApplyResult.Applied;
            }
            var delta = outcome.Quantity.Value - product.StockQuantity;
            if (delta == 0)
                return ApplyResult.Applied;
            await _productService.AdjustInventoryAsync(product, delta, string.Empty,
                $"{KashFlowDefaults.StockMessagePrefix} stock level set to {outcome.Quantity.Value} from KashFlow");
            return ApplyResult.Applied;
        }
        finally
        {
            StockLock.Release();
        }
    }

    private async Task<Order?> LoadOrderAsync(EngineOutcome outcome)
    {
        if (outcome.OrderId is not { } id || id <= 0 || id > int.MaxValue)
            return null;
        var order = await _orderService.GetOrderByIdAsync((int)id);
        return order is { Deleted: false } ? order : null;
    }

    private async Task<ApplyResult> RejectAsync(EngineOutcome outcome, string why)
    {
        await _logger.WarningAsync($"KashFlow: outcome {outcome.Id} ({outcome.Kind}) cannot be applied: {why}.");
        return ApplyResult.Rejected;
    }
}
