// The plugin entry nopCommerce finds (the first concrete IPlugin of the assembly): installs default
// settings, locale resources, the schedule task and the order-page widget, and removes them on
// uninstall. An upgrade (a newer
// package over an installed one) never runs InstallAsync: nopCommerce calls UpdateAsync at start-up
// when plugin.json's Version differs from the installed one, and that is where the strings a release
// adds or rewords reach the store. So every release that changes KashFlowLocales bumps the Version
// (a test holds the locale fingerprint per version).
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Plugin.Misc.KashFlow.Components;
using Nop.Services.Cms;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Web.Framework.Infrastructure;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.KashFlow;

public class KashFlowPlugin : BasePlugin, IMiscPlugin, IWidgetPlugin
{
    private readonly TimeProvider _time;
    private readonly ILocalizationService _localizationService;
    private readonly INopUrlHelper _nopUrlHelper;
    private readonly IScheduleTaskService _scheduleTaskService;
    private readonly ISettingService _settingService;

    public KashFlowPlugin(ILocalizationService localizationService, INopUrlHelper nopUrlHelper,
        IScheduleTaskService scheduleTaskService, ISettingService settingService, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _localizationService = localizationService;
        _nopUrlHelper = nopUrlHelper;
        _scheduleTaskService = scheduleTaskService;
        _settingService = settingService;
    }

    public override string GetConfigurationPageUrl() => _nopUrlHelper.RouteUrl(KashFlowDefaults.ConfigurationRouteName);

    // ---- the KashFlow block on the admin order page (a widget that is always on, like Avalara's)

    public bool HideInWidgetList => true;

    public Task<IList<string>> GetWidgetZonesAsync() => Task.FromResult<IList<string>>([AdminWidgetZones.OrderDetailsBlock]);

    public Type GetWidgetViewComponent(string widgetZone) => typeof(OrderKashFlowViewComponent);

    /// <summary>nopCommerce renders only active widgets: install and upgrade switch ours on.</summary>
    private async Task ActivateWidgetAsync(bool active)
    {
        var widgets = await _settingService.LoadSettingAsync<WidgetSettings>();
        var listed = widgets.ActiveWidgetSystemNames.Contains(KashFlowDefaults.SystemName);
        if (listed == active)
            return;
        if (active)
            widgets.ActiveWidgetSystemNames.Add(KashFlowDefaults.SystemName);
        else
            widgets.ActiveWidgetSystemNames.Remove(KashFlowDefaults.SystemName);
        await _settingService.SaveSettingAsync(widgets);
    }

    public override async Task InstallAsync()
    {
        // synchronisation stays off until the admin has entered the KashFlow login
        await _settingService.SaveSettingAsync(new KashFlowSettings { Transport = KashFlowTransport.Soap });
        await _localizationService.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await EnsureSyncTaskAsync();
        await ActivateWidgetAsync(true);
        await base.InstallAsync();
    }

    public override async Task UpdateAsync(string currentVersion, string targetVersion)
    {
        // the locales of this release (new keys, reworded texts); settings keep the merchant's values
        await PinTransportAsync();
        await _localizationService.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await EnsureSyncTaskAsync();
        await ActivateWidgetAsync(true);
        await base.UpdateAsync(currentVersion, targetVersion);
    }

    /// <summary>
    /// Settings saved before the transport could be chosen have no Transport: write down the one they are
    /// using (REST when a login was saved), so the page shows it and a later default never moves them.
    /// </summary>
    private async Task PinTransportAsync()
    {
        var settings = await _settingService.LoadSettingAsync<KashFlowSettings>();
        if (settings.Transport is not null)
            return;
        settings.Transport = settings.EffectiveTransport;
        await _settingService.SaveSettingAsync(settings);
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
                LastEnabledUtc = _time.GetUtcNow().UtcDateTime,
            });
        }
    }

    public override async Task UninstallAsync()
    {
        await _settingService.DeleteSettingAsync<KashFlowSettings>();
        await _localizationService.DeleteLocaleResourcesAsync(KashFlowDefaults.LocalePrefix);
        if (await _scheduleTaskService.GetTaskByTypeAsync(KashFlowDefaults.SyncTaskType) is { } task)
            await _scheduleTaskService.DeleteTaskAsync(task);
        await ActivateWidgetAsync(false);
        await base.UninstallAsync();
    }
}
