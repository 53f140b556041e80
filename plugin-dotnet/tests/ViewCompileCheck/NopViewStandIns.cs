// Stand-ins for the nopCommerce 4.90 view types the plugin's views use (NopRazorPage, the localizer,
// INopHtmlHelper, the admin tag helpers, DataTables models), with the real names and signatures, so
// the Razor compiler checks every C# expression and asp-for in the views. Bodies do nothing.
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;

namespace Nop.Web.Framework.Localization
{
    public delegate LocalizedString Localizer(string text, params object[] args);

    public partial class LocalizedString : HtmlString
    {
        public LocalizedString(string localized) : base(localized) => Text = localized;

        public string Text { get; }
    }
}

namespace Nop.Web.Framework.Mvc.Razor
{
    public abstract partial class NopRazorPage<TModel> : Microsoft.AspNetCore.Mvc.Razor.RazorPage<TModel>
    {
        public Nop.Web.Framework.Localization.Localizer T => (text, args) => new Nop.Web.Framework.Localization.LocalizedString(text);
    }
}

namespace Nop.Web.Framework.UI
{
    public partial interface INopHtmlHelper
    {
        void SetActiveMenuItemSystemName(string systemName);
    }
}

namespace Nop.Web.Framework.TagHelpers.Admin
{
    [HtmlTargetElement("nop-label", Attributes = "asp-for", TagStructure = TagStructure.WithoutEndTag)]
    public partial class NopLabelTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-for")] public ModelExpression For { get; set; }
        [HtmlAttributeName("asp-display-hint")] public bool DisplayHint { get; set; } = true;
    }

    [HtmlTargetElement("nop-editor", Attributes = "asp-for", TagStructure = TagStructure.WithoutEndTag)]
    public partial class NopEditorTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-for")] public ModelExpression For { get; set; }
        [HtmlAttributeName("html-attributes")] public object CustomHtmlAttributes { set; get; }
        [HtmlAttributeName("asp-required")] public string IsRequired { set; get; }
        [HtmlAttributeName("asp-template")] public string Template { set; get; }
        [HtmlAttributeName("asp-postfix")] public string Postfix { set; get; }
    }

    [HtmlTargetElement("nop-select", TagStructure = TagStructure.WithoutEndTag)]
    public partial class NopSelectTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-for")] public ModelExpression For { get; set; }
        [HtmlAttributeName("asp-items")] public IEnumerable<SelectListItem> Items { set; get; } = new List<SelectListItem>();
        [HtmlAttributeName("asp-multiple")] public string IsMultiple { set; get; }
    }

    [HtmlTargetElement("nop-textarea", Attributes = "asp-for")]
    public partial class NopTextAreaTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-for")] public ModelExpression For { get; set; }
        [HtmlAttributeName("html-attributes")] public object CustomHtmlAttributes { set; get; }
    }
}

namespace Nop.Web.Framework.Models.DataTables
{
    public partial interface IRender;

    public partial record DataTablesModel : Nop.Web.Framework.Models.BaseNopModel
    {
        public string Name { get; set; }
        public DataUrl UrlRead { get; set; }
        public string SearchButtonId { get; set; }
        public IList<FilterParameter> Filters { get; set; }
        public int Length { get; set; }
        public string LengthMenu { get; set; }
        public IList<ColumnProperty> ColumnCollection { get; set; }
    }

    public partial class DataUrl
    {
        public DataUrl(string actionName, string controllerName, RouteValueDictionary routeValues) { }
        public DataUrl(string url) { }
        public DataUrl(string url, string dataId) { }
    }

    public partial class FilterParameter
    {
        public FilterParameter(string name) { }
    }

    public partial class ColumnProperty
    {
        public ColumnProperty(string data) { }
        public string Title { get; set; }
        public IRender Render { get; set; }
        public string Width { get; set; }
        public string ClassName { get; set; }
    }

    public partial class RenderLink : IRender
    {
        public RenderLink(DataUrl url) { }
    }

    public partial class RenderDate : IRender;

    public partial class RenderBoolean : IRender;

    public partial class RenderCustom : IRender
    {
        public RenderCustom(string functionName) { FunctionName = functionName; }
        public string FunctionName { get; set; }
    }

    public partial class RenderButtonView : IRender
    {
        public RenderButtonView(DataUrl url) { }
    }

    public static partial class NopColumnClassDefaults
    {
        public static string CenterAll => "text-center";
        public static string Button => "button-column";
    }
}
