// KashFlowEngineHost, the spool hand-over: ready spooled documents go to the engine oldest first, and
// "rebuild" markers become fresh snapshots built in a DI scope; then the catch-up runs if one is due.
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Logging;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    /// <summary>Hands over the ready (order/event) spool entries in order; stops at the first failure.</summary>
    private bool DrainReadyLocked(KashFlowEngine engine)
    {
        foreach (var entry in Spool.List())
        {
            if (entry.Kind == SpoolKind.Rebuild)
                continue;
            try
            {
                var document = entry.ReadDocument();
                if (entry.Kind == SpoolKind.Order)
                    engine.EnqueueOrder(document);
                else
                    engine.EnqueueEvent(document);
            }
            catch (Exception)
            {
                return false;
            }
            Spool.Remove(entry);
            _readyInSpool = Math.Max(0, _readyInSpool - 1);
        }
        _readyInSpool = 0;
        return true;
    }

    public async Task<int> DrainSpoolAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        return await DrainSpoolInScopeAsync(scope.ServiceProvider, cancellationToken);
    }

    private async Task<int> DrainSpoolInScopeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var engine = _engine;
        if (engine is null)
            return 0;
        var drained = await DrainSpoolEntriesAsync(engine, services, cancellationToken);
        await RunCatchUpAsync(services, cancellationToken);
        return drained;
    }

    private async Task<int> DrainSpoolEntriesAsync(KashFlowEngine engine, IServiceProvider services, CancellationToken cancellationToken)
    {
        var before = Spool.List().Count;
        if (before == 0)
            return 0;
        lock (_submitLock)
            DrainReadyLocked(engine);

        var rebuilds = Spool.List().Where(e => e.Kind == SpoolKind.Rebuild).ToList();
        if (rebuilds.Count > 0)
        {
            var orderService = services.GetRequiredService<IOrderService>();
            var builder = services.GetRequiredService<IOrderSnapshotBuilder>();
            var logger = services.GetRequiredService<ILogger>();
            foreach (var entry in rebuilds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var order = await orderService.GetOrderByIdAsync(entry.OrderId);
                    if (order is null)
                    {
                        await logger.WarningAsync($"KashFlow: spooled order {entry.OrderId} no longer exists; dropped from the spool.");
                        Spool.Remove(entry);
                        continue;
                    }
                    var json = await builder.BuildJsonAsync(order);
                    lock (_submitLock)
                        engine.EnqueueOrder(json);
                    Spool.Remove(entry);
                }
                catch (Exception ex)
                {
                    await logger.WarningAsync($"KashFlow: order {entry.OrderId} is still waiting in the spool: {ex.Message}");
                    break;
                }
            }
        }
        return before - Spool.List().Count;
    }
}
