// Product readiness: which of the shop's published products KashFlow has no product for (by the code
// the engine posts: the SKU, or its mapping in the rules' ProductCodes), and which KashFlow products no
// published product sells. Compared against the lookups last read (KashFlowLookups); the comparison is
// the engine's (trimmed, case-insensitive: Engine::retry_now_stocked). Reads the products through
// nopCommerce's repository: IProductService's search needs types the facade does not carry.
using Nop.Core.Domain.Catalog;
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class ProductReadiness
{
    /// <summary>The nominal the engine posts sales to when the rules name none (MappingRules' default).</summary>
    public const long DefaultSalesNominal = 4000;

    private readonly KashFlowLookups _lookups;
    private readonly IRepository<Product> _products;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IKashFlowEngineHost _host;

    public ProductReadiness(KashFlowLookups lookups, IRepository<Product> products, KashFlowSettingsManager settingsManager, IKashFlowEngineHost host)
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
        var published = _products.Table.Where(p => p.Published && !p.Deleted).OrderBy(p => p.Name).ToList();
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
        model.Unsold = kashflow.Where(p => !sold.Contains(Key(p.Code!)))
            .Select(p => new KashFlowProductModel { Code = p.Code!, Name = p.Name })
            .OrderBy(p => p.Code, StringComparer.OrdinalIgnoreCase)
            .ToList();
        model.KashFlowCodes = kashflow.Select(p => new KashFlowProductModel { Code = p.Code!, Name = p.Name })
            .OrderBy(p => p.Code, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return model;
    }

    /// <summary>How many published products KashFlow has no product for; null until KashFlow's lists are read. Reads SKUs only.</summary>
    public async Task<int?> MissingCountAsync()
    {
        if (_lookups.Last is not { } read)
            return null;
        var rules = SafeRules((await _settingsManager.LoadAsync()).RulesJson);
        var codes = (read.Catalogue.Products ?? []).Where(p => !string.IsNullOrWhiteSpace(p.Code)).Select(p => Key(p.Code!)).ToHashSet();
        return _products.Table.Where(p => p.Published && !p.Deleted).Select(p => p.Sku).ToList()
            .Count(sku => !string.IsNullOrWhiteSpace(sku) && !codes.Contains(Key(rules.ProductCodeFor(sku))));
    }

    /// <summary>What "Create in KashFlow" sends for the given products: code as posted, name, the sales nominal, price.</summary>
    public async Task<IReadOnlyList<NewKashFlowProduct>> NewProductsAsync(IEnumerable<int> productIds)
    {
        var settings = await _settingsManager.LoadAsync();
        var rules = SafeRules(settings.RulesJson);
        var nominal = rules.GetNominal(Factories.KashFlowModelFactory.Nominals.Sales) ?? DefaultSalesNominal;
        var ids = productIds.ToHashSet();
        return _products.Table.Where(p => ids.Contains(p.Id) && !p.Deleted).ToList()
            .Where(p => !string.IsNullOrWhiteSpace(p.Sku))
            .OrderBy(p => p.Id)
            // VAT 0 on the product: the VAT of each invoice line is the order's, sent with the line
            .Select(p => new NewKashFlowProduct(rules.ProductCodeFor(p.Sku), string.IsNullOrWhiteSpace(p.Name) ? p.Sku : p.Name, nominal, p.Price, 0m))
            .ToList();
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
