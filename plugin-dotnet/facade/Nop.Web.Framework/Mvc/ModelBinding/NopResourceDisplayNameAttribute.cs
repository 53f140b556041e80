using System.ComponentModel;

namespace Nop.Web.Framework.Mvc.ModelBinding;

// nopCommerce resolves DisplayName through ILocalizationService; here it is the resource key itself.
[AttributeUsage(AttributeTargets.Property)]
public sealed class NopResourceDisplayNameAttribute : DisplayNameAttribute
{
    public NopResourceDisplayNameAttribute(string resourceKey) : base(resourceKey)
    {
        ResourceKey = resourceKey;
    }

    public string ResourceKey { get; set; }
}
