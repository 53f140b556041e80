// Admin page of product readiness (Configuration → KashFlow → Products): the shop's published products
// KashFlow has no product for, and KashFlow's products nobody sells (ProductReadiness); "Create in
// KashFlow" for the ticked or all (the page sends them in batches and shows "12 of 40 created, 1 failed:
// …"; the engine creates them under its rate limit and re-queues orders waiting for them), "Map to…" an
// existing KashFlow product (the rules' ProductCodes, saved as the Configure page saves), and "Read
// KashFlow's lists" (the engine then re-queues orders waiting for products that exist now).
// Every action requires MANAGE_PLUGINS.
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
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
public class KashFlowProductsController : BasePluginController
{
    public const string ProductsView = KashFlowDefaults.PluginFolder + "/Views/Products.cshtml";

    private readonly KashFlowAccount _account;
    private readonly IKashFlowEngineHost _host;
    private readonly ILocalizationService _localizationService;
    private readonly ILogger _logger;
    private readonly INotificationService _notificationService;
    private readonly ProductReadiness _readiness;
    private readonly KashFlowSettingsManager _settingsManager;

    public KashFlowProductsController(KashFlowAccount account, IKashFlowEngineHost host, ILocalizationService localizationService, ILogger logger,
        INotificationService notificationService, ProductReadiness readiness, KashFlowSettingsManager settingsManager)
    {
        _account = account;
        _host = host;
        _localizationService = localizationService;
        _logger = logger;
        _notificationService = notificationService;
        _readiness = readiness;
        _settingsManager = settingsManager;
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Products()
    {
        return View(ProductsView, await _readiness.PrepareAsync());
    }

    /// <summary>Reads KashFlow's lists again: the page compares against them, and the engine re-queues orders whose products exist now.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> RefreshProducts()
    {
        try
        {
            var read = await _account.ReadLookupsAsync(HttpContext?.RequestAborted ?? CancellationToken.None);
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.ProductsRead),
                read.Catalogue.Products?.Count ?? 0));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _logger.WarningAsync($"KashFlow: reading KashFlow's lists failed: {ex.Message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.LookupsFailed), ex.Message));
        }
        return RedirectToAction(nameof(Products));
    }

    /// <summary>
    /// Creates one batch of products in KashFlow (at most <see cref="KashFlowProductsBatch.Size"/>; the page sends the
    /// rest in further requests and adds the answers up). JSON: how many were created, already there, failed and why.
    /// </summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> CreateProducts(int[]? productIds)
    {
        var result = new ProductBatchResultModel();
        var ids = (productIds ?? []).Distinct().ToList();
        if (ids.Count == 0 || ids.Count > KashFlowProductsBatch.Size)
        {
            result.Errors.Add(Format(await _localizationService.GetResourceAsync(KashFlowLocales.ProductsBatchSize), KashFlowProductsBatch.Size));
            return Json(result);
        }
        var products = await _readiness.NewProductsAsync(ids);
        try
        {
            foreach (var r in await _account.CreateProductsAsync(products, HttpContext?.RequestAborted ?? CancellationToken.None))
            {
                switch (r.Result)
                {
                    case ProductDocuments.Created: result.Created++; break;
                    case ProductDocuments.AlreadyThere: result.AlreadyThere++; break;
                    default:
                        result.Failed++;
                        result.Errors.Add($"{r.Code}: {r.Error}");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // the engine could not be asked: every product of the batch failed, for this reason
            await _logger.WarningAsync($"KashFlow: creating products failed: {ex.Message}");
            result.Failed = products.Count;
            result.Errors.Add(ex.Message);
        }
        // a product without a SKU is not sent: it counts as failed, with why
        var notSent = ids.Count - products.Count;
        if (notSent > 0)
        {
            result.Failed += notSent;
            result.Errors.Add(await _localizationService.GetResourceAsync(KashFlowLocales.ProductsNoSku));
        }
        return Json(result);
    }

    /// <summary>Maps a SKU to an existing KashFlow product code (blank: the SKU is the code again), saved in the rules.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> MapProduct(string? sku, string? code)
    {
        if (string.IsNullOrWhiteSpace(sku))
        {
            _notificationService.ErrorNotification(await _localizationService.GetResourceAsync(KashFlowLocales.ProductsMapNoSku));
            return RedirectToAction(nameof(Products));
        }
        var settings = await _settingsManager.LoadAsync();
        RulesDocument rules;
        try
        {
            rules = RulesDocument.Parse(settings.RulesJson);
        }
        catch (FormatException ex)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed), ex.Message));
            return RedirectToAction(nameof(Products));
        }
        rules.MapProductCode(sku, code);
        settings.RulesJson = rules.ToJson();
        // the engine decides whether the rules are valid; nothing invalid is stored
        var validation = RulesValidator.Validate(settings.RulesJson);
        if (!validation.Valid)
        {
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed),
                string.Join("; ", validation.Errors)));
            return RedirectToAction(nameof(Products));
        }
        await _settingsManager.SaveAsync(settings);
        try
        {
            await _host.ApplySettingsAsync();
            _notificationService.SuccessNotification(Format(await _localizationService.GetResourceAsync(
                string.IsNullOrWhiteSpace(code) ? KashFlowLocales.ProductsUnmapped : KashFlowLocales.ProductsMapped), sku, code));
        }
        catch (Exception ex)
        {
            await _logger.WarningAsync($"KashFlow: the engine did not accept the new settings: {ex.Message}");
            _notificationService.ErrorNotification(Format(await _localizationService.GetResourceAsync(KashFlowLocales.SaveFailed), ex.Message));
            return RedirectToAction(nameof(Products));
        }
        try
        {
            // the engine queues again the orders that waited for this SKU, now posted as a product KashFlow has
            await _account.ReadLookupsAsync(HttpContext?.RequestAborted ?? CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // saved all the same; the lists are read again with "Read KashFlow's lists"
            await _logger.WarningAsync($"KashFlow: reading KashFlow's lists failed: {ex.Message}");
        }
        return RedirectToAction(nameof(Products));
    }

    private static string Format(string template, params object?[] args) => string.Format(CultureInfo.CurrentCulture, template, args);
}
