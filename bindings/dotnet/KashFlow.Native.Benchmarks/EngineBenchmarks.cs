// EnqueueOrder with a realistic snapshot (3.5 KB, the shared test order), each invocation a new
// order id so every call is a real insert committed to the SQLite journal, with fsync per commit
// (Full, the default) or at checkpoints (Normal).
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;

namespace Nop.Plugin.Misc.KashFlow.Native.Benchmarks;

[MemoryDiagnoser]
[Config(typeof(BoundaryBenchmarks.Percentiles))]
public class EngineBenchmarks
{
    private string _dir = "";
    private KashFlowEngine _engine = null!;
    private string _prefix = "";
    private string _suffix = "";
    private long _nextId;

    [Params("Full", "Normal")]
    public string JournalDurability { get; set; } = "Full";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "kfs-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var config = new JsonObject
        {
            ["JournalPath"] = Path.Combine(_dir, "journal.sqlite"),
            ["JournalDurability"] = JournalDurability,
            ["KashFlow"] = new JsonObject { ["Mode"] = "Sandbox" },
            ["Workers"] = 2,
        };
        _engine = KashFlowEngine.Create(config.ToJsonString());
        Console.WriteLine($"// native library: {NativeLibraryResolver.LoadedFrom}");
        // The snapshot with its Id as the only part that varies: "...\"Id\":" + id + ",...".
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "order-snapshot.json")))!;
        node["Id"] = -424242;
        string text = node.ToJsonString();
        int at = text.IndexOf("-424242", StringComparison.Ordinal);
        _prefix = text[..at];
        _suffix = text[(at + "-424242".Length)..];
        _nextId = 1_000_000;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Benchmark(Description = "EnqueueOrder (3.5 KB snapshot, new order each call)")]
    public EnqueueReceipt EnqueueOrder() => _engine.EnqueueOrder(string.Concat(_prefix, (++_nextId).ToString(), _suffix));

    [Benchmark(Description = "StatusCountsJson (SQLite read)")]
    public string StatusCounts() => _engine.StatusCountsJson();
}
