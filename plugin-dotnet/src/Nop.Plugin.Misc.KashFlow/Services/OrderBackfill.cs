// The backfill: orders created while synchronisation was off (or the plugin not installed, when a
// crash's catch-up would have reached back into that time) that the journal does not know. The catch-up
// never posts them (KashFlowSettings.SyncOnSinceUtc bounds it); this lists them for the admin, who may
// send them deliberately (the same durable path as Resync: a fresh snapshot and the refunds its notes
// record) or dismiss the list. The window is [KashFlowSettings.BackfillFromUtc, SyncOnSinceUtc), or up to
// now while sync is still off.
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record BackfillOrder(int OrderId, string CustomOrderNumber, DateTime CreatedOnUtc, decimal OrderTotal);

/// <param name="EngineRunning">False: the journal cannot be asked which orders it knows, so nothing is listed.</param>
/// <param name="More">More orders are waiting than the list shows.</param>
public sealed record BackfillList(DateTime? FromUtc, DateTime? ToUtc, bool EngineRunning, IReadOnlyList<BackfillOrder> Orders, bool More);

public sealed record BackfillResult(int Orders, int Events, int NotBuilt);

public class OrderBackfill
{
    /// <summary>Most orders the page lists (and "send all" sends) at once.</summary>
    public const int MaxListed = 500;

    private const int PageSize = 500;

    private readonly IKashFlowEngineHost _host;
    private readonly IOrderService _orders;
    private readonly IOrderSnapshotBuilder _builder;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly TimeProvider _time;

    public OrderBackfill(IKashFlowEngineHost host, IOrderService orders, IOrderSnapshotBuilder builder,
        KashFlowSettingsManager settingsManager, TimeProvider? time = null)
    {
        _host = host;
        _orders = orders;
        _builder = builder;
        _settingsManager = settingsManager;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The orders of the waiting window the journal does not know, oldest first (at most MaxListed).</summary>
    public async Task<BackfillList> ListAsync(CancellationToken cancellationToken = default)
    {
        var settings = await _settingsManager.LoadAsync();
        if (settings.BackfillFromUtc is not { } from)
            return new BackfillList(null, null, _host.Engine is not null, [], false);
        var to = settings.SyncOnSinceUtc ?? _time.GetUtcNow().UtcDateTime;
        if (_host.Engine is not { } engine)
            return new BackfillList(from, to, false, [], false);
        var found = new List<BackfillOrder>();
        var more = false;
        for (var pageIndex = 0; !more; pageIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await _orders.SearchOrdersAsync(createdFromUtc: from, createdToUtc: to, pageIndex: pageIndex, pageSize: PageSize);
            if (page.Count == 0)
                break;
            var known = OrderCatchUp.Known(engine, page.Select(o => o.Id).ToList());
            foreach (var order in page)
            {
                // the window's end is exclusive: an order created at the moment sync came on is the catch-up's
                if (known.ContainsKey(order.Id) || order.CreatedOnUtc >= to)
                    continue;
                if (found.Count == MaxListed)
                {
                    more = true;
                    break;
                }
                found.Add(new BackfillOrder(order.Id, order.CustomOrderNumber ?? order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    DateTime.SpecifyKind(order.CreatedOnUtc, DateTimeKind.Utc), order.OrderTotal));
            }
            if (!page.HasNextPage)
                break;
        }
        return new BackfillList(from, to, true, found, more);
    }

    /// <summary>
    /// Sends the listed orders (all of them, or those of <paramref name="orderIds"/>) to the journal: the
    /// admin's deliberate choice. An order outside the window, or one the journal knows, is left alone.
    /// </summary>
    public async Task<BackfillResult> EnqueueAsync(IReadOnlyCollection<int>? orderIds, CancellationToken cancellationToken = default)
    {
        var list = await ListAsync(cancellationToken);
        var chosen = list.Orders.Where(o => orderIds is null || orderIds.Contains(o.OrderId)).ToList();
        int orders = 0, events = 0, notBuilt = 0;
        foreach (var item in chosen)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var order = await _orders.GetOrderByIdAsync(item.OrderId);
            if (order is null)
                continue;
            var sent = await OrderCatchUp.SubmitUnknownAsync(_orders, _builder, order,
                (id, json) => _host.SubmitOrder(id, json), (id, json) => _host.SubmitEvent(id, json),
                (id, _) =>
                {
                    notBuilt++;
                    _host.SpoolRebuild(id);
                });
            if (sent is { } n)
            {
                orders++;
                events += n;
            }
        }
        // everything of the window sent: nothing is left to offer
        if (orderIds is null && !list.More && notBuilt == 0)
            await DismissAsync();
        return new BackfillResult(orders, events, notBuilt);
    }

    /// <summary>The admin has dealt with the window (or chooses not to send it): the list is emptied.</summary>
    public async Task DismissAsync()
    {
        var settings = await _settingsManager.LoadAsync();
        settings.BackfillFromUtc = null;
        await _settingsManager.SaveAsync(settings);
    }
}
