using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
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
    public void Solve_Ep256SteadyState_AllocatesNothing()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 256, RanksPerDomain = 256, TargetImbalance = 3.0, Seed = 1 });
        var planner = new QuotaPlanner(MoeTopology.From(moeCase));
        long[] loads = [.. moeCase.Layers[0].ExpertLoads];
        planner.Solve(loads, minReplicaQuota: 16);
        planner.Solve(loads);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            planner.Solve(loads);
            planner.Solve(loads, minReplicaQuota: 16);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Generated MoE cases: 2..256 ranks in domains of 1..all ranks, 1..4 masters and 0..3 redundant slots per rank, Zipf
    /// hot-set or hot-rank loads at initial imbalance 1.0..4.0, and a minimum replica quota of 0, 1, 64 or 1024.
    /// </summary>
    public static Arbitrary<(MoeCase Case, long MinReplicaQuota)> GeneratedCases() =>
        (from ranksLog in Gen.Choose(1, 8)
         from domainLog in Gen.Choose(0, ranksLog)
         from expertsPerRank in Gen.Choose(1, 4)
         from redundant in Gen.Choose(0, 3)
         from imbalanceTenths in Gen.Choose(10, 40)
         from family in Gen.Elements(MoeWorkloadFamily.Zipf, MoeWorkloadFamily.HotSet, MoeWorkloadFamily.HotRank)
         from minQuota in Gen.Elements(0L, 1L, 64L, 1024L)
         from seed in Gen.Choose(0, 1_000_000)
         select (Reachable(new MoeWorkloadSettings
         {
             Family = family,
             Ranks = 1 << ranksLog,
             RanksPerNode = Math.Min(8, 1 << domainLog),
             RanksPerDomain = 1 << domainLog,
             ExpertsPerRank = expertsPerRank,
             RedundantSlotsPerRank = redundant,
             TokensPerRank = 512,
             TopK = Math.Max(1, Math.Min(8, (expertsPerRank << ranksLog) / 2)),
             HotExperts = Math.Min(8, (expertsPerRank << ranksLog) - 1),
             TargetImbalance = imbalanceTenths / 10.0,
             Seed = seed,
         }), minQuota))
        .ToArbitrary();

    /// <summary>The case, or with the initial imbalance lowered to 1.2, then 1.0, when the shape cannot reach the target.</summary>
    private static MoeCase Reachable(MoeWorkloadSettings settings)
    {
        try
        {
            return MoeCaseGenerator.Generate(settings);
        }
        catch (PlanningInputException e) when (e.Field == "imbalance" && settings.TargetImbalance > 1.0)
        {
            return Reachable(settings with { TargetImbalance = settings.TargetImbalance > 1.2 ? 1.2 : 1.0, Family = MoeWorkloadFamily.Zipf });
        }
    }

    [Property(MaxTest = 150, Arbitrary = [typeof(QuotaPlannerTests)])]
    public bool Solve_GeneratedCases_SamePlanAsDomainScan((MoeCase Case, long MinReplicaQuota) input)
    {
        var topology = MoeTopology.From(input.Case);
        long[] loads = [.. input.Case.Layers[0].ExpertLoads];
        var planner = new QuotaPlanner(topology, greedyOnly: true);
        var scan = new ScanQuotaPlanner(topology);

        var max = planner.Solve(loads, input.MinReplicaQuota);

        Assert.Equal(scan.Solve(loads, input.MinReplicaQuota), max);
        Assert.Equal(scan.LowerBound, planner.LowerBound);
        Assert.Equal(scan.Replicas.ToArray(), planner.Replicas.ToArray());
        Assert.Equal(scan.MasterQuotas.ToArray(), planner.MasterQuotas.ToArray());
        Assert.Equal(scan.RankLoads.ToArray(), planner.RankLoads.ToArray());
        return true;
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(QuotaPlannerTests)])]
    public bool SolveAt_GeneratedThresholds_SamePlanAsDomainScan((MoeCase Case, long MinReplicaQuota) input)
    {
        var topology = MoeTopology.From(input.Case);
        long[] loads = [.. input.Case.Layers[0].ExpertLoads];
        var planner = new QuotaPlanner(topology, greedyOnly: true);
        var scan = new ScanQuotaPlanner(topology);
        var best = scan.Solve(loads, input.MinReplicaQuota);

        foreach (var threshold in new[] { best - 1, best, best + (best / 100), best * 2 })
        {
            var reached = planner.SolveAt(loads, threshold, input.MinReplicaQuota, preferPrevious: false);
            Assert.Equal(scan.SolveAt(loads, threshold, input.MinReplicaQuota, preferPrevious: false), reached);
            if (reached)
            {
                Assert.Equal(scan.Replicas.ToArray(), planner.Replicas.ToArray());
                Assert.Equal(scan.RankLoads.ToArray(), planner.RankLoads.ToArray());
            }
        }

        return true;
    }

    /// <summary>
    /// The planner with the bin-filling fallback (issue 21) on the generated cases: every plan keeps UltraEP's rules (one
    /// master per expert on its rank, replicas inside the domain, at most one per rank and expert, at most the redundant
    /// slots per rank, each at least the minimum quota), quotas sum to the loads, the reported rank loads are the plan's,
    /// none is above the threshold the planner returns, and that is at least the bound.
    /// </summary>
    [Property(MaxTest = 150, Arbitrary = [typeof(QuotaPlannerTests)])]
    public bool Solve_GeneratedCases_KeepsRulesAndReportsItsLoads((MoeCase Case, long MinReplicaQuota) input)
    {
        var topology = MoeTopology.From(input.Case);
        long[] loads = [.. input.Case.Layers[0].ExpertLoads];
        var planner = new QuotaPlanner(topology);
        var domainSize = topology.Ranks / topology.Domains;

        var max = planner.Solve(loads, input.MinReplicaQuota);

        var served = planner.MasterQuotas.ToArray();
        var rankLoads = new long[topology.Ranks];
        for (var e = 0; e < topology.Experts; e++)
        {
            Assert.InRange(served[e], 0, loads[e]);
            rankLoads[topology.ExpertMaster[e]] += served[e];
        }

        var replicas = planner.Replicas.ToArray();
        foreach (var replica in replicas)
        {
            var master = topology.ExpertMaster[replica.Expert];
            Assert.NotEqual(master, replica.Rank);
            Assert.Equal(master / domainSize, replica.Rank / domainSize);
            Assert.True(replica.Quota >= Math.Max(1, input.MinReplicaQuota), $"replica quota {replica.Quota}");
            served[replica.Expert] += replica.Quota;
            rankLoads[replica.Rank] += replica.Quota;
        }

        Assert.Equal(loads, served);
        Assert.Equal(replicas.Length, replicas.Select(r => (r.Expert, r.Rank)).Distinct().Count());
        Assert.All(replicas.GroupBy(r => r.Rank), g => Assert.True(g.Count() <= topology.RedundantSlotsPerRank));
        Assert.Equal(rankLoads, planner.RankLoads.ToArray());
        Assert.True(rankLoads.Max() <= max, $"rank load {rankLoads.Max()} above the threshold {max}");
        Assert.True(max >= planner.LowerBound);
        return true;
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
