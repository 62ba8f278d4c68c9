using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe.Workloads;

/// <summary>Helpers the workload tests share: the invariants every family keeps and the initial imbalance.</summary>
internal static class WorkloadAssertions
{
    /// <summary>Every microbatch has the settings' topology and layers; every row routes tokens x top-k with no expert above tokens.</summary>
    public static void AssertRoutingInvariants(MoeWorkload workload)
    {
        var settings = workload.Settings;
        Assert.Equal(settings.Microbatches, workload.Microbatches.Length);
        foreach (var microbatch in workload.Microbatches)
        {
            Assert.Equal(
                (settings.Ranks, settings.RanksPerDomain, settings.RanksPerNode, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.ExpertGroups, settings.Layers),
                (microbatch.Ranks, microbatch.RanksPerDomain, microbatch.RanksPerNode, microbatch.ExpertsPerRank, microbatch.RedundantSlotsPerRank, microbatch.ExpertGroups, microbatch.Layers.Length));
            foreach (var layer in microbatch.Layers)
            {
                for (var s = 0; s < layer.SourceRanks; s++)
                {
                    long sum = 0;
                    foreach (var count in layer.Row(s))
                    {
                        Assert.InRange(count, 0, settings.TokensPerRank);
                        sum += count;
                    }

                    Assert.Equal((long)settings.TokensPerRank * settings.TopK, sum);
                }
            }
        }
    }

    /// <summary>The imbalance with no balancing (masters only), as <c>plan moe balance --policy none</c> reports it.</summary>
    public static double InitialImbalance(MoeCase moeCase, int layer = 0)
    {
        var topology = MoeTopology.From(moeCase);
        return new NoBalancingPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[layer].ExpertLoads)).Imbalance;
    }

    /// <summary>The <paramref name="count"/> experts with the highest load in a layer, ascending by index.</summary>
    public static int[] TopExperts(MoeCase moeCase, int count, int layer = 0) =>
        [.. moeCase.Layers[layer].ExpertLoads
            .Select((load, expert) => (load, expert))
            .OrderByDescending(p => p.load)
            .ThenBy(p => p.expert)
            .Take(count)
            .Select(p => p.expert)
            .Order()];

    /// <summary>Each rank's master load in a layer.</summary>
    public static long[] MasterLoads(MoeCase moeCase, int layer = 0)
    {
        var loads = new long[moeCase.Ranks];
        var expertLoads = moeCase.Layers[layer].ExpertLoads;
        for (var e = 0; e < expertLoads.Length; e++)
        {
            loads[moeCase.MasterRank(e)] += expertLoads[e];
        }

        return loads;
    }
}
