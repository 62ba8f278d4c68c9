namespace Planning.Moe.UltraEp;

/// <summary>
/// The flow search, the quota planner's last fallback (issue 21): replica placements searched by the cut a maximum flow
/// leaves, every rank both a source and a bin.
/// </summary>
/// <remarks>
/// <para>Once the replicas are placed, the best quotas are a flow problem: load moves from a rank to another along an
/// expert that has an instance (master or replica) on both, as much as the first instance serves, and T is reachable
/// exactly when a maximum flow from the ranks above T to the ranks below it carries all the excess. A rank at T or above
/// passes load on (a relay: it takes a piece of one expert and ships more of another), which is what the optimum of a
/// domain with an idle rank needs and what the pourings, deciding one piece at a time, do not find.</para>
/// <para>When the flow falls short, its residual graph has a cut: the ranks a path from the excess still reaches, and
/// the rest. Any placement that reaches T and holds the current one has a replica of an expert with quota on the
/// reachable side placed on a rank of the other side (otherwise the same cut bounds its flow), so the search branches
/// only on such replicas: depth-first, the roomiest rank and the expert with the most quota on the reachable side
/// first, widening the number of branches tried per node (1, 2, 3, ...) until the node budget runs out. With no budget
/// limit it would be exact; with one it finds plans and never proves there is none.</para>
/// <para>Allocation-free: the flow state and the per-depth candidate lists live in <see cref="FlowScratch"/>, sized
/// at construction for domains of at most <see cref="FlowDomainLimit"/> ranks.</para>
/// </remarks>
internal sealed partial class QuotaPlanner
{
    /// <summary>The largest domain the flow search runs on (the small NVLink domains where the pourings miss most).</summary>
    private const int FlowDomainLimit = 64;

    /// <summary>
    /// Search nodes per threshold the oracle tries on a domain of at most 16 ranks; past it the threshold counts as
    /// missed. Larger domains get proportionally fewer (a node's flow costs about the domain's size), at least
    /// <see cref="FlowNodeFloor"/>.
    /// </summary>
    private const int FlowNodeLimit = 400;

    /// <summary>The fewest search nodes per threshold on any domain.</summary>
    private const int FlowNodeFloor = 100;

    private readonly FlowScratch? _flow;
    private int _flowNodes;
    private bool _flowStale;

    /// <summary>
    /// The flow search at threshold T for one domain; on success the buffers hold its plan (replicas that carry no load
    /// dropped). A plan with a replica below the minimum quota counts as a miss.
    /// </summary>
    private bool SearchFlows(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota)
    {
        var flow = _flow!;
        var first = domain * _domainSize;
        var end = first + _domainSize;
        _flowNodes = Math.Max(FlowNodeFloor, FlowNodeLimit * 16 / Math.Max(16, _domainSize));
        for (var width = 1; _flowNodes > 0; width++)
        {
            flow.ReplicaCount = 0;
            var excess = MaximumFlow(loads, first, end, threshold);
            _flowStale = false;
            if (FlowNode(loads, first, end, threshold, Math.Max(1, minReplicaQuota), 0, width, excess))
            {
                CommitFlow(first, end);
                return true;
            }

            // Width 1 to the domain's slot count covers every branch; past that a wider pass repeats the last.
            if (width >= _domainSize * _topology.RedundantSlotsPerRank)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>
    /// One node: the maximum flow with the replicas placed so far (in the buffers, <paramref name="excess"/> left over),
    /// then at most <paramref name="width"/> branches across its cut. A child starts from its parent's flow and only
    /// augments it (adding a replica never lowers a maximum flow); after a child fails the flow is stale and is computed
    /// again from the masters before the next branch.
    /// </summary>
    private bool FlowNode(ReadOnlySpan<long> loads, int first, int end, long threshold, long minPiece, int depth, int width, long excess)
    {
        if (--_flowNodes < 0)
        {
            return false;
        }

        var flow = _flow!;
        if (excess == 0)
        {
            for (var i = 0; i < flow.ReplicaCount; i++)
            {
                if (flow.ReplicaQuota[i] > 0 && flow.ReplicaQuota[i] < minPiece)
                {
                    return false;
                }
            }

            return true;
        }

        if (flow.ReplicaCount == flow.ReplicaExpert.Length)
        {
            return false;
        }

        // The cut: experts with quota on the reachable side (most quota first) and ranks on the other side with a free
        // redundant slot (most room first), lowest index on ties.
        var n = _domainSize;
        var perRank = _topology.ExpertsPerRank;
        var expertBase = depth * n * perRank;
        var rankBase = depth * n;
        var expertCount = 0;
        var rankCount = 0;
        Array.Clear(flow.Reach);
        for (var a = 0; a < n; a++)
        {
            if (!flow.Marked[a])
            {
                if (_slots[first + a] > 0)
                {
                    var j = rankCount++;
                    while (j > 0 && _load[first + flow.Ranks[rankBase + j - 1]] > _load[first + a])
                    {
                        flow.Ranks[rankBase + j] = flow.Ranks[rankBase + j - 1];
                        j--;
                    }

                    flow.Ranks[rankBase + j] = a;
                }

                continue;
            }

            for (var k = 0; k < perRank; k++)
            {
                flow.Reach[(a * perRank) + k] += _masterQuota[((first + a) * perRank) + k];
            }

            for (var i = flow.RankHead[a]; i >= 0; i = flow.NextOfRank[i])
            {
                flow.Reach[flow.ReplicaExpert[i] - (first * perRank)] += flow.ReplicaQuota[i];
            }
        }

        for (var local = 0; local < n * perRank; local++)
        {
            if (flow.Reach[local] > 0)
            {
                var j = expertCount++;
                while (j > 0 && flow.Reach[flow.Experts[expertBase + j - 1]] < flow.Reach[local])
                {
                    flow.Experts[expertBase + j] = flow.Experts[expertBase + j - 1];
                    j--;
                }

                flow.Experts[expertBase + j] = local;
            }
        }

        // Branches in diagonal order over (rank, expert) so that a narrow pass tries both the roomiest ranks and the
        // largest experts.
        var tried = 0;
        for (var sum = 0; sum <= rankCount + expertCount - 2; sum++)
        {
            for (var ri = Math.Max(0, sum - expertCount + 1); ri <= Math.Min(sum, rankCount - 1); ri++)
            {
                var rank = first + flow.Ranks[rankBase + ri];
                var expert = (first * perRank) + flow.Experts[expertBase + sum - ri];
                if (_topology.ExpertMaster[expert] == rank || flow.Hosts(expert, rank))
                {
                    continue;
                }

                if (_flowStale)
                {
                    MaximumFlow(loads, first, end, threshold);
                    _flowStale = false;
                }

                var r = flow.ReplicaCount;
                PlaceReplica(expert, rank, first);
                if (FlowNode(loads, first, end, threshold, minPiece, depth + 1, width, AugmentAll(first, end, threshold)))
                {
                    return true;
                }

                flow.ReplicaCount = r;
                _flowStale = true;
                if (++tried >= width || _flowNodes <= 0)
                {
                    return false;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Resets the domain to its masters, opens the placed replicas with no quota, and computes a maximum flow (see
    /// <see cref="AugmentAll"/>). Returns the excess the flow could not place.
    /// </summary>
    private long MaximumFlow(ReadOnlySpan<long> loads, int first, int end, long threshold)
    {
        var flow = _flow!;
        ResetDomain(loads, first, end);
        Array.Fill(flow.RankHead, -1);
        Array.Fill(flow.ExpertHead, -1);
        var count = flow.ReplicaCount;
        flow.ReplicaCount = 0;
        for (var i = 0; i < count; i++)
        {
            PlaceReplica(flow.ReplicaExpert[i], flow.ReplicaRank[i], first);
        }

        return AugmentAll(first, end, threshold);
    }

    /// <summary>Pushes a replica of the expert on the rank, with no quota yet, onto the placed replicas and their lists.</summary>
    private void PlaceReplica(int expert, int rank, int first)
    {
        var flow = _flow!;
        var i = flow.ReplicaCount++;
        var a = rank - first;
        var e = expert - (first * _topology.ExpertsPerRank);
        flow.ReplicaExpert[i] = expert;
        flow.ReplicaRank[i] = rank;
        flow.ReplicaQuota[i] = 0;
        _slots[rank]--;
        flow.NextOfRank[i] = flow.RankHead[a];
        flow.RankHead[a] = i;
        flow.NextOfExpert[i] = flow.ExpertHead[e];
        flow.ExpertHead[e] = i;
    }

    /// <summary>
    /// Pushes load along shortest paths from the ranks above T to the ranks below it until none is left (Edmonds-Karp,
    /// from the flow in the buffers). Returns the excess left; <see cref="FlowScratch.Marked"/> then holds the ranks the
    /// last search reached.
    /// </summary>
    private long AugmentAll(int first, int end, long threshold)
    {
        while (true)
        {
            var sink = ShortestPath(first, threshold);
            if (sink < 0)
            {
                break;
            }

            Augment(first, sink, threshold);
        }

        long excess = 0;
        for (var r = first; r < end; r++)
        {
            excess += Math.Max(0, _load[r] - threshold);
        }

        return excess;
    }

    /// <summary>
    /// Breadth-first search from every rank above T along instances that serve load; returns the first rank below T it
    /// reaches (domain-local), or -1. Parents are kept in <see cref="FlowScratch"/>.
    /// </summary>
    private int ShortestPath(int first, long threshold)
    {
        var flow = _flow!;
        var n = _domainSize;
        var perRank = _topology.ExpertsPerRank;
        int head = 0, tail = 0;
        for (var a = 0; a < n; a++)
        {
            flow.Marked[a] = _load[first + a] > threshold;
            if (flow.Marked[a])
            {
                flow.ParentRank[a] = -1;
                flow.Queue[tail++] = a;
            }
        }

        while (head < tail)
        {
            var a = flow.Queue[head++];
            for (var k = 0; k < perRank; k++)
            {
                var e = ((first + a) * perRank) + k;
                if (_masterQuota[e] <= 0)
                {
                    continue;
                }

                for (var i = flow.ExpertHead[e - (first * perRank)]; i >= 0; i = flow.NextOfExpert[i])
                {
                    if (Reach(a, MasterCode(e), flow.ReplicaRank[i] - first, i, first, threshold, ref tail) is var sink && sink >= 0)
                    {
                        return sink;
                    }
                }
            }

            for (var from = flow.RankHead[a]; from >= 0; from = flow.NextOfRank[from])
            {
                if (flow.ReplicaQuota[from] <= 0)
                {
                    continue;
                }

                var e = flow.ReplicaExpert[from];
                if (Reach(a, from, _topology.ExpertMaster[e] - first, MasterCode(e), first, threshold, ref tail) is var home && home >= 0)
                {
                    return home;
                }

                for (var i = flow.ExpertHead[e - (first * perRank)]; i >= 0; i = flow.NextOfExpert[i])
                {
                    if (i != from && Reach(a, from, flow.ReplicaRank[i] - first, i, first, threshold, ref tail) is var sink && sink >= 0)
                    {
                        return sink;
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>Visits rank <paramref name="b"/> from <paramref name="a"/> (load moving from instance <paramref name="from"/> to <paramref name="to"/>); returns b when it is below T.</summary>
    private int Reach(int a, int from, int b, int to, int first, long threshold, ref int tail)
    {
        var flow = _flow!;
        if (flow.Marked[b])
        {
            return -1;
        }

        flow.Marked[b] = true;
        flow.ParentRank[b] = a;
        flow.ParentFrom[b] = from;
        flow.ParentTo[b] = to;
        if (_load[first + b] < threshold)
        {
            return b;
        }

        flow.Queue[tail++] = b;
        return -1;
    }

    /// <summary>Moves as much load as the path to <paramref name="sink"/> carries: the root's excess, the sink's room, every instance's quota on the way.</summary>
    private void Augment(int first, int sink, long threshold)
    {
        var flow = _flow!;
        var amount = threshold - _load[first + sink];
        var root = sink;
        for (var b = sink; flow.ParentRank[b] >= 0; b = flow.ParentRank[b])
        {
            amount = Math.Min(amount, Quota(flow.ParentFrom[b]));
            root = flow.ParentRank[b];
        }

        amount = Math.Min(amount, _load[first + root] - threshold);
        for (var b = sink; flow.ParentRank[b] >= 0; b = flow.ParentRank[b])
        {
            AddQuota(flow.ParentFrom[b], -amount);
            AddQuota(flow.ParentTo[b], amount);
        }

        _load[first + root] -= amount;
        _load[first + sink] += amount;
    }

    /// <summary>Writes the flow's plan into the planner's buffers: its replicas that serve load, each rank's free slots.</summary>
    private void CommitFlow(int first, int end)
    {
        var flow = _flow!;
        for (var i = 0; i < flow.ReplicaCount; i++)
        {
            if (flow.ReplicaQuota[i] > 0)
            {
                _replicas[_replicaCount++] = new ExpertInstance(flow.ReplicaExpert[i], flow.ReplicaRank[i], flow.ReplicaQuota[i]);
            }
            else
            {
                _slots[flow.ReplicaRank[i]]++;
            }
        }
    }

    /// <summary>The instance code of an expert's master (replicas are coded by their index, masters below zero).</summary>
    private static int MasterCode(int expert) => -(expert + 1);

    private long Quota(int instance) => instance < 0 ? _masterQuota[-(instance + 1)] : _flow!.ReplicaQuota[instance];

    private void AddQuota(int instance, long amount)
    {
        if (instance < 0)
        {
            _masterQuota[-(instance + 1)] += amount;
        }
        else
        {
            _flow!.ReplicaQuota[instance] += amount;
        }
    }

    /// <summary>The flow search's scratch: the placed replicas with their quotas and lists, the search's parents and the per-depth candidates.</summary>
    private sealed class FlowScratch
    {
        public FlowScratch(int domainSize, int expertsPerRank, int slotsPerRank)
        {
            var replicas = domainSize * slotsPerRank;
            var experts = domainSize * expertsPerRank;
            ReplicaExpert = new int[replicas];
            ReplicaRank = new int[replicas];
            ReplicaQuota = new long[replicas];
            NextOfRank = new int[replicas];
            NextOfExpert = new int[replicas];
            RankHead = new int[domainSize];
            ExpertHead = new int[experts];
            Marked = new bool[domainSize];
            ParentRank = new int[domainSize];
            ParentFrom = new int[domainSize];
            ParentTo = new int[domainSize];
            Queue = new int[domainSize];
            Reach = new long[experts];
            Experts = new int[(replicas + 1) * experts];
            Ranks = new int[(replicas + 1) * domainSize];
        }

        /// <summary>Placed replicas, a stack the search pushes and pops: expert, rank (global ids) and quota.</summary>
        public int[] ReplicaExpert { get; }

        public int[] ReplicaRank { get; }

        public long[] ReplicaQuota { get; }

        public int ReplicaCount { get; set; }

        /// <summary>Linked lists of the replicas on a rank and of an expert's replicas (domain-local heads).</summary>
        public int[] NextOfRank { get; }

        public int[] NextOfExpert { get; }

        public int[] RankHead { get; }

        public int[] ExpertHead { get; }

        /// <summary>The last breadth-first search: ranks reached, each one's parent and the instances load moves between.</summary>
        public bool[] Marked { get; }

        public int[] ParentRank { get; }

        public int[] ParentFrom { get; }

        public int[] ParentTo { get; }

        public int[] Queue { get; }

        /// <summary>Each domain expert's quota on the reachable side of the cut.</summary>
        public long[] Reach { get; }

        /// <summary>Per depth: the cut's experts (domain-local) and ranks (domain-local), in branching order.</summary>
        public int[] Experts { get; }

        public int[] Ranks { get; }

        /// <summary>Whether a placed replica of the expert is on the rank.</summary>
        public bool Hosts(int expert, int rank)
        {
            for (var i = 0; i < ReplicaCount; i++)
            {
                if (ReplicaExpert[i] == expert && ReplicaRank[i] == rank)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
