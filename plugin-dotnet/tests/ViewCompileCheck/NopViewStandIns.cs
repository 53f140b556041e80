// Stand-ins for the nopCommerce 4.90 view types the plugin's views use (NopRazorPage, the localizer,
// INopHtmlHelper, the admin tag helpers, DataTables models), with the real names and signatures, so
// the Razor compiler checks every C# expression and asp-for in the views. Bodies do nothing here; the
// ViewRender tests compile this same file and make them render (NopViewRendering.cs there, through the
// partial classes and the Localize hook), so a stand-in is declared once for both.
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
        public Nop.Web.Framework.Localization.Localizer T => (text, args) =>
        {
            var localized = text;
            Localize(text, args, ref localized);
            return new Nop.Web.Framework.Localization.LocalizedString(localized);
        };

        // nopCommerce: the resource for the working language, else the key itself; ViewRender implements it
        partial void Localize(string key, object[] args, ref string localized);
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

    [HtmlTargetElement("nop-card", Attributes = "asp-name")]
    public partial class NopCardTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-title")] public string Title { get; set; }
        [HtmlAttributeName("asp-name")] public string Name { get; set; }
        [HtmlAttributeName("asp-hide-block-attribute-name")] public string HideBlockAttributeName { get; set; }
        [HtmlAttributeName("asp-hide")] public bool IsHide { get; set; }
        [HtmlAttributeName("asp-advanced")] public bool IsAdvanced { get; set; }
        [HtmlAttributeName("asp-icon")] public string CardIconIsAdvanced { get; set; }
    }

    [HtmlTargetElement("nop-doc-reference", Attributes = "asp-string-resource", TagStructure = TagStructure.WithoutEndTag)]
    public partial class NopDocReferenceTagHelper : TagHelper
    {
        [HtmlAttributeName("asp-string-resource")] public string StringResource { get; set; }
        [HtmlAttributeName("asp-add-wrapper")] public bool AddWrapper { get; set; } = true;
    }
}

namespace Nop.Web.Framework.Models.DataTables
{
    public partial interface IRender { }

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
        public DataUrl(string actionName, string controllerName, RouteValueDictionary routeValues) { ActionName = actionName; ControllerName = controllerName; }
        public DataUrl(string url) { Url = url; }
        public DataUrl(string url, string dataId) { Url = url; DataId = dataId; }
        public string ActionName { get; set; }
        public string ControllerName { get; set; }
        public string Url { get; set; }
        public string DataId { get; set; }
    }

    public partial class FilterParameter
    {
        public FilterParameter(string name) { }
    }

    public partial class ColumnProperty
    {
        public ColumnProperty(string data) { Data = data; }
        public string Data { get; set; }
        public string Title { get; set; }
        public IRender Render { get; set; }
        public string Width { get; set; }
        public string ClassName { get; set; }
    }

    public partial class RenderLink : IRender
    {
        public RenderLink(DataUrl url) { Url = url; }
        public DataUrl Url { get; set; }
    }

    public partial class RenderDate : IRender { }

    public partial class RenderBoolean : IRender { }

    public partial class RenderCustom : IRender
    {
        public RenderCustom(string functionName) { FunctionName = functionName; }
        public string FunctionName { get; set; }
    }

    public partial class RenderButtonView : IRender
    {
        public RenderButtonView(DataUrl url) { Url = url; }
        public DataUrl Url { get; set; }
    }

    public static partial class NopColumnClassDefaults
    {
        public static string CenterAll => "text-center";
        public static string Button => "button-column";
    }
}
