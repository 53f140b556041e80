// The KashFlow account's lookups (payment methods, bank accounts, nominal codes, ...) as last read for the
// Configure page: kept in memory (one per application) so the page's dropdowns stay named between requests
// until the admin reads them again. Names only: no secret is in them.
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>One read of the lookups: the catalogue, its document as the engine gave it, and when.</summary>
public sealed record LookupsRead(KashFlowCatalogue Catalogue, string Json, DateTime ReadUtc);

public class KashFlowLookups
{
    private LookupsRead? _last;

    /// <summary>The last read, or null before the first.</summary>
    public LookupsRead? Last => Volatile.Read(ref _last);

    public void Set(string json, DateTime readUtc) => Volatile.Write(ref _last, new LookupsRead(EngineDocuments.ParseCatalogue(json), json, readUtc));

    public void Clear() => Volatile.Write(ref _last, null);

    /// <summary>Adds products now known to be in KashFlow (just created) to the last read, if there is one.</summary>
    public void AddProducts(IEnumerable<KfProduct> products)
    {
        if (Last is not { } last)
            return;
        var known = (last.Catalogue.Products ?? []).ToList();
        foreach (var p in products)
            if (!known.Any(k => string.Equals(k.Code?.Trim(), p.Code?.Trim(), StringComparison.OrdinalIgnoreCase)))
                known.Add(p);
        Volatile.Write(ref _last, last with { Catalogue = last.Catalogue with { Products = known } });
    }
}
