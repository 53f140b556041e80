using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using Nop.Plugin.Misc.KashFlow.Models;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// nopCommerce's admin editor templates (Areas/Admin/Views/Shared/EditorTemplates) are typed: "Int32" is
/// <c>@model Int32</c>, "DateTime" is <c>@model DateTime</c>. A nullable property shown with
/// <c>&lt;nop-editor&gt;</c> and no UIHint lands on the non-nullable template: in a real 4.90 store the
/// blank "Other payment methods" fields then carried data-val-required ("The Int32 field is required.")
/// and the Configure form could not be saved, and blank rows fell back to an unstyled input.
/// nopCommerce's own models mark such properties [UIHint("Int32Nullable")] / [UIHint("DateNullable")].
/// Types with no nullable template there (long?, …) must not go through nop-editor at all.
/// </summary>
public class EditorTemplateTests
{
    private static readonly Dictionary<Type, string[]> NullableTemplates = new()
    {
        [typeof(int)] = ["Int32Nullable"],
        [typeof(decimal)] = ["DecimalNullable"],
        [typeof(DateTime)] = ["DateNullable", "DateTimeNullable"],
    };

    public static IEnumerable<object[]> EditorFields()
    {
        var views = Path.Combine(AppContext.BaseDirectory, "Views");
        foreach (var file in Directory.GetFiles(views, "*.cshtml"))
        {
            var text = File.ReadAllText(file);
            var model = Regex.Match(text, @"^@model\s+(\w+)", RegexOptions.Multiline);
            if (!model.Success)
                continue;
            foreach (Match m in Regex.Matches(text, @"<nop-editor\s+asp-for=""([^""]+)"""))
                yield return [Path.GetFileName(file), model.Groups[1].Value, m.Groups[1].Value];
        }
    }

    [Fact]
    public void The_views_have_editor_fields()
    {
        Assert.Contains(EditorFields(), f => (string)f[0] == "Configure.cshtml");
    }

    [Theory]
    [MemberData(nameof(EditorFields))]
    public void A_nullable_editor_field_names_a_nullable_nop_template(string view, string modelName, string path)
    {
        var type = typeof(ConfigurationModel).Assembly.GetType($"{typeof(ConfigurationModel).Namespace}.{modelName}")
            ?? throw new Xunit.Sdk.XunitException($"{view}: no model type {modelName}");
        PropertyInfo? property = null;
        foreach (var part in path.Split('.'))
        {
            var name = Regex.Replace(part, @"\[.*\]$", "");
            property = type.GetProperty(name) ?? throw new Xunit.Sdk.XunitException($"{view}: {modelName} has no {name}");
            type = property.PropertyType;
            if (part.EndsWith(']'))
                type = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().Single();
        }
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is null)
            return;
        // nop-editor looks an indexed name up by string; for a blank row it finds no metadata and falls back
        // to the plain String template (an unstyled box, seen in the real store's payment-method rows)
        Assert.False(path.Contains('['),
            $"{view}: {path} is a nullable value inside a list; render <input asp-for=... class=\"form-control\"> instead of nop-editor");
        Assert.True(NullableTemplates.TryGetValue(underlying, out var templates),
            $"{view}: {path} is {underlying.Name}?, for which nopCommerce has no nullable editor template; render an <input> instead of nop-editor");
        var hint = property!.GetCustomAttribute<UIHintAttribute>()?.UIHint;
        Assert.True(hint is not null && templates.Contains(hint),
            $"{view}: {path} is {underlying.Name}? and needs [UIHint(\"{templates[0]}\")], not {hint ?? "none"}");
    }
}
