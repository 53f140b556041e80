// Admin routes of the plugin (controllers KashFlowAdmin, KashFlowBackfill and KashFlowFlows in the Admin area).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Nop.Web.Framework;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.KashFlow.Infrastructure;

public class RouteProvider : IRouteProvider
{
    public void RegisterRoutes(IEndpointRouteBuilder endpointRouteBuilder)
    {
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.ConfigurationRouteName,
            pattern: "Admin/KashFlow/Configure",
            defaults: new { controller = KashFlowDefaults.ControllerName, action = "Configure", area = AreaNames.ADMIN });
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.SyncLogRouteName,
            pattern: "Admin/KashFlow/SyncLog",
            defaults: new { controller = KashFlowDefaults.ControllerName, action = "SyncLog", area = AreaNames.ADMIN });
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.BackfillRouteName,
            pattern: "Admin/KashFlow/Backfill",
            defaults: new { controller = "KashFlowBackfill", action = "Backfill", area = AreaNames.ADMIN });
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.ProductsRouteName,
            pattern: "Admin/KashFlow/Products",
            defaults: new { controller = "KashFlowProducts", action = "Products", area = AreaNames.ADMIN });
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.SetupRouteName,
            pattern: "Admin/KashFlowSetup",
            defaults: new { controller = "KashFlowSetup", action = "Setup", area = AreaNames.ADMIN });
        endpointRouteBuilder.MapControllerRoute(name: KashFlowDefaults.FlowsRouteName,
            pattern: "Admin/KashFlow/Flows",
            defaults: new { controller = "KashFlowFlows", action = "Flows", area = AreaNames.ADMIN });
    }

    public int Priority => 0;
}
