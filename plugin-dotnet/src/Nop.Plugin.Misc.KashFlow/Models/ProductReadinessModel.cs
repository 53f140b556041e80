// The product readiness page: the shop's published products KashFlow has no product for, the KashFlow
// products nobody sells, and the codes a SKU may be mapped to. Plain data (built with new, no services).
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.KashFlow.Models;

public record ProductReadinessModel : BaseNopModel
{
    public bool EngineRunning { get; set; }

    /// <summary>KashFlow's lists have been read (without them nothing can be compared).</summary>
    public bool LookupsLoaded { get; set; }
    public DateTime? LookupsReadUtc { get; set; }

    public int PublishedCount { get; set; }

    /// <summary>Published products with a KashFlow product for their code.</summary>
    public int ReadyCount { get; set; }

    /// <summary>Published products without a SKU: the rules' SkuLessItems policy decides for them.</summary>
    public int WithoutSku { get; set; }

    public IList<MissingProductModel> Missing { get; set; } = new List<MissingProductModel>();
    public IList<KashFlowProductModel> Unsold { get; set; } = new List<KashFlowProductModel>();

    /// <summary>Every KashFlow product, for "Map to…".</summary>
    public IList<KashFlowProductModel> KashFlowCodes { get; set; } = new List<KashFlowProductModel>();

    /// <summary>How many products one "create" request sends (the page sends the rest in further batches).</summary>
    public int BatchSize { get; set; } = KashFlowProductsBatch.Size;
}

public record MissingProductModel
{
    public int ProductId { get; set; }
    public string? Name { get; set; }
    public string? Sku { get; set; }

    /// <summary>The code the engine posts: the SKU, or what the rules map it to.</summary>
    public string? Code { get; set; }
    public bool MappedFromSku { get; set; }
    public decimal Price { get; set; }

    /// <summary>The engine's suggestion for "Map to…" (kfs_suggest_mappings), preselected and marked, never saved by itself.</summary>
    public string? SuggestedCode { get; set; }
    public string? SuggestedLabel { get; set; }
    public double SuggestionConfidence { get; set; }
    public string? SuggestionReason { get; set; }
}

public record KashFlowProductModel
{
    public string Code { get; set; } = string.Empty;
    public string? Name { get; set; }
}

/// <summary>One batch's answer to the page: each product's result, phrased.</summary>
public record ProductBatchResultModel
{
    public int Created { get; set; }
    public int AlreadyThere { get; set; }
    public int Failed { get; set; }
    public IList<string> Errors { get; set; } = new List<string>();
}

public static class KashFlowProductsBatch
{
    /// <summary>Small enough that a batch answers within a few seconds at KashFlow's rate limit.</summary>
    public const int Size = 5;
}
