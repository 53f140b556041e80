// KashFlowEngineHost, after an unclean exit: runs OrderCatchUp once per start (rebuilding from the store
// database what the hand-off may have lost) and logs what it found.
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Services.Logging;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    /// <summary>After an unclean exit: rebuilds from the store what the hand-off may have lost. Once per start.</summary>
    private async Task RunCatchUpAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        // a web farm's catch-up is farm-wide, from the store database (FarmCatchUpAsync): this node's
        // marker and journal know only a part of the farm
        if (_webFarm)
            return;
        AdoptOrphanedMarkers();
        if (_catchUpFromUtc is not { } from || _engine is not { } engine || Interlocked.Exchange(ref _catchUpRunning, 1) == 1)
            return;
        var logger = services.GetRequiredService<ILogger>();
        try
        {
            // never behind the moment sync was last switched on: what lies before it (sync off, or the
            // plugin not installed) is the admin's to send, from the Backfill page
            var settingsManager = services.GetRequiredService<KashFlowSettingsManager>();
            var settings = await settingsManager.LoadAsync();
            var syncOnSince = settings.SyncOnSinceUtc;
            var window = OrderCatchUp.Window(from, syncOnSince);
            var wanted = from - OrderCatchUp.Margin;
            if (window > wanted)
            {
                await settingsManager.WidenBackfillAsync(wanted);
                await logger.InformationAsync($"KashFlow: orders created between {wanted:u} and {window:u} (synchronisation was off, or the plugin not installed, for part of it) are not caught up automatically; any KashFlow does not have are listed on the Backfill page.");
            }
            var result = await OrderCatchUp.RunAsync(engine, services.GetRequiredService<IOrderService>(),
                services.GetRequiredService<IOrderSnapshotBuilder>(), from,
                (id, json) => SubmitOrder(id, json), (id, json) => SubmitEvent(id, json), cancellationToken,
                (id, ex) =>
                {
                    SpoolRebuild(id);
                    Log(false, $"KashFlow: the snapshot of order {id} could not be built for the catch-up ({ex.GetType().Name}: {ex.Message}); it is spooled to be built again.");
                }, _time, syncOnSince, FlowDocuments.EnabledTriggers(settings.FlowsJson));
            _catchUpFromUtc = null;
            await logger.InformationAsync($"KashFlow: the last stop was not clean; {result.OrdersSeen} order(s) created since {window:u} were checked against the journal: {result.SnapshotsSubmitted} snapshot(s) and {result.EventsSubmitted} payment or cancellation document(s) journalled again.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await logger.WarningAsync($"KashFlow: the catch-up after an unclean stop did not finish ({ex.GetType().Name}: {ex.Message}); it runs again with the schedule task.");
        }
        finally
        {
            Interlocked.Exchange(ref _catchUpRunning, 0);
        }
    }

    /// <summary>
    /// A sibling process on this App_Data (IIS overlapped recycling, a web garden) that died after this
    /// host started left its marker: its window becomes this host's catch-up.
    /// </summary>
    private void AdoptOrphanedMarkers()
    {
        try
        {
            if (_marker.AdoptOrphans() is { } floor && (_catchUpFromUtc is not { } due || floor < due))
                _catchUpFromUtc = floor;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // unreadable now: the next scan (schedule task) tries again
        }
    }
}
