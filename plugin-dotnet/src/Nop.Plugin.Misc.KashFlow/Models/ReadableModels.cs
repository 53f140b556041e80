// What the admin pages show in words: a problem phrased for the merchant (with the engine's text one click
// away), a record's timeline, the invoice as KashFlow will show it, and a connection test's answer.
// Built by KashFlowPhrases from the engine's documents; the views only lay them out.
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.KashFlow.Models;

/// <summary>
/// A problem the engine reported: Summary is what it means for the shop and what to do next (a locale
/// resource keyed by the engine's Code); Technical is the engine's own text (and where), for the
/// "technical details" toggle. Summary is the engine's text when the code has no resource.
/// </summary>
public record ProblemModel(string? Code, string Summary, string? Technical)
{
    /// <summary>The technical text adds something to the summary.</summary>
    public bool HasTechnical => !string.IsNullOrWhiteSpace(Technical) && Technical != Summary;
}

/// <summary>One step of a record's history. Kind: "ok", "warning", "error" or "info" (the badge colour).</summary>
public record TimelineEntryModel(DateTime? TimeUtc, string Title, string Kind)
{
    /// <summary>KashFlow calls of an attempt, one line each ("POST /invoices → 201, 120 ms").</summary>
    public IList<string> Calls { get; init; } = new List<string>();

    public ProblemModel? Problem { get; init; }
}

/// <summary>The invoice as KashFlow will show it (or shows it): lines, VAT per rate, totals and payments.</summary>
public record InvoiceViewModel : BaseNopModel
{
    public long? Number { get; set; }
    public string? CustomerCode { get; set; }
    public string? CustomerName { get; set; }
    public string? CustomerReference { get; set; }
    public string? IssuedDate { get; set; }
    public string? DueDate { get; set; }
    public string? Currency { get; set; }
    public IList<InvoiceViewLine> Lines { get; set; } = new List<InvoiceViewLine>();
    public IList<InvoiceVatRow> VatByRate { get; set; } = new List<InvoiceVatRow>();
    public string? NetTotal { get; set; }
    public string? VatTotal { get; set; }
    public string? GrossTotal { get; set; }
    public IList<InvoicePaymentRow> Payments { get; set; } = new List<InvoicePaymentRow>();
    public string? PaidTotal { get; set; }
    public string? AmountDue { get; set; }

    /// <summary>The engine's document behind this view, indented (the "technical details").</summary>
    public string? Json { get; set; }
}

public record InvoiceViewLine(string Description, string? ProductCode, string Quantity, string UnitPrice, string Net, string VatRate, string Vat);

public record InvoiceVatRow(string Rate, string Net, string Vat);

/// <summary>A payment on the invoice; Method names the KashFlow payment method and bank account as far as known.</summary>
public record InvoicePaymentRow(string? Date, string Amount, string Method, string? Note);

/// <summary>A connection test's answer: the account's facts when it worked, what to change when not.</summary>
public record ConnectionTestModel
{
    public bool Ok { get; init; }
    public string? Transport { get; init; }
    public string? CompanyName { get; init; }
    public string? VatRegistration { get; init; }
    public string? HomeCurrency { get; init; }
    public IList<string> Currencies { get; init; } = new List<string>();
    public IList<string> BankAccounts { get; init; } = new List<string>();
    public long LatencyMs { get; init; }

    /// <summary>When it failed: what it means and what to change, with KashFlow's answer as technical details.</summary>
    public ProblemModel? Problem { get; init; }
}
