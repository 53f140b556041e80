// JSON equality as the engine sees it: same members and values, numbers equal as decimals
// (18.0 == 18.0000), member order irrelevant, an absent member equal to null.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public static class JsonCompare
{
    /// <summary>Differences as "path: expected X, got Y" lines (empty when equal).</summary>
    public static IReadOnlyList<string> Differences(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        var diffs = new List<string>();
        Walk(expected, actual, path, diffs);
        return diffs;
    }

    private static void Walk(JsonNode? e, JsonNode? a, string path, List<string> diffs)
    {
        switch (e, a)
        {
            case (null, null):
                return;
            case (JsonObject eo, JsonObject ao):
                foreach (var key in eo.Select(p => p.Key).Union(ao.Select(p => p.Key)))
                    Walk(eo[key], ao[key], $"{path}.{key}", diffs);
                return;
            case (JsonArray ea, JsonArray aa):
                if (ea.Count != aa.Count)
                    diffs.Add($"{path}: expected {ea.Count} elements, got {aa.Count}");
                for (var i = 0; i < Math.Min(ea.Count, aa.Count); i++)
                    Walk(ea[i], aa[i], $"{path}[{i}]", diffs);
                return;
            case (JsonValue ev, JsonValue av) when ev.GetValueKind() == JsonValueKind.Number && av.GetValueKind() == JsonValueKind.Number:
                if (decimal.Parse(ev.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) != decimal.Parse(av.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture))
                    diffs.Add($"{path}: expected {ev.ToJsonString()}, got {av.ToJsonString()}");
                return;
            case (JsonValue ev, JsonValue av):
                if (ev.ToJsonString() != av.ToJsonString())
                    diffs.Add($"{path}: expected {ev.ToJsonString()}, got {av.ToJsonString()}");
                return;
            default:
                diffs.Add($"{path}: expected {e?.ToJsonString() ?? "null"}, got {a?.ToJsonString() ?? "null"}");
                return;
        }
    }
}
