namespace Planning.Moe.UltraEp;

/// <summary>
/// UltraEP's quota planner, the allocation-free core of the <c>ultraep</c> policy. Rules: every master stays on its rank;
/// replicas go only into the redundant slots of other ranks in the master's scale-up domain, at most one copy of an
/// expert per rank and at most <c>redundantSlotsPerRank</c> replicas per rank; quotas are integers that sum to the
/// expert's load.
/// </summary>
/// <remarks>
/// <para>Each domain is planned on its own (replicas never leave it). The planner looks for the smallest rank-load
/// threshold T its feasibility oracle can reach, to a resolution of 1/2000 of the bound: first the domain's lower
/// bound, then one resolution step above it (the fast path), then steps that double until the oracle succeeds (it
/// always does at the masters-only load), then a binary search between the last failure and the first success.</para>
/// <para>The oracle at T visits the ranks above T, largest excess first, and moves their excess off their heaviest
/// masters first, each piece to a rank of the domain with room below T, a free redundant slot and no copy of that
/// expert yet: first by best fit (the tightest rank that holds the whole piece, so big pieces are not cut and slots are
/// not spent on slivers), and if best fit cannot reach T, by worst fit (always the rank with the most room). Lowest
/// rank on ties. A piece takes as much as the excess, the master's remaining quota and the target's room allow, and
/// never less than the minimum replica quota.</para>
/// <para>When both pourings fail, the oracle fills bins (issue 21): the ranks below T one at a time, roomiest or tightest
/// first, each bin's last slot given to the master that fills it, if need be shipping more than its rank's excess so that
/// its rank, with free slots of its own, takes others' pieces (a chain; see <c>FillBins</c>); five orders. On domains of
/// at most 16 ranks a bounded depth-first search over the same moves follows (<c>SearchBins</c>, at most 2,000 nodes per
/// domain and solve), and last the flow search (<c>SearchFlows</c>: replica placements branched across the cut of a
/// maximum flow in which every rank is both a source and a bin, at most 400 flows per threshold; the relay chains of a
/// domain with an idle rank). The bin filling runs on domains of at most 64 ranks (EP256 in one domain keeps its
/// latency). Pouring decides piece by piece and spends a bin's last slot on a sliver of the master it is cutting; with
/// few slots per rank and the load on one rank that failed at thresholds a plan reaches (UltraEP's own test case: 1.0769
/// for an optimum of 1.0000). The fallbacks run only when the pouring search ends more than a resolution step above the
/// bound, in a second search from the bound, so a layer pouring plans within a step of its bound costs what it did.
/// When even that search ends more than a step above the bound on a domain of at most 16 ranks, the plan's placement is
/// annealed against the excess a maximum flow leaves at the bound (<c>Anneal</c>, at most 3,000 flows per domain), and
/// kept only if it reaches a lower threshold.</para>
/// <para>The target ranks are found in an ordered index of the domain's ranks with a free redundant slot, keyed by
/// (load, rank): best fit is a binary search for the largest load at most <c>T - piece</c>, worst fit the first entry,
/// each skipping only the master and the ranks that already hold the expert; moving a piece re-keys two ranks (a
/// binary search and a block move each). This picks exactly the rank the plain scan over the domain picks (issue 16:
/// 0.4-0.9 ms at EP256 became the scan's cost per piece, O(domain)); the scan remains for incremental plans and for
/// loads too large for the packed key.</para>
/// <para>Incremental planning: with a previous placement, ranks that already hold a replica of the expert are tried
/// first, so a plan can reuse weights in place.</para>
/// <para>One instance serves one thread; the buffers are sized for one topology and reused, so a solve allocates
/// nothing.</para>
/// </remarks>
internal sealed partial class QuotaPlanner
{
    private const long SearchResolution = 2000;

    /// <summary>The largest domain the bounded search runs on (the grid's small NVLink domains: 4, 8 and 16 ranks).</summary>
    private const int SearchDomainLimit = 16;

    /// <summary>
    /// Nodes the bounded search may visit per domain and solve, over all the thresholds it tries; past it a threshold the
    /// fillings miss counts as missed. Bounds the search's cost to about a millisecond per domain.
    /// </summary>
    private const int SearchNodeLimit = 2000;

    /// <summary>
    /// The largest domain the bin filling runs on: EP64 in one domain and smaller. A larger domain has enough ranks with
    /// room that pouring alone stays near the bound, and the filling's scans would cost EP256 its latency (issue 16).
    /// </summary>
    private const int FillDomainLimit = 64;

    private readonly MoeTopology _topology;
    private readonly int _domainSize;
    private readonly long[] _load;
    private readonly long[] _masterQuota;
    private readonly int[] _slots;
    private readonly int[] _overloaded;
    private readonly int[] _masterOrder;
    private readonly ExpertInstance[] _replicas;
    private readonly bool[] _previous;
    private readonly long[] _index;
    private readonly long[] _baseIndex;
    private readonly long[] _sinkKeys;
    private readonly int[] _items;
    private readonly bool _greedyOnly;
    private readonly int[] _binOrder;
    private readonly long[] _topLoads;
    private readonly int[] _topExperts;
    private readonly long[] _capacities;
    private int _searchNodes;
    private bool _fullOracle;
    private int _searchBins;
    private int _searchItems;
    private long _searchMinPiece;
    private int _indexCount;
    private int _baseIndexCount;
    private int _baseDomain = -1;
    private bool _useIndex;
    private int _replicaCount;
    private bool _hasPrevious;

    /// <summary>Creates a planner for one topology.</summary>
    /// <param name="topology">The topology.</param>
    public QuotaPlanner(MoeTopology topology)
        : this(topology, greedyOnly: false)
    {
    }

    /// <summary>Creates a planner for one topology, optionally with the greedy oracle alone (the plans before issue 21).</summary>
    /// <param name="topology">The topology.</param>
    /// <param name="greedyOnly">Use only the best-fit / worst-fit pouring, not the bin-filling fallback.</param>
    internal QuotaPlanner(MoeTopology topology, bool greedyOnly)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _greedyOnly = greedyOnly;
        _topology = topology;
        _domainSize = topology.Ranks / topology.Domains;
        _load = new long[topology.Ranks];
        _masterQuota = new long[topology.Experts];
        _slots = new int[topology.Ranks];
        _overloaded = new int[topology.Ranks];
        _masterOrder = new int[topology.ExpertsPerRank];
        _replicas = new ExpertInstance[topology.Ranks * topology.RedundantSlotsPerRank];
        _previous = new bool[topology.Experts * topology.Ranks];
        _index = new long[_domainSize];
        _baseIndex = new long[_domainSize];
        _sinkKeys = new long[_domainSize];
        _items = new int[_domainSize * topology.ExpertsPerRank];
        _binOrder = new int[_domainSize];
        _topLoads = new long[topology.RedundantSlotsPerRank + topology.ExpertsPerRank];
        _topExperts = new int[_topLoads.Length];
        _capacities = new long[_domainSize];
        if (_domainSize <= FlowDomainLimit && topology.RedundantSlotsPerRank > 0)
        {
            _flow = new FlowScratch(_domainSize, topology.ExpertsPerRank, topology.RedundantSlotsPerRank);
        }

        if (!greedyOnly && _domainSize <= AnnealDomainLimit && topology.RedundantSlotsPerRank > 0)
        {
            _annealSlots = new int[_domainSize * topology.RedundantSlotsPerRank];
            _annealBest = new int[_annealSlots.Length];
        }
    }

    /// <summary>The topology the planner is sized for.</summary>
    public MoeTopology Topology => _topology;

    /// <summary>The largest rank load of the last solve.</summary>
    public long MaxRankLoad { get; private set; }

    /// <summary>The lower bound on the largest rank load of the last solve (the domain and slot bound).</summary>
    public long LowerBound { get; private set; }

    /// <summary>The replicas of the last solve.</summary>
    public ReadOnlySpan<ExpertInstance> Replicas => _replicas.AsSpan(0, _replicaCount);

    /// <summary>Each master's quota in the last solve (indexed by expert).</summary>
    public ReadOnlySpan<long> MasterQuotas => _masterQuota;

    /// <summary>Each rank's load in the last solve.</summary>
    public ReadOnlySpan<long> RankLoads => _load;

    /// <summary>Sets the replicas already in place (from the previous microbatch's plan), or clears them.</summary>
    /// <param name="previous">The previous plan's instances; masters among them are ignored. Empty to clear.</param>
    public void SetPrevious(ReadOnlySpan<ExpertInstance> previous)
    {
        Array.Clear(_previous);
        _hasPrevious = false;
        foreach (var instance in previous)
        {
            if (instance.Rank != _topology.ExpertMaster[instance.Expert])
            {
                _previous[(instance.Expert * _topology.Ranks) + instance.Rank] = true;
                _hasPrevious = true;
            }
        }
    }

    /// <summary>Whether the previous placement (see <see cref="SetPrevious"/>) had a replica of the expert on the rank.</summary>
    /// <param name="expert">The expert.</param>
    /// <param name="rank">The rank.</param>
    /// <returns><see langword="true"/> when that replica is already in place.</returns>
    public bool WasInPlace(int expert, int rank) => _previous[(expert * _topology.Ranks) + rank];

    /// <summary>Plans one layer: the smallest threshold the oracle reaches in every domain.</summary>
    /// <param name="loads">Each expert's load.</param>
    /// <param name="minReplicaQuota">The fewest tokens a replica may serve.</param>
    /// <param name="preferPrevious">Try ranks that held a replica of the expert before first.</param>
    /// <returns>The largest rank load of the plan.</returns>
    public long Solve(ReadOnlySpan<long> loads, long minReplicaQuota = 0, bool preferPrevious = false)
    {
        if (loads.Length != _topology.Experts)
        {
            throw new ArgumentException($"Expected {_topology.Experts} expert loads, got {loads.Length}.", nameof(loads));
        }

        var usePrevious = preferPrevious && _hasPrevious;
        long best = 0, bound = 0;
        _replicaCount = 0;
        _baseDomain = -1;
        for (var domain = 0; domain < _topology.Domains; domain++)
        {
            var (domainBest, domainBound) = SolveDomain(loads, domain, minReplicaQuota, usePrevious);

            // The search may have ended on a failed probe: pour once more at the best threshold to keep its plan (with the
            // bounded search's budget renewed: it is deterministic, so it finds the same plan again).
            _searchNodes = SearchNodeLimit;
            Pour(loads, domain, domainBest, minReplicaQuota, usePrevious);
            domainBest = Anneal(loads, domain, domainBest, domainBound, minReplicaQuota, usePrevious);
            best = Math.Max(best, domainBest);
            bound = Math.Max(bound, domainBound);
        }

        MaxRankLoad = best;
        LowerBound = bound;
        return best;
    }

    /// <summary>
    /// Plans one layer at a fixed threshold in every domain (for incremental plans that accept a slightly higher load to
    /// keep replicas in place).
    /// </summary>
    /// <param name="loads">Each expert's load.</param>
    /// <param name="threshold">The rank-load threshold.</param>
    /// <param name="minReplicaQuota">The fewest tokens a replica may serve.</param>
    /// <param name="preferPrevious">Try ranks that held a replica of the expert before first.</param>
    /// <returns>Whether the oracle reached the threshold everywhere; the plan is kept only then.</returns>
    public bool SolveAt(ReadOnlySpan<long> loads, long threshold, long minReplicaQuota, bool preferPrevious)
    {
        _replicaCount = 0;
        _baseDomain = -1;
        for (var domain = 0; domain < _topology.Domains; domain++)
        {
            _searchNodes = SearchNodeLimit;
            _fullOracle = !_greedyOnly;
            if (!Pour(loads, domain, threshold, minReplicaQuota, preferPrevious && _hasPrevious))
            {
                return false;
            }
        }

        long max = 0;
        foreach (var load in _load)
        {
            max = Math.Max(max, load);
        }

        MaxRankLoad = max;
        return true;
    }

    /// <summary>The lower bound on the largest rank load under UltraEP's rules for one domain.</summary>
    private long DomainBound(ReadOnlySpan<long> loads, int domain, out long mastersOnly)
    {
        var first = domain * _domainSize;
        long total = 0, heaviest = 0;
        mastersOnly = 0;
        for (var r = first; r < first + _domainSize; r++)
        {
            long rankLoad = 0;
            for (var k = 0; k < _topology.ExpertsPerRank; k++)
            {
                var load = loads[(r * _topology.ExpertsPerRank) + k];
                rankLoad += load;
                heaviest = Math.Max(heaviest, load);
            }

            total += rankLoad;
            mastersOnly = Math.Max(mastersOnly, rankLoad);
        }

        if (_topology.RedundantSlotsPerRank == 0 || _domainSize == 1)
        {
            return mastersOnly;
        }

        // An expert has its master plus at most one replica on each other rank of the domain, and no more replicas
        // than the domain has redundant slots.
        var copies = 1 + Math.Min(_domainSize - 1, _domainSize * _topology.RedundantSlotsPerRank);
        var bound = Math.Max(LoadMath.CeilDiv(total, _domainSize), LoadMath.CeilDiv(heaviest, copies));

        // The greedy-only planner keeps the bound (and so the plans) of before issue 21's slot bound.
        return _greedyOnly ? bound : Math.Max(bound, SlotBound(loads, domain, total));
    }

    /// <summary>
    /// The slot bound (issue 21): a rank ends with at most its masters' load plus, in each redundant slot, a piece of one
    /// expert of another rank, so at most <c>cap = masters + the R largest loads of other ranks' experts</c>; T must then
    /// satisfy <c>sum over ranks of min(T, cap) >= total</c>. The smallest such T, by water filling over the sorted caps.
    /// It binds when a rank is idle or nearly so (its slots cannot take the mean), where the mean bound is far below the
    /// optimum and the threshold search would otherwise spend its probes below the bound.
    /// </summary>
    private long SlotBound(ReadOnlySpan<long> loads, int domain, long total)
    {
        var first = domain * _domainSize;
        var perRank = _topology.ExpertsPerRank;
        var slots = _topology.RedundantSlotsPerRank;

        // The domain's R + M largest expert loads (a rank's R largest foreign experts are among them), largest first.
        var top = 0;
        for (var e = first * perRank; e < (first + _domainSize) * perRank; e++)
        {
            var load = loads[e];
            if (top == _topLoads.Length && load <= _topLoads[top - 1])
            {
                continue;
            }

            var j = top == _topLoads.Length ? top - 1 : top++;
            while (j > 0 && _topLoads[j - 1] < load)
            {
                _topLoads[j] = _topLoads[j - 1];
                _topExperts[j] = _topExperts[j - 1];
                j--;
            }

            _topLoads[j] = load;
            _topExperts[j] = e;
        }

        for (var r = first; r < first + _domainSize; r++)
        {
            long cap = 0;
            for (var k = 0; k < perRank; k++)
            {
                cap += loads[(r * perRank) + k];
            }

            var taken = 0;
            for (var i = 0; i < top && taken < slots; i++)
            {
                if (_topology.ExpertMaster[_topExperts[i]] != r)
                {
                    cap += _topLoads[i];
                    taken++;
                }
            }

            _capacities[r - first] = cap;
        }

        // Water filling: the ranks whose cap is below T hold their cap, the rest T each.
        var capacities = _capacities.AsSpan(0, _domainSize);
        ShellSort(capacities);
        long placed = 0;
        for (var i = 0; i < capacities.Length; i++)
        {
            var level = LoadMath.CeilDiv(total - placed, capacities.Length - i);
            if (level <= capacities[i])
            {
                return level;
            }

            placed += capacities[i];
        }

        // Unreachable: every cap is at least its rank's load, so the largest cap holds the rest.
        return capacities[^1];
    }

    private (long Best, long Bound) SolveDomain(ReadOnlySpan<long> loads, int domain, long minReplicaQuota, bool preferPrevious)
    {
        // bound <= high always: the domain mean and an expert's share never exceed the busiest master rank.
        var bound = DomainBound(loads, domain, out var high);
        _searchNodes = SearchNodeLimit;
        _fullOracle = false;
        if (high <= bound || Pour(loads, domain, bound, minReplicaQuota, preferPrevious))
        {
            return (bound, bound);
        }

        // Fast path one resolution step above the bound, then doubling steps up to the masters-only load (always
        // reachable). The search stops at a resolution of 1/2000 of the bound (0.05 % of imbalance): finer steps cost
        // oracle runs on the critical path and buy nothing a rank would notice.
        var resolution = Math.Max(1, bound / SearchResolution);
        var low = bound;
        var step = resolution;
        var candidate = bound + step;
        while (candidate < high && !Pour(loads, domain, candidate, minReplicaQuota, preferPrevious))
        {
            low = candidate;
            step *= 2;
            candidate = bound + step;
        }

        var feasible = Math.Min(candidate, high);

        // Binary search in (low, feasible]: low failed, feasible succeeded (or is the masters-only load).
        feasible = BinarySearch(loads, domain, low, feasible, resolution, minReplicaQuota, preferPrevious);

        // Pouring stopped more than a step above the bound: search again from the bound with the bin filling and the
        // bounded search (issue 21). A layer that pouring plans within a step of its bound (EP64 in one domain, as
        // deployed) never pays for them.
        if (!_greedyOnly && feasible - bound > resolution)
        {
            _fullOracle = true;
            feasible = Pour(loads, domain, bound, minReplicaQuota, preferPrevious)
                ? bound
                : BinarySearch(loads, domain, bound, feasible, resolution, minReplicaQuota, preferPrevious);
        }

        return (feasible, bound);
    }

    /// <summary>The smallest threshold in (<paramref name="low"/>, <paramref name="feasible"/>] the oracle reaches, to the resolution.</summary>
    private long BinarySearch(ReadOnlySpan<long> loads, int domain, long low, long feasible, long resolution, long minReplicaQuota, bool preferPrevious)
    {
        while (feasible - low > resolution)
        {
            var mid = low + ((feasible - low) / 2);
            if (Pour(loads, domain, mid, minReplicaQuota, preferPrevious))
            {
                feasible = mid;
            }
            else
            {
                low = mid;
            }
        }

        return feasible;
    }

    /// <summary>
    /// The feasibility oracle for one domain at threshold T: best-fit pouring, then worst-fit pouring when best fit
    /// fails. On success the buffers hold the plan.
    /// </summary>
    private bool Pour(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota, bool preferPrevious) =>
        Pour(loads, domain, threshold, minReplicaQuota, preferPrevious, bestFit: true)
        || Pour(loads, domain, threshold, minReplicaQuota, preferPrevious, bestFit: false)
        || (_fullOracle && _domainSize <= FillDomainLimit && FillBins(loads, domain, threshold, minReplicaQuota))
        || (_fullOracle && _domainSize <= SearchDomainLimit && _searchNodes > 0 && SearchBins(loads, domain, threshold, minReplicaQuota))
        || (_fullOracle && _flow is not null && SearchFlows(loads, domain, threshold, minReplicaQuota));

    /// <summary>
    /// The bin-filling fallback, tried when both pourings fail: the four orders of <see cref="FillBins(ReadOnlySpan{long}, int, long, long, bool, bool, bool)"/>, then every slot filled by the master that fills it best.
    /// </summary>
    private bool FillBins(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota) =>
        FillBins(loads, domain, threshold, minReplicaQuota, roomiestFirst: true, continuePiece: true)
        || FillBins(loads, domain, threshold, minReplicaQuota, roomiestFirst: true, continuePiece: false)
        || FillBins(loads, domain, threshold, minReplicaQuota, roomiestFirst: false, continuePiece: true)
        || FillBins(loads, domain, threshold, minReplicaQuota, roomiestFirst: false, continuePiece: false)
        || FillBins(loads, domain, threshold, minReplicaQuota, roomiestFirst: true, continuePiece: false, fillEverySlot: true);

    /// <summary>
    /// Resets the domain to the masters-only plan: drops its replicas from an earlier oracle run (keeping other
    /// domains'), gives every master its whole load and every rank all its redundant slots.
    /// </summary>
    private void ResetDomain(ReadOnlySpan<long> loads, int first, int end)
    {
        var kept = 0;
        for (var i = 0; i < _replicaCount; i++)
        {
            if (_replicas[i].Rank < first || _replicas[i].Rank >= end)
            {
                _replicas[kept++] = _replicas[i];
            }
        }

        _replicaCount = kept;
        var perRank = _topology.ExpertsPerRank;
        for (var r = first; r < end; r++)
        {
            long rankLoad = 0;
            for (var k = 0; k < perRank; k++)
            {
                var e = (r * perRank) + k;
                _masterQuota[e] = loads[e];
                rankLoad += loads[e];
            }

            _load[r] = rankLoad;
            _slots[r] = _topology.RedundantSlotsPerRank;
        }
    }

    /// <summary>
    /// The bin-filling oracle at threshold T (issue 21). Every rank with a free redundant slot is a bin (room
    /// <c>T - load</c>, the slots as its cardinality): first the ranks below T, roomiest or tightest first, then the ranks
    /// above T, which become bins when they ship more than their excess. The ranks above T are sources, each with its
    /// excess over T to ship, from its masters in any split. A bin takes pieces until it is full or has one slot left: a
    /// piece from the master cut last (<paramref name="continuePiece"/>: next fit over the masters laid end to end, which
    /// cuts each master into pieces on consecutive bins) or from the master that can ship the most. Its last slot goes to
    /// the master that fills it: one that ships no more than its rank's excess when one can, else the one with the
    /// largest remaining quota on any rank, whose rank then ships more than its excess (or, below T, gets roomier) and has
    /// that much room for others' pieces in its own free slots (a chain: the optimum of issue 21's 8-rank, one-slot cases
    /// needs it, and so does a domain with an idle rank, whose few slots take whole masters). With
    /// <paramref name="fillEverySlot"/> every slot is filled that way (an idle rank's slots take the largest masters).
    /// </summary>
    /// <remarks>
    /// Where the greedy pouring fails (UltraEP's public test case: one hot rank, 4 masters and 2 redundant slots on 4
    /// ranks), the failure is a bin whose last slot takes a sliver of the master being cut, or a master split where
    /// another fills the bin; filling by bins keeps every slot's piece as large as the bin needs. Allocation-free: the
    /// bins and the movable masters live in scratch arrays sized at construction.
    /// </remarks>
    private bool FillBins(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota, bool roomiestFirst, bool continuePiece, bool fillEverySlot = false)
    {
        var minPiece = Math.Max(1, minReplicaQuota);
        if (!PrepareBins(loads, domain, threshold, minPiece, roomiestFirst, out var excess, out var binCount, out var itemCount))
        {
            return excess == 0;
        }

        var current = -1;
        for (var b = 0; b < binCount && excess > 0; b++)
        {
            var bin = _binOrder[b];
            var binStart = _replicaCount;
            while (_slots[bin] > 0 && threshold - _load[bin] >= minPiece && excess > 0)
            {
                var cap = threshold - _load[bin];
                var pick = -1;
                long pickAmount = 0;
                if (_slots[bin] > 1 && !fillEverySlot)
                {
                    if (continuePiece && current >= 0 && Allowed(current, bin, binStart))
                    {
                        var amount = Movable(current, threshold);
                        if (amount >= minPiece)
                        {
                            pick = current;
                            pickAmount = amount;
                        }
                    }

                    if (pick < 0)
                    {
                        (pick, pickAmount) = MostMovable(itemCount, bin, binStart, threshold, minPiece);
                    }
                }
                else
                {
                    (pick, pickAmount) = BestFill(itemCount, bin, binStart, threshold, cap, minPiece);
                }

                if (pick < 0)
                {
                    break;
                }

                excess -= Ship(pick, bin, Math.Min(cap, pickAmount), threshold);
                current = pick;
            }
        }

        return excess <= 0;
    }

    /// <summary>
    /// Resets the domain and lists the bins in <c>_binOrder</c> (ranks below T with room for a piece, roomiest or tightest
    /// first, lowest rank on ties; then the others, in rank order) and the domain's masters with at least a piece of quota
    /// in <c>_items</c>, rank by rank. False when there is nothing to do (<paramref name="excess"/> 0) or no plan can
    /// exist: no redundant slots, less room than excess, or a load too large for the packed key.
    /// </summary>
    private bool PrepareBins(ReadOnlySpan<long> loads, int domain, long threshold, long minPiece, bool roomiestFirst, out long excess, out int binCount, out int itemCount)
    {
        var first = domain * _domainSize;
        var end = first + _domainSize;
        var perRank = _topology.ExpertsPerRank;
        ResetDomain(loads, first, end);
        excess = 0;
        binCount = 0;
        itemCount = 0;
        var sinkCount = 0;
        long room = 0;
        for (var r = first; r < end; r++)
        {
            for (var k = 0; k < perRank; k++)
            {
                var e = (r * perRank) + k;
                if (_masterQuota[e] >= minPiece)
                {
                    _items[itemCount++] = e;
                }
            }

            if (_load[r] > threshold)
            {
                excess += _load[r] - threshold;
            }
            else if (threshold - _load[r] >= minPiece)
            {
                if (_load[r] > (long.MaxValue / _domainSize) - 1)
                {
                    excess = -1;
                    return false;
                }

                room += threshold - _load[r];
                _sinkKeys[sinkCount++] = (_load[r] * _domainSize) + (r - first);
            }
        }

        if (excess == 0 || room < excess || _topology.RedundantSlotsPerRank == 0)
        {
            return false;
        }

        ShellSort(_sinkKeys.AsSpan(0, sinkCount));
        for (var b = 0; b < sinkCount; b++)
        {
            _binOrder[binCount++] = first + (int)(_sinkKeys[roomiestFirst ? b : sinkCount - 1 - b] % _domainSize);
        }

        // Then the ranks without room now: they have some once they ship more than their excess.
        for (var r = first; r < end; r++)
        {
            if (threshold - _load[r] < minPiece)
            {
                _binOrder[binCount++] = r;
            }
        }

        return true;
    }

    /// <summary>Moves <paramref name="piece"/> of the expert to a new replica on the bin; returns how much of the excess it ships.</summary>
    private long Ship(int expert, int bin, long piece, long threshold)
    {
        var source = _topology.ExpertMaster[expert];
        var shipped = Math.Clamp(_load[source] - threshold, 0, piece);
        _replicas[_replicaCount++] = new ExpertInstance(expert, bin, piece);
        _masterQuota[expert] -= piece;
        _load[source] -= piece;
        _load[bin] += piece;
        _slots[bin]--;
        return shipped;
    }

    /// <summary>Undoes the last <see cref="Ship"/> of the expert to the bin.</summary>
    private void Unship(int expert, int bin, long piece)
    {
        _replicaCount--;
        _masterQuota[expert] += piece;
        _load[_topology.ExpertMaster[expert]] += piece;
        _load[bin] -= piece;
        _slots[bin]++;
    }

    /// <summary>Whether the expert may get a replica on the bin: not its master's rank, not there yet.</summary>
    private bool Allowed(int expert, int bin, int binStart) => _topology.ExpertMaster[expert] != bin && !InBin(expert, binStart);

    /// <summary>The listed master that can ship the most within its rank's excess (lowest expert on ties), or -1.</summary>
    private (int Expert, long Amount) MostMovable(int itemCount, int bin, int binStart, long threshold, long minPiece)
    {
        int pick = -1;
        long pickAmount = 0;
        for (var i = 0; i < itemCount; i++)
        {
            var e = _items[i];
            var amount = Movable(e, threshold);
            if (amount >= minPiece && amount > pickAmount && Allowed(e, bin, binStart))
            {
                pick = e;
                pickAmount = amount;
            }
        }

        return (pick, pickAmount);
    }

    /// <summary>
    /// The listed master that fills the bin's room best: the most it can put there (its remaining quota, over its rank's
    /// excess if need be), then the most within the excess (so a rank ships beyond its excess only when that fills more);
    /// lowest expert on ties. Returns the piece's size, or -1.
    /// </summary>
    private (int Expert, long Amount) BestFill(int itemCount, int bin, int binStart, long threshold, long cap, long minPiece)
    {
        int pick = -1;
        long pickFill = 0, pickMovable = 0;
        for (var i = 0; i < itemCount; i++)
        {
            var e = _items[i];
            var fill = Math.Min(cap, _masterQuota[e]);
            if (fill < minPiece || !Allowed(e, bin, binStart))
            {
                continue;
            }

            var movable = Math.Min(Math.Max(0, Movable(e, threshold)), cap);
            if (fill > pickFill || (fill == pickFill && movable > pickMovable))
            {
                pick = e;
                pickFill = fill;
                pickMovable = movable;
            }
        }

        return (pick, pickFill);
    }

    /// <summary>
    /// The bounded search, last resort on domains of at most <see cref="SearchDomainLimit"/> ranks: a depth-first search
    /// over the same bins (roomiest first, then the ranks above T) that tries, for each slot, the master that fills the
    /// bin within its rank's excess with the least to spare, then the one that can ship the most, then the one that
    /// fills the bin shipping beyond its excess, then every other, and also leaving the bin; each piece is as large as
    /// the bin and the master allow. It prunes when the bins left have fewer slots than the ranks still above T. At most
    /// <see cref="SearchNodeLimit"/> nodes per domain and solve, so it stays near real-time; it finds plans the fillings miss and
    /// never proves there is none.
    /// </summary>
    private bool SearchBins(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota)
    {
        var minPiece = Math.Max(1, minReplicaQuota);
        if (!PrepareBins(loads, domain, threshold, minPiece, roomiestFirst: true, out var excess, out var binCount, out var itemCount))
        {
            return excess == 0;
        }

        _searchBins = binCount;
        _searchItems = itemCount;
        _searchMinPiece = minPiece;
        return Search(0, _replicaCount, excess, threshold);
    }

    /// <summary>One node of <see cref="SearchBins"/>: the next piece into bin <paramref name="b"/>, or moving past it.</summary>
    private bool Search(int b, int binStart, long excess, long threshold)
    {
        if (excess <= 0)
        {
            return true;
        }

        if (b >= _searchBins || --_searchNodes < 0)
        {
            return false;
        }

        // Every rank still above T needs a piece in some bin from here on.
        var slotsLeft = 0;
        var sources = 0;
        for (var i = b; i < _searchBins; i++)
        {
            var r = _binOrder[i];
            slotsLeft += _slots[r];
        }

        for (var i = 0; i < _searchItems; i++)
        {
            var e = _items[i];
            if ((i == 0 || _topology.ExpertMaster[_items[i - 1]] != _topology.ExpertMaster[e]) && _load[_topology.ExpertMaster[e]] > threshold)
            {
                sources++;
            }
        }

        if (slotsLeft < sources)
        {
            return false;
        }

        var bin = _binOrder[b];
        var cap = threshold - _load[bin];
        if (_slots[bin] > 0 && cap >= _searchMinPiece)
        {
            int bestFit = -1, largest = -1, filler = -1;
            long bestFitAmount = long.MaxValue, largestAmount = 0, fillerAmount = 0;
            for (var i = 0; i < _searchItems; i++)
            {
                var e = _items[i];
                if (!Allowed(e, bin, binStart))
                {
                    continue;
                }

                var amount = Movable(e, threshold);
                if (amount >= _searchMinPiece && amount >= cap && amount < bestFitAmount)
                {
                    bestFit = e;
                    bestFitAmount = amount;
                }

                if (amount >= _searchMinPiece && amount > largestAmount)
                {
                    largest = e;
                    largestAmount = amount;
                }

                var fill = Math.Min(cap, _masterQuota[e]);
                if (fill >= _searchMinPiece && fill > Math.Min(cap, Math.Max(0, amount)) && fill > fillerAmount)
                {
                    filler = e;
                    fillerAmount = fill;
                }
            }

            // No master fills the bin within its rank's excess: the one that fills it most (shipping beyond) goes first.
            if ((bestFit >= 0 && TryPiece(b, binStart, bin, bestFit, cap, excess, threshold))
                || (bestFit < 0 && filler >= 0 && TryPiece(b, binStart, bin, filler, fillerAmount, excess, threshold))
                || (largest >= 0 && largest != bestFit && TryPiece(b, binStart, bin, largest, Math.Min(cap, largestAmount), excess, threshold))
                || (bestFit >= 0 && filler >= 0 && TryPiece(b, binStart, bin, filler, fillerAmount, excess, threshold)))
            {
                return true;
            }

            for (var i = 0; i < _searchItems && _searchNodes > 0; i++)
            {
                var e = _items[i];
                var amount = Math.Min(cap, Movable(e, threshold));
                if (e != bestFit && e != largest && amount >= _searchMinPiece && Allowed(e, bin, binStart)
                    && TryPiece(b, binStart, bin, e, amount, excess, threshold))
                {
                    return true;
                }
            }
        }

        return Search(b + 1, _replicaCount, excess, threshold);
    }

    /// <summary>Ships <paramref name="piece"/> of the expert to the bin, searches on, and undoes it on failure.</summary>
    private bool TryPiece(int b, int binStart, int bin, int expert, long piece, long excess, long threshold)
    {
        var shipped = Ship(expert, bin, piece, threshold);
        if (Search(b, binStart, excess - shipped, threshold))
        {
            return true;
        }

        Unship(expert, bin, piece);
        return false;
    }

    /// <summary>What a master can still ship at threshold T: its remaining quota, at most its rank's excess over T.</summary>
    private long Movable(int expert, long threshold) =>
        Math.Min(_masterQuota[expert], _load[_topology.ExpertMaster[expert]] - threshold);

    private bool Pour(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota, bool preferPrevious, bool bestFit)
    {
        var first = domain * _domainSize;
        var end = first + _domainSize;
        var perRank = _topology.ExpertsPerRank;

        ResetDomain(loads, first, end);
        var overloadedCount = 0;
        for (var r = first; r < end; r++)
        {
            if (_load[r] > threshold)
            {
                _overloaded[overloadedCount++] = r;
            }
        }

        _useIndex = !preferPrevious && BuildIndex(loads, domain, threshold);
        var sortedFromIndex = _useIndex && _topology.RedundantSlotsPerRank > 0;
        if (sortedFromIndex)
        {
            // Largest excess first, lowest rank on ties: the sorted start read from its end, equal loads in rank order.
            overloadedCount = 0;
            var k = _baseIndexCount - 1;
            while (k >= 0 && _baseIndex[k] / _domainSize > threshold)
            {
                var group = k;
                while (group > 0 && _baseIndex[group - 1] / _domainSize == _baseIndex[k] / _domainSize)
                {
                    group--;
                }

                for (var g = group; g <= k; g++)
                {
                    _overloaded[overloadedCount++] = first + (int)(_baseIndex[g] % _domainSize);
                }

                k = group - 1;
            }
        }

        // Largest excess first (insertion sort: few ranks, no allocation); lowest rank on ties.
        for (var i = 1; i < overloadedCount && !sortedFromIndex; i++)
        {
            var r = _overloaded[i];
            var j = i - 1;
            while (j >= 0 && _load[_overloaded[j]] < _load[r])
            {
                _overloaded[j + 1] = _overloaded[j];
                j--;
            }

            _overloaded[j + 1] = r;
        }

        for (var i = 0; i < overloadedCount; i++)
        {
            var source = _overloaded[i];
            var excess = _load[source] - threshold;
            OrderMasters(source);
            for (var k = 0; k < perRank && excess > 0; k++)
            {
                var expert = _masterOrder[k];
                var replicasStart = _replicaCount;
                while (excess > 0 && _masterQuota[expert] > 0)
                {
                    var need = Math.Min(excess, _masterQuota[expert]);
                    var target = PickTarget(expert, first, end, threshold, Math.Max(1, minReplicaQuota), need, replicasStart, preferPrevious, bestFit);
                    if (target < 0)
                    {
                        break;
                    }

                    var amount = Math.Min(Math.Min(excess, _masterQuota[expert]), threshold - _load[target]);
                    if (amount < minReplicaQuota)
                    {
                        // A replica must be worth its weight copy: take the minimum when master and target allow it.
                        amount = minReplicaQuota;
                        if (amount > _masterQuota[expert])
                        {
                            break;
                        }
                    }

                    _replicas[_replicaCount++] = new ExpertInstance(expert, target, amount);
                    _masterQuota[expert] -= amount;
                    if (_useIndex)
                    {
                        Rekey(source, first, _load[source] - amount, threshold, stillOpen: _slots[source] > 0);
                        Rekey(target, first, _load[target] + amount, threshold, stillOpen: _slots[target] > 1);
                    }

                    _load[source] -= amount;
                    _load[target] += amount;
                    _slots[target]--;
                    excess -= amount;
                }
            }

            if (excess > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The source rank's masters, heaviest remaining quota first, lowest expert on ties.</summary>
    private void OrderMasters(int source)
    {
        var perRank = _topology.ExpertsPerRank;
        for (var k = 0; k < perRank; k++)
        {
            var e = (source * perRank) + k;
            var j = k - 1;
            while (j >= 0 && _masterQuota[_masterOrder[j]] < _masterQuota[e])
            {
                _masterOrder[j + 1] = _masterOrder[j];
                j--;
            }

            _masterOrder[j + 1] = e;
        }
    }

    /// <summary>
    /// The rank that takes the next piece of the expert, or -1: with best fit, the tightest rank whose room holds the
    /// whole piece, else the rank with the most room; a rank that held a replica of the expert before wins when
    /// <paramref name="preferPrevious"/> is set. Lowest rank on ties.
    /// </summary>
    private int PickTarget(int expert, int first, int end, long threshold, long minRoom, long need, int replicasStart, bool preferPrevious, bool bestFit)
    {
        if (_useIndex)
        {
            return PickTargetIndexed(expert, first, threshold, minRoom, need, replicasStart, bestFit);
        }

        var master = _topology.ExpertMaster[expert];
        int roomiest = -1, tightest = -1, previous = -1;
        for (var r = first; r < end; r++)
        {
            var room = threshold - _load[r];
            if (r == master || _slots[r] == 0 || room < minRoom || HostsReplica(expert, r, replicasStart))
            {
                continue;
            }

            if (roomiest < 0 || _load[r] < _load[roomiest])
            {
                roomiest = r;
            }

            if (bestFit && room >= need && (tightest < 0 || _load[r] > _load[tightest]))
            {
                tightest = r;
            }

            if (preferPrevious && _previous[(expert * _topology.Ranks) + r] && (previous < 0 || _load[r] < _load[previous]))
            {
                previous = r;
            }
        }

        return previous >= 0 ? previous : tightest >= 0 ? tightest : roomiest;
    }

    /// <summary>
    /// <see cref="PickTarget"/> through the ordered index: the same rank the scan picks. Entries are
    /// <c>load x domainSize + (rank - first)</c> of the ranks with a free slot, ascending, so equal loads sit in rank order.
    /// </summary>
    private int PickTargetIndexed(int expert, int first, long threshold, long minRoom, long need, int replicasStart, bool bestFit)
    {
        var master = _topology.ExpertMaster[expert];
        var size = _domainSize;
        if (bestFit)
        {
            // The tightest rank that holds the whole piece: the largest load <= T - max(piece, minRoom), lowest rank
            // among equal loads.
            // Clamped below the packed key's range: no load reaches it, so the clamp changes no answer.
            var limit = Math.Min(threshold - Math.Max(need, minRoom), (long.MaxValue / size) - 2);
            if (limit >= 0)
            {
                var k = UpperBound(((limit + 1) * size) - 1) - 1;
                var tightest = -1;
                long tightestLoad = -1;
                for (; k >= 0; k--)
                {
                    var load = _index[k] / size;
                    if (tightest >= 0 && load != tightestLoad)
                    {
                        break;
                    }

                    var r = first + (int)(_index[k] % size);
                    if (r != master && !HostsReplica(expert, r, replicasStart))
                    {
                        tightest = r;
                        tightestLoad = load;
                    }
                }

                if (tightest >= 0)
                {
                    return tightest;
                }
            }
        }

        // The roomiest rank: the smallest load, lowest rank among equal loads, with at least minRoom below T.
        for (var k = 0; k < _indexCount; k++)
        {
            if (threshold - (_index[k] / size) < minRoom)
            {
                return -1;
            }

            var r = first + (int)(_index[k] % size);
            if (r != master && !HostsReplica(expert, r, replicasStart))
            {
                return r;
            }
        }

        return -1;
    }

    /// <summary>
    /// Fills the ordered index with the domain's masters-only loads (every rank has all its slots free at the start of an
    /// oracle run). The sorted start is computed once per domain and solve, then copied. False when a load times the
    /// domain size would overflow the packed key (the scan is used then).
    /// </summary>
    private bool BuildIndex(ReadOnlySpan<long> loads, int domain, long threshold)
    {
        if (_topology.RedundantSlotsPerRank == 0)
        {
            _indexCount = 0;
            return true;
        }

        if (_baseDomain != domain)
        {
            var first = domain * _domainSize;
            long total = 0;
            for (var e = first * _topology.ExpertsPerRank; e < (first + _domainSize) * _topology.ExpertsPerRank; e++)
            {
                total += loads[e];
                if (total > (long.MaxValue / _domainSize) - 1)
                {
                    return false;
                }
            }

            for (var r = first; r < first + _domainSize; r++)
            {
                _baseIndex[r - first] = (_load[r] * _domainSize) + (r - first);
            }

            _baseIndexCount = _domainSize;
            ShellSort(_baseIndex.AsSpan(0, _baseIndexCount));
            _baseDomain = domain;
        }

        // Only ranks below T can take a piece (room >= 1): the index holds those, a prefix of the sorted start.
        var open = UpperBound(_baseIndex.AsSpan(0, _baseIndexCount), (Math.Min(threshold, (long.MaxValue / _domainSize) - 1) * _domainSize) - 1);
        _baseIndex.AsSpan(0, open).CopyTo(_index);
        _indexCount = open;
        return true;
    }

    /// <summary>
    /// Moves a rank's entry to its new load; drops it when the rank has no free slot left or its load reaches T (no
    /// room), and adds it when an overloaded rank falls below T.
    /// </summary>
    private void Rekey(int rank, int first, long newLoad, long threshold, bool stillOpen)
    {
        var local = rank - first;
        var oldKey = (_load[rank] * _domainSize) + local;
        var newKey = (newLoad * _domainSize) + local;
        var keep = stillOpen && newLoad < threshold;
        var at = UpperBound(oldKey) - 1;
        var present = at >= 0 && _index[at] == oldKey;
        if (present && keep && newKey > oldKey)
        {
            // One block move: the entries between the old and the new place shift left by one.
            var to = UpperBound(newKey);
            _index.AsSpan(at + 1, to - at - 1).CopyTo(_index.AsSpan(at));
            _index[to - 1] = newKey;
            return;
        }

        if (present)
        {
            _index.AsSpan(at + 1, _indexCount - at - 1).CopyTo(_index.AsSpan(at));
            _indexCount--;
        }

        if (keep)
        {
            var to = UpperBound(newKey);
            _index.AsSpan(to, _indexCount - to).CopyTo(_index.AsSpan(to + 1));
            _index[to] = newKey;
            _indexCount++;
        }
    }

    /// <summary>
    /// Sorts distinct keys ascending in place (Shell sort, Ciura's gaps). Not <c>Span.Sort</c>: under NativeAOT that call
    /// allocated 48 bytes per solve (measured through the C ABI), and the planner must allocate nothing.
    /// </summary>
    private static void ShellSort(Span<long> keys)
    {
        ReadOnlySpan<int> gaps = [701, 301, 132, 57, 23, 10, 4, 1];
        foreach (var gap in gaps)
        {
            for (var i = gap; i < keys.Length; i++)
            {
                var key = keys[i];
                var j = i;
                while (j >= gap && keys[j - gap] > key)
                {
                    keys[j] = keys[j - gap];
                    j -= gap;
                }

                keys[j] = key;
            }
        }
    }

    /// <summary>The number of index entries at most <paramref name="key"/>.</summary>
    private int UpperBound(long key) => UpperBound(_index.AsSpan(0, _indexCount), key);

    /// <summary>The number of <paramref name="keys"/> (ascending) at most <paramref name="key"/>.</summary>
    private static int UpperBound(ReadOnlySpan<long> keys, long key)
    {
        int low = 0, high = keys.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (keys[mid] <= key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>Whether the bin being filled (its replicas added since <paramref name="binStart"/>) holds the expert.</summary>
    private bool InBin(int expert, int binStart)
    {
        for (var i = binStart; i < _replicaCount; i++)
        {
            if (_replicas[i].Expert == expert)
            {
                return true;
            }
        }

        return false;
    }

    private bool HostsReplica(int expert, int rank, int replicasStart)
    {
        // This expert's replicas were all added since replicasStart (an expert is poured once per oracle run).
        for (var i = replicasStart; i < _replicaCount; i++)
        {
            if (_replicas[i].Rank == rank)
            {
                return true;
            }
        }

        return false;
    }
}
