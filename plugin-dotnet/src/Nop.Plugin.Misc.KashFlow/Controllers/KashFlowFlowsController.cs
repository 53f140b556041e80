// The flows designer page (Configuration → KashFlow → Flows): shows the saved flows document as a
// diagram (Content/flows-designer.js draws and edits it), saves it only when the engine says it is valid
// (kfs_flows_validate; otherwise the page comes back with each error on its box), goes back to the
// default flow, and dry-runs the flows on the page against the store's last orders (kfs_flows_dry_run;
// nothing posted). Every action requires MANAGE_PLUGINS.
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Services.Messages;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Controllers;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.KashFlow.Controllers;

[Area(AreaNames.ADMIN)]
[AuthorizeAdmin]
[AutoValidateAntiforgeryToken]
public class KashFlowFlowsController : BasePluginController
{
    public const string FlowsView = KashFlowDefaults.PluginFolder + "/Views/Flows.cshtml";

    private readonly FlowDryRun _dryRun;
    private readonly IKashFlowEngineHost _host;
    private readonly ILocalizationService _localizationService;
    private readonly ILogger _logger;
    private readonly INotificationService _notificationService;
    private readonly KashFlowSettingsManager _settingsManager;

    public KashFlowFlowsController(FlowDryRun dryRun, IKashFlowEngineHost host, ILocalizationService localizationService, ILogger logger,
        INotificationService notificationService, KashFlowSettingsManager settingsManager)
    {
        _dryRun = dryRun;
        _host = host;
        _localizationService = localizationService;
        _logger = logger;
        _notificationService = notificationService;
        _settingsManager = settingsManager;
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Flows()
    {
        return View(FlowsView, await PrepareModelAsync(null, []));
    }

    /// <summary>Stores the document when the engine finds it valid, then restarts the engine with it.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> SaveFlows(string? flowsJson)
    {
        var validation = FlowsValidator.Validate(flowsJson, await _localizationService.GetResourceAsync(KashFlowLocales.FlowsEmpty),
            await _localizationService.GetResourceAsync(KashFlowLocales.FlowsNotJson));
        if (!validation.Valid)
        {
            var errors = validation.ErrorList.Count > 0
                ? validation.ErrorList
                : [new FlowError(null, null, null, await _localizationService.GetResourceAsync(KashFlowLocales.FlowsRefusedWithoutReason))];
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.FlowsNotSaved), errors.Count));
            return View(FlowsView, await PrepareModelAsync(flowsJson, errors));
        }
        var settings = await _settingsManager.LoadAsync();
        settings.FlowsJson = flowsJson;
        await _settingsManager.SaveAsync(settings);
        await ApplyAsync(KashFlowLocales.FlowsSaved);
        return RedirectToAction(nameof(Flows));
    }

    /// <summary>Forgets the saved flows: the engine's default flow (today's behaviour) applies again.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> UseDefaultFlow()
    {
        var settings = await _settingsManager.LoadAsync();
        settings.FlowsJson = null;
        await _settingsManager.SaveAsync(settings);
        await ApplyAsync(KashFlowLocales.FlowsUsingDefault);
        return RedirectToAction(nameof(Flows));
    }

    /// <summary>Dry-runs the document on the page (saved or not) against the newest orders; nothing is posted or saved.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> DryRunFlows(string? flowsJson, int count = 50)
    {
        var model = await PrepareModelAsync(flowsJson, []);
        model.DryRunCount = Math.Clamp(count, 1, FlowDryRun.MaxOrders);
        try
        {
            model.DryRun = await _dryRun.RunAsync(model.FlowsJson, model.DryRunCount);
        }
        catch (Exception ex) when (ex is KashFlowNativeException or JsonException)
        {
            // the engine's refusal (an invalid document says where) is shown on the page, never a crash
            model.DryRunProblem = Format(await _localizationService.GetResourceAsync(KashFlowLocales.FlowsDryRunFailed), ex.Message);
        }
        return View(FlowsView, model);
    }

    internal async Task<FlowsPageModel> PrepareModelAsync(string? postedJson, IReadOnlyList<FlowError> errors)
    {
        var settings = await _settingsManager.LoadAsync();
        var saved = string.IsNullOrWhiteSpace(settings.FlowsJson) ? null : settings.FlowsJson;
        var shown = string.IsNullOrWhiteSpace(postedJson) ? saved ?? FlowsPageModel.EmptyDocument : postedJson;

        var examples = new List<object>();
        foreach (var example in FlowExamples.All)
        {
            using var document = JsonDocument.Parse(example.Json);
            examples.Add(new { example.Key, Name = await _localizationService.GetResourceAsync(example.NameResource), Document = document.RootElement.Clone() });
        }
        var texts = new Dictionary<string, string>();
        foreach (var key in KashFlowLocales.FlowScriptKeys)
            texts[key] = await _localizationService.GetResourceAsync(KashFlowLocales.FlowsJsPrefix + key);

        return new FlowsPageModel
        {
            FlowsJson = shown,
            DefaultFlowInUse = saved is null,
            Unsaved = postedJson is not null && postedJson != saved,
            Errors = errors,
            ErrorsJson = JsonSerializer.Serialize(errors),
            ExamplesJson = JsonSerializer.Serialize(examples),
            OptionsJson = JsonSerializer.Serialize(new
            {
                FlowNames.Triggers,
                FlowNames.Fields,
                FlowNames.Ops,
                FlowNames.StepKinds,
                OrderStatuses = KashFlowLocales.FlowOrderStatuses,
            }),
            TextsJson = JsonSerializer.Serialize(texts),
            TriggerLabels = FlowNames.Triggers.ToDictionary(t => t, t => texts.GetValueOrDefault("Trigger." + t, t)),
        };
    }

    private async Task ApplyAsync(string savedResource)
    {
        try
        {
            await _host.ApplySettingsAsync();
            _notificationService.SuccessNotification(await _localizationService.GetResourceAsync(savedResource));
        }
        catch (Exception ex)
        {
            await _logger.WarningAsync($"KashFlow: the engine did not accept the new flows: {ex.Message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.FlowsSavedEngineRefused), ex.Message));
        }
    }

    private static string Format(string template, params object?[] args) => string.Format(CultureInfo.CurrentCulture, template, args);
}
