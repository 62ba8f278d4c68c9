using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Planning.Benchmarks.EplbBenchmarks).Assembly).Run(args);
