// Adds Configuration → KashFlow (Settings, Sync log) to the admin menu for admins who may manage plugins.
// (nopCommerce 4.90's way: a consumer of AdminMenuCreatedEvent; IAdminMenuPlugin is obsolete.)
using Nop.Services.Events;
using Nop.Services.Localization;
using Nop.Services.Security;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Menu;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class AdminMenuConsumer : IConsumer<AdminMenuCreatedEvent>
{
    private readonly ILocalizationService _localizationService;
    private readonly IPermissionService _permissionService;

    public AdminMenuConsumer(ILocalizationService localizationService, IPermissionService permissionService)
    {
        _localizationService = localizationService;
        _permissionService = permissionService;
    }

    public async Task HandleEventAsync(AdminMenuCreatedEvent eventMessage)
    {
        if (!await _permissionService.AuthorizeAsync(StandardPermission.Configuration.MANAGE_PLUGINS))
            return;
        var permissions = new List<string> { StandardPermission.Configuration.MANAGE_PLUGINS };
        var item = new AdminMenuItem
        {
            SystemName = KashFlowDefaults.MenuSystemName,
            Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuTitle),
            IconClass = "fas fa-file-invoice",
            PermissionNames = permissions,
            ChildNodes = new List<AdminMenuItem>
            {
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".Configure",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuConfigure),
                    Url = eventMessage.GetMenuItemUrl(KashFlowDefaults.ControllerName, "Configure"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".SyncLog",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuSyncLog),
                    Url = eventMessage.GetMenuItemUrl(KashFlowDefaults.ControllerName, "SyncLog"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
            },
        };
        var root = eventMessage.RootMenuItem;
        if (!root.InsertAfter(KashFlowDefaults.MenuInsertAfterSystemName, item))
            (root.GetItemBySystemName(KashFlowDefaults.MenuParentSystemName) ?? root).ChildNodes.Add(item);
    }
}
