using Planning.Moe;
using Planning.Solving;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe;

public sealed class ExactPolicyTests
{
    private static readonly SolverOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1, Seed = 7 };

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Plan_TinyCases_MatchesBruteForceOptimum(int seed)
    {
        var random = new Random(seed);
        var ranks = 2 + (seed % 2);
        var expertsPerRank = 1 + (seed % 3 == 0 ? 1 : 0);
        var redundant = seed % 4 == 0 ? 0 : 1;
        var loads = Enumerable.Range(0, ranks * expertsPerRank).Select(_ => random.Next(0, 40) * random.Next(0, 3)).ToArray();
        var moeCase = CaseFactory.FromLoads(ranks, ranks, expertsPerRank, redundant, loads);
        var problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);

        var plan = new ExactPolicy(Options).Plan(problem);

        Assert.Equal(SolveStatus.Optimal, plan.Solve!.Status);
        Assert.Equal(BruteForceMaxLoad(ranks, expertsPerRank + redundant, loads), plan.MaxRankLoad);
    }

    [Fact]
    public void Plan_OneHotExpert_SplitsItOverEveryRank()
    {
        // Expert 0 carries 900 tokens; with a spare slot on each of 3 ranks it can be split three ways.
        var moeCase = CaseFactory.FromLoads(3, 3, 1, 1, [900, 0, 0]);
        var problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);

        var plan = new ExactPolicy(Options).Plan(problem);

        Assert.Equal(300, plan.MaxRankLoad);
        Assert.Equal(1.0, plan.Imbalance, 9);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public void Plan_GeneratedCase_NeverWorseThanEplbAndNotBelowBound(int seed)
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, ExpertsPerRank = 2, RedundantSlotsPerRank = 1, TokensPerRank = 512, TopK = 2, TargetImbalance = 2.5, Seed = seed,
        });
        var problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);

        var eplb = new EplbPolicy().Plan(problem);
        var exact = new ExactPolicy(Options with { TimeLimit = TimeSpan.FromSeconds(3) }).Plan(problem);

        Assert.True(exact.MaxRankLoad <= eplb.MaxRankLoad, $"exact {exact.MaxRankLoad} > eplb {eplb.MaxRankLoad}");
        Assert.True(exact.Imbalance >= exact.LowerBound - 1e-9);
        Assert.True(exact.LowerBound >= 1.0 - 1e-9);
    }

    [Fact]
    public void Plan_OneWorkerFixedSeed_IsDeterministic()
    {
        var moeCase = CaseFactory.Random(seed: 5, ranks: 8, ranksPerNode: 4, expertsPerRank: 2, redundant: 1, layers: 1, maxTokens: 500);
        var problem = new MoeLayerProblem(MoeTopology.From(moeCase), moeCase.Layers[0].ExpertLoads);
        // The work limit, not the wall clock, ends the search: the same solution however loaded the machine is.
        var policy = new ExactPolicy(Options with { TimeLimit = TimeSpan.FromSeconds(60), DeterministicTimeLimit = 0.5 });

        var first = policy.Plan(problem);
        var second = policy.Plan(problem);

        Assert.Equal(first.Instances.ToArray(), second.Instances.ToArray());
    }

    /// <summary>
    /// The best largest rank load over every placement that respects the slots (each expert on at least one rank, at
    /// most one copy per rank). For a placement, integral quotas reach load T exactly when every set A of experts
    /// fits on the ranks hosting them: load(A) &lt;= T x |hosts(A)| (the supply-demand form of Hall's theorem), so
    /// the placement's best T is the largest ceil(load(A) / |hosts(A)|).
    /// </summary>
    private static long BruteForceMaxLoad(int ranks, int slots, int[] loads)
    {
        var experts = loads.Length;
        var subsets = Enumerable.Range(0, 1 << experts).Where(m => int.PopCount(m) <= slots).ToArray();
        var best = long.MaxValue;
        var choice = new int[ranks];

        void Recurse(int rank)
        {
            if (rank == ranks)
            {
                var covered = 0;
                foreach (var m in choice)
                {
                    covered |= m;
                }

                if (covered != (1 << experts) - 1)
                {
                    return;
                }

                long placementBest = 0;
                for (var set = 1; set < 1 << experts; set++)
                {
                    long load = 0;
                    for (var e = 0; e < experts; e++)
                    {
                        load += (set >> e & 1) == 1 ? loads[e] : 0;
                    }

                    var hosts = choice.Count(m => (m & set) != 0);
                    placementBest = Math.Max(placementBest, (load + hosts - 1) / hosts);
                }

                best = Math.Min(best, placementBest);
                return;
            }

            foreach (var subset in subsets)
            {
                choice[rank] = subset;
                Recurse(rank + 1);
            }
        }

        Recurse(0);
        return best;
    }
}
