// The first-run wizard (Admin/KashFlowSetup): 1 connect, 2 test, 3 payment methods, 4 nominals, 5 products,
// 6 what to sync, 7 try an order in Preview, 8 switch on. Each step saves what it has through the Configure
// page's factory and settings manager (no mapping logic here: the suggestions are the engine's, shown
// preselected only where a field is empty and saved only by the step's submit); where the admin is and
// which steps are done is kept in the settings, so the wizard can be left and resumed. Every action
// requires MANAGE_PLUGINS.
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Directory;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Services.Messages;
using Nop.Services.Orders;
using Nop.Services.Security;
using Nop.Services.Tax;
using Nop.Web.Framework;
using Nop.Web.Framework.Controllers;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.KashFlow.Controllers;

[Area(AreaNames.ADMIN)]
[AuthorizeAdmin]
[AutoValidateAntiforgeryToken]
public class KashFlowSetupController : BasePluginController
{
    public const string SetupView = KashFlowDefaults.PluginFolder + "/Views/Setup.cshtml";

    /// <summary>How many recent orders step 7 offers, and how far back step 3 looks for the payment methods in use.</summary>
    private const int RecentOrders = 10;
    private const int OrdersForPaymentMethods = 200;

    private readonly KashFlowAccount _account;
    private readonly KashFlowLookups _lookups;
    private readonly IKashFlowEngineHost _host;
    private readonly ILocalizationService _localizationService;
    private readonly ILogger _logger;
    private readonly KashFlowModelFactory _modelFactory;
    private readonly INotificationService _notificationService;
    private readonly IOrderService _orderService;
    private readonly ProductReadiness _readiness;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IOrderSnapshotBuilder _snapshotBuilder;
    private readonly ITaxCategoryService _taxCategories;
    private readonly ICurrencyService _currencies;

    public KashFlowSetupController(KashFlowAccount account, IKashFlowEngineHost host, ILocalizationService localizationService, ILogger logger,
        KashFlowModelFactory modelFactory, INotificationService notificationService, IOrderService orderService, ProductReadiness readiness,
        KashFlowSettingsManager settingsManager, IOrderSnapshotBuilder snapshotBuilder, KashFlowLookups lookups,
        ITaxCategoryService taxCategories, ICurrencyService currencies)
    {
        _taxCategories = taxCategories;
        _currencies = currencies;
        _account = account;
        _lookups = lookups;
        _host = host;
        _localizationService = localizationService;
        _logger = logger;
        _modelFactory = modelFactory;
        _notificationService = notificationService;
        _orderService = orderService;
        _readiness = readiness;
        _settingsManager = settingsManager;
        _snapshotBuilder = snapshotBuilder;
    }

    /// <summary>The wizard at <paramref name="step"/>, or where it was left.</summary>
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Setup(int? step, string? orderNumber)
    {
        var settings = await _settingsManager.LoadAsync();
        var at = Math.Clamp(step ?? settings.SetupStep, 1, SetupSteps.Count);
        if (settings.SetupStep != at)
        {
            settings.SetupStep = at;
            await _settingsManager.SaveAsync(settings);
        }
        return View(SetupView, await PrepareAsync(at, orderNumber));
    }

    /// <summary>Step 2: tests the saved connection; the answer (and KashFlow's lists) stay on the page.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> SetupTest()
    {
        var report = await _account.TestConnectionAsync(HttpContext?.RequestAborted ?? CancellationToken.None);
        var model = await PrepareAsync(SetupSteps.Test, null);
        model.ConnectionTest = await _modelFactory.PrepareConnectionTestModelAsync(report);
        if (report is { Ok: true, Catalogue: { } c })
            model.Found = new SetupFoundModel(c.PaymentMethods?.Count ?? 0, c.BankAccounts?.Count ?? 0, c.Nominals?.Count ?? 0,
                c.VatRates?.Count ?? 0, c.Currencies?.Count ?? 0, c.Products?.Count ?? 0);
        if (report.Ok)
            model.DoneSteps = await MarkDoneAsync(SetupSteps.Test, SetupSteps.Test);
        return View(SetupView, model);
    }

    /// <summary>Saves the step's fields (the Configure page's), marks the step done and moves on.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> SetupSave(SetupModel model)
    {
        var step = Math.Clamp(model.Step, 1, SetupSteps.Count);
        var settings = await _settingsManager.LoadAsync();
        var account = settings.AccountIdentity;
        // what is stored now, with this step's fields taken from the post: the other steps' settings stay as they are
        var current = await _modelFactory.PrepareConfigurationModelAsync();
        var posted = model.Configuration;
        switch (step)
        {
            case SetupSteps.Connect:
                current.ModeId = posted.ModeId;
                current.TransportId = posted.TransportId;
                current.BaseUrl = posted.BaseUrl;
                current.SoapUrl = posted.SoapUrl;
                current.UserName = posted.UserName;
                current.Password = posted.Password;
                current.MemorableWord = posted.MemorableWord;
                break;
            case SetupSteps.Payments:
                current.PaymentMethodMappings = posted.PaymentMethodMappings;
                current.DefaultPaymentMethodId = posted.DefaultPaymentMethodId;
                current.DefaultBankAccountId = posted.DefaultBankAccountId;
                break;
            case SetupSteps.Nominals:
                current.SalesNominal = posted.SalesNominal;
                current.ShippingNominal = posted.ShippingNominal;
                current.DiscountNominal = posted.DiscountNominal;
                current.PaymentFeeNominal = posted.PaymentFeeNominal;
                current.GiftCardNominal = posted.GiftCardNominal;
                current.RewardPointsNominal = posted.RewardPointsNominal;
                current.RoundingNominal = posted.RoundingNominal;
                break;
            case SetupSteps.Sync:
                current.SyncCustomers = posted.SyncCustomers;
                current.CreateInvoices = posted.CreateInvoices;
                current.RecordPayments = posted.RecordPayments;
                current.PullStock = posted.PullStock;
                current.HoldPartialRefunds = posted.HoldPartialRefunds;
                break;
            case SetupSteps.SwitchOn:
                current.Enabled = true;
                break;
            // Test, Products and Preview save nothing: they look
        }
        try
        {
            _modelFactory.ApplyConfigurationModel(current, settings);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed), ex.Message));
            return RedirectToAction(nameof(Setup), new { step });
        }
        var validation = RulesValidator.Validate(settings.RulesJson);
        if (!validation.Valid)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed),
                string.Join("; ", validation.Errors)));
            return RedirectToAction(nameof(Setup), new { step });
        }
        var next = Math.Min(step + 1, SetupSteps.Count);
        settings.SetupDoneSteps = Done(settings.SetupDoneSteps, step);
        settings.SetupStep = next;
        if (step == SetupSteps.SwitchOn)
            settings.SetupFinished = true;
        await _settingsManager.SaveAsync(settings);
        // another KashFlow account (or API): the lists read from the old one no longer name its things
        if (account != settings.AccountIdentity)
            _lookups.Clear();
        try
        {
            await _host.ApplySettingsAsync();
        }
        catch (Exception ex)
        {
            await _logger.WarningAsync($"KashFlow: the engine did not accept the new settings: {ex.Message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed), ex.Message));
            return RedirectToAction(nameof(Setup), new { step });
        }
        if (step == SetupSteps.SwitchOn)
        {
            _notificationService.SuccessNotification(await _localizationService.GetResourceAsync(KashFlowLocales.SetupFinished));
            return RedirectToAction("Configure", KashFlowDefaults.ControllerName);
        }
        return RedirectToAction(nameof(Setup), new { step = next });
    }

    private async Task<SetupModel> PrepareAsync(int step, string? orderNumber)
    {
        var settings = await _settingsManager.LoadAsync();
        var model = new SetupModel { Step = step, DoneSteps = Parse(settings.SetupDoneSteps) };
        var configuration = await _modelFactory.PrepareConfigurationModelAsync();
        if (step == SetupSteps.Payments)
        {
            // the payment methods the shop's orders use, as rows to map (the engine suggests each one's counterpart)
            var mapped = configuration.PaymentMethodMappings.Where(m => !string.IsNullOrWhiteSpace(m.SystemName))
                .Select(m => m.SystemName!.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var orders = await _orderService.SearchOrdersAsync(pageSize: OrdersForPaymentMethods); // the newest
            var used = orders.Select(o => o.PaymentMethodSystemName?.Trim()).Where(n => !string.IsNullOrEmpty(n) && !mapped.Contains(n!))
                .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
            if (used.Count > 0)
            {
                configuration.PaymentMethodMappings = configuration.PaymentMethodMappings.Where(m => !string.IsNullOrWhiteSpace(m.SystemName))
                    .Concat(used.Select(n => new PaymentMethodMappingModel { SystemName = n }))
                    .ToList();
                configuration = await _modelFactory.PrepareConfigurationModelAsync(configuration);
            }
        }
        model.Configuration = configuration;
        if (step == SetupSteps.Nominals && _lookups.Last is { } read)
        {
            model.KashFlowVatRates = (read.Catalogue.VatRates ?? []).OrderByDescending(r => r).ToList();
            (model.TaxMatches, model.CurrencyMatches) = await MatchTaxAndCurrenciesAsync(read.Json);
        }
        if (step == SetupSteps.Products)
            model.Products = await _readiness.PrepareAsync();
        if (step == SetupSteps.Preview)
        {
            // nopCommerce's search answers the newest first: one small page, never the whole order table
            var orders = await _orderService.SearchOrdersAsync(pageSize: RecentOrders);
            model.RecentOrders = orders.OrderByDescending(o => o.CreatedOnUtc).Take(RecentOrders)
                .Select(o => new SetupOrderModel(o.Id, o.CustomOrderNumber, o.CreatedOnUtc, o.OrderTotal)).ToList();
            if (!string.IsNullOrWhiteSpace(orderNumber))
                model.Preview = await _modelFactory.PreparePreviewModelAsync(orderNumber, _snapshotBuilder, _account.PreviewJsonAsync);
        }
        return model;
    }

    /// <summary>
    /// The engine's match of the store's tax categories (by the rate their name says) and published currencies to
    /// KashFlow's VAT rates and currencies. Shown, not saved: the engine posts the rate and currency each order
    /// was charged in, so a category without a KashFlow rate is what the admin must fix in KashFlow.
    /// </summary>
    private async Task<(IList<SetupMatchModel>, IList<SetupMatchModel>)> MatchTaxAndCurrenciesAsync(string catalogueJson)
    {
        var categories = await _taxCategories.GetAllTaxCategoriesAsync();
        var currencies = await _currencies.GetAllCurrenciesAsync();
        var store = new SuggestStore([], currencies.Select(c => c.CurrencyCode).Where(c => !string.IsNullOrWhiteSpace(c)).Distinct().ToList(),
            TaxCategories: categories.Select(c => new SuggestStoreTaxCategory(c.Id, c.Name ?? string.Empty, null)).ToList());
        if (MappingSuggester.TrySuggest(store, catalogueJson, out var problem) is not { } found)
        {
            // the native library unavailable: the step still saves its nominals
            await _logger.WarningAsync($"KashFlow: could not match tax categories and currencies: {problem}");
            return ([], []);
        }
        static IList<SetupMatchModel> Rows(IReadOnlyList<MappingSuggestion>? list) =>
            (list ?? []).Select(s => new SetupMatchModel(s.Label ?? s.Key ?? string.Empty, s.Target is null ? null : s.TargetLabel ?? s.Target, s.Confidence, s.Reason)).ToList();
        return (Rows(found.TaxCategories), Rows(found.Currencies));
    }

    private async Task<IList<int>> MarkDoneAsync(int step, int resumeAt)
    {
        var settings = await _settingsManager.LoadAsync();
        settings.SetupDoneSteps = Done(settings.SetupDoneSteps, step);
        settings.SetupStep = resumeAt;
        await _settingsManager.SaveAsync(settings);
        return Parse(settings.SetupDoneSteps);
    }

    private static IList<int> Parse(string? done) =>
        (done ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(n => n is >= 1 && n <= SetupSteps.Count)
            .Distinct().Order().ToList();

    private static string Done(string? done, int step) =>
        string.Join(",", Parse(done).Append(step).Distinct().Order().Select(n => n.ToString(CultureInfo.InvariantCulture)));

    private static string Format(string template, params object?[] args) => string.Format(CultureInfo.CurrentCulture, template, args);
}
