using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Solving;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe.UltraEp;

public sealed partial class UltraEpPolicyTests
{
    /// <summary>Small cases with one or two domains: ranks 2..8, 1..3 experts and 0..2 redundant slots per rank.</summary>
    public static Arbitrary<MoeCase> SmallCases() =>
        (from ranksLog in Gen.Choose(1, 3)
         from domainsLog in Gen.Choose(0, Math.Min(1, ranksLog - 1))
         from expertsPerRank in Gen.Choose(1, 3)
         from redundant in Gen.Choose(0, 2)
         from maxTokens in Gen.Elements(0, 3, 50, 1000)
         from seed in Gen.Choose(0, 1_000_000)
         select Build(seed, 1 << ranksLog, (1 << ranksLog) >> domainsLog, expertsPerRank, redundant, maxTokens))
        .ToArbitrary();

    /// <summary>Tiny cases for brute force: ranks 2..4 in one or two domains, 1..2 experts and 0..1 redundant slots per rank.</summary>
    private static Arbitrary<MoeCase> TinyCases() =>
        (from ranks in Gen.Elements(2, 4)
         from domains in Gen.Elements(1, 2)
         from expertsPerRank in Gen.Choose(1, 2)
         from redundant in Gen.Choose(0, 1)
         from maxTokens in Gen.Elements(3, 50, 1000)
         from seed in Gen.Choose(0, 1_000_000)
         select Build(seed, ranks, ranks / domains, expertsPerRank, redundant, maxTokens))
        .ToArbitrary();

    [Property(MaxTest = 100, Arbitrary = [typeof(UltraEpPolicyTests)])]
    public bool Plan_KeepsUltraEpRules(MoeCase moeCase)
    {
        foreach (var minQuota in new long[] { 0, 40 })
        {
            var topology = MoeTopology.From(moeCase);
            var layer = moeCase.Layers[0];
            var plan = new UltraEpPolicy(new UltraEpOptions { MinReplicaQuota = minQuota }).Plan(new MoeLayerProblem(topology, layer.ExpertLoads));
            AssertUltraEpRules(topology, layer.ExpertLoads.ToArray(), plan, minQuota);
        }

        return true;
    }

    [Property(MaxTest = 40)]
    public Property Exact_IsOptimalAndNoWorseThanQuotaPlanner_GapReportedHonestly() =>
        Prop.ForAll(TinyCases(), ExactMatchesBruteForce);

    private static bool ExactMatchesBruteForce(MoeCase moeCase)
    {
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
        var heuristic = new UltraEpPolicy().Plan(problem);

        var exact = new UltraEpExactPolicy(new SolverOptions { TimeLimit = TimeSpan.FromSeconds(5), Workers = 1 }, UltraEpOptions.Default).Plan(problem);

        AssertUltraEpRules(topology, problem.Loads.ToArray(), exact, 0);
        var check = exact.Check!.Value;
        Assert.Equal(heuristic.MaxRankLoad, check.HeuristicMaxLoad);
        Assert.Equal(exact.MaxRankLoad, check.ExactMaxLoad);
        Assert.True(exact.MaxRankLoad <= heuristic.MaxRankLoad);
        Assert.True(check.LpBound <= exact.MaxRankLoad + 1e-6, $"LP bound {check.LpBound} above the exact optimum {exact.MaxRankLoad}");
        Assert.True(check.BestBound <= exact.MaxRankLoad + 1e-6);
        Assert.Equal(SolveStatus.Optimal, exact.Solve!.Status);
        Assert.Equal(BruteForceMaxLoad(topology, problem.Loads.ToArray()), exact.MaxRankLoad);
        return true;
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    public void Plan_Ep64ReadmeCases_ReachImbalanceAtMostOnePointZeroOne(double initial)
    {
        // UltraEP README setting: EP64, 256 experts, 4 masters + 2 redundant slots per rank, top-8, 8192 tokens per rank.
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { TargetImbalance = initial, Layers = 3, Seed = 1 });
        var topology = MoeTopology.From(moeCase);

        foreach (var layer in moeCase.Layers)
        {
            var plan = new UltraEpPolicy().Plan(new MoeLayerProblem(topology, layer.ExpertLoads));
            Assert.True(plan.Imbalance <= 1.01, $"imbalance {plan.Imbalance} from {initial}");
            Assert.True(plan.Imbalance - plan.LowerBound <= 0.005, $"imbalance {plan.Imbalance} vs bound {plan.LowerBound}");
        }
    }

    [Fact]
    public void Plan_SamePreviousPlan_ReusesEveryReplica()
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 8, RanksPerDomain = 16, TargetImbalance = 2.0, Seed = 4 });
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
        var policy = new UltraEpPolicy(new UltraEpOptions { ExpertBytes = 1000 });
        var first = policy.Plan(problem);

        var again = policy.Plan(problem with { Previous = first.Instances });

        Assert.Equal(new ReplicaReuse(first.Replicas, 0, 0), again.Reuse);
        Assert.Equal(first.MaxRankLoad, again.MaxRankLoad);
    }

    [Fact]
    public void Plan_DriftedLoads_IncrementalStaysWithinSlackAndMovesFewerReplicas()
    {
        var settings = new MoeWorkloadSettings { Ranks = 32, RanksPerNode = 8, RanksPerDomain = 32, TargetImbalance = 2.0, Layers = 2, Seed = 8 };
        var moeCase = MoeCaseGenerator.Generate(settings);
        var topology = MoeTopology.From(moeCase);
        var policy = new UltraEpPolicy(new UltraEpOptions { ExpertBytes = 88_080_384 });

        // Layer 0's plan as the "previous microbatch", layer 0's loads nudged by +-3 % as the current one.
        var random = new Random(2);
        var drifted = moeCase.Layers[0].ExpertLoads.Select(l => (long)(l * (0.97 + (0.06 * random.NextDouble())))).ToArray();
        var previous = policy.Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads)).Instances;
        var fresh = policy.Plan(new MoeLayerProblem(topology, [.. drifted]));

        var incremental = policy.Plan(new MoeLayerProblem(topology, [.. drifted], Previous: previous));

        var reuse = incremental.Reuse!.Value;
        Assert.True(incremental.MaxRankLoad <= fresh.MaxRankLoad * 1.005, $"{incremental.MaxRankLoad} > {fresh.MaxRankLoad} x 1.005");
        Assert.True(reuse.ReusedReplicas > 0);
        Assert.Equal(reuse.NewReplicas * 88_080_384L, reuse.BytesToMove);
        var freshNew = fresh.Instances.Count(i => i.Rank != topology.ExpertMaster[i.Expert] && !previous.Contains(new ExpertInstance(i.Expert, i.Rank, i.Quota)) && !previous.Any(p => p.Expert == i.Expert && p.Rank == i.Rank));
        Assert.True(reuse.NewReplicas <= freshNew, $"incremental moves {reuse.NewReplicas} replicas, fresh would move {freshNew}");
    }

    [Fact]
    public void Plan_NoRedundantSlots_IsMastersOnly()
    {
        var moeCase = CaseFactory.FromLoads(4, 2, 1, 0, [100, 10, 10, 10]);
        var topology = MoeTopology.From(moeCase);

        var plan = new UltraEpPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads));

        Assert.Equal(0, plan.Replicas);
        Assert.Equal(plan.Imbalance, plan.LowerBound, 9);
    }

    [Fact]
    public void Plan_TwoDomains_ReplicasStayInTheirDomain()
    {
        // Domain 0 (ranks 0-1) is hot, domain 1 (ranks 2-3) idle: the plan may only even out domain 0.
        var rows = new List<IReadOnlyList<int>> { new[] { 300, 0, 0, 0 }, new int[4], new int[4], new int[4] };
        var moeCase = MoeCase.Create(4, 2, 2, 1, 1, null, [new LayerTokens(rows)]);
        var topology = MoeTopology.From(moeCase);

        var plan = new UltraEpPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads));

        Assert.Equal([150L, 150, 0, 0], plan.RankLoads.ToArray());
        Assert.Equal(2.0, plan.LowerBound, 9);
    }

    internal static void AssertUltraEpRules(MoeTopology topology, long[] loads, LayerPlan plan, long minQuota)
    {
        var domainSize = topology.Ranks / topology.Domains;
        for (var e = 0; e < topology.Experts; e++)
        {
            var mine = plan.Instances.Where(i => i.Expert == e).ToArray();
            Assert.Equal(loads[e], mine.Sum(i => i.Quota));
            Assert.Single(mine, i => i.Rank == topology.ExpertMaster[e]);
            Assert.Equal(mine.Length, mine.Select(i => i.Rank).Distinct().Count());
            foreach (var replica in mine.Where(i => i.Rank != topology.ExpertMaster[e]))
            {
                Assert.Equal(topology.ExpertMaster[e] / domainSize, replica.Rank / domainSize);
                Assert.True(replica.Quota >= Math.Max(minQuota, 0), $"replica quota {replica.Quota} < {minQuota}");
            }
        }

        for (var r = 0; r < topology.Ranks; r++)
        {
            var replicas = plan.Instances.Count(i => i.Rank == r && topology.ExpertMaster[i.Expert] != r);
            Assert.True(replicas <= topology.RedundantSlotsPerRank, $"rank {r} holds {replicas} replicas");
        }

        Assert.True(plan.Imbalance >= plan.LowerBound - 1e-9, $"imbalance {plan.Imbalance} below bound {plan.LowerBound}");
    }

    /// <summary>
    /// The optimum under UltraEP's rules by enumeration: every choice of replica sets (at most R per rank, same domain,
    /// not on the master), then the best integral quotas by the supply-demand form of Hall's theorem.
    /// </summary>
    private static long BruteForceMaxLoad(MoeTopology topology, long[] loads)
    {
        var experts = topology.Experts;
        var ranks = topology.Ranks;
        var domainSize = ranks / topology.Domains;
        var options = new List<int>[ranks];
        for (var r = 0; r < ranks; r++)
        {
            options[r] = [];
            for (var mask = 0; mask < 1 << experts; mask++)
            {
                var ok = int.PopCount(mask) <= topology.RedundantSlotsPerRank;
                for (var e = 0; e < experts && ok; e++)
                {
                    if ((mask >> e & 1) == 1)
                    {
                        ok = topology.ExpertMaster[e] != r && topology.ExpertMaster[e] / domainSize == r / domainSize;
                    }
                }

                if (ok)
                {
                    options[r].Add(mask);
                }
            }
        }

        var hosts = new int[ranks];
        var best = long.MaxValue;

        void Recurse(int r)
        {
            if (r == ranks)
            {
                long value = 0;
                for (var set = 1; set < 1 << experts; set++)
                {
                    long load = 0;
                    var count = 0;
                    for (var e = 0; e < experts; e++)
                    {
                        load += (set >> e & 1) == 1 ? loads[e] : 0;
                    }

                    for (var rank = 0; rank < ranks; rank++)
                    {
                        var hostsAny = (hosts[rank] & set) != 0;
                        for (var e = 0; e < experts && !hostsAny; e++)
                        {
                            hostsAny = (set >> e & 1) == 1 && topology.ExpertMaster[e] == rank;
                        }

                        count += hostsAny ? 1 : 0;
                    }

                    value = Math.Max(value, (load + count - 1) / count);
                }

                best = Math.Min(best, value);
                return;
            }

            foreach (var mask in options[r])
            {
                hosts[r] = mask;
                Recurse(r + 1);
            }
        }

        Recurse(0);
        return best;
    }

    private static MoeCase Build(int seed, int ranks, int ranksPerDomain, int expertsPerRank, int redundant, int maxTokens)
    {
        var random = new Random(seed);
        var experts = ranks * expertsPerRank;
        var rows = new List<IReadOnlyList<int>>();
        for (var s = 0; s < ranks; s++)
        {
            rows.Add(Enumerable.Range(0, experts).Select(_ => (int)(Math.Pow(random.NextDouble(), 3) * maxTokens)).ToArray());
        }

        var ranksPerNode = Math.Min(2, ranksPerDomain);
        return MoeCase.Create(ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundant, null, [new LayerTokens(rows)]);
    }
}
