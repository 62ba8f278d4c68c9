using BenchmarkDotNet.Attributes;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner on small scale-up domains (issue 21), where the bin filling and the bounded search run: EP64,
/// 4 masters per rank, 4-, 8- or 16-rank domains (H800 nodes are 8), 1 or 2 redundant slots, Zipf initial imbalance 2.0,
/// 8192 tokens per rank, top-8. <see cref="QuotaSolve"/> is the planner; <see cref="QuotaSolveGreedy"/> the same with
/// the greedy oracle alone (the planner before issue 21), in the same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class UltraEpSmallDomainBenchmarks
{
    private QuotaPlanner _planner = null!;
    private QuotaPlanner _greedy = null!;
    private long[] _loads = [];

    /// <summary>Ranks per scale-up domain.</summary>
    [Params(4, 8, 16)]
    public int RanksPerDomain { get; set; }

    /// <summary>Redundant slots per rank.</summary>
    [Params(1, 2)]
    public int Redundant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = 64,
            RanksPerNode = Math.Min(8, RanksPerDomain),
            RanksPerDomain = RanksPerDomain,
            ExpertsPerRank = 4,
            RedundantSlotsPerRank = Redundant,
            TokensPerRank = 8192,
            TopK = 8,
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
