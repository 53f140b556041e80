namespace Nop.Services.Plugins;

// Only referenced through IPlugin.PluginDescriptor; the plugin reads none of its members. Its base class
// is declared (empty) so the facade's PluginDescriptor has 4.90.3's shape (FacadeDriftTests).
public partial class PluginDescriptor : PluginDescriptorBaseInfo
{
}
