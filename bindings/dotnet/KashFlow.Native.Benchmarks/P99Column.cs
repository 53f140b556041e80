using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Nop.Plugin.Misc.KashFlow.Native.Benchmarks;

/// <summary>The 99th percentile of the measured operation time (BenchmarkDotNet has P95 built in, not P99).</summary>
public sealed class P99Column : IColumn
{
    public string Id => nameof(P99Column);
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 10;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of the operation time";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null) return "NA";
        double ns = stats.Percentiles.Percentile(99);
        return ns < 1_000 ? $"{ns:N1} ns" : ns < 1_000_000 ? $"{ns / 1_000:N3} us" : $"{ns / 1_000_000:N3} ms";
    }
}
