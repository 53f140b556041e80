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
    public string? Circuit { get; set; }
    public bool EngineRunning { get; set; }
}

public record SyncRecordModel : BaseNopModel
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public string? CustomOrderNumber { get; set; }
    public string? State { get; set; }
    public int Attempts { get; set; }
    public long? InvoiceNumber { get; set; }
    public string? CustomerCode { get; set; }
    public string? LastError { get; set; }
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
    public IList<string> Warnings { get; set; } = new List<string>();

    /// <summary>Invoice lines from the preview, as column → text, for a table.</summary>
    public IList<IDictionary<string, string>> Lines { get; set; } = new List<IDictionary<string, string>>();
}
