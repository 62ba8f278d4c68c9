using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;
using Planning.Moe.UltraEp;

namespace Planning.Tests.Moe;

public sealed class RerouterTests
{
    [Fact]
    public void Route_HandCase_KeepsLocalTokensFirstThenSplitsInProportion()
    {
        // 2 ranks, 1 expert per rank. Expert 0 (master on rank 0) gets 60 tokens from rank 0 and 40 from rank 1;
        // the plan gives the master 50 and a replica on rank 1 50.
        // Local first: rank 0 keeps 50 of its 60 on the master; rank 1 keeps its 40 on the replica.
        // The rest: rank 0's last 10 go to the only room left, the replica's 10.
        var moeCase = MoeCase.Create(2, 2, 2, 1, 1, null, [new LayerTokens([new[] { 60, 0 }, new[] { 40, 0 }])]);
        var topology = MoeTopology.From(moeCase);
        var plan = LayerPlan.Create(topology, [new ExpertInstance(0, 0, 50), new ExpertInstance(1, 1, 0), new ExpertInstance(0, 1, 50)], 1.0);

        var routes = Rerouter.Route(moeCase.Layers[0], plan);

        Assert.Equal([new TokenRoute(0, 0, 0, 50), new TokenRoute(1, 0, 2, 40), new TokenRoute(0, 0, 2, 10)], routes.ToArray());
    }

    [Fact]
    public void Route_RemoteTokens_FollowTheInstancesRoomInProportion()
    {
        // Expert 0 on rank 0 (master, quota 30) and rank 1 (quota 90); rank 2 sends all 120 tokens, none local.
        // Shares 120 x 30/120 = 30 and 120 x 90/120 = 90.
        var moeCase = MoeCase.Create(3, 3, 3, 1, 1, null, [new LayerTokens([new[] { 0, 0, 0 }, new[] { 0, 0, 0 }, new[] { 120, 0, 0 }])]);
        var topology = MoeTopology.From(moeCase);
        var plan = LayerPlan.Create(topology, [new ExpertInstance(0, 0, 30), new ExpertInstance(1, 1, 0), new ExpertInstance(2, 2, 0), new ExpertInstance(0, 1, 90)], 1.0);

        var routes = Rerouter.Route(moeCase.Layers[0], plan);

        Assert.Equal([new TokenRoute(2, 0, 0, 30), new TokenRoute(2, 0, 3, 90)], routes.ToArray());
    }

    [Fact]
    public void Route_QuotasNotCoveringLoad_Throws()
    {
        var moeCase = MoeCase.Create(2, 2, 2, 1, 0, null, [new LayerTokens([new[] { 5, 0 }, new[] { 0, 0 }])]);
        var plan = LayerPlan.Create(MoeTopology.From(moeCase), [new ExpertInstance(0, 0, 4), new ExpertInstance(1, 1, 0)], 1.0);

        Assert.Throws<ArgumentException>(() => Rerouter.Route(moeCase.Layers[0], plan));
    }

    [Property(MaxTest = 60)]
    public Property Route_UltraEpAndEplbPlans_CountsAddUpExactly() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Elements(4, 8).ToArbitrary(),
            Gen.Elements(0, 1).ToArbitrary(),
            (seed, ranks, policyIndex) =>
            {
                var (layer, plan) = RandomPlan(seed, ranks, policyIndex);

                var routes = Rerouter.Route(layer, plan);

                AssertAddsUp(layer, plan, routes);

                if (policyIndex == 0)
                {
                    // UltraEP hosts an expert at most once per rank, so each instance keeps min(local tokens, quota).
                    for (var i = 0; i < plan.Instances.Length; i++)
                    {
                        var instance = plan.Instances[i];
                        var local = routes.Where(r => r.Instance == i && r.SourceRank == instance.Rank).Sum(r => r.Tokens);
                        Assert.Equal(Math.Min(layer[instance.Rank, instance.Expert], instance.Quota), local);
                    }
                }

                return true;
            });

    [Fact]
    public void RouteSpreadingArrivals_HandCase_SendsTheOtherNodesTokensToTheReplicaAndTheNodesOwnToTheMaster()
    {
        // Nodes of 2 ranks: ranks 0 and 1 on node 0, ranks 2 and 3 on node 1. Expert 0 (master on rank 0, quota 150;
        // replica on rank 1, quota 50) gets 20 tokens from rank 0, 30 from rank 1, 100 from rank 2 and 50 from rank 3.
        // The 150 tokens from node 1 arrive over the network; the lowest most-loaded level is 100 on rank 0 and 50 on
        // rank 1 (the replica's whole quota). Then rank 0 keeps its own 20 and takes rank 1's 30 over NVLink.
        // The proportional rule keeps 20 and 30 local first and splits the 150 as 130 : 20, so rank 0 receives 130.
        var moeCase = MoeCase.Create(4, 2, 2, 1, 1, null, [new LayerTokens([new[] { 20, 0, 0, 0 }, new[] { 30, 0, 0, 0 }, new[] { 100, 0, 0, 0 }, new[] { 50, 0, 0, 0 }])]);
        var plan = LayerPlan.Create(MoeTopology.From(moeCase), [new ExpertInstance(0, 0, 150), new ExpertInstance(1, 1, 0), new ExpertInstance(2, 2, 0), new ExpertInstance(3, 3, 0), new ExpertInstance(0, 1, 50)], 1.0);

        var routes = Rerouter.RouteSpreadingArrivals(moeCase.Layers[0], plan, ranksPerNode: 2);

        Assert.Equal([new TokenRoute(0, 0, 0, 20), new TokenRoute(1, 0, 0, 30), new TokenRoute(2, 0, 0, 100), new TokenRoute(3, 0, 4, 50)], routes.ToArray());
        Assert.Equal([100L, 50L, 0L, 0L], Arrivals(moeCase.Layers[0], plan, routes, 2));
        Assert.Equal(130, Arrivals(moeCase.Layers[0], plan, Rerouter.Route(moeCase.Layers[0], plan), 2).Max());
    }

    [Property(MaxTest = 60)]
    public Property RouteSpreadingArrivals_UltraEpAndEplbPlans_CountsAddUpAndNoRankReceivesMoreThanUnderTheProportionalRule() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Elements(4, 8).ToArbitrary(),
            Gen.Elements(0, 1).ToArbitrary(),
            (seed, ranks, policyIndex) =>
            {
                // Nodes of 2 ranks; UltraEP's domain is the node (replicas beside their master), EPLB places anywhere, so
                // its replicated experts span nodes and keep the proportional rows.
                var (layer, plan) = RandomPlan(seed, ranks, policyIndex);

                var routes = Rerouter.RouteSpreadingArrivals(layer, plan, ranksPerNode: 2);

                AssertAddsUp(layer, plan, routes);

                // The proportional table is one feasible split of the same arrivals, so the smallest largest arrival of
                // every node is at most its largest.
                var spread = Arrivals(layer, plan, routes, 2);
                var proportional = Arrivals(layer, plan, Rerouter.Route(layer, plan), 2);
                for (var node = 0; node < ranks / 2; node++)
                {
                    Assert.True(Math.Max(spread[2 * node], spread[(2 * node) + 1]) <= Math.Max(proportional[2 * node], proportional[(2 * node) + 1]), $"node {node}");
                }

                return true;
            });

    /// <summary>A random layer on nodes of 2 ranks and UltraEP's (policy 0) or EPLB's (policy 1) plan for it.</summary>
    private static (LayerTokens Layer, LayerPlan Plan) RandomPlan(int seed, int ranks, int policyIndex)
    {
        var moeCase = CaseFactory.Random(seed, ranks, 2, 2, 1, layers: 1, maxTokens: 300);
        var layer = moeCase.Layers[0];
        IBalancingPolicy policy = policyIndex == 0 ? new UltraEpPolicy() : new EplbPolicy();
        return (layer, policy.Plan(new MoeLayerProblem(MoeTopology.From(moeCase), layer.ExpertLoads)));
    }

    /// <summary>Every row carries tokens; per (source, expert) the rows add up to its tokens and per instance to its quota, each for its own expert.</summary>
    private static void AssertAddsUp(LayerTokens layer, LayerPlan plan, ImmutableArray<TokenRoute> routes)
    {
        Assert.All(routes, r => Assert.True(r.Tokens > 0));
        for (var s = 0; s < layer.SourceRanks; s++)
        {
            for (var e = 0; e < layer.Experts; e++)
            {
                Assert.Equal(layer[s, e], routes.Where(r => r.SourceRank == s && r.Expert == e).Sum(r => r.Tokens));
            }
        }

        for (var i = 0; i < plan.Instances.Length; i++)
        {
            var instance = plan.Instances[i];
            Assert.Equal(instance.Quota, routes.Where(r => r.Instance == i).Sum(r => r.Tokens));
            Assert.All(routes.Where(r => r.Instance == i), r => Assert.Equal(instance.Expert, r.Expert));
        }
    }

    /// <summary>Tokens each rank receives from other nodes under a reroute table.</summary>
    private static long[] Arrivals(LayerTokens layer, LayerPlan plan, IEnumerable<TokenRoute> routes, int ranksPerNode)
    {
        var arrivals = new long[layer.SourceRanks];
        foreach (var route in routes)
        {
            var rank = plan.Instances[route.Instance].Rank;
            if (route.SourceRank / ranksPerNode != rank / ranksPerNode)
            {
                arrivals[rank] += route.Tokens;
            }
        }

        return arrivals;
    }
}
