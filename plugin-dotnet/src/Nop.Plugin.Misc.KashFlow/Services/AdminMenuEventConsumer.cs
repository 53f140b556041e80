// Adds Configuration → KashFlow (Settings, Setup wizard, Products, Sync log, Flows) to the admin menu for admins who may manage plugins,
// as nopCommerce 4.90's own plugins do (Zettle, PayPal Commerce): a BaseAdminMenuCreatedEventConsumer,
// which adds the item only once the plugin is installed, after "Local plugins" (or before "All plugins
// and themes" where a store's menu has no "Local plugins").
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.Security;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Menu;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class AdminMenuEventConsumer : BaseAdminMenuCreatedEventConsumer
{
    private readonly IAdminMenu _adminMenu;
    private readonly ILocalizationService _localizationService;
    private readonly IPermissionService _permissionService;

    public AdminMenuEventConsumer(IAdminMenu adminMenu, ILocalizationService localizationService, IPermissionService permissionService,
        IPluginManager<IPlugin> pluginManager) : base(pluginManager)
    {
        _adminMenu = adminMenu;
        _localizationService = localizationService;
        _permissionService = permissionService;
    }

    protected override Task<bool> CheckAccessAsync() =>
        _permissionService.AuthorizeAsync(StandardPermission.Configuration.MANAGE_PLUGINS);

    protected override async Task<AdminMenuItem> GetAdminMenuItemAsync(IPlugin plugin)
    {
        var permissions = new List<string> { StandardPermission.Configuration.MANAGE_PLUGINS };
        return new AdminMenuItem
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
                    Url = _adminMenu.GetMenuItemUrl(KashFlowDefaults.ControllerName, "Configure"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".Setup",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuSetup),
                    Url = _adminMenu.GetMenuItemUrl("KashFlowSetup", "Setup"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".Products",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuProducts),
                    Url = _adminMenu.GetMenuItemUrl("KashFlowProducts", "Products"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".SyncLog",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuSyncLog),
                    Url = _adminMenu.GetMenuItemUrl(KashFlowDefaults.ControllerName, "SyncLog"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
                new()
                {
                    SystemName = KashFlowDefaults.MenuSystemName + ".Flows",
                    Title = await _localizationService.GetResourceAsync(KashFlowLocales.MenuFlows),
                    Url = _adminMenu.GetMenuItemUrl("KashFlowFlows", "Flows"),
                    IconClass = "far fa-dot-circle",
                    PermissionNames = permissions,
                },
            },
        };
    }

    protected override string PluginSystemName => KashFlowDefaults.SystemName;

    protected override MenuItemInsertType InsertType => MenuItemInsertType.TryAfterThanBefore;

    protected override string AfterMenuSystemName => KashFlowDefaults.MenuInsertAfterSystemName;

    protected override string BeforeMenuSystemName => KashFlowDefaults.MenuInsertBeforeSystemName;
}
