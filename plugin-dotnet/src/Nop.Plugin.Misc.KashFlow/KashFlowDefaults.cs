// Names and constants of the plugin in one place: system name, routes, the schedule task, file
// locations under App_Data, and the stock-message prefix that marks changes the plugin made itself.
namespace Nop.Plugin.Misc.KashFlow;

public static class KashFlowDefaults
{
    public const string SystemName = "Misc.KashFlow";

    /// <summary>Folder of the plugin under Plugins/ (views are addressed through it).</summary>
    public const string PluginFolder = "~/Plugins/Misc.KashFlow";

    public const string ConfigurationRouteName = "Plugin.Misc.KashFlow.Configure";
    public const string SyncLogRouteName = "Plugin.Misc.KashFlow.SyncLog";
    public const string BackfillRouteName = "Plugin.Misc.KashFlow.Backfill";
    public const string ProductsRouteName = "Plugin.Misc.KashFlow.Products";
    public const string SetupRouteName = "Plugin.Misc.KashFlow.Setup";
    public const string FlowsRouteName = "Plugin.Misc.KashFlow.Flows";
    public const string ControllerName = "KashFlowAdmin";

    /// <summary>Admin menu system names (ours, and the nopCommerce 4.90 nodes under Configuration we insert after, else before).</summary>
    public const string MenuSystemName = "Misc.KashFlow";
    public const string MenuInsertAfterSystemName = "Local plugins";
    public const string MenuInsertBeforeSystemName = "All plugins and themes";

    /// <summary>Every locale resource of the plugin starts with this prefix (uninstall deletes by it).</summary>
    public const string LocalePrefix = "Plugins.Misc.KashFlow";

    /// <summary>
    /// Stock changes the plugin applies carry this message prefix, so a stock-history consumer (ours
    /// or another integration's) can recognise and ignore them: no KashFlow → nop → KashFlow loops.
    /// </summary>
    public const string StockMessagePrefix = "KashFlow:";

    /// <summary>The schedule task: pulls stock from KashFlow and re-submits anything spooled.</summary>
    public static string SyncTaskType => "Nop.Plugin.Misc.KashFlow.Services.KashFlowSyncTask, Nop.Plugin.Misc.KashFlow";
    public const string SyncTaskName = "KashFlow synchronisation (stock pull, spooled orders)";
    public const int SyncTaskPeriodSeconds = 15 * 60;

    /// <summary>Under App_Data: the engine journal and the fallback spool.</summary>
    public const string DataDirectoryName = "KashFlow";
    public const string JournalFileName = "kashflow-sync.sqlite";
    public const string SpoolDirectoryName = "spool";

    /// <summary>Exists while checkout documents may be held only in memory (see HandOffMarker).</summary>
    public const string HandOffMarkerFileName = "handoff-open.txt";

    /// <summary>Checkout documents held in memory at most; beyond this a checkout journals synchronously.</summary>
    public const int HandOffCapacity = 10_000;

    /// <summary>How long a clean stop waits for the hand-off to reach the journal.</summary>
    public static readonly TimeSpan HandOffDrainTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Outcomes taken per poll, and how long the poller sleeps when there was nothing to do.</summary>
    public const int OutcomeBatchSize = 50;
    public static readonly TimeSpan IdlePollDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan BusyPollDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan EngineRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>An outcome that fails to apply this many times in a row is logged and acknowledged.</summary>
    public const int MaxOutcomeApplyAttempts = 5;
}
