using Nop.Services.Events;
using Nop.Services.Plugins;
using Nop.Web.Framework.Menu;

namespace Nop.Web.Framework.Events;

// A base class the plugin derives from: it behaves as 4.90.3's does (the tests run the derived consumer
// on it): an installed plugin's item, placed by InsertType, for those CheckAccessAsync lets in.
public abstract class BaseAdminMenuCreatedEventConsumer : IConsumer<AdminMenuCreatedEvent>
{
    protected readonly IPluginManager<IPlugin> _pluginManager;

    protected BaseAdminMenuCreatedEventConsumer(IPluginManager<IPlugin> pluginManager)
    {
        _pluginManager = pluginManager;
    }

    protected virtual Task<bool> CheckAccessAsync() => Task.FromResult(true);

    // 4.90.3 asks the plugin (an extension method this facade leaves out); plugins override it
    protected virtual Task<AdminMenuItem> GetAdminMenuItemAsync(IPlugin plugin) => Task.FromResult<AdminMenuItem>(null);

    public virtual async Task HandleEventAsync(AdminMenuCreatedEvent eventMessage)
    {
        if (!await CheckAccessAsync())
            return;
        // only a fully installed plugin is loaded
        var plugin = await _pluginManager.LoadPluginBySystemNameAsync(PluginSystemName);
        if (plugin is null)
            return;
        var item = await GetAdminMenuItemAsync(plugin);
        if (item is null)
            return;
        var root = eventMessage.RootMenuItem;
        _ = InsertType switch
        {
            MenuItemInsertType.After => root.InsertAfter(AfterMenuSystemName, item),
            MenuItemInsertType.Before => root.InsertBefore(BeforeMenuSystemName, item),
            MenuItemInsertType.TryAfterThanBefore => root.InsertAfter(AfterMenuSystemName, item) || root.InsertBefore(BeforeMenuSystemName, item),
            MenuItemInsertType.TryBeforeThanAfter => root.InsertBefore(BeforeMenuSystemName, item) || root.InsertAfter(AfterMenuSystemName, item),
            _ => throw new ArgumentOutOfRangeException(),
        };
    }

    protected abstract string PluginSystemName { get; }

    protected virtual MenuItemInsertType InsertType => MenuItemInsertType.Before;

    protected virtual string AfterMenuSystemName => string.Empty;

    protected virtual string BeforeMenuSystemName => string.Empty;
}
