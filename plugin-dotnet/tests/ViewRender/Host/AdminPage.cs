// What the host's layout and grid stand-in need: the admin-like stylesheet, where jQuery is, a partial
// view's page, and the sample rows of a DataTables grid.
using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace ViewRender.Host;

public static class AdminPage
{
    public static string Css { get; } = Embedded("admin-lookalike.css");

    public static string ChecksScript { get; } = Embedded("page-checks.js");

    /// <summary>Debian's jQuery (libjs-jquery); nopCommerce's admin loads jQuery 3 as well.</summary>
    public const string JQueryPath = "/usr/share/javascript/jquery/jquery.min.js";

    public static string JQueryUrl => new Uri(JQueryPath).AbsoluteUri;

    private static string Embedded(string name)
    {
        using var stream = typeof(AdminPage).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A partial view shown inside an admin page (its own model, a page title, optionally in a card).</summary>
public sealed record PartialSample(string ViewPath, object Model, string Title, bool InCard);

/// <summary>A grid's rows travel in ViewData under the grid's name, as its UrlRead action would answer them.</summary>
public static class GridRows
{
    public static string Key(string gridName) => "ViewRender.GridRows." + gridName;

    public static IReadOnlyList<object> For(ViewDataDictionary viewData, string gridName) =>
        viewData[Key(gridName)] is IEnumerable rows ? rows.Cast<object>().ToList() : [];

    public static object Value(object row, string member) =>
        member is null ? null : row.GetType().GetProperty(member, BindingFlags.Public | BindingFlags.Instance)?.GetValue(row);

    public static string Json(object value) => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object));
}
