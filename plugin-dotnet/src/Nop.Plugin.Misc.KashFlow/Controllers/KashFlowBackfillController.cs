// Admin page of the backfill (Configuration → KashFlow → Backfill): the orders created while
// synchronisation was off that the journal does not know (OrderBackfill), a button to send them
// deliberately (all, or the ones ticked) and one to dismiss the list. Never posted silently: the
// crash catch-up stops at the moment sync was switched on. Every action requires MANAGE_PLUGINS.
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Localization;
using Nop.Services.Messages;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Controllers;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.KashFlow.Controllers;

[Area(AreaNames.ADMIN)]
[AuthorizeAdmin]
[AutoValidateAntiforgeryToken]
public class KashFlowBackfillController : BasePluginController
{
    public const string BackfillView = KashFlowDefaults.PluginFolder + "/Views/Backfill.cshtml";

    private readonly OrderBackfill _backfill;
    private readonly ILocalizationService _localizationService;
    private readonly INotificationService _notificationService;

    public KashFlowBackfillController(OrderBackfill backfill, ILocalizationService localizationService, INotificationService notificationService)
    {
        _backfill = backfill;
        _localizationService = localizationService;
        _notificationService = notificationService;
    }

    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> Backfill()
    {
        return View(BackfillView, await _backfill.ListAsync(HttpContext?.RequestAborted ?? CancellationToken.None));
    }

    /// <summary>Sends the ticked orders (or, with <paramref name="all"/>, every listed one) to KashFlow.</summary>
    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> BackfillSend(int[]? orderIds, bool all = false)
    {
        var result = await _backfill.EnqueueAsync(all ? null : orderIds ?? [], HttpContext?.RequestAborted ?? CancellationToken.None);
        _notificationService.SuccessNotification(string.Format(CultureInfo.CurrentCulture,
            await _localizationService.GetResourceAsync(KashFlowLocales.BackfillSent), result.Orders, result.NotBuilt));
        return RedirectToAction(nameof(Backfill));
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Configuration.MANAGE_PLUGINS)]
    public async Task<IActionResult> BackfillDismiss()
    {
        await _backfill.DismissAsync();
        return RedirectToAction(nameof(Backfill));
    }
}
