// The localizer behind the views' T and the nop-label stand-in: the English text of the plugin's own
// resources (KashFlowLocales.All, what InstallAsync installs) and of the few nopCommerce resources the
// views name; any other key comes back as itself, as nopCommerce returns it, and is recorded so the test
// can name it.
using System.Globalization;
using Nop.Plugin.Misc.KashFlow;

namespace ViewRender.Host;

public static class Resources
{
    /// <summary>nopCommerce's own resources the plugin's views use, with nopCommerce's English text.</summary>
    public static readonly IReadOnlyDictionary<string, string> NopCommerce = new Dictionary<string, string>
    {
        ["Admin.Common.Save"] = "Save",
        ["Admin.Common.Search"] = "Search",
        ["Admin.Common.View"] = "View",
    };

    private static readonly AsyncLocal<Scope> Current = new();

    /// <summary>Collects the keys a render looked up and found no text for; <paramref name="withheld"/> are
    /// treated as missing (a test's way to prove the checks see a missing resource).</summary>
    public static Scope Begin(IEnumerable<string> withheld = null)
    {
        var scope = new Scope(withheld);
        Current.Value = scope;
        return scope;
    }

    public static bool TryGet(string key, out string text)
    {
        text = null;
        if (Current.Value?.Withheld.Contains(key) == true)
            return false;
        return KashFlowLocales.All.TryGetValue(key, out text) || NopCommerce.TryGetValue(key, out text);
    }

    public static string Localize(string key, object[] args)
    {
        if (!TryGet(key, out var text))
        {
            Current.Value?.Missing.Add(key);
            return key;
        }
        return args is null || args.Length == 0 ? text : string.Format(CultureInfo.CurrentCulture, text, args);
    }

    public sealed class Scope(IEnumerable<string> withheld)
    {
        public HashSet<string> Withheld { get; } = new(withheld ?? [], StringComparer.Ordinal);
        public SortedSet<string> Missing { get; } = new(StringComparer.Ordinal);
    }
}
