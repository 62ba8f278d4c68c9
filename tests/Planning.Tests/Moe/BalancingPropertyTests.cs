using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;
using Planning.Solving;

namespace Planning.Tests.Moe;

/// <summary>Invariants every policy's plan must keep, on generated cases.</summary>
public sealed class BalancingPropertyTests
{
    /// <summary>Small cases: ranks 2..8 in nodes of 1..ranks, 1..3 experts and 0..2 redundant slots per rank.</summary>
    public static Arbitrary<MoeCase> SmallCases() =>
        (from ranksLog in Gen.Choose(1, 3)
         from nodeLog in Gen.Choose(0, ranksLog)
         from expertsPerRank in Gen.Choose(1, 3)
         from redundant in Gen.Choose(0, 2)
         from maxTokens in Gen.Elements(0, 1, 7, 100, 1000)
         from seed in Gen.Choose(0, 1_000_000)
         select CaseFactory.Random(seed, 1 << ranksLog, 1 << nodeLog, expertsPerRank, redundant, layers: 2, maxTokens))
        .ToArbitrary();

    private static IEnumerable<IBalancingPolicy> Policies() =>
    [
        new NoBalancingPolicy(),
        new EplbPolicy(),
        new ExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(2), Workers = 1, Seed = 3 }),
    ];

    [Property(MaxTest = 40, Arbitrary = [typeof(BalancingPropertyTests)])]
    public bool EveryPolicy_KeepsPlanInvariants(MoeCase moeCase)
    {
        var topology = MoeTopology.From(moeCase);
        foreach (var policy in Policies())
        {
            foreach (var layer in moeCase.Layers)
            {
                var plan = policy.Plan(new MoeLayerProblem(topology, layer.ExpertLoads));
                AssertInvariants(topology, layer.ExpertLoads.ToArray(), plan, policy.Name);
            }
        }

        return true;
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(BalancingPropertyTests)])]
    public bool Exact_NeverWorseThanEplb_NeverBelowLowerBound(MoeCase moeCase)
    {
        var topology = MoeTopology.From(moeCase);
        var exactPolicy = new ExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(2), Workers = 1 });
        foreach (var layer in moeCase.Layers)
        {
            var problem = new MoeLayerProblem(topology, layer.ExpertLoads);
            var eplb = new EplbPolicy().Plan(problem);
            var exact = exactPolicy.Plan(problem);
            Assert.True(exact.Imbalance <= eplb.Imbalance + 1e-12, $"exact {exact.Imbalance} > eplb {eplb.Imbalance}");
            Assert.True(exact.Imbalance >= exact.LowerBound - 1e-9, $"exact {exact.Imbalance} < bound {exact.LowerBound}");
            Assert.True(eplb.Imbalance >= eplb.LowerBound - 1e-9, $"eplb {eplb.Imbalance} < bound {eplb.LowerBound}");
        }

        return true;
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(BalancingPropertyTests)])]
    public bool Eplb_SameInput_SamePlan(MoeCase moeCase)
    {
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
        var first = new EplbPolicy().Plan(problem);
        var second = new EplbPolicy().Plan(problem);
        return first.Instances.SequenceEqual(second.Instances);
    }

    private static void AssertInvariants(MoeTopology topology, long[] loads, LayerPlan plan, string policy)
    {
        // Every expert has at least one instance, and its quotas sum to its load.
        for (var e = 0; e < topology.Experts; e++)
        {
            var mine = plan.Instances.Where(i => i.Expert == e).ToArray();
            Assert.True(mine.Length >= 1, $"{policy}: expert {e} has no instance");
            Assert.Equal(loads[e], mine.Sum(i => i.Quota));
        }

        // No rank exceeds its slots.
        for (var r = 0; r < topology.Ranks; r++)
        {
            Assert.True(plan.Instances.Count(i => i.Rank == r) <= topology.SlotsPerRank, $"{policy}: rank {r} over its slots");
        }

        // Reported loads and imbalance equal those recomputed from the instances.
        var recomputed = new long[topology.Ranks];
        foreach (var instance in plan.Instances)
        {
            recomputed[instance.Rank] += instance.Quota;
        }

        Assert.Equal(recomputed, plan.RankLoads);
        var total = recomputed.Sum();
        var expected = total == 0 ? 1.0 : recomputed.Max() / ((double)total / topology.Ranks);
        Assert.Equal(expected, plan.Imbalance, 9);
        Assert.True(plan.Imbalance >= plan.LowerBound - 1e-9, $"{policy}: imbalance {plan.Imbalance} below bound {plan.LowerBound}");
        Assert.Equal(plan.Instances.Length - topology.Experts, plan.Replicas);
    }
}
