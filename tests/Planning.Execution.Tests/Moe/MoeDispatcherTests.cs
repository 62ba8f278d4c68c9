using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Moe;
using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Execution.Tests.Moe;

/// <summary>Dispatching a layer plan's tokens and measuring the simulated all-to-all.</summary>
public sealed class MoeDispatcherTests
{
    // The hand-built case: 2 ranks, 2 experts per rank (experts 0, 1 on rank 0; experts 2, 3 on rank 1), 1 redundant slot.
    //   source rank 0 routes [ 6, 2, 4, 0 ]
    //   source rank 1 routes [10, 0, 1, 3 ]   -> loads e0 = 16, e1 = 2, e2 = 5, e3 = 3; 26 tokens in all.
    // The plan keeps the masters and adds a replica of expert 0 on rank 1, splitting its 16 tokens 8 / 8:
    //   instance 0: e0 on r0, 8   instance 1: e1 on r0, 2   instance 2: e2 on r1, 5   instance 3: e3 on r1, 3
    //   instance 4: e0 on r1, 8   -> rank loads r0 = 10, r1 = 16.
    private static readonly int[][] HandRows = [[6, 2, 4, 0], [10, 0, 1, 3]];

    private static readonly ExpertInstance[] HandInstances =
    [
        new(0, 0, 8), new(1, 0, 2), new(2, 1, 5), new(3, 1, 3), new(0, 1, 8),
    ];

    /// <summary>Generated cases: 4 or 8 ranks, any node and domain sizes that divide them, 1..3 experts and 0..2 redundant slots per rank.</summary>
    /// <returns>Settings for <see cref="MoeCaseGenerator.Generate"/>.</returns>
    public static Arbitrary<MoeWorkloadSettings> GeneratedSettings() =>
        (from ranksLog in Gen.Choose(2, 3)
         from nodeLog in Gen.Choose(0, ranksLog)
         from domainLog in Gen.Choose(nodeLog, ranksLog)
         from expertsPerRank in Gen.Choose(1, 3)
         from redundant in Gen.Choose(0, 2)
         from tokensPerRank in Gen.Choose(64, 512)
         from topK in Gen.Choose(1, 2)
         from imbalancePercent in Gen.Choose(100, 300)
         from seed in Gen.Choose(0, 1_000_000)
         select new MoeWorkloadSettings
         {
             Ranks = 1 << ranksLog,
             RanksPerNode = 1 << nodeLog,
             RanksPerDomain = 1 << domainLog,
             ExpertsPerRank = expertsPerRank,
             RedundantSlotsPerRank = redundant,
             TokensPerRank = tokensPerRank,
             TopK = topK,

             // With top-k, the master imbalance can reach at most ranks / k (k hot experts on k ranks); stay below it.
             TargetImbalance = Math.Min(imbalancePercent / 100.0, 0.9 * (1 << ranksLog) / topK),
             Seed = seed,
         })
        .ToArbitrary();

    [Fact]
    public void Dispatch_HandBuiltTwoRankCase_RoutesLocalFirstThenInRankOrder()
    {
        var (tokens, plan) = HandCase(HandInstances);

        var dispatch = MoeDispatcher.Dispatch(tokens, plan);

        // Expert 0, local first: instance 0 (r0) takes min(6, 8) = 6 of r0's tokens, instance 4 (r1) takes min(10, 8) = 8
        //   of r1's; then the rest: r1's remaining 2 go to instance 0, the first with capacity left (8 - 6 = 2).
        // Expert 1: instance 1 (r0) takes r0's 2.
        // Expert 2: instance 2 (r1) takes r1's 1; then r0's 4 fill its remaining 5 - 1 = 4.
        // Expert 3: instance 3 (r1) takes r1's 3.
        MoeRoute[] expected =
        [
            new(0, 0, 0, 0, 6), new(1, 0, 4, 1, 8), new(1, 0, 0, 0, 2),
            new(0, 1, 1, 0, 2),
            new(1, 2, 2, 1, 1), new(0, 2, 2, 1, 4),
            new(1, 3, 3, 1, 3),
        ];
        Assert.Equal(expected, dispatch.Routes);
        Assert.Equal(2, dispatch.Ranks);
        Assert.Equal(4, dispatch.Experts);
        Assert.Equal(expected[..3], dispatch.RoutesOf(0).ToArray());
        Assert.Equal(expected[6..], dispatch.RoutesOf(3).ToArray());
        Assert.Same(plan, dispatch.Plan);
    }

    [Fact]
    public void Execute_HandBuiltTwoRankCase_MeasuresComputeTrafficAndLocality()
    {
        var (tokens, plan) = HandCase(HandInstances);

        var execution = MoeDispatcher.Execute(tokens, plan);

        // Received: r0 = 6 + 2 (e0) + 2 (e1) = 10; r1 = 8 (e0) + 1 + 4 (e2) + 3 (e3) = 16, the plan's rank loads.
        Assert.Equal(new long[] { 10, 16 }, execution.ReceivedTokens);
        Assert.Equal<long>(plan.RankLoads, execution.ReceivedTokens);

        // Local: r0 keeps 6 (e0) + 2 (e1) = 8; r1 keeps 8 (e0) + 1 (e2) + 3 (e3) = 12; 20 of 26 tokens.
        Assert.Equal(new long[] { 8, 12 }, execution.LocalTokens);

        // Remote: r0 sends its 4 e2 tokens to r1; r1 sends 2 e0 tokens to r0.
        Assert.Equal(new long[] { 4, 2 }, execution.SentRemoteTokens);
        Assert.Equal(new long[] { 2, 4 }, execution.ReceivedRemoteTokens);
        Assert.Equal(2, execution.Traffic.Ranks);
        Assert.Equal(0, execution.Traffic[0, 0]);
        Assert.Equal(4, execution.Traffic[0, 1]);
        Assert.Equal(2, execution.Traffic[1, 0]);
        Assert.Equal(0, execution.Traffic[1, 1]);
        Assert.Equal(new long[] { 2, 0 }, execution.Traffic.Row(1).ToArray());

        Assert.Equal(26, execution.TotalTokens);
        Assert.Equal(6, execution.RemoteTokens);

        // Max / mean = 16 / 13; local fraction = 20 / 26 = 10 / 13.
        Assert.Equal(16.0 / 13.0, execution.ComputeImbalance, 12);
        Assert.Equal(plan.Imbalance, execution.ComputeImbalance, 12);
        Assert.Equal(10.0 / 13.0, execution.LocalFraction, 12);
    }

    [Fact]
    public void Dispatch_TwoInstancesOnTheSourceRank_FillsThemInInstanceOrderBeforeSendingAway()
    {
        // Expert 0 has instances on r0 (quota 5), r0 again (quota 4) and r1 (quota 7): 16 tokens, as loaded.
        // Local: instance 0 takes 5 of r0's 6, instance 1 takes r0's last 1, instance 4 takes 7 of r1's 10.
        // Rest: r1's 3 go to instance 1 (4 - 1 = 3 left).
        var (tokens, plan) = HandCase([new(0, 0, 5), new(0, 0, 4), new(1, 0, 2), new(2, 1, 5), new(0, 1, 7), new(3, 1, 3)]);

        var routes = MoeDispatcher.Dispatch(tokens, plan).RoutesOf(0).ToArray();

        Assert.Equal([new(0, 0, 0, 0, 5), new(0, 0, 1, 0, 1), new(1, 0, 4, 1, 7), new MoeRoute(1, 0, 1, 0, 3)], routes);
    }

    [Fact]
    public void Dispatch_QuotasShortOfLoad_ThrowsNamingTheExpert()
    {
        // The replica of expert 0 serves 7 instead of 8: the quotas sum to 15, the load is 16.
        var (tokens, plan) = HandCase([.. HandInstances[..4], new(0, 1, 7)]);

        var error = Assert.Throws<MoeDispatchException>(() => MoeDispatcher.Dispatch(tokens, plan));

        Assert.IsAssignableFrom<InvalidOperationException>(error);
        Assert.Equal(0, error.Expert);
        Assert.Contains("expert 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("15", error.Message, StringComparison.Ordinal);
        Assert.Contains("16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatch_QuotasAboveLoad_Throws()
    {
        var (tokens, plan) = HandCase([.. HandInstances[..4], new(0, 1, 9)]);

        var error = Assert.Throws<MoeDispatchException>(() => MoeDispatcher.Dispatch(tokens, plan));

        Assert.Equal(0, error.Expert);
    }

    [Fact]
    public void Dispatch_ExpertWithTokensWithoutInstance_Throws()
    {
        // Expert 3 (3 tokens) has no instance.
        var (tokens, plan) = HandCase([.. HandInstances.Where(i => i.Expert != 3)]);

        var error = Assert.Throws<MoeDispatchException>(() => MoeDispatcher.Dispatch(tokens, plan));

        Assert.Equal(3, error.Expert);
        Assert.Contains("no instance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatch_PlanForOtherRankCount_Throws()
    {
        var (tokens, _) = HandCase(HandInstances);
        var other = MoeCase.Create(4, 4, 4, 1, 0, null, [new LayerTokens([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])]);
        var plan = new NoBalancingPolicy().Plan(new MoeLayerProblem(MoeTopology.From(other), other.Layers[0].ExpertLoads));

        var error = Assert.Throws<MoeDispatchException>(() => MoeDispatcher.Dispatch(tokens, plan));

        Assert.Null(error.Expert);
        Assert.Contains("2 source ranks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_LayerWithoutTokens_IsBalancedAndLocal()
    {
        var emptyCase = MoeCase.Create(2, 2, 2, 2, 1, null, [new LayerTokens([new int[4], new int[4]])]);
        var plan = new EplbPolicy().Plan(new MoeLayerProblem(MoeTopology.From(emptyCase), emptyCase.Layers[0].ExpertLoads));

        var execution = MoeDispatcher.Execute(emptyCase.Layers[0], plan);

        Assert.Empty(execution.Dispatch.Routes);
        Assert.Equal(0, execution.TotalTokens);
        Assert.Equal(1.0, execution.ComputeImbalance);
        Assert.Equal(1.0, execution.LocalFraction);
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Dispatch_GeneratedCases_RoutesEveryTokenExactlyOnce(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        foreach (var (policy, plan) in plans)
        {
            var dispatch = MoeDispatcher.Dispatch(tokens, plan);
            var routed = new long[tokens.SourceRanks, tokens.Experts];
            foreach (var route in dispatch.Routes)
            {
                var instance = plan.Instances[route.InstanceIndex];
                Assert.True(route.Tokens > 0, $"{policy}: empty route {route}");
                Assert.Equal(instance.Expert, route.Expert);
                Assert.Equal(instance.Rank, route.TargetRank);
                routed[route.SourceRank, route.Expert] += route.Tokens;
            }

            for (var s = 0; s < tokens.SourceRanks; s++)
            {
                for (var e = 0; e < tokens.Experts; e++)
                {
                    Assert.True(tokens[s, e] == routed[s, e], $"{policy}: source {s}, expert {e} routed {routed[s, e]} of {tokens[s, e]}");
                }
            }

            // The per-expert views partition the routes in order.
            var concatenated = Enumerable.Range(0, dispatch.Experts).SelectMany(e => dispatch.RoutesOf(e).ToArray());
            Assert.Equal(dispatch.Routes, concatenated);
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Dispatch_GeneratedCases_GivesEveryInstanceItsQuota(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        foreach (var (policy, plan) in plans)
        {
            var served = new long[plan.Instances.Length];
            foreach (var route in MoeDispatcher.Dispatch(tokens, plan).Routes)
            {
                served[route.InstanceIndex] += route.Tokens;
            }

            Assert.True(plan.Instances.Select(i => i.Quota).SequenceEqual(served), $"{policy}: served tokens differ from quotas");
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Execute_GeneratedCases_ReceivedEqualsPlanRankLoads(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        foreach (var (policy, plan) in plans)
        {
            var execution = MoeDispatcher.Execute(tokens, plan);
            Assert.True(plan.RankLoads.SequenceEqual(execution.ReceivedTokens), $"{policy}: received differs from the plan's rank loads");
            Assert.Equal(plan.Imbalance, execution.ComputeImbalance, 12);
            Assert.Equal(tokens.ExpertLoads.Sum(), execution.TotalTokens);
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Execute_GeneratedCases_TrafficSumsEqualSentAndReceived(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        foreach (var (policy, plan) in plans)
        {
            var execution = MoeDispatcher.Execute(tokens, plan);
            var ranks = execution.Ranks;
            for (var r = 0; r < ranks; r++)
            {
                long rowSum = 0, columnSum = 0;
                for (var other = 0; other < ranks; other++)
                {
                    rowSum += execution.Traffic[r, other];
                    columnSum += execution.Traffic[other, r];
                }

                Assert.True(execution.SentRemoteTokens[r] == rowSum, $"{policy}: rank {r} sent {execution.SentRemoteTokens[r]}, row sums to {rowSum}");
                Assert.True(execution.ReceivedRemoteTokens[r] == columnSum, $"{policy}: rank {r} received {execution.ReceivedRemoteTokens[r]}, column sums to {columnSum}");
                Assert.Equal(0, execution.Traffic[r, r]);
                Assert.Equal(execution.ReceivedTokens[r], execution.LocalTokens[r] + execution.ReceivedRemoteTokens[r]);
                Assert.Equal(tokens.Row(r).ToArray().Sum(x => (long)x), execution.LocalTokens[r] + execution.SentRemoteTokens[r]);
            }

            Assert.Equal(execution.SentRemoteTokens.Sum(), execution.RemoteTokens);
            var expectedFraction = execution.TotalTokens == 0 ? 1.0 : execution.LocalTokens.Sum() / (double)execution.TotalTokens;
            Assert.Equal(expectedFraction, execution.LocalFraction, 12);
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Execute_NonePlan_KeepsExactlyEachRanksOwnExpertTokensLocal(MoeWorkloadSettings settings)
    {
        var moeCase = MoeCaseGenerator.Generate(settings);
        var tokens = moeCase.Layers[0];
        var plan = new NoBalancingPolicy().Plan(new MoeLayerProblem(MoeTopology.From(moeCase), tokens.ExpertLoads));

        var execution = MoeDispatcher.Execute(tokens, plan);

        for (var s = 0; s < moeCase.Ranks; s++)
        {
            long own = 0, away = 0;
            for (var e = 0; e < moeCase.Experts; e++)
            {
                if (moeCase.MasterRank(e) == s)
                {
                    own += tokens[s, e];
                }
                else
                {
                    away += tokens[s, e];
                }
            }

            Assert.Equal(own, execution.LocalTokens[s]);
            Assert.Equal(away, execution.SentRemoteTokens[s]);
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Execute_GeneratedCases_KeepsAsManyTokensLocalAsTheQuotasAllow(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        foreach (var (policy, plan) in plans)
        {
            var execution = MoeDispatcher.Execute(tokens, plan);
            for (var s = 0; s < tokens.SourceRanks; s++)
            {
                // No routing can keep more than min(tokens, quotas on the source rank) of an expert local.
                long best = 0;
                for (var e = 0; e < tokens.Experts; e++)
                {
                    var localQuota = plan.Instances.Where(i => i.Expert == e && i.Rank == s).Sum(i => i.Quota);
                    best += Math.Min(tokens[s, e], localQuota);
                }

                Assert.True(best == execution.LocalTokens[s], $"{policy}: rank {s} keeps {execution.LocalTokens[s]} local, could keep {best}");
            }
        }

        return true;
    }

    [Property(MaxTest = 20, Arbitrary = [typeof(MoeDispatcherTests)])]
    public bool Dispatch_SameInput_SameRoutes(MoeWorkloadSettings settings)
    {
        var (tokens, plans) = Generate(settings);
        return plans.All(p => MoeDispatcher.Dispatch(tokens, p.Plan).Routes.SequenceEqual(MoeDispatcher.Dispatch(tokens, p.Plan).Routes));
    }

    private static (LayerTokens Tokens, LayerPlan Plan) HandCase(ExpertInstance[] instances)
    {
        var moeCase = MoeCase.Create(2, 2, 2, 2, 1, null, [new LayerTokens(HandRows)]);
        return (moeCase.Layers[0], LayerPlan.Create(MoeTopology.From(moeCase), instances, 1.0));
    }

    private static (LayerTokens Tokens, (string Policy, LayerPlan Plan)[] Plans) Generate(MoeWorkloadSettings settings)
    {
        var moeCase = MoeCaseGenerator.Generate(settings);
        var topology = MoeTopology.From(moeCase);
        var problem = new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads);
        return (moeCase.Layers[0], [("none", new NoBalancingPolicy().Plan(problem)), ("eplb", new EplbPolicy().Plan(problem))]);
    }
}
