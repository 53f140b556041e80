// nopCommerce order events → engine documents. These run inline in the customer's checkout request,
// so they never throw and never wait on the network or the disk: the snapshot is built from the
// database and handed off in memory (CheckoutHandOff), whose writer journals it; the store database
// itself is what the catch-up rebuilds from after a crash. Refunds and voids (admin actions) are
// journalled before the consumer returns; a refund carries its date, whether it was offline and
// nopCommerce's note, read from the order note nopCommerce writes for it. Every failure is logged
// (no secrets) and the order stays recorded for retry.
using Nop.Core.Domain.Orders;
using Nop.Services.Events;
using Nop.Services.Logging;
using Nop.Services.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class OrderEventConsumer :
    IConsumer<OrderPlacedEvent>,
    IConsumer<OrderPaidEvent>,
    IConsumer<OrderStatusChangedEvent>,
    IConsumer<OrderRefundedEvent>,
    IConsumer<OrderVoidedEvent>
{
    private readonly IKashFlowEngineHost _host;
    private readonly ILogger _logger;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IOrderSnapshotBuilder _snapshotBuilder;
    private readonly IOrderService _orderService;
    private readonly TimeProvider _time;

    public OrderEventConsumer(IKashFlowEngineHost host, ILogger logger, KashFlowSettingsManager settingsManager, IOrderSnapshotBuilder snapshotBuilder,
        IOrderService orderService, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _host = host;
        _logger = logger;
        _settingsManager = settingsManager;
        _snapshotBuilder = snapshotBuilder;
        _orderService = orderService;
    }

    public async Task HandleEventAsync(OrderPlacedEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || !await IsEnabledAsync())
            return;
        string json;
        try
        {
            json = await _snapshotBuilder.BuildJsonAsync(order);
        }
        catch (Exception ex)
        {
            await SafeLogAsync(l => l.ErrorAsync($"KashFlow: could not build the snapshot of order {order.Id}; it is spooled to be built again.", ex));
            SafeSpoolRebuild(order.Id);
            return;
        }
        await SubmitAsync(order.Id, "order", () => _host.HandOffOrder(order.Id, json));
    }

    public async Task HandleEventAsync(OrderPaidEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || !await IsEnabledAsync())
            return;
        await SubmitEventAsync(order, "payment", () => OrderEventDocument.Paid(order, _time.GetUtcNow().UtcDateTime), handOff: true);
    }

    public async Task HandleEventAsync(OrderStatusChangedEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || order.OrderStatus != OrderStatus.Cancelled || eventMessage!.PreviousOrderStatus == OrderStatus.Cancelled)
            return;
        if (!await IsEnabledAsync())
            return;
        var now = _time.GetUtcNow().UtcDateTime;
        await SubmitEventAsync(order, "cancellation", () => OrderEventDocument.Cancelled(order, now), handOff: true);
    }

    public async Task HandleEventAsync(OrderRefundedEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || !await IsEnabledAsync())
            return;
        var amount = eventMessage!.Amount;
        RefundNote? note = null;
        try
        {
            note = RefundNote.Latest(await _orderService.GetOrderNotesByOrderIdAsync(order.Id), amount);
        }
        catch (Exception ex)
        {
            // no note: the refund is dated now and still posted
            await SafeLogAsync(l => l.WarningAsync($"KashFlow: the notes of order {order.Id} could not be read; its refund is dated now.", ex));
        }
        var now = _time.GetUtcNow().UtcDateTime;
        await SubmitEventAsync(order, "refund", () => OrderEventDocument.Refunded(order, amount, note, now), handOff: false);
    }

    public async Task HandleEventAsync(OrderVoidedEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || !await IsEnabledAsync())
            return;
        var now = _time.GetUtcNow().UtcDateTime;
        await SubmitEventAsync(order, "void", () => OrderEventDocument.Voided(order, now), handOff: false);
    }

    private Task SubmitEventAsync(Order order, string what, Func<OrderEventDocument> document, bool handOff)
    {
        var orderId = order.Id;
        string json;
        try
        {
            json = document().ToJson();
        }
        catch (Exception ex)
        {
            return SafeLogAsync(l => l.ErrorAsync($"KashFlow: could not write the {what} document of order {orderId}.", ex));
        }
        return SubmitAsync(orderId, what, () => handOff
            ? _host.HandOffEvent(orderId, order.CreatedOnUtc, json)
            : _host.SubmitEvent(orderId, json));
    }

    private async Task SubmitAsync(int orderId, string what, Func<SubmitResult> submit)
    {
        SubmitResult result;
        try
        {
            result = submit();
        }
        catch (Exception ex)
        {
            // the spool itself failed (disk full, permissions): nothing more can be done in this request
            await SafeLogAsync(l => l.ErrorAsync($"KashFlow: the {what} of order {orderId} could not be recorded, not even in the spool. Use \"Resync\" on the KashFlow sync log.", ex));
            return;
        }
        if (result.Report(what, orderId) is (var isError, var message))
            await SafeLogAsync(l => isError ? l.ErrorAsync(message) : l.WarningAsync(message));
    }

    private async Task<bool> IsEnabledAsync()
    {
        try
        {
            return (await _settingsManager.LoadAsync()).Enabled;
        }
        catch (Exception ex)
        {
            // settings unreadable: assume on, so the order is at least spooled
            await SafeLogAsync(l => l.WarningAsync("KashFlow: settings could not be read; the order is recorded anyway.", ex));
            return true;
        }
    }

    private void SafeSpoolRebuild(int orderId)
    {
        try
        {
            _host.SpoolRebuild(orderId);
        }
        catch (Exception)
        {
            // logged by the caller's message already; a consumer must not throw into checkout
        }
    }

    private async Task SafeLogAsync(Func<ILogger, Task> log)
    {
        try
        {
            await log(_logger);
        }
        catch (Exception)
        {
            // the log itself is down (database gone): stay silent rather than break checkout
        }
    }
}
