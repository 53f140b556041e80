// Reading the engine's admin documents (record query/page, record detail, status counts, preview) into
// plain values. The engine owns their shape (contracts.md, PascalCase); this is the one place that
// knows the member names, so a change there is a change here only.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record RecordQuery(string? State, long? OrderId, DateTime? CreatedFromUtc, DateTime? CreatedToUtc, int Offset, int Limit)
{
    public string ToJson()
    {
        var o = new JsonObject { ["Offset"] = Offset, ["Limit"] = Limit };
        if (!string.IsNullOrEmpty(State))
            o["State"] = State;
        if (OrderId is { } id)
            o["OrderId"] = id;
        if (CreatedFromUtc is { } from)
            o["CreatedFromUtc"] = DateTime.SpecifyKind(from, DateTimeKind.Utc);
        if (CreatedToUtc is { } to)
            o["CreatedToUtc"] = DateTime.SpecifyKind(to, DateTimeKind.Utc);
        return o.ToJsonString();
    }
}

public sealed record RecordRow(long Id, long OrderId, string? Kind, string? State, int Attempts, long? InvoiceNumber, string? LastError,
    DateTime? CreatedOnUtc, DateTime? UpdatedOnUtc);

public sealed record RecordPage(long Total, IReadOnlyList<RecordRow> Records);

public static class EngineDocuments
{
    /// <summary>Every record state the engine knows (contracts.md).</summary>
    public static readonly IReadOnlyList<string> RecordStates = ["Pending", "InFlight", "Retrying", "Synced", "Failed", "Cancelled"];

    public static RecordPage ParseRecordPage(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("record page is not a JSON object");
        var records = (root["Records"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(ParseRecord)
            .ToList();
        return new RecordPage(Long(root, "Total") ?? records.Count, records);
    }

    public static RecordRow ParseRecord(JsonObject o) => new(
        Long(o, "Id") ?? Long(o, "RecordId") ?? 0,
        Long(o, "OrderId") ?? 0,
        Str(o, "Kind"),
        Str(o, "State"),
        (int)(Long(o, "Attempts") ?? 0),
        Long(o, "InvoiceNumber"),
        Str(o, "LastError"),
        Date(o, "CreatedUtc") ?? Date(o, "CreatedOnUtc"),
        Date(o, "UpdatedUtc") ?? Date(o, "UpdatedOnUtc"));

    /// <summary>Record detail: the record itself is either the root or its "Record" member.</summary>
    public static RecordRow ParseRecordDetail(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("record detail is not a JSON object");
        return ParseRecord(root["Record"] as JsonObject ?? root);
    }

    /// <summary>State → count, from either {"Pending": 1, ...} or {"Counts": {...}}.</summary>
    public static IDictionary<string, long> ParseStatusCounts(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? new JsonObject();
        var source = root["Counts"] as JsonObject ?? root;
        var counts = new Dictionary<string, long>();
        foreach (var (key, value) in source)
            if (value is JsonValue v && v.TryGetValue<long>(out var n))
                counts[key] = n;
        return counts;
    }

    /// <summary>Invoice lines of a preview as column → display text (first array named Lines found).</summary>
    public static IList<IDictionary<string, string>> ParsePreviewLines(string json)
    {
        var lines = new List<IDictionary<string, string>>();
        if (FindArray(JsonNode.Parse(json), "Lines") is not { } array)
            return lines;
        foreach (var line in array.OfType<JsonObject>())
        {
            var row = new Dictionary<string, string>();
            foreach (var (key, value) in line)
                if (value is JsonValue v)
                    row[key] = v.ToJsonString().Trim('"');
            lines.Add(row);
        }
        return lines;
    }

    public static string Indent(string json)
    {
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static JsonArray? FindArray(JsonNode? node, string name)
    {
        if (node is JsonObject o)
        {
            if (o[name] is JsonArray found)
                return found;
            foreach (var (_, child) in o)
                if (FindArray(child, name) is { } nested)
                    return nested;
        }
        return null;
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private static long? Long(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static DateTime? Date(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) &&
        DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : null;
}
