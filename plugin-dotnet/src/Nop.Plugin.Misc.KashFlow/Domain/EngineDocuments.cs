// The engine's admin documents as typed records, one per document (core/src/engine/model.rs, PascalCase
// JSON): RecordQuery in; RecordPage/RecordSummary/CreditNoteSummary, RecordDetail, StatusCounts, Preview,
// ConnectionReport and the config validation out; the CreditNoteRelease event in. System.Text.Json reads
// and writes them (source-generated, EngineJsonContext); nothing here walks JSON by hand.
// Names the engine gives (states, kinds, causes) stay strings: a value a newer engine adds is shown as it
// comes, never a crash. The names C# itself relies on are in EngineNames, tied to the Rust enums by a test.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

/// <summary>
/// RecordQuery: Search matches the custom order number or the order id; dates are the order's CreatedOnUtc;
/// OrderIds (at most 500) keeps only those orders.
/// </summary>
public sealed record RecordQuery(IReadOnlyList<string> States, DateTime? FromUtc, DateTime? ToUtc, string? Search, int Page, int PageSize,
    IReadOnlyList<int>? OrderIds = null)
{
    public string ToJson() => JsonSerializer.Serialize(new RecordQueryDocument
    {
        States = States,
        FromUtc = FromUtc is { } from ? DateTime.SpecifyKind(from, DateTimeKind.Utc) : null,
        ToUtc = ToUtc is { } to ? DateTime.SpecifyKind(to, DateTimeKind.Utc) : null,
        Search = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
        OrderIds = OrderIds is { Count: > 0 } ids ? ids : null,
        Page = Math.Max(1, Page),
        PageSize = Math.Clamp(PageSize, 1, 500),
    }, EngineJsonContext.Default.RecordQueryDocument);
}

/// <summary>core::engine::model::RecordQuery as sent (members left out take the engine's defaults).</summary>
public sealed record RecordQueryDocument
{
    public IReadOnlyList<string> States { get; init; } = [];
    public DateTime? FromUtc { get; init; }
    public DateTime? ToUtc { get; init; }
    public string? Search { get; init; }
    public bool? NeedsCreditNote { get; init; }
    public IReadOnlyList<int>? OrderIds { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}

/// <summary>core::engine::error::ErrorDoc: what a failure says, and where.</summary>
public sealed record EngineProblem(string? Code, string? Message, string? Path)
{
    public override string ToString() => Path is null ? Message ?? string.Empty : $"{Message} ({Path})";
}

/// <summary>core::engine::model::RecordPage.</summary>
public sealed record RecordPage(IReadOnlyList<RecordSummary> Items, long Total, int Page, int PageSize);

/// <summary>One order's record (core::engine::model::RecordSummary). State: an EngineNames.RecordStates name.</summary>
public sealed record RecordSummary(long RecordId, long OrderId, string? CustomOrderNumber, string? State,
    DateTime? OrderCreatedUtc, DateTime? CreatedUtc, DateTime? UpdatedUtc, DateTime? NextAttemptUtc, int Attempts,
    EngineProblem? LastError, long? InvoiceNumber, string? CustomerCode, bool NeedsCreditNote, string? CreditNoteReason,
    IReadOnlyList<CreditNoteSummary>? CreditNotes)
{
    public IReadOnlyList<CreditNoteSummary> CreditNoteList => CreditNotes ?? [];
}

/// <summary>
/// One credit note of an order (core::engine::model::CreditNoteSummary): Cause Refund / Cancellation / Void;
/// State is the job's (Waiting for the invoice, Queued, Leased, Done, Dead, Held); Posted once posted.
/// </summary>
public sealed record CreditNoteSummary(int Seq, string? Cause, string? State, decimal? RequestedAmount, DateTime? DateUtc,
    CreditNotePosted? Posted, EngineProblem? LastError)
{
    public bool IsPosted => Posted is not null;

    /// <summary>"10012301: 30.00 GBP on 2026-05-05" once posted, else "refund 2: Dead — reason".</summary>
    public override string ToString() => Posted is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"{p.Number}: {p.Amount:0.00} {p.Currency} on {p.Date}")
        : $"{Cause?.ToLowerInvariant()} {Seq}: {State}{(LastError is null ? "" : " — " + LastError)}";
}

/// <summary>core::engine::model::CreditNotePosted: Date is the UK issue date (YYYY-MM-DD).</summary>
public sealed record CreditNotePosted(long Number, decimal Amount, string? Currency, string? Date, decimal Applied, decimal Refunded);

/// <summary>
/// core::engine::model::RecordDetail: everything the journal knows of one order. The stored snapshot, a
/// job's payload and an event's document are the documents as they came (shown raw on the detail page).
/// </summary>
public sealed record RecordDetail(RecordSummary Record, string? SnapshotHash, string? SyncedSnapshotHash, JsonElement? Snapshot,
    MappedInvoice? MappedInvoice, IReadOnlyList<JobEntry>? Jobs, IReadOnlyList<AttemptEntry>? Attempts, IReadOnlyList<EventEntry>? Events,
    IReadOnlyList<OutcomeEntry>? Outcomes);

/// <summary>core::engine::model::JobEntry. State: an EngineNames.JobStates name; Kind: the engine's job kind.</summary>
public sealed record JobEntry(long Id, string? Kind, string? State, int Attempts, DateTime? RunAtUtc, bool OutcomeUnknown,
    EngineProblem? LastError, JsonElement? Payload, DateTime? CreatedUtc, DateTime? UpdatedUtc);

/// <summary>core::engine::model::AttemptEntry: one attempt at a job, with the KashFlow calls it made.</summary>
public sealed record AttemptEntry(long Id, long JobId, string? JobKind, DateTime? StartedUtc, long DurationMs, string? Result,
    EngineProblem? Error, IReadOnlyList<CallRecord>? Calls);

/// <summary>core::engine::model::CallRecord: Status is null when no response came.</summary>
public sealed record CallRecord(string? Method, string? Path, int? Status, long DurationMs, string? Error);

/// <summary>core::engine::model::EventEntry: an event document the journal received.</summary>
public sealed record EventEntry(long Id, string? Kind, DateTime? ReceivedUtc, JsonElement? Document);

/// <summary>core::engine::model::OutcomeEntry.</summary>
public sealed record OutcomeEntry(Native.EngineOutcome? Outcome, bool Acked, DateTime? CreatedUtc);

/// <summary>The KashFlow invoice as posted (core::kashflow::model::Invoice): what the record page shows of it.</summary>
public sealed record MappedInvoice(IReadOnlyList<MappedInvoiceLine>? LineItems)
{
    public long? Number { get; init; }
    public string? CustomerCode { get; init; }
    public string? CustomerName { get; init; }
    public string? CustomerReference { get; init; }
    /// <summary>KashFlow's date-time text, as it came.</summary>
    public string? IssuedDate { get; init; }
    public string? DueDate { get; init; }
    public MappedCurrency? Currency { get; init; }
    public IReadOnlyList<MappedPaymentLine>? PaymentLines { get; init; }
}

/// <summary>core::kashflow::model::InvoiceCurrency.</summary>
public sealed record MappedCurrency(string? Code, decimal ExchangeRate);

/// <summary>core::kashflow::model::LineItem (VATLevel is a percentage; VATAmount the whole line's VAT).</summary>
public sealed record MappedInvoiceLine(string? Description, decimal Quantity, decimal Rate,
    [property: JsonPropertyName("VATLevel")] decimal VatLevel, string? ProductCode)
{
    [JsonPropertyName("VATAmount")]
    public decimal VatAmount { get; init; }

    [JsonPropertyName("VATExempt")]
    public bool VatExempt { get; init; }
}

/// <summary>core::kashflow::model::PaymentLine: Method and AccountId are the account's ids.</summary>
public sealed record MappedPaymentLine(string? Date, decimal Amount, long Method, long AccountId, string? Note);

/// <summary>core::engine::model::StatusCounts. Circuit: an EngineNames.CircuitStates name.</summary>
public sealed record StatusCounts(long Pending, long InFlight, long Retrying, long Synced, long Failed, long Cancelled, long Total,
    long NeedsCreditNote, long CreditNotesPosted, long CreditNotesFailed, long OutcomesPending, string? Circuit)
{
    /// <summary>Who runs the jobs (the active-worker lease), or the last one; null before any engine ran.</summary>
    public ActiveWorker? ActiveWorker { get; init; }

    /// <summary>Members a newer engine adds: a count among them is still listed (by its name, as it came).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    /// <summary>The counts the admin pages list, by the engine's member name.</summary>
    public IDictionary<string, long> ToDictionary() => Known().Concat(
        (Other ?? []).Where(o => o.Value.ValueKind == JsonValueKind.Number && o.Value.TryGetInt64(out _))
            .Select(o => KeyValuePair.Create(o.Key, o.Value.GetInt64())))
        .ToDictionary(p => p.Key, p => p.Value);

    private Dictionary<string, long> Known() => new()
    {
        [nameof(Pending)] = Pending,
        [nameof(InFlight)] = InFlight,
        [nameof(Retrying)] = Retrying,
        [nameof(Synced)] = Synced,
        [nameof(Failed)] = Failed,
        [nameof(Cancelled)] = Cancelled,
        [nameof(Total)] = Total,
        [nameof(NeedsCreditNote)] = NeedsCreditNote,
        [nameof(CreditNotesPosted)] = CreditNotesPosted,
        [nameof(CreditNotesFailed)] = CreditNotesFailed,
        [nameof(OutcomesPending)] = OutcomesPending,
    };
}

/// <summary>core::engine::lease::ActiveWorker: the process running the jobs of the journal (Active), or the last one.</summary>
public sealed record ActiveWorker(string? Holder, string? Host, long ProcessId, DateTime? ProcessStartedUtc, DateTime? SinceUtc,
    DateTime? RenewedUtc, DateTime? ExpiresUtc, bool Active, long Term, bool? ThisProcess);

/// <summary>core::engine::model::Preview: what syncing a snapshot would do. Requests are shown as JSON.</summary>
public sealed record Preview(long OrderId, string? CustomOrderNumber, bool Ok, CanonicalInvoice? Invoice, IReadOnlyList<JsonElement>? Requests,
    IReadOnlyList<EngineProblem>? Errors, IReadOnlyList<string>? Warnings, string? JournalState, long? JournalInvoiceNumber)
{
    /// <summary>Checked against the account's lookups (products, nominal codes, ...); false until they were read.</summary>
    public bool CheckedAgainstAccount { get; init; }
}

/// <summary>core::mapping::canonical::CanonicalInvoice: the invoice the preview shows.</summary>
public sealed record CanonicalInvoice(IReadOnlyList<CanonicalLine>? Lines)
{
    public long? InvoiceNumber { get; init; }
    public string? CustomerReference { get; init; }
    public string? IssuedDate { get; init; }
    public string? DueDate { get; init; }
    public MappedCurrency? Currency { get; init; }
    public CanonicalCustomerRef? Customer { get; init; }
    public decimal? NetTotal { get; init; }
    public decimal? VatTotal { get; init; }
    public decimal? GrossTotal { get; init; }
    public IReadOnlyList<CanonicalPayment>? Payments { get; init; }
}

/// <summary>core::mapping::canonical::CanonicalCustomer: the members the invoice view shows.</summary>
public sealed record CanonicalCustomerRef(string? Code, string? Name);

/// <summary>core::mapping::canonical::CanonicalPayment. Kind: Order, GiftCard or RewardPoints.</summary>
public sealed record CanonicalPayment(string? Kind, decimal Amount, string? Date, long MethodId, long BankAccountId, string? Note);

/// <summary>core::mapping::canonical::CanonicalLine. Kind: the engine's line kind name, shown as it comes.</summary>
public sealed record CanonicalLine(string? Kind, string? Description, decimal Quantity, decimal Rate, decimal VatRate, decimal VatAmount,
    bool VatExempt, long NominalCode, string? ProductCode, string? Sku, string? Source)
{
    /// <summary>Members a newer engine adds to a line: listed too, as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    /// <summary>The preview grid's columns, in the engine's member order (then any it added).</summary>
    public IDictionary<string, string> ToColumns()
    {
        var c = CultureInfo.InvariantCulture;
        var row = new Dictionary<string, string>
        {
            [nameof(Kind)] = Kind ?? string.Empty,
            [nameof(Description)] = Description ?? string.Empty,
            [nameof(Quantity)] = Quantity.ToString(c),
            [nameof(Rate)] = Rate.ToString(c),
            [nameof(VatRate)] = VatRate.ToString(c),
            [nameof(VatAmount)] = VatAmount.ToString(c),
            [nameof(VatExempt)] = VatExempt ? "true" : "false",
            [nameof(NominalCode)] = NominalCode.ToString(c),
        };
        if (ProductCode is not null)
            row[nameof(ProductCode)] = ProductCode;
        if (Sku is not null)
            row[nameof(Sku)] = Sku;
        if (Source is not null)
            row[nameof(Source)] = Source;
        foreach (var (name, value) in Other ?? [])
            if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                row[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        return row;
    }
}

/// <summary>core::engine::model::ConnectionReport: the answer of test connection. ErrorCode says why it failed.</summary>
public sealed record ConnectionReport(bool Ok, string? Mode, string? BaseUrl, string? Message, string? AccountName, long LatencyMs)
{
    /// <summary>Rest or Soap.</summary>
    public string? Transport { get; init; }
    public AccountFacts? Facts { get; init; }
    public string? ErrorCode { get; init; }

    /// <summary>The account's lookups when the test worked: the document kfs_engine_lookups gives (one shape for both).</summary>
    public KashFlowCatalogue? Catalogue { get; init; }
}

/// <summary>core::kashflow::transport::AccountFacts: what the account says about itself.</summary>
public sealed record AccountFacts(string? CompanyName, bool? VatRegistered, string? HomeCurrency, IReadOnlyList<string>? Currencies,
    IReadOnlyList<string>? BankAccounts);

/// <summary>core::mapping::suggest::KashFlowCatalogue: the account's lookups, with names (kfs_engine_lookups).</summary>
public sealed record KashFlowCatalogue(IReadOnlyList<KfNamed>? PaymentMethods, IReadOnlyList<KfBankAccount>? BankAccounts,
    IReadOnlyList<KfNominal>? Nominals, IReadOnlyList<decimal>? VatRates, IReadOnlyList<string>? Currencies, IReadOnlyList<KfProduct>? Products);

public sealed record KfNamed(long Id, string? Name);

public sealed record KfBankAccount(long Id, string? Name, bool IsDefault);

public sealed record KfNominal(long Code, string? Name);

public sealed record KfProduct(string? Code, string? Name);

/// <summary>core::mapping::suggest::Suggestion: Target is the KashFlow id or code (as text), TargetLabel its name.</summary>
public sealed record MappingSuggestion(string? Key, string? Label, string? Target, string? TargetLabel, double Confidence, string? Reason);

public sealed record PaymentMappingSuggestion(MappingSuggestion Method, MappingSuggestion BankAccount);

/// <summary>core::mapping::suggest::Suggestions (the members the Configure page uses).</summary>
public sealed record MappingSuggestions(IReadOnlyList<PaymentMappingSuggestion>? PaymentMethods, IReadOnlyList<MappingSuggestion>? Nominals,
    IReadOnlyList<MappingSuggestion>? Products = null, IReadOnlyList<MappingSuggestion>? TaxCategories = null,
    IReadOnlyList<MappingSuggestion>? Currencies = null);

/// <summary>kfs_suggest_mappings' input: what the store has, and the account's catalogue as the engine gave it.</summary>
public sealed record SuggestInput(SuggestStore Store, JsonElement KashFlow);

public sealed record SuggestStore(IReadOnlyList<SuggestStorePaymentMethod> PaymentMethods, IReadOnlyList<string> Currencies,
    IReadOnlyList<SuggestStoreProduct>? Products = null, IReadOnlyList<SuggestStoreTaxCategory>? TaxCategories = null);

/// <summary>core::mapping::suggest::StoreTaxCategory: matched to KashFlow's VAT rates by its rate, or the rate its name says.</summary>
public sealed record SuggestStoreTaxCategory(long Id, string Name, decimal? Rate);

/// <summary>core::mapping::suggest::StoreProduct: a product the engine matches to KashFlow's by code or name.</summary>
public sealed record SuggestStoreProduct(long Id, string Sku, string Name);

public sealed record SuggestStorePaymentMethod(string SystemName, string FriendlyName);

/// <summary>
/// What ValidateConfigJson answers: Valid, the errors, and the configuration with every default filled in.
/// Its Rules stay JSON: RulesDocument is the typed window onto them.
/// </summary>
public sealed record ConfigValidation(bool Valid, IReadOnlyList<EngineProblem>? Errors, ValidatedConfig? Config);

public sealed record ValidatedConfig(JsonElement? Rules);

/// <summary>The CreditNoteRelease event (core::engine::events::OrderEvent::CreditRelease): itemised lines, or spread when none.</summary>
public sealed record CreditNoteReleaseDocument(long OrderId, int Seq, IReadOnlyList<CreditNoteReleaseItem> Items, bool Restock)
{
    public string Kind => EngineNames.CreditNoteRelease;

    public string ToJson() => JsonSerializer.Serialize(this, EngineJsonContext.Default.CreditNoteReleaseDocument);
}

/// <summary>One itemised line: its 1-based position on the invoice and the quantity credited (sent as text, exact).</summary>
public sealed record CreditNoteReleaseItem(int Line, [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] decimal Quantity);

public static class EngineDocuments
{
    public static RecordPage ParseRecordPage(string json) => Read(json, EngineJsonContext.Default.RecordPage, "record page");

    public static RecordDetail ParseRecordDetail(string json) => Read(json, EngineJsonContext.Default.RecordDetail, "record detail");

    public static StatusCounts ParseStatusCounts(string json) => Read(json, EngineJsonContext.Default.StatusCounts, "status counts");

    public static Preview ParsePreview(string json) => Read(json, EngineJsonContext.Default.Preview, "preview");

    public static ConnectionReport ParseConnectionReport(string json) => Read(json, EngineJsonContext.Default.ConnectionReport, "connection report");

    public static KashFlowCatalogue ParseCatalogue(string json) => Read(json, EngineJsonContext.Default.KashFlowCatalogue, "lookups");

    public static MappingSuggestions ParseSuggestions(string json) => Read(json, EngineJsonContext.Default.MappingSuggestions, "suggestions");

    public static string SuggestInputJson(SuggestInput input) => JsonSerializer.Serialize(input, EngineJsonContext.Default.SuggestInput);

    public static ConfigValidation ParseConfigValidation(string json) => Read(json, EngineJsonContext.Default.ConfigValidation, "config validation");

    /// <summary>RecordDetail: the lines of the invoice as it was posted (MappedInvoice.LineItems), numbered from 1.</summary>
    public static IList<Models.InvoiceLineModel> InvoiceLines(RecordDetail detail) =>
        (detail.MappedInvoice?.LineItems ?? []).Select((l, i) => new Models.InvoiceLineModel(i + 1,
            l.Description ?? string.Empty,
            l.Quantity.ToString("0.####", CultureInfo.InvariantCulture),
            l.Rate.ToString("0.00##", CultureInfo.InvariantCulture),
            l.VatLevel.ToString("0.##", CultureInfo.InvariantCulture),
            l.ProductCode)).ToList();

    /// <summary>The CreditNoteRelease event: itemised lines (line, quantity), or spread when none.</summary>
    public static string CreditNoteRelease(long orderId, int seq, IEnumerable<(int Line, decimal Quantity)> items, bool restock) =>
        new CreditNoteReleaseDocument(orderId, seq, items.Select(i => new CreditNoteReleaseItem(i.Line, i.Quantity)).ToList(), restock).ToJson();

    /// <summary>The engine's JSON, indented for the admin's raw view (as it came when it is not JSON).</summary>
    public static string Indent(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, EngineJsonContext.Indented.JsonElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new FormatException($"the engine's {what} is null");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the engine's {what} is not what this plugin reads: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// Times the engine writes are UTC (RFC 3339, "Z" or an offset); read as DateTime of Kind Utc whatever the
/// server's time zone, written with "Z".
/// </summary>
public sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}

/// <summary>Source-generated (reflection-free) contracts of the engine's documents.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(UtcDateTimeConverter)])]
[JsonSerializable(typeof(RecordQueryDocument))]
[JsonSerializable(typeof(RecordPage))]
[JsonSerializable(typeof(RecordDetail))]
[JsonSerializable(typeof(StatusCounts))]
[JsonSerializable(typeof(Preview))]
[JsonSerializable(typeof(ConnectionReport))]
[JsonSerializable(typeof(ConfigValidation))]
[JsonSerializable(typeof(CreditNoteReleaseDocument))]
[JsonSerializable(typeof(KashFlowCatalogue))]
[JsonSerializable(typeof(MappingSuggestions))]
[JsonSerializable(typeof(SuggestInput))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class EngineJsonContext : JsonSerializerContext
{
    /// <summary>For the admin's raw views.</summary>
    public static EngineJsonContext Indented { get; } = new(new JsonSerializerOptions { WriteIndented = true });
}
