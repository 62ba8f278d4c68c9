using BenchmarkDotNet.Attributes;
using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// EPLB per layer: one call of <see cref="EplbPolicy.Plan"/> (placement plus quotas) on a generated layer with
/// initial imbalance 2.0, 4 masters + 2 redundant slots per rank, 8 ranks per node. Hierarchical uses one expert group
/// per node (EPLB's node-local replication); global uses a group count that does not divide by the nodes, so EPLB
/// replicates over all experts at once.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class EplbBenchmarks
{
    private MoeLayerProblem _problem = null!;
    private readonly EplbPolicy _policy = new();

    /// <summary>Ranks (EP degree); experts = 4 x ranks.</summary>
    [Params(64, 256)]
    public int Ranks { get; set; }

    /// <summary>Whether EPLB runs hierarchically (groups divide by nodes) or globally.</summary>
    [Params(true, false)]
    public bool Hierarchical { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var nodes = Ranks / 8;
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = Ranks,
            RanksPerNode = 8,
            RanksPerDomain = Ranks,
            ExpertsPerRank = 4,
            RedundantSlotsPerRank = 2,
            ExpertGroups = Hierarchical ? nodes : GlobalGroups(4 * Ranks, nodes),
            TokensPerRank = 8192,
            TopK = 8,
            TargetImbalance = 2.0,
            Seed = 1,
        });
        _problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);
    }

    [Benchmark]
    public LayerPlan EplbPerLayer() => _policy.Plan(_problem);

    private static int GlobalGroups(int experts, int nodes)
    {
        // The smallest group count that divides the experts but not by the nodes, which sends EPLB to its global policy.
        for (var groups = 2; groups <= experts; groups++)
        {
            if (experts % groups == 0 && groups % nodes != 0)
            {
                return groups;
            }
        }

        return 1;
    }
}
