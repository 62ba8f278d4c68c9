using Planning.Moe;
using Planning.Moe.UltraEp;

namespace Planning.Native;

/// <summary>
/// What a handle of the C ABI holds: one topology, one policy (<c>ultraep</c> or <c>eplb</c>) and every buffer a
/// balance call needs, sized at setup. A <c>ultraep</c> call allocates nothing (the quota planner and
/// <see cref="RerouteTable"/> reuse their buffers); an <c>eplb</c> call allocates EPLB's own working arrays.
/// </summary>
internal sealed class NativePlanner
{
    private readonly QuotaPlanner? _quota;
    private readonly RerouteTable? _rerouter;
    private readonly long[] _loads;
    private readonly int[] _experts;
    private readonly int[] _ranks;
    private readonly long[] _quotas;
    private readonly long[] _rankLoads;

    private NativePlanner(MoeTopology topology, bool ultraEp, long minReplicaQuota)
    {
        Topology = topology;
        IsUltraEp = ultraEp;
        MinReplicaQuota = minReplicaQuota;
        MaxInstances = ultraEp ? topology.Experts + (topology.Ranks * topology.RedundantSlotsPerRank) : topology.Ranks * topology.SlotsPerRank;

        // Per expert: a local row per instance plus at most one row per (source, instance).
        MaxRoutes = ultraEp ? (long)MaxInstances * (topology.Ranks + 1) : 0;
        _loads = new long[topology.Experts];
        _experts = new int[MaxInstances];
        _ranks = new int[MaxInstances];
        _quotas = new long[MaxInstances];
        _rankLoads = new long[topology.Ranks];
        if (ultraEp)
        {
            _quota = new QuotaPlanner(topology);
            _rerouter = new RerouteTable(topology.Ranks, topology.Experts, MaxInstances);
        }
    }

    /// <summary>The topology.</summary>
    public MoeTopology Topology { get; }

    /// <summary>Whether the policy is <c>ultraep</c> (else <c>eplb</c>).</summary>
    public bool IsUltraEp { get; }

    /// <summary>UltraEP's fewest tokens per replica.</summary>
    public long MinReplicaQuota { get; }

    /// <summary>The most placement rows a plan can have.</summary>
    public int MaxInstances { get; }

    /// <summary>The most reroute rows a plan can have.</summary>
    public long MaxRoutes { get; }

    /// <summary>Checks the topology as <c>plan moe balance</c> checks a case, and sizes the buffers.</summary>
    /// <param name="policy">ultraep or eplb.</param>
    /// <param name="ranks">Ranks.</param>
    /// <param name="ranksPerDomain">Ranks per scale-up domain.</param>
    /// <param name="ranksPerNode">Ranks per node.</param>
    /// <param name="expertsPerRank">Masters per rank.</param>
    /// <param name="redundantSlotsPerRank">Redundant slots per rank.</param>
    /// <param name="expertGroups">EPLB's expert groups; 0 for the number of nodes.</param>
    /// <param name="minReplicaQuota">UltraEP's fewest tokens per replica.</param>
    /// <returns>The planner.</returns>
    /// <exception cref="PlanningInputException">A field is out of range; the message names it.</exception>
    public static NativePlanner Create(string policy, int ranks, int ranksPerDomain, int ranksPerNode, int expertsPerRank, int redundantSlotsPerRank, int expertGroups, long minReplicaQuota)
    {
        if (policy is not ("ultraep" or "eplb"))
        {
            throw new PlanningInputException("policy", $"must be ultraep or eplb, got \"{policy}\"");
        }

        if (expertGroups < 0)
        {
            throw new PlanningInputException("expertGroups", $"must be positive, or 0 for the number of nodes, got {expertGroups}");
        }

        if (ranks <= 0)
        {
            throw new PlanningInputException("ranks", $"must be positive, got {ranks}");
        }

        if (expertsPerRank <= 0)
        {
            throw new PlanningInputException("expertsPerRank", $"must be positive, got {expertsPerRank}");
        }

        if ((long)ranks * expertsPerRank > 1 << 24)
        {
            throw new PlanningInputException("expertsPerRank", $"ranks x expertsPerRank must be at most {1 << 24}, got {(long)ranks * expertsPerRank}");
        }

        new UltraEpOptions { MinReplicaQuota = minReplicaQuota }.Validate();
        var empty = new LayerTokens(Enumerable.Repeat<IReadOnlyList<int>>(new int[ranks * expertsPerRank], ranks).ToArray());
        var moeCase = MoeCase.Create(ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundantSlotsPerRank, expertGroups == 0 ? null : expertGroups, [empty]);
        return new NativePlanner(MoeTopology.From(moeCase), policy == "ultraep", minReplicaQuota);
    }

    /// <summary>Plans one layer into the caller's buffers.</summary>
    /// <param name="tokens">Token counts [source rank][expert], row-major.</param>
    /// <param name="placement">Rows of three: expert, rank, quota.</param>
    /// <param name="rankLoads">One per rank.</param>
    /// <param name="routes">Rows of four: source, expert, instance, tokens.</param>
    /// <param name="withRoutes">Whether to build the reroute table (ultraep); without it the call only plans.</param>
    /// <param name="placementRows">The plan's placement rows.</param>
    /// <param name="routeRows">The plan's reroute rows.</param>
    /// <param name="imbalance">Max over mean rank load, rounded to 6 decimals as the CLI writes it.</param>
    /// <param name="lowerBound">The policy's lower bound on the imbalance, rounded the same way.</param>
    /// <returns>0, or <see cref="NativeStatus.BufferTooSmall"/> when a buffer is short (the row counts say how much is needed).</returns>
    /// <exception cref="PlanningInputException">A count is negative or the lengths do not match the topology.</exception>
    public int Balance(ReadOnlySpan<long> tokens, Span<long> placement, Span<long> rankLoads, Span<long> routes, bool withRoutes, out long placementRows, out long routeRows, out double imbalance, out double lowerBound)
    {
        var topology = Topology;
        var experts = topology.Experts;
        if (tokens.Length != (long)topology.Ranks * experts)
        {
            throw new PlanningInputException("tokens", $"must hold ranks x experts = {topology.Ranks} x {experts} counts, got {tokens.Length}");
        }

        if (rankLoads.Length < topology.Ranks)
        {
            throw new PlanningInputException("rankLoads", $"must hold {topology.Ranks} loads, got room for {rankLoads.Length}");
        }

        Array.Clear(_loads);
        long total = 0;
        for (var s = 0; s < topology.Ranks; s++)
        {
            var row = tokens.Slice(s * experts, experts);
            for (var e = 0; e < experts; e++)
            {
                var count = row[e];
                if ((ulong)count > int.MaxValue)
                {
                    throw new PlanningInputException($"tokens[{s}][{e}]", $"must be a non-negative 32-bit count, got {count}");
                }

                _loads[e] += count;
            }
        }

        foreach (var load in _loads)
        {
            total += load;
        }

        var count2 = IsUltraEp ? PlanUltraEp(total, out lowerBound) : PlanEplb(total, out lowerBound);
        Array.Clear(_rankLoads);
        for (var i = 0; i < count2; i++)
        {
            _rankLoads[_ranks[i]] += _quotas[i];
        }

        _rankLoads.AsSpan().CopyTo(rankLoads);
        imbalance = Math.Round(LoadMath.Imbalance(_rankLoads), 6);
        lowerBound = Math.Round(lowerBound, 6);
        placementRows = count2;
        routeRows = IsUltraEp && withRoutes ? _rerouter!.Route(tokens, _experts.AsSpan(0, count2), _ranks.AsSpan(0, count2), _quotas.AsSpan(0, count2), routes) : 0;
        if (placement.Length < count2 * 3L)
        {
            return NativeStatus.BufferTooSmall;
        }

        for (var i = 0; i < count2; i++)
        {
            placement[3 * i] = _experts[i];
            placement[(3 * i) + 1] = _ranks[i];
            placement[(3 * i) + 2] = _quotas[i];
        }

        return routes.Length < routeRows * 4 ? NativeStatus.BufferTooSmall : NativeStatus.Ok;
    }

    private int PlanUltraEp(long total, out double lowerBound)
    {
        var planner = _quota!;
        planner.Solve(_loads, MinReplicaQuota);
        lowerBound = BalanceBounds.ToImbalance(planner.LowerBound, total, Topology.Ranks);
        var masterQuotas = planner.MasterQuotas;
        var count = 0;
        for (var e = 0; e < Topology.Experts; e++)
        {
            Set(count++, e, Topology.ExpertMaster[e], masterQuotas[e]);
        }

        foreach (var replica in planner.Replicas)
        {
            Set(count++, replica.Expert, replica.Rank, replica.Quota);
        }

        return count;
    }

    private int PlanEplb(long total, out double lowerBound)
    {
        var topology = Topology;
        var result = Eplb.Rebalance(_loads, topology.Ranks * topology.SlotsPerRank, topology.ExpertGroups, topology.Nodes, topology.Ranks);
        for (var slot = 0; slot < result.PhysicalToLogical.Length; slot++)
        {
            var expert = result.PhysicalToLogical[slot];
            Set(slot, expert, slot / topology.SlotsPerRank, LoadMath.EvenShare(_loads[expert], result.LogicalCount[expert], result.ReplicaIndex[slot]));
        }

        lowerBound = BalanceBounds.ToImbalance(BalanceBounds.SlotRulesMaxLoad(topology, _loads), total, topology.Ranks);
        return result.PhysicalToLogical.Length;
    }

    private void Set(int i, int expert, int rank, long quota)
    {
        _experts[i] = expert;
        _ranks[i] = rank;
        _quotas[i] = quota;
    }
}
