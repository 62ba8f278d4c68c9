using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe.UltraEp;

public sealed class QuotaPlannerTests
{
    [Fact]
    public void Solve_SteadyState_AllocatesNothing()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { TargetImbalance = 3.0, Seed = 2 });
        var planner = new QuotaPlanner(MoeTopology.From(moeCase));
        long[] loads = [.. moeCase.Layers[0].ExpertLoads];
        planner.Solve(loads);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            planner.Solve(loads);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Solve_ReportsLoadsConsistentWithItsInstances()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 4, RanksPerDomain = 8, TargetImbalance = 2.5, Seed = 6 });
        var topology = MoeTopology.From(moeCase);
        var planner = new QuotaPlanner(topology);
        long[] loads = [.. moeCase.Layers[0].ExpertLoads];

        var max = planner.Solve(loads);

        var recomputed = new long[topology.Ranks];
        for (var e = 0; e < topology.Experts; e++)
        {
            recomputed[topology.ExpertMaster[e]] += planner.MasterQuotas[e];
        }

        foreach (var replica in planner.Replicas)
        {
            recomputed[replica.Rank] += replica.Quota;
        }

        Assert.Equal(recomputed, planner.RankLoads.ToArray());
        Assert.Equal(recomputed.Max(), max);
        Assert.True(max >= planner.LowerBound);
    }

    [Fact]
    public void Solve_MinReplicaQuota_NoReplicaBelowIt()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { TargetImbalance = 2.0, Seed = 3 });
        var planner = new QuotaPlanner(MoeTopology.From(moeCase));

        planner.Solve([.. moeCase.Layers[0].ExpertLoads], minReplicaQuota: 1024);

        Assert.NotEmpty(planner.Replicas.ToArray());
        Assert.All(planner.Replicas.ToArray(), r => Assert.True(r.Quota >= 1024, $"replica quota {r.Quota}"));
    }
}
