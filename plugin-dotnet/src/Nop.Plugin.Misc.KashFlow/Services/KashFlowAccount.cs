// The admin's calls to the KashFlow account through the engine: test the connection, read the lookups,
// create products, preview an order. Each runs on the running engine, or (plugin off, first setup) on a
// short-lived one made from the stored settings whose scratch journal is removed afterwards. A working
// test or a read of the lookups is kept in KashFlowLookups for the pages (the engine keeps them in its
// journal). The Configure page, the setup wizard and the product page all come through here.
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Native;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class KashFlowAccount
{
    private readonly IKashFlowEngineHost _host;
    private readonly KashFlowLookups _lookups;
    private readonly KashFlowEnginePaths _paths;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly TimeProvider _time;

    public KashFlowAccount(IKashFlowEngineHost host, KashFlowLookups lookups, KashFlowEnginePaths paths, KashFlowSettingsManager settingsManager,
        TimeProvider time)
    {
        _host = host;
        _lookups = lookups;
        _paths = paths;
        _settingsManager = settingsManager;
        _time = time;
    }

    /// <summary>Tests the stored settings against KashFlow. Never throws but for cancellation: a failure is a report with its code.</summary>
    public async Task<ConnectionReport> TestConnectionAsync(CancellationToken cancellationToken)
    {
        var settings = await _settingsManager.LoadAsync();
        try
        {
            var json = await WithEngineAsync(settings, e => e.TestConnectionAsync(cancellationToken));
            var report = EngineDocuments.ParseConnectionReport(json);
            if (report is { Ok: true, Catalogue: not null })
            {
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                _lookups.Set(doc.RootElement.GetProperty(nameof(ConnectionReport.Catalogue)).GetRawText(), _time.GetUtcNow().UtcDateTime);
            }
            return report;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // the engine could not be asked at all (e.g. settings it refuses): its message is the technical detail
            var code = ex is KashFlowNativeException native ? native.Code : null;
            return new ConnectionReport(false, settings.Mode.ToString(), null, ex.Message, null, 0)
            {
                Transport = settings.EffectiveTransport.ToString(),
                ErrorCode = code,
            };
        }
    }

    /// <summary>Reads KashFlow's lists afresh (the engine then re-queues orders waiting for products now there). Throws on failure.</summary>
    public async Task<LookupsRead> ReadLookupsAsync(CancellationToken cancellationToken)
    {
        var settings = await _settingsManager.LoadAsync();
        var json = await WithEngineAsync(settings, e => e.LookupsAsync(cancellationToken));
        _lookups.Set(json, _time.GetUtcNow().UtcDateTime);
        return _lookups.Last!;
    }

    /// <summary>Creates products in KashFlow (each only if its code is missing), rate-limited by the engine. Throws when the engine cannot be asked.</summary>
    public async Task<IReadOnlyList<ProductCreationResult>> CreateProductsAsync(IReadOnlyList<NewKashFlowProduct> products, CancellationToken cancellationToken)
    {
        var settings = await _settingsManager.LoadAsync();
        var json = await WithEngineAsync(settings, e => e.CreateProductsAsync(ProductDocuments.ProductsToCreateJson(products), cancellationToken));
        var results = ProductDocuments.ParseCreations(json);
        // what the page lists from now on knows them, without another read of every list
        _lookups.AddProducts(results.Where(r => r.Result is ProductDocuments.Created or ProductDocuments.AlreadyThere)
            .Select(r => new KfProduct(r.Code, products.FirstOrDefault(p => p.Code == r.Code)?.Name)));
        return results;
    }

    /// <summary>The engine's preview document of a snapshot (the running engine, or a short-lived one before sync is on).</summary>
    public async Task<string> PreviewJsonAsync(string snapshotJson)
    {
        var settings = await _settingsManager.LoadAsync();
        return await WithEngineAsync(settings, e => Task.FromResult(e.PreviewJson(snapshotJson)));
    }

    /// <summary>Runs a call on the running engine, or on a short-lived one made from the stored settings (then removed).</summary>
    private async Task<T> WithEngineAsync<T>(KashFlowSettings settings, Func<KashFlowEngine, Task<T>> call)
    {
        if (_host.Engine is { } running)
            return await call(running);
        var credentials = _settingsManager.GetCredentials(settings);
        Directory.CreateDirectory(_paths.DataDirectory);
        var scratch = Path.Combine(_paths.DataDirectory, $"connection-test-{Guid.NewGuid():N}.sqlite");
        try
        {
            using var temporary = KashFlowEngine.Create(EngineConfigBuilder.Build(settings, credentials, scratch));
            return await call(temporary);
        }
        finally
        {
            foreach (var file in Directory.EnumerateFiles(_paths.DataDirectory, Path.GetFileName(scratch) + "*"))
                TryDelete(file);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
