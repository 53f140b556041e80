// BenchmarkDotNet entry point: bindings/dotnet/run-benchmarks.sh runs every benchmark with a
// short job against the release build of the native library.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Nop.Plugin.Misc.KashFlow.Native.Benchmarks.BoundaryBenchmarks).Assembly).Run(args);
