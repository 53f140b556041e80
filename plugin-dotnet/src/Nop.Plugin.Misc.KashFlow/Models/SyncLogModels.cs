// The sync log grid (nopCommerce DataTables: a search model posted by the grid, a paged list model back),
// a record's detail page, and the invoice preview.
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Models;

public record SyncRecordSearchModel : BaseSearchModel
{
    [NopResourceDisplayName(KashFlowLocales.SearchState)]
    public string? SearchState { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SearchOrderNumber)]
    public string? SearchOrderNumber { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SearchCreatedFrom)]
    [UIHint("DateNullable")]
    public DateTime? SearchCreatedFrom { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SearchCreatedTo)]
    [UIHint("DateNullable")]
    public DateTime? SearchCreatedTo { get; set; }

    public IList<SelectListItem> AvailableStates { get; set; } = new List<SelectListItem>();

    // shown above the grid; not posted back
    public IDictionary<string, long> StatusCounts { get; set; } = new Dictionary<string, long>();

    /// <summary>The counts in words ("32 posted, 27 need attention, 1 waiting").</summary>
    public string? StatusLine { get; set; }

    /// <summary>Who is syncing ("Syncing on WEB01 (process 4312) since {0}"): {0} is WorkerTimeUtc, shown in the admin's time.</summary>
    public string? Worker { get; set; }
    public DateTime? WorkerTimeUtc { get; set; }
    public bool WorkerActive { get; set; }

    /// <summary>Web farm only: which node syncs and since when ({0} is FarmTimeUtc, shown in the admin's time).</summary>
    public string? FarmNode { get; set; }
    public DateTime? FarmTimeUtc { get; set; }

    /// <summary>Web farm: this node is not the active one, so its engine is not running on purpose.</summary>
    public bool FarmOtherNodeSyncs { get; set; }
    public string? Circuit { get; set; }
    public bool EngineRunning { get; set; }
}

public record SyncRecordModel : BaseNopModel
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public string? CustomOrderNumber { get; set; }
    public string? State { get; set; }

    /// <summary>The state in words ("Posted", "Needs attention").</summary>
    public string? StateText { get; set; }
    public int Attempts { get; set; }
    public long? InvoiceNumber { get; set; }
    public string? CustomerCode { get; set; }
    /// <summary>The engine's own text of the last error (the technical details).</summary>
    public string? LastError { get; set; }

    /// <summary>The last error for the merchant: what it means and what to do (or the engine's text for an unknown code).</summary>
    public string? LastErrorSummary { get; set; }
    public string? LastErrorCode { get; set; }
    public bool NeedsCreditNote { get; set; }
    public string? CreditNoteReason { get; set; }

    /// <summary>The order's credit notes in one line for the grid, beside the invoice ("10012301: 30.00 GBP on 2026-05-05").</summary>
    public string? CreditNotes { get; set; }

    /// <summary>The order's credit notes for the detail page.</summary>
    public IList<CreditNoteModel> CreditNoteList { get; set; } = new List<CreditNoteModel>();
    public DateTime? CreatedOnUtc { get; set; }
    public DateTime? UpdatedOnUtc { get; set; }
    public DateTime? NextAttemptUtc { get; set; }
}

public record CreditNoteModel : BaseNopModel
{
    public int Seq { get; set; }
    public string? Cause { get; set; }
    public string? State { get; set; }

    /// <summary>Cause and state in words ("Refund", "Waiting for you").</summary>
    public string? CauseText { get; set; }
    public string? StateText { get; set; }

    /// <summary>Why it is not posted, phrased, with the engine's text.</summary>
    public ProblemModel? Problem { get; set; }
    public long? Number { get; set; }
    public string? Amount { get; set; }
    public string? Date { get; set; }
    public string? Applied { get; set; }
    public string? Refunded { get; set; }
    public string? LastError { get; set; }
}

public record SyncRecordListModel : BasePagedListModel<SyncRecordModel>;

public record SyncRecordDetailModel : BaseNopModel
{
    public SyncRecordModel Record { get; set; } = new();

    /// <summary>The engine's detail document (attempts, requests, ledger), indented for reading.</summary>
    public string DetailJson { get; set; } = string.Empty;

    /// <summary>The last error, phrased, with the engine's text as technical details.</summary>
    public ProblemModel? Problem { get; set; }

    /// <summary>Placed → journalled → each KashFlow call → outcome, oldest first.</summary>
    public IList<TimelineEntryModel> Timeline { get; set; } = new List<TimelineEntryModel>();

    /// <summary>The invoice as posted to KashFlow, or null before it is.</summary>
    public InvoiceViewModel? Invoice { get; set; }

    /// <summary>The invoice's lines as posted (in order), for itemising a held refund.</summary>
    public IList<InvoiceLineModel> InvoiceLines { get; set; } = new List<InvoiceLineModel>();

    /// <summary>Where the credit-note forms return to (the order page when shown there), else the record page.</summary>
    public string? ReturnUrl { get; set; }
}

public record InvoiceLineModel(int Line, string Description, string Quantity, string Rate, string VatLevel, string? ProductCode);

/// <summary>A held (or failed) partial refund released from the record page: itemised, or spread when no quantity is given.</summary>
public record ReleaseCreditNoteModel : BaseNopModel
{
    public long Id { get; set; }
    public int Seq { get; set; }
    public bool Restock { get; set; }

    /// <summary>Quantity per invoice line (1-based), blank or 0 for lines not credited.</summary>
    public IDictionary<int, decimal?> Quantities { get; set; } = new Dictionary<int, decimal?>();

    /// <summary>The page the form was on (the order page or the record page); only a local URL is followed.</summary>
    public string? ReturnUrl { get; set; }
}

public record PreviewModel : BaseNopModel
{
    [NopResourceDisplayName(KashFlowLocales.PreviewOrder)]
    public string? OrderNumber { get; set; }

    public int? OrderId { get; set; }
    public string? Error { get; set; }
    public string? SnapshotJson { get; set; }
    public string? PreviewJson { get; set; }

    /// <summary>True when the order maps to a valid invoice.</summary>
    public bool PreviewOk { get; set; }
    public IList<string> Problems { get; set; } = new List<string>();

    /// <summary>The problems phrased for the merchant, each with the engine's text.</summary>
    public IList<ProblemModel> ProblemList { get; set; } = new List<ProblemModel>();

    /// <summary>The preview was checked against the KashFlow account's lists (products, nominal codes, ...).</summary>
    public bool CheckedAgainstAccount { get; set; }

    /// <summary>The invoice KashFlow would get, laid out as the record page shows a posted one.</summary>
    public InvoiceViewModel? Invoice { get; set; }
    public IList<string> Warnings { get; set; } = new List<string>();

    /// <summary>Invoice lines from the preview, as column → text, for a table.</summary>
    public IList<IDictionary<string, string>> Lines { get; set; } = new List<IDictionary<string, string>>();
}
