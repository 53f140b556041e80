// Makes the nopCommerce view stand-ins (declared once, in ../ViewCompileCheck/NopViewStandIns.cs) render
// roughly as nopCommerce 4.90's admin does, so a page can be looked at and checked: T gives the English
// resource (the key itself when there is none, as nopCommerce does), nop-label a label with the localized
// name and hint, nop-editor / nop-select / nop-textarea the inputs nopCommerce's editor templates give,
// nop-card an AdminLTE card, nop-doc-reference its span. Written from how nopCommerce's tag helpers behave
// (Nop.Web.Framework/TagHelpers/Admin), not copied from them.
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Nop.Web.Framework.Mvc.ModelBinding;
using ViewRender.Host;

namespace Nop.Web.Framework.Mvc.Razor
{
    public abstract partial class NopRazorPage<TModel>
    {
        partial void Localize(string key, object[] args, ref string localized) => localized = Resources.Localize(key, args);
    }
}

namespace Nop.Web.Framework.TagHelpers.Admin
{
    /// <summary>What the nop-* field helpers share: the field's name, id, value and its display-name resource.</summary>
    internal static class Field
    {
        public static string Name(ViewContext view, ModelExpression expression) =>
            view.ViewData.TemplateInfo.GetFullHtmlFieldName(expression.Name);

        public static string Id(ViewContext view, ModelExpression expression) => TagBuilder.CreateSanitizedId(Name(view, expression), "_");

        public static string ResourceKey(ModelExpression expression) =>
            expression.Metadata.ContainerType?.GetProperty(expression.Metadata.PropertyName ?? "")
                ?.GetCustomAttributes<NopResourceDisplayNameAttribute>(true).FirstOrDefault()?.ResourceKey;

        public static void MergeAttributes(TagBuilder tag, object htmlAttributes)
        {
            if (htmlAttributes is null)
                return;
            foreach (var (name, value) in HtmlHelper.AnonymousObjectToHtmlAttributes(htmlAttributes))
                tag.MergeAttribute(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), replaceExisting: true);
        }

        public static string Invariant(object value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public partial class NopLabelTagHelper
    {
        [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; }

        // nopCommerce: <div class="label-wrapper"><label class="col-form-label">name</label><div title="hint" class="ico-help">…</div></div>
        public override void Process(TagHelperContext context, TagHelperOutput output)
        {
            var key = Field.ResourceKey(For);
            var text = key is null ? For.Metadata.DisplayName ?? For.Metadata.PropertyName : Resources.Localize(key, []);
            var label = new TagBuilder("label");
            label.AddCssClass("col-form-label");
            label.Attributes["for"] = Field.Id(ViewContext, For);
            label.InnerHtml.Append(text);
            output.TagName = "div";
            output.TagMode = TagMode.StartTagAndEndTag;
            output.Attributes.SetAttribute("class", "label-wrapper");
            output.Content.SetHtmlContent(label);
            if (DisplayHint && key is not null && Resources.TryGet(key + ".Hint", out var hint))
                output.Content.AppendHtml($"<div title=\"{WebUtility.HtmlEncode(hint)}\" data-toggle=\"tooltip\" class=\"ico-help\"><i class=\"fas fa-circle-question\"></i></div>");
        }
    }

    public partial class NopEditorTagHelper
    {
        [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; }

        // nopCommerce's admin editor templates: Boolean a checkbox, numbers and dates their inputs, the rest text
        public override void Process(TagHelperContext context, TagHelperOutput output)
        {
            var type = Nullable.GetUnderlyingType(For.Metadata.ModelType) ?? For.Metadata.ModelType;
            var input = new TagBuilder("input") { TagRenderMode = TagRenderMode.SelfClosing };
            input.Attributes["id"] = Field.Id(ViewContext, For);
            input.Attributes["name"] = Field.Name(ViewContext, For);
            if (type == typeof(bool))
            {
                input.Attributes["type"] = "checkbox";
                input.Attributes["value"] = "true";
                input.AddCssClass("check-box");
                if (For.Model is true)
                    input.Attributes["checked"] = "checked";
            }
            else
            {
                input.AddCssClass("form-control text-box single-line");
                input.Attributes["type"] = For.Metadata.DataTypeName == "Password" ? "password"
                    : type == typeof(DateTime) ? "date"
                    : type == typeof(int) || type == typeof(long) || type == typeof(decimal) ? "number"
                    : "text";
                if (input.Attributes["type"] != "password" && For.Model is not null)
                    input.Attributes["value"] = For.Model is DateTime date ? date.ToString("yyyy-MM-dd") : Field.Invariant(For.Model);
            }
            Field.MergeAttributes(input, CustomHtmlAttributes);
            output.TagName = null;
            output.Content.SetHtmlContent(input);
            if (!string.IsNullOrEmpty(Postfix))
                output.Content.AppendHtml($"<span class=\"input-group-text\">{WebUtility.HtmlEncode(Postfix)}</span>");
            if (string.Equals(IsRequired, "true", StringComparison.OrdinalIgnoreCase))
                output.Content.AppendHtml("<span class=\"required\">*</span>");
        }
    }

    public partial class NopSelectTagHelper
    {
        [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; }

        public override void Process(TagHelperContext context, TagHelperOutput output)
        {
            var select = new TagBuilder("select");
            select.AddCssClass("form-control");
            if (For is not null)
            {
                select.Attributes["id"] = Field.Id(ViewContext, For);
                select.Attributes["name"] = Field.Name(ViewContext, For);
            }
            if (string.Equals(IsMultiple, "true", StringComparison.OrdinalIgnoreCase))
                select.Attributes["multiple"] = "multiple";
            var current = For?.Model is null ? null : Field.Invariant(For.Model);
            foreach (var item in Items ?? [])
            {
                var option = new TagBuilder("option");
                option.Attributes["value"] = item.Value ?? item.Text;
                if (item.Selected || (current is not null && (item.Value ?? item.Text) == current))
                    option.Attributes["selected"] = "selected";
                option.InnerHtml.Append(item.Text ?? "");
                select.InnerHtml.AppendHtml(option);
            }
            output.TagName = null;
            output.Content.SetHtmlContent(select);
        }
    }

    public partial class NopTextAreaTagHelper
    {
        [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; }

        public override void Process(TagHelperContext context, TagHelperOutput output)
        {
            var area = new TagBuilder("textarea");
            area.AddCssClass("form-control");
            area.Attributes["id"] = Field.Id(ViewContext, For);
            area.Attributes["name"] = Field.Name(ViewContext, For);
            Field.MergeAttributes(area, CustomHtmlAttributes);
            area.InnerHtml.Append(For.Model is null ? "" : Field.Invariant(For.Model));
            output.TagName = null;
            output.Content.SetHtmlContent(area);
        }
    }

    public partial class NopCardTagHelper
    {
        // nopCommerce: an AdminLTE card with its title, a collapse tool, and the child content as the body
        public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
        {
            var card = new TagBuilder("div");
            card.Attributes["id"] = Name;
            card.Attributes["data-card-name"] = Name;
            card.AddCssClass("card card-secondary card-outline");
            if (IsAdvanced)
                card.AddCssClass("advanced-setting");
            if (IsHide)
                card.AddCssClass("collapsed-card");
            var header = new TagBuilder("div");
            header.AddCssClass("card-header with-border clearfix");
            header.InnerHtml.AppendHtml($"<div class=\"card-title\"><i class=\"{WebUtility.HtmlEncode(CardIconIsAdvanced ?? "")}\"></i>{Title}</div>");
            header.InnerHtml.AppendHtml($"<div class=\"card-tools float-right\"><button type=\"button\" class=\"btn btn-tool\" data-card-widget=\"collapse\"><i class=\"fa toggle-icon {(IsHide ? "fa-plus" : "fa-minus")}\"></i></button></div>");
            card.InnerHtml.AppendHtml(header);
            card.InnerHtml.AppendHtml((await output.GetChildContentAsync()).GetContent());
            output.TagName = null;
            output.Content.SetHtmlContent(card);
        }
    }

    public partial class NopDocReferenceTagHelper
    {
        public override void Process(TagHelperContext context, TagHelperOutput output)
        {
            output.TagName = AddWrapper ? "div" : null;
            output.TagMode = TagMode.StartTagAndEndTag;
            if (AddWrapper)
                output.Attributes.SetAttribute("class", "documentation-reference");
            output.Content.SetHtmlContent($"<span>{StringResource}</span>");
        }
    }
}
