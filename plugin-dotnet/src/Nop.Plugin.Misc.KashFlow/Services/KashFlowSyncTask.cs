// The schedule task (System → Schedule tasks): asks the engine to pull stock levels from KashFlow (when
// that step is on) and hands over anything still in the spool. Runs in a request scope on a timer.
namespace Nop.Plugin.Misc.KashFlow.Services;

public class KashFlowSyncTask : Nop.Services.ScheduleTasks.IScheduleTask
{
    private readonly IKashFlowEngineHost _host;
    private readonly KashFlowSettingsManager _settingsManager;

    public KashFlowSyncTask(IKashFlowEngineHost host, KashFlowSettingsManager settingsManager)
    {
        _host = host;
        _settingsManager = settingsManager;
    }

    public async Task ExecuteAsync()
    {
        if (!await _host.EnsureStartedAsync(ignoreBackoff: true) || _host.Engine is not { } engine)
            return;
        await _host.DrainSpoolAsync();
        if ((await _settingsManager.LoadAsync()).PullStock)
            engine.RequestStockPull();
    }
}
