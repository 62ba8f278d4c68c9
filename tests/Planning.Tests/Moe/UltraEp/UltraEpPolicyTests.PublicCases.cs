using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Solving;

namespace Planning.Tests.Moe.UltraEp;

/// <summary>
/// Issue 21: UltraEP's own public test cases and random small configurations against the exact optimum. The public
/// cases are those of UltraEP's <c>tests/test_placement_quota.py</c> (github.com/Dots-Infra/UltraEP, commit 7661093):
/// <c>EPConfig(num_ranks=4, num_local_master=4, num_local_redundant=2, num_nvl_ranks=4)</c>, expert loads
/// <c>[512, 320, 256, 192] + [32] x 12</c> split over the source ranks by its <c>split_loads_per_rank</c>, and its edge
/// cases. Each worked case's optimum is the integral mean bound (<c>ceil(total / ranks)</c>, which no plan can beat)
/// and a plan that reaches it, written out in the test's comment.
/// </summary>
public sealed partial class UltraEpPolicyTests
{
    /// <summary>
    /// The optimal largest rank loads, checked by hand. Skewed: ranks 128 x 3 + 1280, mean 416; a plan at 416 ships
    /// expert 0's 288 to rank 1, 224 + expert 1's 64 to rank 2, expert 1's 256 + expert 2's 32 to rank 3 (two slots each).
    /// One redundant slot: ranks 850 + 120 x 3, mean 302.5, so at least 303; expert 0 ships 183 to ranks 1 and 2, expert 1
    /// ships 181 to rank 3, rank 0 keeps 134 + 19 + 100 + 50 = 303. Single expert: 1024 over its master and three
    /// replicas, 256 each. One token per expert and the uniform no-redundant case are balanced as they are.
    /// </summary>
    public static TheoryData<string, int, int[], long> PublicCases() => new()
    {
        { "skewed", 2, [512, 320, 256, 192, .. Enumerable.Repeat(32, 12)], 416 },
        { "one-redundant", 1, [500, 200, 100, 50, .. Enumerable.Repeat(30, 12)], 303 },
        { "zero-loads", 2, new int[16], 0 },
        { "single-expert", 2, [1024, .. new int[15]], 256 },
        { "one-token-per-expert", 2, [.. Enumerable.Repeat(1, 16)], 4 },
        { "no-redundant", 0, [.. Enumerable.Repeat(100, 16)], 400 },
    };

    [Theory]
    [MemberData(nameof(PublicCases))]
    public void Plan_UltraEpPublicCases_ReachesTheOptimum(string name, int redundant, int[] expertLoads, long optimum)
    {
        var moeCase = UltraEpTestCase(redundant, expertLoads);
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);

        var plan = new UltraEpPolicy().Plan(problem);

        AssertUltraEpRules(topology, [.. problem.Loads], plan, 0);
        Assert.True(optimum == plan.MaxRankLoad, $"{name}: largest rank load {plan.MaxRankLoad}, optimum {optimum}");
        Assert.Equal(problem.TotalLoad == 0 ? 1.0 : optimum * 4.0 / problem.TotalLoad, plan.Imbalance, 12);
        Assert.True(plan.Imbalance <= new EplbPolicy().Plan(problem).Imbalance, $"{name}: worse than EPLB");
    }

    /// <summary>
    /// The idle-rank case FsCheck found 0.137 off the optimum (CI run of 2026-12-07): 4 ranks in one domain, 2 masters and
    /// 1 redundant slot each, loads [56, 46, 69, 57, 42, 80, 0, 0]. Optimum 90 by hand: rank 3's one slot holds at most one
    /// expert, at most 80 tokens, so ranks 0-2 carry at least 270 of the 350; and 90 is reached only by a relay chain:
    /// rank 3 takes expert 5's 80, rank 2 takes 48 of expert 2, rank 1 takes 12 of expert 0 (ranks 102, 126, 122, 0 become
    /// 90, 90, 90, 80).
    /// </summary>
    [Fact]
    public void Plan_IdleRankRelayCase_ReachesTheOptimum()
    {
        int[] loads = [56, 46, 69, 57, 42, 80, 0, 0];
        var rows = new List<IReadOnlyList<int>> { loads, new int[8], new int[8], new int[8] };
        var moeCase = MoeCase.Create(4, 4, 4, 2, 1, null, [new LayerTokens(rows)]);
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);

        var plan = new UltraEpPolicy().Plan(problem);

        AssertUltraEpRules(topology, [.. problem.Loads], plan, 0);
        Assert.Equal(90, plan.MaxRankLoad);
        var exact = new UltraEpExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1 }, UltraEpOptions.Default).Plan(problem);
        Assert.Equal(SolveStatus.Optimal, exact.Solve!.Status);
        Assert.Equal(90, exact.MaxRankLoad);
    }

    /// <summary>
    /// The tight layer where the threshold search and the flow search both stopped above EPLB (issue 21's quality map,
    /// 2026-12-07: ultraep 1.0044, EPLB 1.0034): Zipf layer 0 of <c>plan moe generate --ranks 16 --experts-per-rank 8
    /// --redundant-slots 1 --ranks-per-domain 16 --layers 2 --tokens-per-rank 512 --top-k 4 --family zipf --seed 1</c>,
    /// one 16-rank domain, 8 masters and one redundant slot per rank. The loads sum to 32,768, so the mean bound 2,048 is
    /// the optimum if a plan reaches it, and one does (CP-SAT found it in 150 s): every rank ends at exactly 2,048, each
    /// receiving rank filled exactly by its one slot. The placement annealing finds it.
    /// </summary>
    [Fact]
    public void Plan_TightZipfLayer_ReachesTheMeanAndBeatsEplb()
    {
        int[] loads =
        [
            245, 464, 167, 132, 124, 171, 210, 109, 327, 887, 463, 213, 697, 116, 134, 134,
            191, 605, 111, 359, 105, 229, 241, 166, 112, 216, 286, 789, 115, 129, 131, 105,
            1007, 231, 102, 113, 104, 260, 337, 346, 159, 267, 116, 165, 139, 217, 205, 317,
            166, 150, 418, 501, 133, 121, 129, 155, 113, 284, 537, 121, 122, 199, 153, 482,
            178, 241, 2453, 420, 223, 108, 295, 178, 146, 144, 120, 106, 131, 163, 207, 186,
            1308, 174, 168, 188, 228, 193, 129, 141, 104, 581, 563, 107, 354, 117, 166, 110,
            113, 108, 117, 190, 209, 137, 99, 121, 103, 168, 121, 237, 112, 156, 139, 112,
            153, 191, 119, 174, 110, 110, 282, 128, 148, 220, 124, 286, 1641, 259, 131, 168,
        ];
        var rows = new List<IReadOnlyList<int>> { loads };
        rows.AddRange(Enumerable.Range(1, 15).Select(_ => (IReadOnlyList<int>)new int[loads.Length]));
        var moeCase = MoeCase.Create(16, 16, 8, 8, 1, null, [new LayerTokens(rows)]);
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);

        var plan = new UltraEpPolicy().Plan(problem);
        var eplb = new EplbPolicy().Plan(problem);

        Assert.Equal(32_768, problem.TotalLoad);
        AssertUltraEpRules(topology, [.. problem.Loads], plan, 0);
        Assert.Equal(2_048, plan.MaxRankLoad);
        Assert.True(eplb.MaxRankLoad > plan.MaxRankLoad, $"eplb {eplb.MaxRankLoad}");

        // The annealing's random stream has a fixed seed: solving again plans the same replicas and quotas.
        // (ImmutableArray's own Equals compares the arrays' identity, hence SequenceEqual.)
        Assert.True(plan.Instances.SequenceEqual(new UltraEpPolicy().Plan(problem).Instances));
    }

    [Theory]
    [InlineData(2, new[] { 512, 320, 256, 192 }, 32)]
    [InlineData(1, new[] { 500, 200, 100, 50 }, 30)]
    public void Plan_UltraEpSkewedCases_SameAsExactPolicy(int redundant, int[] hot, int cold)
    {
        var moeCase = UltraEpTestCase(redundant, [.. hot, .. Enumerable.Repeat(cold, 12)]);
        var problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);

        var exact = new UltraEpExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1 }, UltraEpOptions.Default).Plan(problem);

        Assert.Equal(SolveStatus.Optimal, exact.Solve!.Status);
        Assert.Equal(exact.MaxRankLoad, exact.Check!.Value.HeuristicMaxLoad);
    }

    /// <summary>
    /// Random small configurations as in issue 21: 4 or 8 ranks in 4- or 8-rank domains, 2-4 masters and 1-2 redundant
    /// slots per rank, Pareto loads (shape 1.2), half of them concentrated (the first rank's masters x 4), a quarter with
    /// an idle rank.
    /// </summary>
    private static Arbitrary<MoeCase> IssueCases() =>
        (from ranks in Gen.Elements(4, 8)
         from domain in Gen.Elements(4, 8)
         from masters in Gen.Choose(2, 4)
         from redundant in Gen.Choose(1, 2)
         from concentrated in Gen.Elements(false, true)
         from idleRank in Gen.Elements(false, false, false, true)
         from seed in Gen.Choose(0, 1_000_000)
         select ParetoCase(seed, ranks, Math.Min(domain, ranks), masters, redundant, concentrated, idleRank))
        .ToArbitrary();

    /// <summary>
    /// The quota planner against CP-SAT (<c>ultraep-exact</c>, one worker, 10 s; warm-started from the planner, so its plan
    /// is never worse): within 0.02 of the optimum's imbalance (issue 21's "never worse than 0.02"; the quality map's worst
    /// is 0.0073, docs/benchmarks.md), and no worse than EPLB whenever UltraEP's rules allow beating EPLB by that much.
    /// The 0.005 target holds on 99.7 % of the map's layers, not on every one, so it is not asserted per case. A quarter of
    /// the cases have an idle rank, the family that needs the flow search's relay chains (before it, this property found
    /// one 0.137 off: <see cref="Plan_IdleRankRelayCase_ReachesTheOptimum"/>). FsCheck draws new cases every run.
    /// </summary>
    [Property(MaxTest = 25)]
    public Property Plan_RandomSmallConfigurations_WithinToleranceOfExact() =>
        Prop.ForAll(IssueCases(), moeCase =>
        {
            const double tolerance = 0.02;
            var topology = MoeTopology.From(moeCase);
            var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
            var plan = new UltraEpPolicy().Plan(problem);
            var exact = new UltraEpExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1 }, UltraEpOptions.Default).Plan(problem);
            var eplb = new EplbPolicy().Plan(problem);

            AssertUltraEpRules(topology, [.. problem.Loads], plan, 0);
            if (exact.Solve!.Status == SolveStatus.Optimal)
            {
                // The planner's lower bound (mean, heaviest expert's copies and the slot bound) is a true bound.
                Assert.True(plan.LowerBound <= exact.Imbalance + 1e-12, $"bound {plan.LowerBound}, optimum {exact.Imbalance}; loads [{string.Join(", ", problem.Loads)}]");
            }

            Assert.True(plan.Imbalance - exact.Imbalance <= tolerance + 1e-12, $"ultraep {plan.Imbalance}, exact {exact.Imbalance} ({exact.Solve!.Status}); loads [{string.Join(", ", problem.Loads)}]");
            if (exact.Imbalance <= eplb.Imbalance - tolerance)
            {
                Assert.True(plan.Imbalance <= eplb.Imbalance, $"ultraep {plan.Imbalance}, eplb {eplb.Imbalance}");
            }

            return true;
        });

    /// <summary>UltraEP's test configuration (4 ranks, 4 masters, one 4-rank domain) with its split of the loads.</summary>
    private static MoeCase UltraEpTestCase(int redundant, int[] expertLoads)
    {
        var split = SplitLoadsPerRank(expertLoads, 4);
        return MoeCase.Create(4, 4, 4, 4, redundant, null, [new LayerTokens(split)]);
    }

    /// <summary>
    /// UltraEP's <c>split_loads_per_rank</c>: expert l's load over the source ranks in proportion to the weights 1..n
    /// rolled by l, floors first, the remainder one token each to the largest fractional parts (lowest rank on ties,
    /// where <c>torch.argsort</c> leaves the order open; only the experts' totals matter to the planner).
    /// </summary>
    private static List<IReadOnlyList<int>> SplitLoadsPerRank(int[] expertLoads, int ranks)
    {
        var rows = Enumerable.Range(0, ranks).Select(_ => new int[expertLoads.Length]).ToArray();
        var weightSum = ranks * (ranks + 1) / 2;
        for (var l = 0; l < expertLoads.Length; l++)
        {
            var load = expertLoads[l];
            var scaled = new long[ranks];
            for (var s = 0; s < ranks; s++)
            {
                // torch.roll(w, shifts=k): element s comes from index (s - k) mod n.
                var weight = (((s - (l % ranks)) % ranks) + ranks) % ranks + 1;
                scaled[s] = (long)weight * load;
                rows[s][l] = (int)(scaled[s] / weightSum);
            }

            var remainder = load - rows.Sum(row => row[l]);
            foreach (var s in Enumerable.Range(0, ranks).OrderByDescending(s => scaled[s] % weightSum).ThenBy(s => s).Take(remainder))
            {
                rows[s][l]++;
            }
        }

        return [.. rows];
    }

    private static MoeCase ParetoCase(int seed, int ranks, int ranksPerDomain, int masters, int redundant, bool concentrated, bool idleRank)
    {
        var random = new Random(seed);
        var experts = ranks * masters;
        var loads = new int[experts];
        for (var e = 0; e < experts; e++)
        {
            var pareto = 40 / Math.Pow(1 - random.NextDouble(), 1 / 1.2);
            var factor = concentrated && e < masters ? 4 : 1;
            loads[e] = (int)Math.Min(20_000, pareto * factor);
        }

        if (idleRank)
        {
            var idle = ranks - 1;
            Array.Clear(loads, idle * masters, masters);
        }

        var rows = new List<IReadOnlyList<int>> { loads };
        for (var s = 1; s < ranks; s++)
        {
            rows.Add(new int[experts]);
        }

        return MoeCase.Create(ranks, ranksPerDomain, Math.Min(8, ranksPerDomain), masters, redundant, null, [new LayerTokens(rows)]);
    }
}
