namespace Nop.Services.Plugins;

// Only referenced through IPlugin.PluginDescriptor; the plugin reads none of its members.
public partial class PluginDescriptor
{
}
