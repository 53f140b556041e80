// The catch-up after an unclean exit: the store database is the record of what customers bought, so
// whatever the checkout hand-off held in memory when the process died is rebuilt from it. For every
// order created since the hand-off marker's floor (less a margin), 500 at a time: an order the journal
// does not know gets its snapshot built and journalled (a snapshot carries the order's current payment
// and cancellation state, so nothing else is needed); an order it knows gets its OrderPaid again when
// the store says it was paid inside the window (the engine and the payment step both recognise a
// payment they already have) and
// its OrderCancelled when the store says cancelled and the journal does not. Refunds and voids are
// journalled before their consumer returns, but a process that died in between would lose them: every
// refund the order's notes record beyond the refund credit notes the journal has is sent again (same
// amount and date, so one the journal does have is recognised, never a second credit note), and a
// voided order's OrderVoided when the journal has no void. When saved flows listen for an order's
// shipment, delivery or completion, each of those its state shows is sent again too (dated now: the
// engine recognises one it already has, as it does a payment), so a flow that invoices on dispatch
// is not left waiting for an event the hand-off lost.
// The window never reaches behind the moment synchronisation was last switched on (KashFlowSettings.
// SyncOnSinceUtc), margin included: an order placed while sync was off, or while the plugin was not
// installed, is not the catch-up's to post. Those are offered to the admin (OrderBackfill) instead.
using System.Text.Json.Nodes;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record CatchUpResult(int OrdersSeen, int SnapshotsSubmitted, int EventsSubmitted);

public static class OrderCatchUp
{
    /// <summary>Orders created this long before the floor are looked at too (clock and commit skew).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    private const int PageSize = 500;

    /// <param name="submitOrder">The durable (synchronous) path for a snapshot.</param>
    /// <param name="submitEvent">The durable (synchronous) path for an event document.</param>
    /// <param name="buildFailed">Told of an order whose snapshot cannot be built now (the host spools it for a rebuild), so one bad order never stops the rest.</param>
    /// <param name="time">The clock: a cancellation or void re-sent is dated now (the store keeps no time for it).</param>
    /// <param name="syncOnSinceUtc">When sync was last switched on: nothing created before it is looked at (see Window).</param>
    public static async Task<CatchUpResult> RunAsync(KashFlowEngine engine, IOrderService orders, IOrderSnapshotBuilder builder,
        DateTime floorUtc, Action<int, string> submitOrder, Action<int, string> submitEvent, CancellationToken cancellationToken,
        Action<int, Exception>? buildFailed = null, TimeProvider? time = null, DateTime? syncOnSinceUtc = null,
        IReadOnlySet<string>? listening = null)
    {
        var from = Window(floorUtc, syncOnSinceUtc);
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        int seen = 0, snapshots = 0, events = 0;
        for (var pageIndex = 0; ; pageIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await orders.SearchOrdersAsync(createdFromUtc: from, pageIndex: pageIndex, pageSize: PageSize);
            if (page.Count == 0)
                break;
            var known = Known(engine, page.Select(o => o.Id).ToList());
            foreach (var order in page)
            {
                seen++;
                if (!known.TryGetValue(order.Id, out var record))
                {
                    if (await SubmitUnknownAsync(orders, builder, order, submitOrder, submitEvent, buildFailed) is { } sent)
                    {
                        snapshots++;
                        events += sent + ResendLifecycle(order, listening, now, submitEvent);
                    }
                    continue;
                }
                events += ResendLifecycle(order, listening, now, submitEvent);
                // a payment made before the window was journalled by an earlier process
                if (order.PaymentStatus == PaymentStatus.Paid && order.PaidDateUtc is { } paid && DateTime.SpecifyKind(paid, DateTimeKind.Utc) >= from)
                {
                    submitEvent(order.Id, OrderEventDocument.Paid(order, now).ToJson());
                    events++;
                }
                var credits = record.CreditNoteList;
                if (order.OrderStatus == OrderStatus.Cancelled && record.State != EngineNames.RecordCancelled && !record.NeedsCreditNote
                    && !credits.Any(c => c.Cause == EngineNames.CauseCancellation))
                {
                    // the store keeps no cancellation time: now is the best there is
                    submitEvent(order.Id, OrderEventDocument.Cancelled(order, now).ToJson());
                    events++;
                }
                if (order.PaymentStatus == PaymentStatus.Voided && record.State != EngineNames.RecordCancelled && !credits.Any(c => c.Cause == EngineNames.CauseVoid))
                {
                    submitEvent(order.Id, OrderEventDocument.Voided(order, now).ToJson());
                    events++;
                }
                events += await ResendRefundsAsync(orders, order, record, submitEvent);
            }
            if (!page.HasNextPage)
                break;
        }
        return new CatchUpResult(seen, snapshots, events);
    }

    /// <summary>
    /// Where the catch-up starts: the floor less the margin, but never before synchronisation was last
    /// switched on (a margin reaching into a time sync was off would post what the admin chose not to).
    /// </summary>
    public static DateTime Window(DateTime floorUtc, DateTime? syncOnSinceUtc)
    {
        var from = DateTime.SpecifyKind(floorUtc, DateTimeKind.Utc) - Margin;
        return syncOnSinceUtc is { } on && DateTime.SpecifyKind(on, DateTimeKind.Utc) > from ? DateTime.SpecifyKind(on, DateTimeKind.Utc) : from;
    }

    /// <summary>
    /// Journals an order the journal does not know: a fresh snapshot (current payment and cancellation
    /// state) and the refunds its notes record. Returns how many event documents went with it, or null
    /// when the snapshot could not be built (<paramref name="buildFailed"/> was told).
    /// </summary>
    internal static async Task<int?> SubmitUnknownAsync(IOrderService orders, IOrderSnapshotBuilder builder, Order order,
        Action<int, string> submitOrder, Action<int, string> submitEvent, Action<int, Exception>? buildFailed)
    {
        string json;
        try
        {
            json = await builder.BuildJsonAsync(order);
        }
        catch (Exception ex) when (buildFailed is not null && ex is not OperationCanceledException)
        {
            buildFailed(order.Id, ex);
            return null;
        }
        submitOrder(order.Id, json);
        return await ResendRefundsAsync(orders, order, null, submitEvent);
    }

    /// <summary>OrderShipped / OrderDelivered / OrderCompleted the order's state shows, for the triggers saved flows listen for.</summary>
    private static int ResendLifecycle(Order order, IReadOnlySet<string>? listening, DateTime nowUtc, Action<int, string> submitEvent)
    {
        if (listening is not { Count: > 0 })
            return 0;
        var sent = 0;
        foreach (var kind in FlowDryRun.EventsOf(order))
        {
            if (kind is (FlowNames.OrderShipped or FlowNames.OrderDelivered or FlowNames.OrderCompleted) && listening.Contains(kind))
            {
                submitEvent(order.Id, new OrderLifecycleDocument(kind, order.Id, nowUtc).ToJson());
                sent++;
            }
        }
        return sent;
    }

    /// <summary>The order's refunds (from its notes) the journal has no credit note for, oldest first.</summary>
    private static async Task<int> ResendRefundsAsync(IOrderService orders, Order order, RecordSummary? record, Action<int, string> submitEvent)
    {
        if (order.RefundedAmount <= 0)
            return 0;
        var notes = RefundNote.All(await orders.GetOrderNotesByOrderIdAsync(order.Id));
        var journalled = record?.CreditNoteList.Count(c => c.Cause == EngineNames.CauseRefund) ?? 0;
        var sent = 0;
        for (var i = journalled; i < notes.Count; i++)
        {
            var last = i == notes.Count - 1;
            // only the last refund can have taken the order to Refunded
            var status = last ? order.PaymentStatus.ToString() : nameof(PaymentStatus.PartiallyRefunded);
            submitEvent(order.Id, OrderEventDocument.Refunded(order, notes[i].Amount, notes[i], notes[i].CreatedOnUtc, status).ToJson());
            sent++;
        }
        return sent;
    }

    internal static Dictionary<int, RecordSummary> Known(KashFlowEngine engine, IReadOnlyList<int> orderIds)
    {
        var query = new RecordQuery([], null, null, null, 1, PageSize, orderIds);
        return EngineDocuments.ParseRecordPage(engine.ListRecordsJson(query.ToJson())).Items
            .GroupBy(r => (int)r.OrderId)
            .ToDictionary(g => g.Key, g => g.First());
    }
}
