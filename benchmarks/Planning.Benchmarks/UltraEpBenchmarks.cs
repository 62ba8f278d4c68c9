using BenchmarkDotNet.Attributes;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP per layer on the README setting: 4 masters + 2 redundant slots per rank, one scale-up domain, 8192 tokens
/// per rank, top-8, Zipf-shaped initial imbalance 1.5 / 2.0 / 3.0. <see cref="QuotaPlannerBenchmarks.QuotaSolve"/> is the planner's
/// allocation-free core (threshold search and oracle); <see cref="PolicyPlan"/> adds building the immutable
/// <see cref="LayerPlan"/>. <see cref="QuotaSolveScan"/> is the planner before issue 16, which scanned the domain for
/// each replica piece's rank (the tests' oracle: same plans), for a before/after in one run; <see cref="QuotaPlannerBenchmarks.QuotaSolveGreedy"/>
/// the planner without issue 21's bin filling.
/// </summary>
public class UltraEpBenchmarks : QuotaPlannerBenchmarks
{
    private readonly UltraEpPolicy _policy = new();
    private MoeLayerProblem _problem = null!;
    private Planning.Tests.Moe.UltraEp.ScanQuotaPlanner _scanPlanner = null!;

    /// <summary>Ranks (EP degree); experts = 4 x ranks.</summary>
    [Params(64, 256)]
    public int Ranks { get; set; }

    /// <summary>The initial (masters-only) imbalance.</summary>
    [Params(1.5, 2.0, 3.0)]
    public double Imbalance { get; set; }

    [Benchmark]
    public long QuotaSolveScan() => _scanPlanner.Solve(Loads);

    [Benchmark]
    public LayerPlan PolicyPlan() => _policy.Plan(_problem);

    /// <inheritdoc />
    protected override MoeWorkloadSettings Workload() => new()
    {
        Ranks = Ranks,
        RanksPerNode = 8,
        RanksPerDomain = Ranks,
        ExpertsPerRank = 4,
        RedundantSlotsPerRank = 2,
        TokensPerRank = 8192,
        TopK = 8,
        TargetImbalance = Imbalance,
        Seed = 1,
    };

    /// <inheritdoc />
    protected override void SetUpMore(MoeCase moeCase, MoeTopology topology)
    {
        _problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
        _scanPlanner = new Planning.Tests.Moe.UltraEp.ScanQuotaPlanner(topology);
    }
}
