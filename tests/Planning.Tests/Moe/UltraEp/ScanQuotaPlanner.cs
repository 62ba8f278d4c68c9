using Planning.Moe;
using Planning.Moe.UltraEp;

namespace Planning.Tests.Moe.UltraEp;

/// <summary>
/// The quota planner as it was before issue 16 (git 56bcc96, src/Planning/Moe/UltraEp/QuotaPlanner.cs), kept verbatim
/// but for its name as the test oracle: it picks each replica's rank by scanning the whole domain. The ordered-room
/// index of <see cref="QuotaPlanner"/> must give the same plans.
/// </summary>
internal sealed class ScanQuotaPlanner
{
    private const long SearchResolution = 2000;

    private readonly MoeTopology _topology;
    private readonly int _domainSize;
    private readonly long[] _load;
    private readonly long[] _masterQuota;
    private readonly int[] _slots;
    private readonly int[] _overloaded;
    private readonly int[] _masterOrder;
    private readonly ExpertInstance[] _replicas;
    private readonly bool[] _previous;
    private int _replicaCount;
    private bool _hasPrevious;

    /// <summary>Creates a planner for one topology.</summary>
    /// <param name="topology">The topology.</param>
    public ScanQuotaPlanner(MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
        _domainSize = topology.Ranks / topology.Domains;
        _load = new long[topology.Ranks];
        _masterQuota = new long[topology.Experts];
        _slots = new int[topology.Ranks];
        _overloaded = new int[topology.Ranks];
        _masterOrder = new int[topology.ExpertsPerRank];
        _replicas = new ExpertInstance[topology.Ranks * topology.RedundantSlotsPerRank];
        _previous = new bool[topology.Experts * topology.Ranks];
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
        for (var domain = 0; domain < _topology.Domains; domain++)
        {
            var (domainBest, domainBound) = SolveDomain(loads, domain, minReplicaQuota, usePrevious);

            // The search may have ended on a failed probe: pour once more at the best threshold to keep its plan.
            Pour(loads, domain, domainBest, minReplicaQuota, usePrevious);
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
        for (var domain = 0; domain < _topology.Domains; domain++)
        {
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
        return Math.Max(LoadMath.CeilDiv(total, _domainSize), LoadMath.CeilDiv(heaviest, copies));
    }

    private (long Best, long Bound) SolveDomain(ReadOnlySpan<long> loads, int domain, long minReplicaQuota, bool preferPrevious)
    {
        // bound <= high always: the domain mean and an expert's share never exceed the busiest master rank.
        var bound = DomainBound(loads, domain, out var high);
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

        return (feasible, bound);
    }

    /// <summary>
    /// The feasibility oracle for one domain at threshold T: best-fit pouring, then worst-fit pouring when best fit
    /// fails. On success the buffers hold the plan.
    /// </summary>
    private bool Pour(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota, bool preferPrevious) =>
        Pour(loads, domain, threshold, minReplicaQuota, preferPrevious, bestFit: true)
        || Pour(loads, domain, threshold, minReplicaQuota, preferPrevious, bestFit: false);

    private bool Pour(ReadOnlySpan<long> loads, int domain, long threshold, long minReplicaQuota, bool preferPrevious, bool bestFit)
    {
        var first = domain * _domainSize;
        var end = first + _domainSize;
        var perRank = _topology.ExpertsPerRank;

        // Drop this domain's replicas from an earlier oracle run, keeping other domains'.
        var kept = 0;
        for (var i = 0; i < _replicaCount; i++)
        {
            if (_replicas[i].Rank < first || _replicas[i].Rank >= end)
            {
                _replicas[kept++] = _replicas[i];
            }
        }

        _replicaCount = kept;
        var overloadedCount = 0;
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
            if (rankLoad > threshold)
            {
                _overloaded[overloadedCount++] = r;
            }
        }

        // Largest excess first (insertion sort: few ranks, no allocation); lowest rank on ties.
        for (var i = 1; i < overloadedCount; i++)
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
