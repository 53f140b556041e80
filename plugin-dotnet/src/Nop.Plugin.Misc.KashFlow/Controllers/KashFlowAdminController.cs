// Admin pages under Configuration → KashFlow: settings (with test connection), the sync log grid with
// record detail and retry, invoice preview and resync. Every action requires MANAGE_PLUGINS.
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Factories;
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
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Controllers;

[Area(AreaNames.ADMIN)]
[AuthorizeAdmin]
[AutoValidateAntiforgeryToken]
public class KashFlowAdminController : BasePluginController
{
    public const string ConfigureView = KashFlowDefaults.PluginFolder + "/Views/Configure.cshtml";
    public const string SyncLogView = KashFlowDefaults.PluginFolder + "/Views/SyncLog.cshtml";
    public const string RecordView = KashFlowDefaults.PluginFolder + "/Views/RecordDetail.cshtml";
    public const string PreviewView = KashFlowDefaults.PluginFolder + "/Views/Preview.cshtml";

    private readonly IKashFlowEngineHost _host;
    private readonly ILocalizationService _localizationService;
    private readonly ILogger _logger;
    private readonly KashFlowModelFactory _modelFactory;
    private readonly INotificationService _notificationService;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IOrderSnapshotBuilder _snapshotBuilder;
    private readonly KashFlowLookups _lookups;
    private readonly KashFlowAccount _account;
    private readonly ProductReadiness _readiness;

    public KashFlowAdminController(IKashFlowEngineHost host, ILocalizationService localizationService, ILogger logger,
        KashFlowModelFactory modelFactory, INotificationService notificationService, KashFlowSettingsManager settingsManager,
        IOrderSnapshotBuilder snapshotBuilder, KashFlowLookups lookups, KashFlowAccount account, ProductReadiness readiness)
    {
        _readiness = readiness;
        _lookups = lookups;
        _account = account;
        _host = host;
        _localizationService = localizationService;
        _logger = logger;
        _modelFactory = modelFactory;
        _notificationService = notificationService;
        _settingsManager = settingsManager;
        _snapshotBuilder = snapshotBuilder;
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Configure()
    {
        var model = await _modelFactory.PrepareConfigurationModelAsync();
        model.ProductsMissing = await _readiness.MissingCountAsync();
        return View(ConfigureView, model);
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Configure(ConfigurationModel model)
    {
        if (!ModelState.IsValid)
            return View(ConfigureView, await _modelFactory.PrepareConfigurationModelAsync(model));

        var settings = await _settingsManager.LoadAsync();
        var account = settings.AccountIdentity;
        try
        {
            _modelFactory.ApplyConfigurationModel(model, settings);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            ModelState.AddModelError(nameof(model.RulesJson), ex.Message);
            return View(ConfigureView, await _modelFactory.PrepareConfigurationModelAsync(model));
        }
        // the engine decides whether the rules are valid; nothing invalid is stored
        var validation = RulesValidator.Validate(settings.RulesJson);
        if (!validation.Valid)
        {
            foreach (var error in validation.Errors)
                ModelState.AddModelError(nameof(model.RulesJson), error.ToString());
            return View(ConfigureView, await _modelFactory.PrepareConfigurationModelAsync(model));
        }
        await _settingsManager.SaveAsync(settings);
        // another KashFlow account (or API): the lists read from the old one no longer name its things
        if (account != settings.AccountIdentity)
            _lookups.Clear();

        try
        {
            await _host.ApplySettingsAsync();
            _notificationService.SuccessNotification(await _localizationService.GetResourceAsync(KashFlowLocales.Saved));
        }
        catch (Exception ex)
        {
            var message = ex.Message;
            await _logger.WarningAsync($"KashFlow: the engine did not accept the new settings: {message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed), message));
        }
        return RedirectToAction(nameof(Configure));
    }

    /// <summary>Tests the stored settings against KashFlow (save first). Uses the running engine, or a short-lived one.
    /// Its own action (the button's formaction), not a second [ActionName("Configure")] POST told apart by
    /// FormValueRequired: in a real 4.90 store that pair routed only one of the two buttons per route
    /// (/Admin/KashFlowAdmin/Configure answered 404 to "save").</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> TestConnection()
    {
        var report = await TestConnectionCoreAsync(HttpContext?.RequestAborted ?? CancellationToken.None);
        var test = await _modelFactory.PrepareConnectionTestModelAsync(report);
        var template = await _localizationService.GetResourceAsync(report.Ok ? KashFlowLocales.TestConnectionOk : KashFlowLocales.TestConnectionFailed);
        if (report.Ok)
            _notificationService.SuccessNotification(Format(template, test.CompanyName ?? report.Message));
        else
            _notificationService.ErrorNotification(Format(template, test.Problem?.Summary));
        var model = await _modelFactory.PrepareConfigurationModelAsync();
        model.ConnectionTest = test;
        return View(ConfigureView, model);
    }

    /// <summary>The test itself (KashFlowAccount: a working test also keeps KashFlow's lists for the page).</summary>
    internal Task<ConnectionReport> TestConnectionCoreAsync(CancellationToken cancellationToken) => _account.TestConnectionAsync(cancellationToken);

    /// <summary>
    /// Reads KashFlow's lists (payment methods, bank accounts, nominal codes, ...) with the stored settings, so the
    /// Configure page offers them by name with the engine's suggestions. Nothing is saved to the settings.
    /// </summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> ReadLookups()
    {
        try
        {
            var c = (await _account.ReadLookupsAsync(HttpContext?.RequestAborted ?? CancellationToken.None)).Catalogue;
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.LookupsRead),
                c.PaymentMethods?.Count ?? 0, c.BankAccounts?.Count ?? 0, c.Nominals?.Count ?? 0));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _logger.WarningAsync($"KashFlow: reading KashFlow's lists failed: {ex.Message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.LookupsFailed), ex.Message));
        }
        return RedirectToAction(nameof(Configure));
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> SyncLog()
    {
        return View(SyncLogView, await _modelFactory.PrepareSyncLogModelAsync());
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> SyncRecordList(SyncRecordSearchModel searchModel)
    {
        if (_host.Engine is null)
            return Json(new SyncRecordListModel { Data = [], Draw = searchModel.Draw });
        return Json(await _modelFactory.PrepareSyncRecordListModelAsync(searchModel));
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> RecordDetail(long id)
    {
        if (_host.Engine is null)
            return await EngineNotRunningAsync();
        var model = await _modelFactory.PrepareRecordDetailModelAsync(id);
        if (model is null)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.RecordNotFound), id));
            return RedirectToAction(nameof(SyncLog));
        }
        return View(RecordView, model);
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Retry(long id)
    {
        if (_host.Engine is not { } engine)
            return await EngineNotRunningAsync();
        try
        {
            engine.Retry(id);
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.RetryQueued), id));
        }
        catch (KashFlowNativeException ex)
        {
            _notificationService.ErrorNotification(ex.Message);
        }
        return RedirectToAction(nameof(RecordDetail), new { id });
    }

    /// <summary>Posts a held (or failed) partial refund: itemised from the quantities given, or spread over the VAT rates when none.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> ReleaseCreditNote(ReleaseCreditNoteModel model)
    {
        if (_host.Engine is not { } engine)
            return await EngineNotRunningAsync();
        var record = await _modelFactory.PrepareRecordDetailModelAsync(model.Id);
        if (record is null)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.RecordNotFound), model.Id));
            return RedirectToAction(nameof(SyncLog));
        }
        var items = model.Quantities
            .Where(q => q.Value is > 0)
            .OrderBy(q => q.Key)
            .Select(q => (q.Key, q.Value!.Value))
            .ToList();
        try
        {
            var receipt = engine.EnqueueEvent(EngineDocuments.CreditNoteRelease(record.Record.OrderId, model.Seq, items, model.Restock));
            _notificationService.SuccessNotification(receipt.Message ?? await _localizationService.GetResourceAsync(KashFlowLocales.CreditNoteReleased));
        }
        catch (KashFlowNativeException ex)
        {
            _notificationService.ErrorNotification(ex.Message);
        }
        // Back where the admin itemised it: the order page's KashFlow block, or the record page.
        if (IsLocalPath(model.ReturnUrl))
            return LocalRedirect(model.ReturnUrl!);
        return RedirectToAction(nameof(RecordDetail), new { id = model.Id });
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> RetryAllFailed()
    {
        if (_host.Engine is not { } engine)
            return await EngineNotRunningAsync();
        var count = engine.RetryAllFailed();
        _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.RetryAllFailedDone), count));
        return RedirectToAction(nameof(SyncLog));
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Preview(string? orderNumber)
    {
        return View(PreviewView, await _modelFactory.PreparePreviewModelAsync(orderNumber, _snapshotBuilder));
    }

    /// <summary>Builds the order's snapshot again and hands it to the engine (it decides: Replaced, Unchanged, …).</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Resync(string orderNumber)
    {
        var order = string.IsNullOrWhiteSpace(orderNumber) ? null : await _modelFactory.ResolveOrderAsync(orderNumber);
        if (order is null)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.OrderNotFound), orderNumber));
            return RedirectToAction(nameof(Preview));
        }
        var result = _host.SubmitOrder(order.Id, await _snapshotBuilder.BuildJsonAsync(order));
        if (result.State == SubmitState.Enqueued)
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.ResyncDone), order.CustomOrderNumber, result.Receipt?.State));
        else if (result.State == SubmitState.InStoreDatabase)
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.ResyncHandedOver), order.CustomOrderNumber));
        else
            _notificationService.WarningNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.ResyncSpooled), order.CustomOrderNumber, result.Message));
        return RedirectToAction(nameof(Preview), new { orderNumber });
    }

    private async Task<IActionResult> EngineNotRunningAsync()
    {
        _notificationService.ErrorNotification(await _localizationService.GetResourceAsync(KashFlowLocales.EngineNotRunning));
        return RedirectToAction(nameof(Configure));
    }


    private static string Format(string template, params object?[] args) => string.Format(CultureInfo.CurrentCulture, template, args);

    /// <summary>A path on this site ("/Admin/Order/Edit/5"), never another host ("//x", "/\\x", "https://x"): the
    /// rule of ASP.NET's IsLocalUrl for the only URLs the forms send.</summary>
    internal static bool IsLocalPath(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
