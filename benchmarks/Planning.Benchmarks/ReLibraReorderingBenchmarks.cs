using BenchmarkDotNet.Attributes;
using Planning.Moe.ReLibra;

namespace Planning.Benchmarks;

/// <summary>
/// ReLibra's reordering heuristic (issue 18 target: within 5 % of the bound in under 10 ms), warm: 256 experts over 16
/// nodes of 8 ranks (2 masters per rank), a batch of 8 microbatches of `plan relibra generate`'s default RL replay
/// (seed 1), move penalty 0, no CP-SAT. The first call's JIT is what `plan relibra plan` pays once per process.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class ReLibraReorderingBenchmarks
{
    private RoutingReplay _replay = null!;
    private readonly ExpertReorderingOptions _heuristicOnly = new() { UseSolver = false };

    [GlobalSetup]
    public void Setup() => _replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings { Seed = 1 });

    [Benchmark]
    public long Heuristic() => ExpertReordering.PlanBatch(_replay, 0, 0, null, _heuristicOnly).Objective;
}
