// Turns the engine's documents into words for a shop admin: states and counts, the active worker, errors
// (a locale resource per engine error code, the engine's own text kept as "technical details"), a record's
// timeline, the invoice as KashFlow shows it and a connection test's answer. Phrasing only: every figure
// shown comes from the engine's documents (a line's net is KashFlow's round2(quantity × rate)).
using System.Globalization;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Localization;

namespace Nop.Plugin.Misc.KashFlow.Factories;

public class KashFlowPhrases
{
    private readonly ILocalizationService _localizationService;
    private readonly Services.KashFlowLookups _lookups;

    public KashFlowPhrases(ILocalizationService localizationService, Services.KashFlowLookups lookups)
    {
        _localizationService = localizationService;
        _lookups = lookups;
    }

    /// <summary>The resource when the plugin has one for this key, else null (an engine name this plugin does not know).</summary>
    private async Task<string?> OptionalAsync(string key) =>
        KashFlowLocales.All.ContainsKey(key) ? await _localizationService.GetResourceAsync(key) : null;

    private Task<string> TextAsync(string key) => _localizationService.GetResourceAsync(key);

    private static string Format(string template, params object?[] args) => string.Format(CultureInfo.CurrentCulture, template, args);

    /// <summary>An engine name in words by its resource (prefix + name), or the name as it came.</summary>
    public async Task<string?> WordAsync(string prefix, string? name) =>
        name is null ? null : await OptionalAsync(prefix + name) ?? name;

    /// <summary>"Pending" → "Waiting to be sent"; a state this plugin does not know is shown as it comes.</summary>
    public async Task<string?> StateAsync(string? state) =>
        state is null ? null : await OptionalAsync(KashFlowLocales.StatePrefix + state) ?? state;

    /// <summary>"32 posted, 27 need attention, 1 waiting"; "Nothing synced yet." when every count is 0.</summary>
    public async Task<string> StatusLineAsync(StatusCounts counts)
    {
        var parts = new List<string>();
        async Task Add(string name, long value)
        {
            if (value <= 0)
                return;
            var template = (value == 1 ? await OptionalAsync(KashFlowLocales.StatusPrefix + name + ".One") : null)
                ?? await OptionalAsync(KashFlowLocales.StatusPrefix + name)
                ?? Words(name) + ": {0}";
            parts.Add(Format(template, value));
        }
        await Add(nameof(StatusCounts.Synced), counts.Synced);
        await Add(nameof(StatusCounts.Failed), counts.Failed);
        await Add("Waiting", counts.Pending + counts.Retrying);
        await Add(nameof(StatusCounts.InFlight), counts.InFlight);
        await Add(nameof(StatusCounts.Cancelled), counts.Cancelled);
        await Add(nameof(StatusCounts.NeedsCreditNote), counts.NeedsCreditNote);
        await Add(nameof(StatusCounts.CreditNotesPosted), counts.CreditNotesPosted);
        await Add(nameof(StatusCounts.CreditNotesFailed), counts.CreditNotesFailed);
        await Add(nameof(StatusCounts.OutcomesPending), counts.OutcomesPending);
        // counts a newer engine adds: in words made from their names
        foreach (var (name, value) in counts.ToDictionary().Where(p => !KnownCounts.Contains(p.Key)))
            await Add(name, value);
        return parts.Count == 0 ? await TextAsync(KashFlowLocales.StatusNothing) : string.Join(", ", parts);
    }

    private static readonly HashSet<string> KnownCounts =
    [
        nameof(StatusCounts.Pending), nameof(StatusCounts.InFlight), nameof(StatusCounts.Retrying), nameof(StatusCounts.Synced),
        nameof(StatusCounts.Failed), nameof(StatusCounts.Cancelled), nameof(StatusCounts.Total), nameof(StatusCounts.NeedsCreditNote),
        nameof(StatusCounts.CreditNotesPosted), nameof(StatusCounts.CreditNotesFailed), nameof(StatusCounts.OutcomesPending),
    ];

    /// <summary>"OutcomesPending" → "outcomes pending": a member name as words (only for names this plugin does not know).</summary>
    internal static string Words(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : i == 0 ? char.ToUpperInvariant(c).ToString() : c.ToString()));

    /// <summary>
    /// "Syncing on WEB01 (process 4312) since {0}" (active) or "Nobody is syncing now; last: WEB01 (process 4312), until {0}";
    /// {0} stays for the view to fill with the time in the admin's own zone. Null before any engine ran.
    /// </summary>
    public async Task<(string? Text, DateTime? TimeUtc, bool Active)> WorkerAsync(ActiveWorker? worker)
    {
        if (worker is null)
            return (null, null, false);
        var host = string.IsNullOrWhiteSpace(worker.Host) ? "?" : worker.Host;
        if (worker.Active)
        {
            var key = worker.ThisProcess == false ? KashFlowLocales.WorkerActiveElsewhere : KashFlowLocales.WorkerActive;
            return (Format(await TextAsync(key), host, worker.ProcessId, "{0}"), worker.SinceUtc, true);
        }
        return (Format(await TextAsync(KashFlowLocales.WorkerNone), host, worker.ProcessId, "{0}"), worker.RenewedUtc, false);
    }

    /// <summary>
    /// Web farm: "{node} is the active sync node since {0}" (this node or another), or that none is; {0} stays
    /// for the view to fill with the time in the admin's zone. Null when the farm setting is off.
    /// </summary>
    public async Task<(string? Text, DateTime? TimeUtc)> FarmNodeAsync(FarmNodeStatus? farm, TimeSpan leaseExpiry)
    {
        if (farm is null)
            return (null, null);
        if (farm.ActiveNode is null)
            return (Format(await TextAsync(KashFlowLocales.FarmNoneActive), (int)leaseExpiry.TotalSeconds, farm.ThisNode), null);
        return farm.ThisNodeActive
            ? (Format(await TextAsync(KashFlowLocales.FarmActiveHere), farm.ThisNode, "{0}"), farm.ActiveSinceUtc)
            : (Format(await TextAsync(KashFlowLocales.FarmActiveElsewhere), farm.ActiveNode, "{0}", farm.ThisNode), farm.ActiveSinceUtc);
    }

    /// <summary>An engine error for the merchant: the resource of its code, the engine's text as technical details.</summary>
    public async Task<ProblemModel?> ProblemAsync(EngineProblem? problem)
    {
        if (problem is null)
            return null;
        var technical = problem.ToString();
        var summary = problem.Code is { Length: > 0 } code ? await OptionalAsync(KashFlowLocales.ErrorPrefix + code) : null;
        return new ProblemModel(problem.Code, summary ?? technical, problem.Code is null ? technical : $"{problem.Code}: {technical}");
    }

    /// <summary>
    /// The order note of a failed job in the merchant's words: the phrase for its error code and what to do, the code in
    /// brackets for support. Null when the outcome is no failure or the code has no phrase (the engine's note stands).
    /// </summary>
    public async Task<string?> FailureNoteAsync(Native.EngineOutcome outcome)
    {
        if (outcome.ErrorCode is not { Length: > 0 } code || await OptionalAsync(KashFlowLocales.ErrorPrefix + code) is not { } phrase)
            return null;
        return Format(await TextAsync(KashFlowLocales.OrderNoteFailed), phrase, code);
    }

    /// <summary>A connection test's answer: the facts, or what to change (by KashFlow's code and the transport in use).</summary>
    public async Task<ConnectionTestModel> ConnectionAsync(ConnectionReport report, KashFlowTransport transport)
    {
        var transportName = report.Transport ?? transport.ToString();
        var transportText = await OptionalAsync(KashFlowLocales.TransportPrefix + transportName) ?? transportName;
        if (!report.Ok)
        {
            var code = report.ErrorCode;
            string? advice = null;
            if (code is { Length: > 0 })
                advice = await OptionalAsync($"{KashFlowLocales.ConnectionAdvicePrefix}{code}.{transportName}")
                    ?? await OptionalAsync(KashFlowLocales.ConnectionAdvicePrefix + code)
                    ?? await OptionalAsync(KashFlowLocales.ErrorPrefix + code);
            advice ??= await TextAsync(KashFlowLocales.ConnectionAdviceOther);
            var technical = string.IsNullOrWhiteSpace(report.Message) ? code : code is null ? report.Message : $"{code}: {report.Message}";
            return new ConnectionTestModel { Ok = false, Transport = transportText, Problem = new ProblemModel(code, advice, technical), LatencyMs = report.LatencyMs };
        }
        var facts = report.Facts;
        var vat = facts?.VatRegistered switch
        {
            true => await TextAsync(KashFlowLocales.FactsVatYes),
            false => await TextAsync(KashFlowLocales.FactsVatNo),
            null => await TextAsync(KashFlowLocales.FactsVatUnknown),
        };
        return new ConnectionTestModel
        {
            Ok = true,
            Transport = transportText,
            CompanyName = facts?.CompanyName ?? report.AccountName,
            VatRegistration = vat,
            HomeCurrency = facts?.HomeCurrency,
            Currencies = (facts?.Currencies ?? []).ToList(),
            BankAccounts = (facts?.BankAccounts ?? []).ToList(),
            LatencyMs = report.LatencyMs,
        };
    }

    /// <summary>Placed → journalled → events → each attempt with its KashFlow calls → nopCommerce updates → where it is now.</summary>
    public async Task<IList<TimelineEntryModel>> TimelineAsync(RecordDetail detail)
    {
        var r = detail.Record;
        var entries = new List<TimelineEntryModel>();
        if (r.OrderCreatedUtc is { } placed)
            entries.Add(new TimelineEntryModel(placed, await TextAsync(KashFlowLocales.TimelinePlaced), "info"));
        if (r.CreatedUtc is { } journalled)
            entries.Add(new TimelineEntryModel(journalled, await TextAsync(KashFlowLocales.TimelineJournalled), "info"));
        foreach (var e in detail.Events ?? [])
            entries.Add(new TimelineEntryModel(e.ReceivedUtc,
                await OptionalAsync(KashFlowLocales.TimelineEventPrefix + e.Kind) ?? Words(e.Kind ?? "?"), "info"));
        foreach (var a in detail.Attempts ?? [])
        {
            var job = await OptionalAsync(KashFlowLocales.JobKindPrefix + a.JobKind) ?? Words(a.JobKind ?? "?");
            var result = await OptionalAsync(KashFlowLocales.AttemptResultPrefix + a.Result) ?? a.Result ?? string.Empty;
            var kind = a.Result switch
            {
                "Done" => "ok",
                "DeadLetter" => "error",
                "Retry" or "Interrupted" => "warning",
                _ => "info",
            };
            var calls = new List<string>();
            foreach (var c in a.Calls ?? [])
            {
                var answer = c.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : await TextAsync(KashFlowLocales.TimelineNoAnswer);
                var line = string.Create(CultureInfo.InvariantCulture, $"{c.Method} {c.Path} → {answer}, {c.DurationMs} ms");
                calls.Add(string.IsNullOrEmpty(c.Error) ? line : line + " — " + c.Error);
            }
            entries.Add(new TimelineEntryModel(a.StartedUtc, Format(await TextAsync(KashFlowLocales.TimelineAttempt), job, result), kind)
            {
                Calls = calls,
                Problem = await ProblemAsync(a.Error),
            });
        }
        foreach (var o in detail.Outcomes ?? [])
        {
            if (o.Outcome is not { } outcome)
                continue;
            var what = await OptionalAsync(KashFlowLocales.TimelineOutcomePrefix + outcome.Kind) ?? Words(outcome.Kind ?? "?");
            var text = outcome.Kind switch
            {
                EngineNames.SetOrderStatus => Format(what, outcome.OrderStatus),
                EngineNames.AddOrderNote => Format(what, outcome.Note),
                EngineNames.SetStock => Format(what, outcome.Sku, outcome.Quantity),
                _ => what,
            };
            entries.Add(new TimelineEntryModel(o.CreatedUtc, text, "info"));
        }
        var ordered = entries.OrderBy(e => e.TimeUtc ?? DateTime.MinValue).ToList();
        var state = await StateAsync(r.State) ?? string.Empty;
        var now = r.InvoiceNumber is { } number
            ? Format(await TextAsync(KashFlowLocales.TimelineNowInvoice), state, number)
            : Format(await TextAsync(KashFlowLocales.TimelineNow), state);
        ordered.Add(new TimelineEntryModel(r.UpdatedUtc, now, StateKind(r.State)) { Problem = await ProblemAsync(r.LastError) });
        return ordered;
    }

    /// <summary>The badge colour of a record state.</summary>
    public static string StateKind(string? state) => state switch
    {
        "Synced" => "ok",
        "Failed" => "error",
        "Retrying" => "warning",
        _ => "info",
    };

    /// <summary>
    /// The invoice as posted (the record's MappedInvoice), with the payments recorded on it later (the record's
    /// RecordPayment jobs that are done). With credit notes, what is still to pay is left to the credit notes' table.
    /// </summary>
    public async Task<InvoiceViewModel?> InvoiceAsync(MappedInvoice? invoice, string? json, IReadOnlyList<JobEntry>? jobs = null, bool hasCreditNotes = false)
    {
        if (invoice is null)
            return null;
        var lines = (invoice.LineItems ?? []).Select(l => (l.Description, l.ProductCode, l.Quantity, l.Rate, l.VatLevel, l.VatAmount, l.VatExempt)).ToList();
        var payments = new List<InvoicePaymentRow>();
        var paid = 0m;
        foreach (var p in invoice.PaymentLines ?? [])
        {
            payments.Add(new InvoicePaymentRow(DateOnlyText(p.Date), Money(p.Amount), await MethodAsync(p.Method, p.AccountId), p.Note));
            paid += p.Amount;
        }
        foreach (var job in (jobs ?? []).Where(j => j.Kind == "RecordPayment" && j.State == "Done" && j.Payload is { ValueKind: System.Text.Json.JsonValueKind.Object }))
        {
            var payload = job.Payload!.Value;
            if (!payload.TryGetProperty("Amount", out var amountElement) || ReadDecimal(amountElement) is not { } amount)
                continue;
            var date = payload.TryGetProperty("PaidDateUtc", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String ? DateOnlyText(d.GetString()) : null;
            var method = payload.TryGetProperty("PaymentMethodSystemName", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.String ? m.GetString() : null;
            payments.Add(new InvoicePaymentRow(date, Money(amount), Format(await TextAsync(KashFlowLocales.InvoicePaymentLater), method), null));
            paid += amount;
        }
        var view = await BuildAsync(lines, paid, null);
        if (hasCreditNotes)
            view.AmountDue = null;
        view.Number = invoice.Number;
        view.CustomerCode = invoice.CustomerCode;
        view.CustomerName = invoice.CustomerName;
        view.CustomerReference = invoice.CustomerReference;
        view.IssuedDate = DateOnlyText(invoice.IssuedDate);
        view.DueDate = DateOnlyText(invoice.DueDate);
        view.Currency = invoice.Currency?.Code;
        view.Payments = payments;
        view.Json = json;
        return view;
    }

    /// <summary>The invoice a preview would post (the engine's canonical invoice); its totals are the engine's.</summary>
    public async Task<InvoiceViewModel?> InvoiceAsync(CanonicalInvoice? invoice, string? json)
    {
        if (invoice is null)
            return null;
        var lines = (invoice.Lines ?? []).Select(l => (l.Description, l.ProductCode, l.Quantity, l.Rate, l.VatRate, l.VatAmount, l.VatExempt)).ToList();
        var payments = new List<InvoicePaymentRow>();
        foreach (var p in invoice.Payments ?? [])
        {
            var method = await MethodAsync(p.MethodId, p.BankAccountId);
            var kind = await OptionalAsync(KashFlowLocales.PaymentKindPrefix + p.Kind);
            payments.Add(new InvoicePaymentRow(p.Date, Money(p.Amount), kind is null ? method : $"{kind} — {method}", p.Note));
        }
        var totals = invoice.NetTotal is { } net && invoice.VatTotal is { } vat && invoice.GrossTotal is { } gross ? (net, vat, gross) : ((decimal, decimal, decimal)?)null;
        var view = await BuildAsync(lines, (invoice.Payments ?? []).Sum(p => p.Amount), totals);
        view.Number = invoice.InvoiceNumber;
        view.CustomerCode = invoice.Customer?.Code;
        view.CustomerName = invoice.Customer?.Name;
        view.CustomerReference = invoice.CustomerReference;
        view.IssuedDate = invoice.IssuedDate;
        view.DueDate = invoice.DueDate;
        view.Currency = invoice.Currency?.Code;
        view.Payments = payments;
        view.Json = json;
        return view;
    }

    private async Task<InvoiceViewModel> BuildAsync(
        List<(string? Description, string? ProductCode, decimal Quantity, decimal Rate, decimal VatRate, decimal Vat, bool Exempt)> lines,
        decimal paid, (decimal Net, decimal Vat, decimal Gross)? totals)
    {
        var exempt = await TextAsync(KashFlowLocales.InvoiceVatExempt);
        // KashFlow's line net: round2(quantity × rate)
        var rows = lines.Select(l => (l, Net: Math.Round(l.Quantity * l.Rate, 2, MidpointRounding.AwayFromZero))).ToList();
        var byRate = rows
            .GroupBy(r => r.l.Exempt ? (decimal?)null : r.l.VatRate)
            .OrderByDescending(g => g.Key ?? -1)
            .Select(g => new InvoiceVatRow(g.Key is { } rate ? Percent(rate) : exempt, Money(g.Sum(r => r.Net)), Money(g.Sum(r => r.l.Vat))))
            .ToList();
        var (net, vat, gross) = totals ?? (rows.Sum(r => r.Net), rows.Sum(r => r.l.Vat), rows.Sum(r => r.Net) + rows.Sum(r => r.l.Vat));
        return new InvoiceViewModel
        {
            Lines = rows.Select(r => new InvoiceViewLine(r.l.Description ?? string.Empty, r.l.ProductCode,
                r.l.Quantity.ToString("0.####", CultureInfo.InvariantCulture), r.l.Rate.ToString("0.00##", CultureInfo.InvariantCulture),
                Money(r.Net), r.l.Exempt ? exempt : Percent(r.l.VatRate), Money(r.l.Vat))).ToList(),
            VatByRate = byRate,
            NetTotal = Money(net),
            VatTotal = Money(vat),
            GrossTotal = Money(gross),
            PaidTotal = Money(paid),
            AmountDue = Money(gross - paid),
        };
    }

    /// <summary>"PayPal — Current Account" once KashFlow's lists are read, else "payment method 5, bank account 1200".</summary>
    private async Task<string> MethodAsync(long method, long account)
    {
        var catalogue = _lookups.Last?.Catalogue;
        var methodName = catalogue?.PaymentMethods?.FirstOrDefault(m => m.Id == method)?.Name;
        var accountName = catalogue?.BankAccounts?.FirstOrDefault(b => b.Id == account)?.Name;
        if (methodName is not null && accountName is not null)
            return $"{methodName} — {accountName}";
        return Format(await TextAsync(KashFlowLocales.InvoicePaymentMethod), method, account);
    }

    private static decimal? ReadDecimal(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Number => e.GetDecimal(),
        System.Text.Json.JsonValueKind.String when decimal.TryParse(e.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(decimal rate) => rate.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>"2026-05-05T00:00:00" → "2026-05-05"; other text as it came.</summary>
    private static string? DateOnlyText(string? text) =>
        text is { Length: >= 10 } && DateTime.TryParse(text[..10], CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? text[..10] : text;
}
