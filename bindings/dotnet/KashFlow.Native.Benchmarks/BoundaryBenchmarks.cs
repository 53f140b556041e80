// The cost of crossing the boundary: a bare P/Invoke, a call that returns a document (allocate,
// copy, free, parse), and a JSON round trip (parse and serialize in Rust).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;

namespace Nop.Plugin.Misc.KashFlow.Native.Benchmarks;

[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public class BoundaryBenchmarks
{
    private const string SmallJson = "{\"Kind\":\"OrderPaid\",\"OrderId\":123,\"Amount\":\"12.34\",\"PaidDateUtc\":\"2026-05-01T10:00:00Z\"}";

    [GlobalSetup]
    public void Setup()
    {
        Interop.EnsureLibrary();
        Console.WriteLine($"// native library: {NativeLibraryResolver.LoadedFrom}");
    }

    [Benchmark(Baseline = true, Description = "kfs_abi_version (bare P/Invoke)")]
    public uint AbiVersion() => NativeMethods.kfs_abi_version();

    [Benchmark(Description = "kfs_version to string (document out, UTF-8 copy, kfs_buffer_free)")]
    public unsafe string VersionRaw()
    {
        KfsBuffer buffer = default;
        int status = NativeMethods.kfs_version(&buffer);
        return Interop.Finish(status, ref buffer);
    }

    [Benchmark(Description = "NativeVersion (the above plus System.Text.Json parse)")]
    public string Version() => KashFlowEngine.NativeVersion;

    [Benchmark(Description = "kfs_debug_echo of an 88-byte JSON document")]
    public string Echo() => KashFlowDiagnostics.Echo(SmallJson);

    /// <summary>Median, P95 and P99 beside the mean.</summary>
    public sealed class Percentiles : BenchmarkDotNet.Configs.ManualConfig
    {
        public Percentiles()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, new P99Column());
        }
    }
}
