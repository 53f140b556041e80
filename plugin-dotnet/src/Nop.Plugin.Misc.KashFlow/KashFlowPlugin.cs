// The plugin entry nopCommerce finds (the first concrete IPlugin of the assembly): installs default
// settings, locale resources and the schedule task, and removes them on uninstall. An upgrade (a newer
// package over an installed one) never runs InstallAsync: nopCommerce calls UpdateAsync at start-up
// when plugin.json's Version differs from the installed one, and that is where the strings a release
// adds or rewords reach the store. So every release that changes KashFlowLocales bumps the Version
// (a test holds the locale fingerprint per version).
using Nop.Core.Domain.ScheduleTasks;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.KashFlow;

public class KashFlowPlugin : BasePlugin, IMiscPlugin
{
    private readonly ILocalizationService _localizationService;
    private readonly INopUrlHelper _nopUrlHelper;
    private readonly IScheduleTaskService _scheduleTaskService;
    private readonly ISettingService _settingService;

    public KashFlowPlugin(ILocalizationService localizationService, INopUrlHelper nopUrlHelper,
        IScheduleTaskService scheduleTaskService, ISettingService settingService)
    {
        _localizationService = localizationService;
        _nopUrlHelper = nopUrlHelper;
        _scheduleTaskService = scheduleTaskService;
        _settingService = settingService;
    }

    public override string GetConfigurationPageUrl() => _nopUrlHelper.RouteUrl(KashFlowDefaults.ConfigurationRouteName);

    public override async Task InstallAsync()
    {
        // synchronisation stays off until the admin has entered the KashFlow login
        await _settingService.SaveSettingAsync(new KashFlowSettings());
        await _localizationService.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await EnsureSyncTaskAsync();
        await base.InstallAsync();
    }

    public override async Task UpdateAsync(string currentVersion, string targetVersion)
    {
        // the locales of this release (new keys, reworded texts); settings keep the merchant's values
        await _localizationService.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await EnsureSyncTaskAsync();
        await base.UpdateAsync(currentVersion, targetVersion);
    }

    private async Task EnsureSyncTaskAsync()
    {
        if (await _scheduleTaskService.GetTaskByTypeAsync(KashFlowDefaults.SyncTaskType) is null)
        {
            await _scheduleTaskService.InsertTaskAsync(new ScheduleTask
            {
                Name = KashFlowDefaults.SyncTaskName,
                Type = KashFlowDefaults.SyncTaskType,
                Seconds = KashFlowDefaults.SyncTaskPeriodSeconds,
                Enabled = true,
                StopOnError = false,
                LastEnabledUtc = DateTime.UtcNow,
            });
        }
    }

    public override async Task UninstallAsync()
    {
        await _settingService.DeleteSettingAsync<KashFlowSettings>();
        await _localizationService.DeleteLocaleResourcesAsync(KashFlowDefaults.LocalePrefix);
        if (await _scheduleTaskService.GetTaskByTypeAsync(KashFlowDefaults.SyncTaskType) is { } task)
            await _scheduleTaskService.DeleteTaskAsync(task);
        await base.UninstallAsync();
    }
}
