// The KashFlow block on nopCommerce's admin order page (widget zone admin_order_details_block): the
// order's invoice and credit notes, and — when a partial refund waits to be itemised — the form to
// choose its lines and quantities right there, without leaving the order.
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Web.Framework.Components;
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.KashFlow.Components;

public class OrderKashFlowViewComponent : NopViewComponent
{
    public const string ViewPath = "~/Plugins/Misc.KashFlow/Views/OrderBlock.cshtml";

    private readonly KashFlowModelFactory _modelFactory;

    public OrderKashFlowViewComponent(KashFlowModelFactory modelFactory)
    {
        _modelFactory = modelFactory;
    }

    public async Task<IViewComponentResult> InvokeAsync(string widgetZone, object additionalData)
    {
        // nopCommerce passes the order page's model (OrderModel, a BaseNopEntityModel).
        if (additionalData is not BaseNopEntityModel { Id: > 0 } order)
            return Content(string.Empty);
        Models.SyncRecordDetailModel? model;
        try
        {
            model = await _modelFactory.PrepareOrderRecordModelAsync(order.Id);
        }
        catch (Exception)
        {
            // The order page must render whatever the engine says; the sync log shows engine errors.
            return Content(string.Empty);
        }
        if (model is null)
            return Content(string.Empty);
        model.ReturnUrl = $"{Request.PathBase}{Request.Path}";
        return View(ViewPath, model);
    }
}
