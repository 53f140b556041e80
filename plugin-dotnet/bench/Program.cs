using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Nop.Plugin.Misc.KashFlow.Bench.OrderPlacedBenchmarks).Assembly).Run(args);
