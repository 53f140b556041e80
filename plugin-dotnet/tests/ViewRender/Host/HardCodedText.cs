// Finds text a view writes to the page that is not a locale resource: what is left of a .cshtml file
// once Razor comments, scripts, code blocks, expressions, control-flow headers and tags are taken out.
// Also tag attributes a user reads (title, placeholder, alt, aria-label) given as plain text. A rough
// scan of the source, not a Razor parser: it errs towards reporting, and a few symbols and units are
// allowed (UTC, &nbsp;).
using System.Text;
using System.Text.RegularExpressions;

namespace ViewRender.Host;

public static partial class HardCodedText
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "UTC", "&nbsp;", "&nbsp" };

    public static IReadOnlyList<string> Find(string source)
    {
        var found = new List<string>();
        var s = RazorComment().Replace(source, " ");
        s = ScriptOrStyle().Replace(s, " ");
        foreach (Match m in ShownAttribute().Matches(s))
            if (!m.Groups["value"].Value.Contains('@') && Words().IsMatch(m.Groups["value"].Value))
                found.Add($"{m.Groups["name"].Value}=\"{m.Groups["value"].Value}\"");
        s = Directive().Replace(s, " ");
        foreach (var opener in new[] { @"@functions\s*\{", @"@\{", @"@\(", @"@(if|foreach|for|while|switch|using)\s*\(", @"else\s+if\s*\(",
                     // control flow inside a code block (a @switch's cases) carries no @
                     @"(?m)^\s*(if|foreach|for|while|switch|using)\s*\(" })
            s = WithoutBalanced(s, new Regex(opener));
        s = CodeStatement().Replace(s, " ");
        s = ElseBlock().Replace(s, " ");
        // implicit expressions with calls: @T(...), @await Html.PartialAsync(...), @Model.X.ToString("u")
        for (string before = null; before != s;)
        {
            before = s;
            s = WithoutBalanced(s, ImplicitCall());
        }
        s = ImplicitExpression().Replace(s, " ");
        s = Tag().Replace(s, " ");
        foreach (var token in s.Split([' ', '\t', '\r', '\n', '{', '}', ';', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
            if (!Allowed.Contains(token) && Words().IsMatch(token))
                found.Add(token);
        return found;
    }

    /// <summary>Replaces each match of <paramref name="opener"/> (ending at an opening bracket) and its balanced body.</summary>
    private static string WithoutBalanced(string s, Regex opener)
    {
        var result = new StringBuilder();
        var at = 0;
        for (var m = opener.Match(s, at); m.Success; m = opener.Match(s, at))
        {
            result.Append(s, at, m.Index - at).Append(' ');
            var open = s[m.Index + m.Length - 1];
            var close = open switch { '(' => ')', '{' => '}', _ => ']' };
            var depth = 0;
            var i = m.Index + m.Length - 1;
            for (; i < s.Length; i++)
            {
                if (s[i] == '"')
                {
                    for (i++; i < s.Length && s[i] != '"'; i++)
                        if (s[i] == '\\')
                            i++;
                }
                else if (s[i] == open)
                    depth++;
                else if (s[i] == close && --depth == 0)
                    break;
            }
            at = Math.Min(i + 1, s.Length);
        }
        return result.Append(s, at, s.Length - at).ToString();
    }

    [GeneratedRegex(@"\b(?<name>title|placeholder|alt|aria-label)=""(?<value>[^""]*)""")]
    private static partial Regex ShownAttribute();

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex RazorComment();

    [GeneratedRegex(@"<(script|style)\b.*?</\1>", RegexOptions.Singleline)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"^\s*@(model|inherits|using|inject|addTagHelper|removeTagHelper|layout|page)\b.*$", RegexOptions.Multiline)]
    private static partial Regex Directive();

    /// <summary>A statement line inside a code block: a switch label, break, a local variable.</summary>
    [GeneratedRegex(@"(?m)^\s*(case\s+[^:\r\n]+:|default:|break;|continue;|return;|var\s+[^;\r\n]+;)\s*$")]
    private static partial Regex CodeStatement();

    [GeneratedRegex(@"\}\s*else\s*\{")]
    private static partial Regex ElseBlock();

    [GeneratedRegex(@"@(await\s+)?[A-Za-z_][\w.]*(\?\.\w+)*\(")]
    private static partial Regex ImplicitCall();

    [GeneratedRegex(@"@(await\s+)?[A-Za-z_][\w.?\[\]]*")]
    private static partial Regex ImplicitExpression();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();
}
