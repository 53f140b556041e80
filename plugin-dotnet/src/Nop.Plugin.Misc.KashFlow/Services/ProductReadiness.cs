// Product readiness: which of the shop's published products KashFlow has no product for (by the code
// the engine posts: the SKU, or its mapping in the rules' ProductCodes), and which KashFlow products no
// published product sells. Compared against the lookups last read (KashFlowLookups); the comparison is
// the engine's (trimmed, case-insensitive: Engine::retry_now_stocked). The products are read as
// nopCommerce's admin reads them: IProductService.SearchProductsAsync, every store, published only.
using Nop.Core.Domain.Catalog;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Services.Catalog;
using Nop.Plugin.Misc.KashFlow.Models;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class ProductReadiness
{
    /// <summary>The nominal the engine posts sales to when the rules name none (MappingRules' default).</summary>
    public const long DefaultSalesNominal = 4000;

    private readonly KashFlowLookups _lookups;
    /// <summary>Products read per page from nopCommerce.</summary>
    private const int PageSize = 500;

    private readonly IProductService _products;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IKashFlowEngineHost _host;

    public ProductReadiness(KashFlowLookups lookups, IProductService products, KashFlowSettingsManager settingsManager, IKashFlowEngineHost host)
    {
        _lookups = lookups;
        _products = products;
        _settingsManager = settingsManager;
        _host = host;
    }

    /// <summary>The page's model: plain data, built without touching KashFlow (the lookups as last read).</summary>
    public async Task<ProductReadinessModel> PrepareAsync()
    {
        var settings = await _settingsManager.LoadAsync();
        var rules = SafeRules(settings.RulesJson);
        var model = new ProductReadinessModel { EngineRunning = _host.Engine is not null };
        var published = (await PublishedAsync()).OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        model.PublishedCount = published.Count;
        model.WithoutSku = published.Count(p => string.IsNullOrWhiteSpace(p.Sku));
        if (_lookups.Last is not { } read)
            return model;

        model.LookupsLoaded = true;
        model.LookupsReadUtc = read.ReadUtc;
        var kashflow = (read.Catalogue.Products ?? []).Where(p => !string.IsNullOrWhiteSpace(p.Code)).ToList();
        var codes = kashflow.Select(p => Key(p.Code!)).ToHashSet();
        var sold = new HashSet<string>();
        foreach (var product in published.Where(p => !string.IsNullOrWhiteSpace(p.Sku)))
        {
            var code = rules.ProductCodeFor(product.Sku);
            sold.Add(Key(code));
            if (codes.Contains(Key(code)))
            {
                model.ReadyCount++;
                continue;
            }
            model.Missing.Add(new MissingProductModel
            {
                ProductId = product.Id,
                Name = product.Name,
                Sku = product.Sku,
                Code = code,
                MappedFromSku = code != product.Sku,
                Price = product.Price,
            });
        }
        SuggestCodes(model.Missing, read.Json);
        model.Unsold = kashflow.Where(p => !sold.Contains(Key(p.Code!)))
            .Select(p => new KashFlowProductModel { Code = p.Code!, Name = p.Name })
            .OrderBy(p => p.Code, StringComparer.OrdinalIgnoreCase)
            .ToList();
        model.KashFlowCodes = kashflow.Select(p => new KashFlowProductModel { Code = p.Code!, Name = p.Name })
            .OrderBy(p => p.Code, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return model;
    }

    /// <summary>
    /// The engine's "Map to…" suggestion for each missing product (kfs_suggest_mappings: a code equal to the SKU
    /// apart from case and punctuation, or a product of the same name). Without the native library the page
    /// simply offers none.
    /// </summary>
    private static void SuggestCodes(IList<MissingProductModel> missing, string catalogueJson)
    {
        if (missing.Count == 0)
            return;
        var store = new SuggestStore([], [], missing.Select(m => new SuggestStoreProduct(m.ProductId, m.Sku ?? string.Empty, m.Name ?? string.Empty)).ToList());
        // no suggestions (native library unavailable): the list of codes still stands
        if (MappingSuggester.TrySuggest(store, catalogueJson, out _) is not { } suggestions)
            return;
        foreach (var row in missing)
        {
            if (suggestions.Products?.FirstOrDefault(s => s.Key == row.Sku) is not { Target: { Length: > 0 } code } suggestion
                || string.Equals(code, row.Code, StringComparison.OrdinalIgnoreCase))
                continue;
            row.SuggestedCode = code;
            row.SuggestedLabel = suggestion.TargetLabel ?? code;
            row.SuggestionConfidence = suggestion.Confidence;
            row.SuggestionReason = suggestion.Reason;
        }
    }

    /// <summary>How many published products KashFlow has no product for; null until KashFlow's lists are read. Reads SKUs only.</summary>
    public async Task<int?> MissingCountAsync()
    {
        if (_lookups.Last is not { } read)
            return null;
        var rules = SafeRules((await _settingsManager.LoadAsync()).RulesJson);
        var codes = (read.Catalogue.Products ?? []).Where(p => !string.IsNullOrWhiteSpace(p.Code)).Select(p => Key(p.Code!)).ToHashSet();
        return (await PublishedAsync()).Select(p => p.Sku)
            .Count(sku => !string.IsNullOrWhiteSpace(sku) && !codes.Contains(Key(rules.ProductCodeFor(sku))));
    }

    /// <summary>What "Create in KashFlow" sends for the given products: code as posted, name, the sales nominal, price.</summary>
    public async Task<IReadOnlyList<NewKashFlowProduct>> NewProductsAsync(IEnumerable<int> productIds)
    {
        var settings = await _settingsManager.LoadAsync();
        var rules = SafeRules(settings.RulesJson);
        var nominal = rules.GetNominal(Factories.KashFlowModelFactory.Nominals.Sales) ?? DefaultSalesNominal;
        var products = new List<Product>();
        foreach (var id in productIds.Distinct())
            if (await _products.GetProductByIdAsync(id) is { Deleted: false } product)
                products.Add(product);
        return products
            .Where(p => !string.IsNullOrWhiteSpace(p.Sku))
            .OrderBy(p => p.Id)
            // VAT 0 on the product: the VAT of each invoice line is the order's, sent with the line
            .Select(p => new NewKashFlowProduct(rules.ProductCodeFor(p.Sku), string.IsNullOrWhiteSpace(p.Name) ? p.Sku : p.Name, nominal, p.Price, 0m))
            .ToList();
    }

    /// <summary>
    /// Every published product of every store, page by page: showHidden (no store or ACL filter: the admin's view)
    /// with overridePublished true (published only), as the admin product list searches.
    /// </summary>
    private async Task<List<Product>> PublishedAsync()
    {
        var all = new List<Product>();
        for (var page = 0; ; page++)
        {
            var found = await _products.SearchProductsAsync(pageIndex: page, pageSize: PageSize, showHidden: true, overridePublished: true);
            all.AddRange(found);
            if (!found.HasNextPage)
                return all;
        }
    }

    private static string Key(string code) => code.Trim().ToUpperInvariant();

    private static RulesDocument SafeRules(string? json)
    {
        try
        {
            return RulesDocument.Parse(json);
        }
        catch (FormatException)
        {
            return RulesDocument.Parse(null);
        }
    }
}
