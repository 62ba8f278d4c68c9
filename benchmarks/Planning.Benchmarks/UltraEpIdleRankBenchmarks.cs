using BenchmarkDotNet.Attributes;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner where its flow search runs (issue 21): the zero-load-rank family (one rank of each domain
/// idle), where the optimum relays load through chains of ranks. EP64, 2 masters per rank, 8-, 16- or 64-rank domains,
/// 1 or 2 redundant slots, initial imbalance 2.0, 512 tokens per rank, top-4 (the quality map's settings, layer 0).
/// <see cref="QuotaSolve"/> is the planner; <see cref="QuotaSolveGreedy"/> the same with the greedy oracle alone, in the
/// same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class UltraEpIdleRankBenchmarks
{
    private QuotaPlanner _planner = null!;
    private QuotaPlanner _greedy = null!;
    private long[] _loads = [];

    /// <summary>Ranks per scale-up domain.</summary>
    [Params(8, 16, 64)]
    public int RanksPerDomain { get; set; }

    /// <summary>Redundant slots per rank.</summary>
    [Params(1, 2)]
    public int Redundant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Family = MoeWorkloadFamily.ZeroLoadRank,
            Ranks = 64,
            RanksPerNode = Math.Min(8, RanksPerDomain),
            RanksPerDomain = RanksPerDomain,
            ExpertsPerRank = 2,
            RedundantSlotsPerRank = Redundant,
            TokensPerRank = 512,
            TopK = 4,
            TargetImbalance = 2.0,
            Seed = 1,
        });
        var topology = MoeTopology.From(moeCase);
        _loads = [.. moeCase.Layers[0].ExpertLoads];
        _planner = new QuotaPlanner(topology);
        _greedy = new QuotaPlanner(topology, greedyOnly: true);
    }

    [Benchmark]
    public long QuotaSolve() => _planner.Solve(_loads);

    [Benchmark]
    public long QuotaSolveGreedy() => _greedy.Solve(_loads);
}
