using System.Collections.Immutable;

namespace Planning.Moe;

/// <content>Rerouting that spreads the tokens arriving over the network evenly over a node's ranks.</content>
internal static partial class Rerouter
{
    /// <summary>
    /// Builds a reroute table that spreads the tokens that cross the network over the receiving ranks' network links.
    /// Every rank has its own NIC, so a dispatch takes as long as the rank that receives the most from other nodes. The
    /// proportional rule of <see cref="Route"/> keeps each rank's own tokens first and gives every instance the same mix
    /// of the rest, so a replica that keeps its rank's tokens can leave too little of its quota for other nodes' tokens,
    /// which then all arrive at the master's rank while the node's own tokens go to the replicas over NVLink.
    /// </summary>
    /// <remarks>
    /// Experts whose instances all sit on one node (a master and its replicas inside its node, as ReLibra and UltraEP
    /// with the node as the domain place them), node by node: the tokens from other nodes are split over the instances'
    /// quotas so that the most any rank of the node receives over the network is as small as it can be (a max flow,
    /// bisected on that level); then each instance takes its own rank's tokens, and the node's other sources fill what is
    /// left over NVLink. An expert with instances on several nodes keeps the proportional rule's rows, and what they
    /// send over the network counts as received before the split. The counts are exact: per (source, expert)
    /// the routed tokens equal the tokens it holds, and per instance they equal its quota.
    /// </remarks>
    /// <param name="tokens">The layer's routing.</param>
    /// <param name="plan">A plan whose quotas of each expert sum to the expert's load in <paramref name="tokens"/>.</param>
    /// <param name="ranksPerNode">Ranks per node (rank <c>r</c> is on node <c>r / ranksPerNode</c>); positive.</param>
    /// <returns>The routes, by expert.</returns>
    /// <exception cref="ArgumentException">The plan's quotas do not match the tokens.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ranksPerNode"/> is not positive.</exception>
    public static ImmutableArray<TokenRoute> RouteSpreadingArrivals(LayerTokens tokens, LayerPlan plan, int ranksPerNode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranksPerNode);
        var proportional = Route(tokens, plan);
        var instances = plan.Instances;
        var byExpert = new List<int>[tokens.Experts];
        for (var i = 0; i < instances.Length; i++)
        {
            (byExpert[instances[i].Expert] ??= []).Add(i);
        }

        var oneNode = new bool[tokens.Experts];
        for (var e = 0; e < tokens.Experts; e++)
        {
            var mine = byExpert[e];
            oneNode[e] = mine is not null && mine.All(i => instances[i].Rank / ranksPerNode == instances[mine[0]].Rank / ranksPerNode);
        }

        // Network arrivals per rank, starting with the rows kept from the proportional rule.
        var arrivals = new long[tokens.SourceRanks];
        var routes = new List<TokenRoute>(proportional.Length);
        foreach (var route in proportional)
        {
            if (oneNode[route.Expert])
            {
                continue;
            }

            routes.Add(route);
            var rank = instances[route.Instance].Rank;
            if (route.SourceRank / ranksPerNode != rank / ranksPerNode)
            {
                arrivals[rank] += route.Tokens;
            }
        }

        var left = new long[tokens.SourceRanks];
        var nodes = (tokens.SourceRanks + ranksPerNode - 1) / ranksPerNode;
        for (var node = 0; node < nodes; node++)
        {
            var experts = Enumerable.Range(0, tokens.Experts).Where(e => oneNode[e] && instances[byExpert[e][0]].Rank / ranksPerNode == node).ToArray();
            RouteNode(tokens, instances, byExpert, experts, node, ranksPerNode, left, arrivals, routes);
        }

        routes.Sort((a, b) => a.Expert != b.Expert ? a.Expert.CompareTo(b.Expert) : a.Instance != b.Instance ? a.Instance.CompareTo(b.Instance) : a.SourceRank.CompareTo(b.SourceRank));
        return [.. routes];
    }

    /// <summary>
    /// Routes the experts whose instances all sit on <paramref name="node"/>: the tokens from other nodes first, spread
    /// over the instances' quotas (<see cref="SpreadArrivals"/>); then each instance takes its own rank's tokens, and the
    /// node's other sources fill what is left over NVLink. The own rank's tokens are not reserved before the spread: a
    /// replica that kept its rank's tokens could leave too little room for the tokens from other nodes, which would then
    /// all arrive at the master's rank, while the replica's rank could send its own over NVLink instead.
    /// </summary>
    private static void RouteNode(LayerTokens tokens, ImmutableArray<ExpertInstance> instances, List<int>[] byExpert, int[] experts, int node, int ranksPerNode, long[] left, long[] arrivals, List<TokenRoute> routes)
    {
        var quotas = new long[experts.Length][];
        var remote = new long[experts.Length];
        for (var x = 0; x < experts.Length; x++)
        {
            quotas[x] = [.. byExpert[experts[x]].Select(i => instances[i].Quota)];
            for (var s = 0; s < tokens.SourceRanks; s++)
            {
                if (s / ranksPerNode != node)
                {
                    remote[x] += tokens[s, experts[x]];
                }
            }
        }

        var shares = SpreadArrivals(instances, byExpert, experts, quotas, remote, node, ranksPerNode, arrivals);
        for (var x = 0; x < experts.Length; x++)
        {
            var expert = experts[x];
            var mine = byExpert[expert];
            for (var s = 0; s < tokens.SourceRanks; s++)
            {
                left[s] = tokens[s, expert];
            }

            Fill(mine, expert, shares[x], left, s => s / ranksPerNode != node, routes);

            // What is left of each quota takes the node's tokens: its own rank's first, which move nowhere.
            var rest = new long[mine.Count];
            for (var k = 0; k < mine.Count; k++)
            {
                var rank = instances[mine[k]].Rank;
                rest[k] = quotas[x][k] - shares[x][k];
                var take = Math.Min(left[rank], rest[k]);
                if (take > 0)
                {
                    routes.Add(new TokenRoute(rank, expert, mine[k], take));
                    left[rank] -= take;
                    rest[k] -= take;
                }
            }

            Fill(mine, expert, rest, left, s => s / ranksPerNode == node, routes);
        }
    }

    /// <summary>
    /// Splits each expert's tokens from other nodes over its instances' quotas so that the most any rank of the node
    /// receives over the network (on top of <paramref name="arrivals"/>, which it updates) is as small as it can be:
    /// the smallest level T at which a flow (expert, its tokens from other nodes) to (instance, its quota) to (rank,
    /// T minus what it receives already) carries every token, found by bisection with OR-Tools' max flow.
    /// </summary>
    /// <returns>Per expert, per instance, the tokens from other nodes it takes.</returns>
    private static long[][] SpreadArrivals(ImmutableArray<ExpertInstance> instances, List<int>[] byExpert, int[] experts, long[][] quotas, long[] remote, int node, int ranksPerNode, long[] arrivals)
    {
        var first = node * ranksPerNode;
        var ranks = Math.Min(ranksPerNode, arrivals.Length - first);
        var total = remote.Sum();
        var shares = quotas.Select(r => new long[r.Length]).ToArray();
        if (total == 0)
        {
            return shares;
        }

        // The level is at least every rank's arrivals so far and at least their mean once the tokens arrive.
        long low = 0, high = 0, sum = total;
        for (var r = 0; r < ranks; r++)
        {
            low = Math.Max(low, arrivals[first + r]);
            high = Math.Max(high, arrivals[first + r] + total);
            sum += arrivals[first + r];
        }

        low = Math.Max(low, (sum + ranks - 1) / ranks);

        // Nodes of the flow graph: 0 source, 1 sink, then experts, then ranks; one arc per instance.
        bool Carries(long level, bool keep)
        {
            using var flow = new Google.OrTools.Graph.MaxFlow();
            var expertNode = 2;
            var rankNode = 2 + experts.Length;
            var arcs = new int[experts.Length][];
            long supplied = 0;
            for (var x = 0; x < experts.Length; x++)
            {
                flow.AddArcWithCapacity(0, expertNode + x, remote[x]);
                supplied += remote[x];
                var mine = byExpert[experts[x]];
                arcs[x] = new int[mine.Count];
                for (var k = 0; k < mine.Count; k++)
                {
                    arcs[x][k] = flow.AddArcWithCapacity(expertNode + x, rankNode + (instances[mine[k]].Rank - first), quotas[x][k]);
                }
            }

            for (var r = 0; r < ranks; r++)
            {
                flow.AddArcWithCapacity(rankNode + r, 1, level - arrivals[first + r]);
            }

            if (flow.Solve(0, 1) != Google.OrTools.Graph.MaxFlow.Status.OPTIMAL || flow.OptimalFlow() != supplied)
            {
                return false;
            }

            if (keep)
            {
                for (var x = 0; x < experts.Length; x++)
                {
                    for (var k = 0; k < arcs[x].Length; k++)
                    {
                        shares[x][k] = flow.Flow(arcs[x][k]);
                    }
                }
            }

            return true;
        }

        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (Carries(mid, keep: false))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        if (!Carries(low, keep: true))
        {
            throw new InvalidOperationException($"Node {node}: the instances' quotas cannot take the {total} tokens from other nodes.");
        }

        for (var x = 0; x < experts.Length; x++)
        {
            var mine = byExpert[experts[x]];
            for (var k = 0; k < mine.Count; k++)
            {
                arrivals[instances[mine[k]].Rank] += shares[x][k];
            }
        }

        return shares;
    }

    /// <summary>Hands the sources' tokens that <paramref name="from"/> selects to the instances, up to each one's capacity, in order.</summary>
    private static void Fill(List<int> mine, int expert, long[] capacity, long[] left, Func<int, bool> from, List<TokenRoute> routes)
    {
        var k = 0;
        var free = mine.Count > 0 ? capacity[0] : 0;
        for (var s = 0; s < left.Length; s++)
        {
            if (!from(s))
            {
                continue;
            }

            while (left[s] > 0)
            {
                while (free == 0)
                {
                    k++;
                    free = capacity[k];
                }

                var take = Math.Min(left[s], free);
                routes.Add(new TokenRoute(s, expert, mine[k], take));
                left[s] -= take;
                free -= take;
            }
        }
    }
}
