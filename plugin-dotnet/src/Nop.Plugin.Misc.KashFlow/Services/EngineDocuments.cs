// Reading and writing the engine's admin documents (core::engine::model, PascalCase): RecordQuery,
// RecordPage/RecordSummary, RecordDetail, StatusCounts, Preview, ConnectionReport. This is the one
// place in C# that knows their member names.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>
/// RecordQuery: Search matches the custom order number or the order id; dates are the order's CreatedOnUtc;
/// OrderIds (at most 500) keeps only those orders.
/// </summary>
public sealed record RecordQuery(IReadOnlyList<string> States, DateTime? FromUtc, DateTime? ToUtc, string? Search, int Page, int PageSize,
    IReadOnlyList<int>? OrderIds = null)
{
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["States"] = new JsonArray(States.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            ["Page"] = Math.Max(1, Page),
            ["PageSize"] = Math.Clamp(PageSize, 1, 500),
        };
        if (FromUtc is { } from)
            o["FromUtc"] = Utc(from);
        if (ToUtc is { } to)
            o["ToUtc"] = Utc(to);
        if (!string.IsNullOrWhiteSpace(Search))
            o["Search"] = Search.Trim();
        if (OrderIds is { Count: > 0 } ids)
            o["OrderIds"] = new JsonArray(ids.Select(id => (JsonNode)JsonValue.Create(id)).ToArray());
        return o.ToJsonString();
    }

    private static string Utc(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One order's record (RecordSummary).</summary>
public sealed record RecordRow(long RecordId, long OrderId, string? CustomOrderNumber, string? State, int Attempts, long? InvoiceNumber,
    string? CustomerCode, string? LastError, bool NeedsCreditNote, string? CreditNoteReason,
    DateTime? CreatedUtc, DateTime? UpdatedUtc, DateTime? NextAttemptUtc, IReadOnlyList<CreditNoteRow>? CreditNotes = null);

/// <summary>
/// One credit note of an order (CreditNoteSummary): Cause Refund / Cancellation / Void; State is the job's
/// (Waiting for the invoice, Queued, Leased, Done, Dead); Number … Refunded once posted.
/// </summary>
public sealed record CreditNoteRow(int Seq, string? Cause, string? State, decimal? RequestedAmount, DateTime? DateUtc,
    long? Number, decimal? Amount, string? Currency, string? Date, decimal? Applied, decimal? Refunded, string? LastError)
{
    public bool Posted => Number is not null;

    /// <summary>"10012301: 30.00 GBP on 2026-05-05" once posted, else "refund 2: Dead — reason".</summary>
    public override string ToString() => Posted
        ? string.Create(CultureInfo.InvariantCulture, $"{Number}: {Amount:0.00} {Currency} on {Date}")
        : $"{Cause?.ToLowerInvariant()} {Seq}: {State}{(LastError is null ? "" : " — " + LastError)}";
}

public sealed record RecordPage(long Total, IReadOnlyList<RecordRow> Items);

public sealed record EngineProblem(string? Code, string Message, string? Path)
{
    public override string ToString() => Path is null ? Message : $"{Message} ({Path})";
}

public sealed record PreviewDocument(bool Ok, IReadOnlyList<EngineProblem> Errors, IReadOnlyList<string> Warnings, IList<IDictionary<string, string>> Lines);

public sealed record ConnectionReport(bool Ok, string Message, string? AccountName, string? Mode);

public static class EngineDocuments
{
    /// <summary>Every record state the engine knows.</summary>
    public static readonly IReadOnlyList<string> RecordStates = ["Pending", "InFlight", "Retrying", "Synced", "Failed", "Cancelled"];

    public static RecordPage ParseRecordPage(string json)
    {
        var root = Object(json, "record page");
        var items = (root["Items"] as JsonArray ?? []).OfType<JsonObject>().Select(ParseRecord).ToList();
        return new RecordPage(Long(root, "Total") ?? items.Count, items);
    }

    public static RecordRow ParseRecord(JsonObject o) => new(
        Long(o, "RecordId") ?? 0,
        Long(o, "OrderId") ?? 0,
        Str(o, "CustomOrderNumber"),
        Str(o, "State"),
        (int)(Long(o, "Attempts") ?? 0),
        Long(o, "InvoiceNumber"),
        Str(o, "CustomerCode"),
        o["LastError"] is JsonObject e ? Problem(e).ToString() : Str(o, "LastError"),
        o["NeedsCreditNote"] is JsonValue v && v.TryGetValue<bool>(out var b) && b,
        Str(o, "CreditNoteReason"),
        Date(o, "CreatedUtc"),
        Date(o, "UpdatedUtc"),
        Date(o, "NextAttemptUtc"),
        (o["CreditNotes"] as JsonArray ?? []).OfType<JsonObject>().Select(ParseCreditNote).ToList());

    public static CreditNoteRow ParseCreditNote(JsonObject c)
    {
        var posted = c["Posted"] as JsonObject;
        return new CreditNoteRow(
            (int)(Long(c, "Seq") ?? 0),
            Str(c, "Cause"),
            Str(c, "State"),
            Dec(c, "RequestedAmount"),
            Date(c, "DateUtc"),
            posted is null ? null : Long(posted, "Number"),
            posted is null ? null : Dec(posted, "Amount"),
            posted is null ? null : Str(posted, "Currency"),
            posted is null ? null : Str(posted, "Date"),
            posted is null ? null : Dec(posted, "Applied"),
            posted is null ? null : Dec(posted, "Refunded"),
            c["LastError"] is JsonObject e ? Problem(e).ToString() : null);
    }

    /// <summary>RecordDetail: the lines of the invoice as it was posted (MappedInvoice.LineItems), numbered from 1.</summary>
    public static IList<Models.InvoiceLineModel> ParseInvoiceLines(string json)
    {
        var root = Object(json, "record detail");
        var lines = (root["MappedInvoice"] as JsonObject)?["LineItems"] as JsonArray ?? [];
        return lines.OfType<JsonObject>().Select((l, i) => new Models.InvoiceLineModel(i + 1,
            Str(l, "Description") ?? string.Empty,
            Dec(l, "Quantity")?.ToString("0.####", CultureInfo.InvariantCulture) ?? string.Empty,
            Dec(l, "Rate")?.ToString("0.00##", CultureInfo.InvariantCulture) ?? string.Empty,
            Dec(l, "VATLevel")?.ToString("0.##", CultureInfo.InvariantCulture) ?? string.Empty,
            Str(l, "ProductCode"))).ToList();
    }

    /// <summary>The CreditNoteRelease event: itemised lines (line, quantity), or spread when none.</summary>
    public static string CreditNoteRelease(long orderId, int seq, IEnumerable<(int Line, decimal Quantity)> items, bool restock) =>
        new JsonObject
        {
            ["Kind"] = "CreditNoteRelease",
            ["OrderId"] = orderId,
            ["Seq"] = seq,
            ["Items"] = new JsonArray(items.Select(i => (JsonNode)new JsonObject
            {
                ["Line"] = i.Line,
                ["Quantity"] = i.Quantity.ToString(CultureInfo.InvariantCulture),
            }).ToArray()),
            ["Restock"] = restock,
        }.ToJsonString();

    /// <summary>RecordDetail: its Record member is the summary.</summary>
    public static RecordRow ParseRecordDetail(string json)
    {
        var root = Object(json, "record detail");
        return ParseRecord(root["Record"] as JsonObject ?? root);
    }

    /// <summary>The numeric members of StatusCounts (Pending … OutcomesPending).</summary>
    public static IDictionary<string, long> ParseStatusCounts(string json)
    {
        var counts = new Dictionary<string, long>();
        foreach (var (key, value) in Object(json, "status counts"))
            if (value is JsonValue v && v.TryGetValue<long>(out var n))
                counts[key] = n;
        return counts;
    }

    /// <summary>StatusCounts.Circuit: Closed, Open or HalfOpen (null when absent).</summary>
    public static string? ParseCircuit(string json) => Str(Object(json, "status counts"), "Circuit");

    public static PreviewDocument ParsePreview(string json)
    {
        var root = Object(json, "preview");
        var ok = root["Ok"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        var errors = (root["Errors"] as JsonArray ?? []).OfType<JsonObject>().Select(Problem).ToList();
        var warnings = (root["Warnings"] as JsonArray ?? []).Select(w => w is JsonValue wv && wv.TryGetValue<string>(out var s) ? s : w?.ToJsonString() ?? string.Empty).ToList();
        var lines = new List<IDictionary<string, string>>();
        if (FindArray(root["Invoice"], "Lines") is { } array)
        {
            foreach (var line in array.OfType<JsonObject>())
            {
                var row = new Dictionary<string, string>();
                foreach (var (key, value) in line)
                    if (value is JsonValue lv)
                        row[key] = lv.TryGetValue<string>(out var s) ? s : lv.ToJsonString();
                lines.Add(row);
            }
        }
        return new PreviewDocument(ok, errors, warnings, lines);
    }

    public static ConnectionReport ParseConnectionReport(string json)
    {
        var root = Object(json, "connection report");
        var ok = root["Ok"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        return new ConnectionReport(ok, Str(root, "Message") ?? string.Empty, Str(root, "AccountName"), Str(root, "Mode"));
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

    private static JsonObject Object(string json, string what) =>
        JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"the engine's {what} is not a JSON object");

    private static EngineProblem Problem(JsonObject e) => new(Str(e, "Code"), Str(e, "Message") ?? string.Empty, Str(e, "Path"));

    private static JsonArray? FindArray(JsonNode? node, string name)
    {
        if (node is not JsonObject o)
            return null;
        if (o[name] is JsonArray found)
            return found;
        foreach (var (_, child) in o)
            if (FindArray(child, name) is { } nested)
                return nested;
        return null;
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private static long? Long(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static decimal? Dec(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static DateTime? Date(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) &&
        DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : null;
}
