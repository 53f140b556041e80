namespace Nop.Services.Plugins;

// PluginDescriptor's base class in 4.90.3; the plugin uses none of its members.
public partial class PluginDescriptorBaseInfo
{
}
