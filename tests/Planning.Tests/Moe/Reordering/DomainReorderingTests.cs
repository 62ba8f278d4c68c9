using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;
using Planning.Moe.Reordering;

namespace Planning.Tests.Moe.Reordering;

/// <summary>Reordering masters across domains: worked cases, invariants on generated loads, bad input.</summary>
public sealed class DomainReorderingTests
{
    /// <summary>Small topologies (2 to 4 domains of 1 or 2 ranks, 1 to 3 masters per rank) with 1 to 3 scenarios of loads 0..100.</summary>
    /// <returns>The topology and the scenarios.</returns>
    public static Arbitrary<(MoeTopology Topology, long[][] Scenarios)> Cases() =>
        (from domains in Gen.Choose(2, 4)
         from ranksPerDomain in Gen.Choose(1, 2)
         from expertsPerRank in Gen.Choose(1, 3)
         from count in Gen.Choose(1, 3)
         let experts = domains * ranksPerDomain * expertsPerRank
         from scenarios in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 100).Select(x => (long)x), experts), count)
         select (Topology(domains, ranksPerDomain, expertsPerRank), scenarios))
        .ToArbitrary();

    [Fact]
    public void Plan_OneHotDomain_TradesTheHotExpertForTheColdestPartner()
    {
        // Two domains of one rank with two masters each: domain loads 12 and 2 (mean 7). Swapping slot 0 (10) with
        // slot 2 (1) gives 3 and 11, as good as any swap (slot 1 with slot 2 gives 11 and 3); the lowest (a, b) wins.
        // After it only slots 1 and 3 are unmoved, and trading them would lift the hot domain: the search stops.
        var topology = Topology(domains: 2, ranksPerDomain: 1, expertsPerRank: 2);

        var plan = DomainReordering.Plan(topology, new long[] { 10, 2, 1, 1 });

        Assert.Equal([new SlotSwap(0, 2)], plan.Swaps.ToArray());
        Assert.Equal(12.0 / 7.0, plan.DomainImbalanceBefore, 12);
        Assert.Equal(11.0 / 7.0, plan.DomainImbalanceAfter, 12);
        Assert.Equal([2, 1, 0, 3], plan.Apply([0, 1, 2, 3]));
        Assert.Equal(2, plan.MovedExperts);
    }

    [Fact]
    public void Plan_BalancedDomains_MovesNothing()
    {
        var topology = Topology(domains: 2, ranksPerDomain: 2, expertsPerRank: 2);

        var plan = DomainReordering.Plan(topology, new long[] { 9, 1, 5, 5, 5, 5, 4, 6 });

        Assert.Empty(plan.Swaps);
        Assert.Equal(1.0, plan.DomainImbalanceAfter);
    }

    [Fact]
    public void Plan_OneDomain_MovesNothing()
    {
        var plan = DomainReordering.Plan(Topology(domains: 1, ranksPerDomain: 4, expertsPerRank: 2), new long[] { 100, 0, 0, 0, 0, 0, 0, 0 });

        Assert.Empty(plan.Swaps);
        Assert.Equal(1.0, plan.DomainImbalanceBefore);
    }

    [Fact]
    public void Plan_SwapBudget_IsRespected()
    {
        var topology = Topology(domains: 4, ranksPerDomain: 1, expertsPerRank: 2);
        // Domains 60, 60, 2, 2 (mean 31): each hot domain trades a 30 for a 1, and all four end at 31.
        long[] loads = [30, 30, 30, 30, 1, 1, 1, 1];

        Assert.Single(DomainReordering.Plan(topology, loads, new DomainReorderingOptions { MaxSwaps = 1 }).Swaps);
        Assert.Empty(DomainReordering.Plan(topology, loads, new DomainReorderingOptions { MaxSwaps = 0 }).Swaps);
        var plan = DomainReordering.Plan(topology, loads);
        Assert.Equal([new SlotSwap(0, 4), new SlotSwap(2, 6)], plan.Swaps.ToArray());
        Assert.Equal(1.0, plan.DomainImbalanceAfter);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(DomainReorderingTests)])]
    public bool Plan_GeneratedLoads_SwapsAreAPermutationAcrossDomainsThatNeverRaisesThePeak((MoeTopology Topology, long[][] Scenarios) input)
    {
        var (topology, scenarios) = input;

        var plan = DomainReordering.Plan(topology, scenarios.Select(s => (IReadOnlyList<long>)s).ToArray());

        var slots = plan.Swaps.SelectMany(swap => new[] { swap.SlotA, swap.SlotB }).ToArray();
        Assert.Equal(slots.Length, slots.Distinct().Count());
        Assert.All(plan.Swaps, swap => Assert.NotEqual(DomainOf(topology, swap.SlotA), DomainOf(topology, swap.SlotB)));
        var expertAt = plan.Apply([.. Enumerable.Range(0, topology.Experts)]);
        Assert.Equal(Enumerable.Range(0, topology.Experts), expertAt.Order());

        // The reported peaks, recomputed independently from the layout before and after.
        var identity = Enumerable.Range(0, topology.Experts).ToArray();
        Assert.Equal(Peak(topology, scenarios, identity), plan.DomainImbalanceBefore, 9);
        Assert.Equal(Peak(topology, scenarios, expertAt), plan.DomainImbalanceAfter, 9);
        Assert.True(plan.DomainImbalanceAfter <= plan.DomainImbalanceBefore + 1e-12);
        return true;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(DomainReorderingTests)])]
    public bool Plan_OneScenario_StopsOnlyWhenNoUnmovedSwapHelpsTheHotDomainEnough((MoeTopology Topology, long[][] Scenarios) input)
    {
        var (topology, scenarios) = input;
        var loads = scenarios[0];
        var options = DomainReorderingOptions.Default;

        var plan = DomainReordering.Plan(topology, loads, options);

        // Brute force over every swap left: none lowers the hottest domain's pair maximum by MinGain of the mean.
        var expertAt = plan.Apply([.. Enumerable.Range(0, topology.Experts)]);
        var domainLoad = DomainLoads(topology, loads, expertAt);
        var mean = domainLoad.Sum() / (double)topology.Domains;
        var hot = Array.IndexOf(domainLoad, domainLoad.Max());
        if (mean == 0 || domainLoad[hot] / mean <= 1 + options.Tolerance)
        {
            return true;
        }

        var moved = plan.Swaps.SelectMany(swap => new[] { swap.SlotA, swap.SlotB }).ToHashSet();
        for (var a = 0; a < topology.Experts; a++)
        {
            for (var b = 0; b < topology.Experts; b++)
            {
                if (DomainOf(topology, a) != hot || DomainOf(topology, b) == hot || moved.Contains(a) || moved.Contains(b))
                {
                    continue;
                }

                var delta = loads[expertAt[a]] - loads[expertAt[b]];
                var pairMax = Math.Max(domainLoad[hot] - delta, domainLoad[DomainOf(topology, b)] + delta);
                // A gain of exactly MinGain may round either way in the planner's scaled arithmetic, so the bound allows
                // rounding (a CI run found 211 to 210 over a mean of 200: exactly 0.005 here, and the planner had stopped).
                Assert.True((domainLoad[hot] - pairMax) / mean < options.MinGain + 1e-9, $"swap {a}<->{b} would lower the hot domain from {domainLoad[hot]} to {pairMax}");
            }
        }

        return true;
    }

    [Fact]
    public void Plan_WrongNumberOfLoads_NamesTheScenario()
    {
        var error = Assert.Throws<PlanningInputException>(() => DomainReordering.Plan(Topology(2, 1, 2), new long[] { 1, 2, 3 }));

        Assert.Equal("scenarios[0]", error.Field);
        Assert.Contains("one load per expert (4), got 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NegativeLoad_NamesTheSlot()
    {
        IReadOnlyList<long>[] scenarios = [new long[] { 1, 2, 3, 4 }, new long[] { 1, 2, -3, 4 }];

        var error = Assert.Throws<PlanningInputException>(() => DomainReordering.Plan(Topology(2, 1, 2), scenarios));

        Assert.Equal("scenarios[1][2]", error.Field);
    }

    [Fact]
    public void Plan_NoScenario_IsRejected() =>
        Assert.Equal("scenarios", Assert.Throws<PlanningInputException>(() => DomainReordering.Plan(Topology(2, 1, 2), Array.Empty<IReadOnlyList<long>>())).Field);

    [Fact]
    public void Validate_NegativeTolerance_NamesTheField() =>
        Assert.Equal("reorderTolerance", Assert.Throws<PlanningInputException>(() => new DomainReorderingOptions { Tolerance = -0.1 }.Validate()).Field);

    private static MoeTopology Topology(int domains, int ranksPerDomain, int expertsPerRank)
    {
        var ranks = domains * ranksPerDomain;
        var rows = Enumerable.Range(0, ranks).Select(_ => (IReadOnlyList<int>)new int[ranks * expertsPerRank]).ToArray();
        return MoeTopology.From(MoeCase.Create(ranks, ranksPerDomain, ranksPerDomain, expertsPerRank, 0, null, [new LayerTokens(rows)]));
    }

    private static int DomainOf(MoeTopology topology, int slot) => topology.RankDomain[topology.ExpertMaster[slot]];

    private static long[] DomainLoads(MoeTopology topology, long[] loads, int[] expertAt)
    {
        var domainLoad = new long[topology.Domains];
        for (var s = 0; s < expertAt.Length; s++)
        {
            domainLoad[DomainOf(topology, s)] += loads[expertAt[s]];
        }

        return domainLoad;
    }

    private static double Peak(MoeTopology topology, long[][] scenarios, int[] expertAt)
    {
        var peak = 1.0;
        foreach (var loads in scenarios)
        {
            var domainLoad = DomainLoads(topology, loads, expertAt);
            var total = domainLoad.Sum();
            if (total > 0)
            {
                peak = Math.Max(peak, domainLoad.Max() * topology.Domains / (double)total);
            }
        }

        return peak;
    }
}
