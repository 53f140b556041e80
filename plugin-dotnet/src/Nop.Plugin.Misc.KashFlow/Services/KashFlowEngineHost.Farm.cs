// KashFlowEngineHost, the web farm (setting "Web farm"): several nopCommerce nodes share the store
// database but not a disk. Every node writes each document to the store database's hand-off table
// (FarmDocuments) where nopCommerce raised the event (falling back to its own spool when the database
// refuses, then moving the spool there); one node, the holder of the active-node lease (FarmLease),
// runs the engine: it journals the rows its journal lacks, marks them, marks them synced once its
// journal reports the order settled, and runs the farm-wide catch-up. A node that took over from a
// dead one journals again the rows not confirmed synced; an order its journal does not know gets its
// whole history (its journal dedups what it has, and the engine looks in KashFlow before its first
// post in farm mode, so nothing the node before it posted is posted twice).
// Off, none of this runs and the host is exactly the single-node host.
using Microsoft.Extensions.DependencyInjection;
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Logging;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>Who runs the sync in a web farm: the lease holder and since when, and whether that is this node.</summary>
public sealed record FarmNodeStatus(string ThisNode, string? ActiveNode, DateTime? ActiveSinceUtc, bool ThisNodeActive);

public sealed partial class KashFlowEngineHost
{
    private const int FarmBatch = 200;


    private readonly SemaphoreSlim _farmLock = new(1, 1);
    private volatile bool _webFarm;
    private volatile bool _farmHolder;
    private DateTime _farmRenewedUtc;
    private DateTime _nextFarmCatchUpUtc = DateTime.MinValue;
    private bool _farmFaultLogged;

    /// <summary>This node's name in the lease and the rows: machine, process and this host.</summary>
    public string FarmNode { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The lease's expiry (30 s; tests shorten it).</summary>
    internal TimeSpan FarmLeaseExpiry { get; set; } = FarmLease.Expiry;

    /// <summary>Orders this recent are left to the next catch-up: their row may be being written right now.</summary>
    internal TimeSpan FarmCatchUpSettle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the active node runs the farm-wide catch-up.</summary>
    internal TimeSpan FarmCatchUpEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether this node holds the active-node lease (web farm only).</summary>
    public bool IsFarmActiveNode => _webFarm && _farmHolder;

    public async Task FarmTickAsync(CancellationToken cancellationToken = default)
    {
        if (!await _farmLock.WaitAsync(0, cancellationToken))
            return; // a tick is running (poller and schedule task)
        try
        {
            await using var scope = _scopeFactory.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var settings = await services.GetRequiredService<KashFlowSettingsManager>().LoadAsync();
            var wasFarm = _webFarm;
            _webFarm = settings.Enabled && settings.WebFarm;
            if (!_webFarm)
            {
                if (wasFarm && _farmHolder)
                    await ReleaseFarmLeaseAsync(services);
                return;
            }
            var logger = services.GetRequiredService<ILogger>();
            // the lease first: nothing else in the tick may keep the active node from renewing it
            var holds = await HoldFarmLeaseAsync(services, logger);
            await MoveSpoolToFarmAsync(services, logger, cancellationToken);
            if (!holds)
            {
                _farmFaultLogged = false;
                return;
            }
            if (!await EnsureStartedAsync(cancellationToken: cancellationToken) || _engine is not { } engine)
                return;
            var documents = services.GetRequiredService<IRepository<KashFlowFarmDocument>>();
            await JournalFarmRowsAsync(engine, documents, cancellationToken);
            await MarkFarmRowsSyncedAsync(engine, documents);
            if (UtcNow >= _nextFarmCatchUpUtc)
            {
                await FarmCatchUpAsync(services, settings.SyncOnSinceUtc, logger, cancellationToken);
                _nextFarmCatchUpUtc = UtcNow + FarmCatchUpEvery;
            }
            _farmFaultLogged = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // the store database is unreachable, say: the next tick tries again; a holder that cannot renew
            // stops sending before another node may take over (HoldFarmLeaseAsync). Logged once per outage.
            if (_webFarm && !_farmFaultLogged)
            {
                _farmFaultLogged = true;
                Log(false, $"KashFlow (web farm): the store database's hand-off tables could not be used ({ex.GetType().Name}: {ex.Message}); this node keeps trying, and documents wait in its spool meanwhile. Were the plugin's tables created (reinstall or update the plugin)?");
            }
        }
        finally
        {
            _farmLock.Release();
        }
    }

    /// <summary>Takes or renews the lease; starts being (or stops being) the active node accordingly.</summary>
    private async Task<bool> HoldFarmLeaseAsync(IServiceProvider services, ILogger logger)
    {
        var lease = new FarmLease(services.GetRequiredService<IRepository<KashFlowFarmLease>>(), FarmNode, _time, FarmLeaseExpiry);
        bool holds;
        try
        {
            holds = await lease.TryHoldAsync();
        }
        catch (Exception) when (_farmHolder && UtcNow - _farmRenewedUtc < FarmLeaseExpiry * 2 / 3)
        {
            return true; // a missed renewal, well inside the lease: carry on, the next tick tries again
        }
        catch (Exception)
        {
            holds = false; // cannot tell: stop before another node may take over
        }
        if (holds)
        {
            _farmRenewedUtc = UtcNow;
            if (!_farmHolder)
            {
                _farmHolder = true;
                _nextFarmCatchUpUtc = DateTime.MinValue; // a new active node looks at once
                await logger.InformationAsync($"KashFlow (web farm): this node ({FarmNode}) is now the active sync node.");
            }
            return true;
        }
        if (_farmHolder)
        {
            _farmHolder = false;
            await _startLock.WaitAsync();
            try
            {
                StopLocked();
            }
            finally
            {
                _startLock.Release();
            }
            await logger.WarningAsync($"KashFlow (web farm): this node ({FarmNode}) lost the active-node lease and stopped syncing; another node carries on.");
        }
        return false;
    }

    /// <summary>A clean stop, after the engine stopped: the next node takes over at its next look.</summary>
    private void ReleaseFarmLeaseOnStop()
    {
        if (!_farmHolder)
            return;
        try
        {
            using var scope = _scopeFactory.CreateScope();
            ReleaseFarmLeaseAsync(scope.ServiceProvider).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // the database is gone: the lease expires instead
        }
    }

    private async Task ReleaseFarmLeaseAsync(IServiceProvider services)
    {
        _farmHolder = false;
        if (services.GetService<IRepository<KashFlowFarmLease>>() is { } leases)
            await new FarmLease(leases, FarmNode, _time, FarmLeaseExpiry).ReleaseAsync();
    }

    /// <summary>The rows this node's journal lacks, journalled in order; an order it does not know gets its whole history.</summary>
    private async Task JournalFarmRowsAsync(KashFlowEngine engine, IRepository<KashFlowFarmDocument> documents, CancellationToken cancellationToken)
    {
        var pending = FarmDocuments.NotJournaledBy(documents, FarmNode, FarmBatch);
        if (pending.Count == 0)
            return;
        var known = OrderCatchUp.Known(engine, pending.Select(r => r.OrderId).Distinct().ToList());
        foreach (var order in pending.GroupBy(r => r.OrderId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = known.ContainsKey(order.Key) ? order.ToList() : FarmDocuments.History(documents, order.Key);
            foreach (var row in rows)
            {
                // the local path (engine, or this node's spool), never the farm table again
                if (Submit(FarmDocuments.KindOf(row), row.OrderId, row.Document).State != SubmitState.Enqueued)
                    return; // the engine stopped or refused: the rest waits for the next tick
                if (row.JournaledBy != FarmNode)
                    await FarmDocuments.MarkJournaledAsync(documents, row, FarmNode, UtcNow);
            }
        }
    }

    /// <summary>Rows this node journalled whose order its journal reports settled (Synced, or Cancelled before posting).</summary>
    private async Task MarkFarmRowsSyncedAsync(KashFlowEngine engine, IRepository<KashFlowFarmDocument> documents)
    {
        var rows = FarmDocuments.JournaledNotSynced(documents, FarmNode, FarmBatch);
        if (rows.Count == 0)
            return;
        // read after the rows: a row journalled after this read is not marked by it
        var records = OrderCatchUp.Known(engine, rows.Select(r => r.OrderId).Distinct().ToList());
        var now = UtcNow;
        foreach (var row in rows)
        {
            if (records.TryGetValue(row.OrderId, out var record) && record.State is EngineNames.RecordSynced or EngineNames.RecordCancelled)
                await FarmDocuments.MarkSyncedAsync(documents, row, now);
        }
    }

    /// <summary>
    /// Farm-wide catch-up: orders of the store (placed on any node) created since the marker (less the
    /// margin, never before sync was switched on) that have no row get a snapshot row. The marker is in the
    /// store database, so it holds whichever node is active.
    /// </summary>
    private async Task FarmCatchUpAsync(IServiceProvider services, DateTime? syncOnSinceUtc, ILogger logger, CancellationToken cancellationToken)
    {
        var leases = services.GetRequiredService<IRepository<KashFlowFarmLease>>();
        var documents = services.GetRequiredService<IRepository<KashFlowFarmDocument>>();
        var upTo = UtcNow - FarmCatchUpSettle;
        if (FarmDocuments.SweptUpTo(leases) is not { } swept)
        {
            // the farm's first active node: orders before now were the single-node path's (or nobody's)
            await FarmDocuments.SetSweptUpToAsync(leases, FarmNode, upTo);
            return;
        }
        var from = OrderCatchUp.Window(swept, syncOnSinceUtc);
        var orders = services.GetRequiredService<IOrderService>();
        var builder = services.GetRequiredService<IOrderSnapshotBuilder>();
        var written = 0;
        for (var pageIndex = 0; ; pageIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await orders.SearchOrdersAsync(createdFromUtc: from, createdToUtc: upTo, pageIndex: pageIndex, pageSize: FarmBatch);
            if (page.Count == 0)
                break;
            var have = FarmDocuments.OrdersWithRows(documents, page.Select(o => o.Id).ToList());
            foreach (var order in page.Where(o => !have.Contains(o.Id)))
            {
                // a fresh snapshot carries the order's payment and cancellation state as they are now
                await FarmDocuments.WriteAsync(documents, FarmNode, SpoolKind.Order, order.Id, await builder.BuildJsonAsync(order), UtcNow);
                written++;
            }
            if (!page.HasNextPage)
                break;
        }
        await FarmDocuments.SetSweptUpToAsync(leases, FarmNode, upTo);
        if (written > 0)
            await logger.InformationAsync($"KashFlow (web farm): {written} order(s) created since {from:u} had not been handed over by any node; their snapshots are now.");
    }

    /// <summary>Documents this node spooled (the store database refused them) go to the farm table once it takes them.</summary>
    private async Task MoveSpoolToFarmAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        if (_farmHolder && _engine is not null)
            return; // the active node's own spool goes straight to its engine (DrainSpoolAsync)
        var entries = Spool.List();
        if (entries.Count == 0)
            return;
        var documents = services.GetRequiredService<IRepository<KashFlowFarmDocument>>();
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SpoolKind kind;
            string document;
            if (entry.Kind == SpoolKind.Rebuild)
            {
                var order = await services.GetRequiredService<IOrderService>().GetOrderByIdAsync(entry.OrderId);
                if (order is null)
                {
                    await logger.WarningAsync($"KashFlow: spooled order {entry.OrderId} no longer exists; dropped from the spool.");
                    Spool.Remove(entry);
                    continue;
                }
                (kind, document) = (SpoolKind.Order, await services.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order));
            }
            else
                (kind, document) = (entry.Kind, entry.ReadDocument());
            await FarmDocuments.WriteAsync(documents, FarmNode, kind, entry.OrderId, document, UtcNow);
            lock (_submitLock)
            {
                Spool.Remove(entry);
                if (entry.Kind != SpoolKind.Rebuild)
                    _readyInSpool = Math.Max(0, _readyInSpool - 1);
            }
        }
    }

    /// <summary>A document in farm mode: a row in the store database (any node), else this node's spool.</summary>
    private SubmitResult FarmSubmit(SpoolKind kind, int orderId, string document)
    {
        try
        {
            using var scope = _scopeFactory.CreateScope();
            var documents = scope.ServiceProvider.GetRequiredService<IRepository<KashFlowFarmDocument>>();
            // the same database nopCommerce just committed the order to; no network beyond it
            FarmDocuments.WriteAsync(documents, FarmNode, kind, orderId, document, UtcNow).GetAwaiter().GetResult();
            return new SubmitResult(SubmitState.InStoreDatabase, null, null);
        }
        catch (Exception ex)
        {
            lock (_submitLock)
            {
                Spool.Write(kind, orderId, document);
                Interlocked.Increment(ref _readyInSpool);
            }
            return new SubmitResult(SubmitState.Spooled, null, $"the store database did not take it ({ex.GetType().Name}: {ex.Message}); this node hands it over when it does");
        }
    }

    public async Task<FarmNodeStatus?> FarmStatusAsync()
    {
        if (!_webFarm)
            return null;
        await using var scope = _scopeFactory.CreateAsyncScope();
        var lease = new FarmLease(scope.ServiceProvider.GetRequiredService<IRepository<KashFlowFarmLease>>(), FarmNode, _time, FarmLeaseExpiry).Current();
        var live = lease is not null && DateTime.SpecifyKind(lease.ExpiresOnUtc, DateTimeKind.Utc) >= UtcNow;
        return new FarmNodeStatus(FarmNode, live ? lease!.Holder : null, live ? DateTime.SpecifyKind(lease!.AcquiredOnUtc, DateTimeKind.Utc) : null,
            live && lease!.Holder == FarmNode);
    }
}
