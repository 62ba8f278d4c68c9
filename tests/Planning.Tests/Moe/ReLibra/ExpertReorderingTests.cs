using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe.ReLibra;
using Planning.Solving;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>ReLibra's reordering model: a worked case, brute force on tiny cases, the heuristic never worse than no move, moved-bytes accounting.</summary>
public sealed class ExpertReorderingTests
{
    private static readonly ExpertReorderingOptions Exact = new() { Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(20), Workers = 1 } };

    /// <summary>A tiny case.</summary>
    /// <param name="RanksPerNode">Ranks per node.</param>
    /// <param name="ExpertsPerRank">Slots per rank.</param>
    /// <param name="Layout">The current expert of each slot.</param>
    /// <param name="Loads">Per microbatch, per expert.</param>
    /// <param name="Penalty">The move penalty.</param>
    public sealed record TinyCase(int RanksPerNode, int ExpertsPerRank, int[] Layout, long[][] Loads, long Penalty);

    /// <summary>2 or 3 nodes of 1 or 2 ranks with 1 or 2 slots (at most 12 experts), 1 to 3 microbatches of loads 0..50, a penalty 0..20, a shuffled layout.</summary>
    /// <returns>The cases.</returns>
    public static Arbitrary<TinyCase> Cases() =>
        (from nodes in Gen.Choose(2, 3)
         from ranksPerNode in Gen.Choose(1, 2)
         from expertsPerRank in Gen.Choose(1, 2)
         let experts = nodes * ranksPerNode * expertsPerRank
         from microbatches in Gen.Choose(1, 3)
         from loads in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 50).Select(x => (long)x), experts), microbatches)
         from penalty in Gen.Choose(0, 20)
         from layout in Gen.Shuffle(Enumerable.Range(0, experts).ToArray())
         select new TinyCase(ranksPerNode, expertsPerRank, [.. layout], loads, penalty)).ToArbitrary();

    [Fact]
    public void Plan_TwoHotExpertsOnOneNode_SwapsOneAwayForTheOptimum()
    {
        // Node 0 holds experts 0 and 1 (10 and 8), node 1 experts 2 and 3 (1 and 1), in both microbatches: no move costs
        // 18 + 18. Splitting the hot pair gives 11 and 9 per microbatch, 22 in all, the optimum (10 + 1 is the best a
        // node holding expert 0 can do); it moves two experts, one hot and one cold, whichever node keeps its name.
        var plan = ExpertReordering.Plan(1, 2, [0, 1, 2, 3], [[10, 8, 1, 1], [10, 8, 1, 1]], Exact);

        Assert.Equal(36, plan.NoMoveObjective);
        Assert.Equal(22, plan.Objective);
        Assert.Equal(22, plan.Bound);
        Assert.Equal(SolveStatus.Optimal, plan.Status);
        Assert.Equal(2, plan.MovedExperts.Length);
        Assert.Single(plan.MovedExperts, e => e < 2);
        var hotNodes = plan.SlotExpert.Select((e, slot) => (e, slot)).Where(x => x.e < 2).Select(x => x.slot / 2);
        Assert.Equal(2, hotNodes.Distinct().Count());
        Assert.Equal([11L, 11L], plan.MaxNodeLoads.ToArray());
        Assert.Equal(2 * 1234L, plan.MovedBytes(1234));
    }

    [Theory]
    [InlineData(3, 28, 2)]
    [InlineData(6, 34, 2)]
    [InlineData(7, 36, 0)]
    [InlineData(50, 36, 0)]
    public void Plan_MovePenalty_MovesOnlyWhileTheGainPaysForIt(long penalty, long objective, int moved)
    {
        // The swap gains 14 and moves two experts: worth it while 2 x penalty < 14.
        var plan = ExpertReordering.Plan(1, 2, [0, 1, 2, 3], [[10, 8, 1, 1], [10, 8, 1, 1]], Exact with { MovePenalty = penalty });

        Assert.Equal(objective, plan.Objective);
        Assert.Equal(moved, plan.MovedExperts.Length);
        Assert.Equal(SolveStatus.Optimal, plan.Status);
        Assert.Equal(moved == 0 ? ReorderSource.NoMove : ReorderSource.Heuristic, plan.Source);
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(ExpertReorderingTests)])]
    public bool Plan_TinyCase_MatchesBruteForceAndBoundsIt(TinyCase input)
    {
        var plan = ExpertReordering.Plan(input.RanksPerNode, input.ExpertsPerRank, input.Layout, input.Loads, Exact with { MovePenalty = input.Penalty });

        var optimum = BruteForce(input);
        Assert.Equal(SolveStatus.Optimal, plan.Status);
        Assert.Equal(optimum, plan.Objective);
        Assert.True(plan.Bound <= optimum, $"bound {plan.Bound} above the optimum {optimum}");
        Assert.Equal(plan.Objective, Evaluate(input, NodesOf(input, plan.SlotExpert)));
        return true;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(ExpertReorderingTests)])]
    public bool Plan_HeuristicOnly_NeverWorseThanNoMoveAndAccountsItsMoves(TinyCase input)
    {
        var plan = ExpertReordering.Plan(input.RanksPerNode, input.ExpertsPerRank, input.Layout, input.Loads, new ExpertReorderingOptions { MovePenalty = input.Penalty, UseSolver = false });

        var home = NodesOf(input, input.Layout);
        var after = NodesOf(input, plan.SlotExpert);
        Assert.Equal(Evaluate(input, home), plan.NoMoveObjective);
        Assert.True(plan.HeuristicObjective <= plan.NoMoveObjective);
        Assert.Equal(plan.HeuristicObjective, plan.Objective);
        Assert.Equal(plan.Objective, Evaluate(input, after));
        Assert.Equal(Enumerable.Range(0, home.Length).Where(e => home[e] != after[e]), plan.MovedExperts);
        Assert.Equal(plan.MovedExperts.Length * 7L, plan.MovedBytes(7));
        Assert.Equal(Enumerable.Range(0, home.Length), plan.SlotExpert.Order());
        Assert.True(plan.Bound <= plan.Objective);

        // An expert that stays on its node keeps its slot.
        for (var s = 0; s < input.Layout.Length; s++)
        {
            var e = input.Layout[s];
            if (home[e] == after[e])
            {
                Assert.Equal(e, plan.SlotExpert[s]);
            }
        }

        return true;
    }

    /// <summary>
    /// Nodes are interchangeable, so the plan's node names are the renaming of its partition that keeps most experts on
    /// their node: brute force over every renaming (2 or 3 nodes) finds none that moves fewer. (Without the renaming,
    /// about one case in 70 moves more than it must, so 500 cases miss that with odds under 0.1 %.)
    /// </summary>
    [Property(MaxTest = 500, Arbitrary = [typeof(ExpertReorderingTests)])]
    public bool Plan_HeuristicOnly_NoRenamingOfItsNodesMovesFewer(TinyCase input)
    {
        var plan = ExpertReordering.Plan(input.RanksPerNode, input.ExpertsPerRank, input.Layout, input.Loads, new ExpertReorderingOptions { MovePenalty = input.Penalty, UseSolver = false });

        var home = NodesOf(input, input.Layout);
        var after = NodesOf(input, plan.SlotExpert);
        var nodes = home.Max() + 1;
        var fewest = Permutations(nodes).Min(rename => Enumerable.Range(0, home.Length).Count(e => rename[after[e]] != home[e]));
        Assert.Equal(fewest, plan.MovedExperts.Length);
        return true;
    }

    private static IEnumerable<int[]> Permutations(int n) =>
        n == 1 ? [[0]] : Permutations(n - 1).SelectMany(p => Enumerable.Range(0, n).Select(i => (int[])[.. p[..i], n - 1, .. p[i..]]));

    [Fact]
    public void Plan_LayoutNotAPermutation_NamesTheSlot()
    {
        var error = Assert.Throws<PlanningInputException>(() => ExpertReordering.Plan(1, 2, [0, 1, 1, 3], [[1, 1, 1, 1]]));

        Assert.Equal("currentSlotExpert[2]", error.Field);
    }

    [Fact]
    public void Plan_LoadsOfTheWrongLength_NamesTheMicrobatch()
    {
        var error = Assert.Throws<PlanningInputException>(() => ExpertReordering.Plan(1, 2, [0, 1, 2, 3], [[1, 1, 1, 1], [1, 1]]));

        Assert.Equal("microbatchLoads[1]", error.Field);
    }

    [Fact]
    public void Plan_NegativeLoad_NamesIt()
    {
        var error = Assert.Throws<PlanningInputException>(() => ExpertReordering.Plan(1, 2, [0, 1, 2, 3], [[1, 1, -1, 1]]));

        Assert.Equal("microbatchLoads[0][2]", error.Field);
    }

    [Fact]
    public void MovePenaltyTokens_TwoGigabytesOverFiftyGigabytesPerSecond_IsTheTokensComputedMeanwhile()
    {
        // 2e9 B / 50e9 B/s = 0.04 s; at 1e6 tokens/s that is 40000 tokens.
        Assert.Equal(40_000, ExpertReorderingOptions.MovePenaltyTokens(2_000_000_000, 50e9, 1e6));
        Assert.Equal("networkBytesPerSecond", Assert.Throws<PlanningInputException>(() => ExpertReorderingOptions.MovePenaltyTokens(1, 0, 1)).Field);
    }

    private static int[] NodesOf(TinyCase input, IReadOnlyList<int> slotExpert)
    {
        var slotsPerNode = input.RanksPerNode * input.ExpertsPerRank;
        var node = new int[slotExpert.Count];
        for (var s = 0; s < slotExpert.Count; s++)
        {
            node[slotExpert[s]] = s / slotsPerNode;
        }

        return node;
    }

    private static long Evaluate(TinyCase input, int[] node)
    {
        var home = NodesOf(input, input.Layout);
        var nodes = node.Length / (input.RanksPerNode * input.ExpertsPerRank);
        long total = 0;
        foreach (var loads in input.Loads)
        {
            var perNode = new long[nodes];
            for (var e = 0; e < node.Length; e++)
            {
                perNode[node[e]] += loads[e];
            }

            total += perNode.Max();
        }

        return total + (input.Penalty * Enumerable.Range(0, node.Length).Count(e => node[e] != home[e]));
    }

    /// <summary>The least objective over every assignment of experts to nodes that fills every node's slots.</summary>
    private static long BruteForce(TinyCase input)
    {
        var experts = input.Layout.Length;
        var slotsPerNode = input.RanksPerNode * input.ExpertsPerRank;
        var nodes = experts / slotsPerNode;
        var node = new int[experts];
        var free = Enumerable.Repeat(slotsPerNode, nodes).ToArray();
        var best = long.MaxValue;

        void Place(int e)
        {
            if (e == experts)
            {
                best = Math.Min(best, Evaluate(input, node));
                return;
            }

            for (var n = 0; n < nodes; n++)
            {
                if (free[n] > 0)
                {
                    free[n]--;
                    node[e] = n;
                    Place(e + 1);
                    free[n]++;
                }
            }
        }

        Place(0);
        return best;
    }
}
