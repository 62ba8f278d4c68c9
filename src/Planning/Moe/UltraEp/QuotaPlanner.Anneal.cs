namespace Planning.Moe.UltraEp;

/// <summary>
/// The placement annealing, the quota planner's last improvement on a small domain (issue 21): when the threshold
/// search ends above the domain's bound, the replica placement is annealed against the excess a maximum flow leaves at
/// the bound.
/// </summary>
/// <remarks>
/// <para>The threshold search's oracles build a placement and its quotas together, and the flow search branches from an
/// empty placement on the residual cut; on a tight layer (the mean is nearly reachable, so every receiving rank must be
/// filled almost exactly by its one slot) both miss plans that exist. Zipf layer 0 of a 16-rank domain with 8 masters
/// and one redundant slot was the case: 1.0044 against EPLB's 1.0034 and an optimum of 1.0000, which CP-SAT needed
/// 150 s to find.</para>
/// <para>The excess a maximum flow leaves at the bound (see <see cref="MaximumFlow"/>) is a smooth measure of how far a
/// placement is from reaching it: one replica moved changes it by a little. So the annealing starts from the search's
/// plan, sets one redundant slot at a time to a random expert of the domain, keeps the change when the excess does not
/// grow and otherwise with the Metropolis probability, and stops at an excess of zero or after
/// <see cref="AnnealEvaluations"/> flows. The placement with the least excess is then searched for its smallest
/// reachable threshold, and it replaces the plan only when that is lower than the search's. The random stream has a
/// fixed seed per domain, so a solve is deterministic; scratch is sized at construction, so it allocates nothing.</para>
/// </remarks>
internal sealed partial class QuotaPlanner
{
    /// <summary>The largest domain the annealing runs on (the grid's NVLink domains: 4, 8 and 16 ranks).</summary>
    private const int AnnealDomainLimit = 16;

    /// <summary>Maximum flows the annealing may compute per domain and solve (a few milliseconds at most on a 16-rank domain).</summary>
    private const int AnnealEvaluations = 3000;

    /// <summary>The starting temperature as a fraction of the bound (in tokens of excess), cooled by <see cref="AnnealCooling"/> per step.</summary>
    private const double AnnealTemperature = 1.0 / 40;

    private const double AnnealCooling = 0.999;

    private readonly int[]? _annealSlots;
    private readonly int[]? _annealBest;

    /// <summary>
    /// Anneals the domain's placement when the search ended above its bound; on success the buffers hold the better plan.
    /// On failure the search's plan is poured again at <paramref name="best"/> (the oracles are deterministic).
    /// </summary>
    /// <returns>The domain's largest rank load after the annealing.</returns>
    private long Anneal(ReadOnlySpan<long> loads, int domain, long best, long bound, long minReplicaQuota, bool preferPrevious)
    {
        var resolution = Math.Max(1, bound / SearchResolution);
        if (_annealSlots is null || best - bound <= resolution)
        {
            return best;
        }

        var slots = _annealSlots;
        var first = domain * _domainSize;
        var end = first + _domainSize;
        var perSlot = _topology.RedundantSlotsPerRank;
        var minPiece = Math.Max(1, minReplicaQuota);

        // Start from the search's plan (in the buffers).
        Array.Fill(slots, -1);
        for (var i = 0; i < _replicaCount; i++)
        {
            var replica = _replicas[i];
            if (replica.Rank >= first && replica.Rank < end)
            {
                var s = (replica.Rank - first) * perSlot;
                while (slots[s] >= 0)
                {
                    s++;
                }

                slots[s] = replica.Expert;
            }
        }

        var current = PlacementExcess(loads, first, end, bound, minPiece, slots);
        var least = current;
        slots.CopyTo(_annealBest!, 0);
        var random = 0x9E3779B97F4A7C15UL ^ (ulong)(domain + 1);
        var temperature = Math.Max(1.0, bound * AnnealTemperature);
        var domainExperts = _domainSize * _topology.ExpertsPerRank;
        var firstExpert = first * _topology.ExpertsPerRank;
        for (var step = 0; step < AnnealEvaluations && least > 0; step++, temperature *= AnnealCooling)
        {
            var slot = (int)(NextRandom(ref random) % (ulong)slots.Length);
            var expert = firstExpert + (int)(NextRandom(ref random) % (ulong)domainExperts);
            var rank = first + (slot / perSlot);
            if (loads[expert] == 0 || _topology.ExpertMaster[expert] == rank || HoldsInAnotherSlot(slots, slot, perSlot, expert))
            {
                continue;
            }

            var previous = slots[slot];
            slots[slot] = expert;
            var excess = PlacementExcess(loads, first, end, bound, minPiece, slots);
            var accept = excess <= current
                || (NextRandom(ref random) >> 11) * (1.0 / (1UL << 53)) < Math.Exp((current - excess) / temperature);
            if (!accept)
            {
                slots[slot] = previous;
                continue;
            }

            current = excess;
            if (excess < least)
            {
                least = excess;
                slots.CopyTo(_annealBest!, 0);
            }
        }

        // The least-excess placement's smallest threshold below the search's, to the search's resolution.
        var placement = _annealBest!;
        long reached;
        if (least == 0)
        {
            reached = bound;
        }
        else if (PlacementExcess(loads, first, end, best - 1, minPiece, placement) == 0)
        {
            long low = bound, high = best - 1;
            while (high - low > resolution)
            {
                var mid = low + ((high - low) / 2);
                if (PlacementExcess(loads, first, end, mid, minPiece, placement) == 0)
                {
                    high = mid;
                }
                else
                {
                    low = mid;
                }
            }

            reached = high;
        }
        else
        {
            _searchNodes = SearchNodeLimit;
            Pour(loads, domain, best, minReplicaQuota, preferPrevious);
            return best;
        }

        PlacementExcess(loads, first, end, reached, minPiece, placement);
        CommitFlow(first, end);
        return reached;
    }

    /// <summary>
    /// The excess a maximum flow at T leaves with the placement in <paramref name="slots"/> (one expert or -1 per
    /// redundant slot of the domain); a flow that places everything but leaves a replica below the minimum quota counts
    /// as one token short. The flow stays in the buffers (see <see cref="CommitFlow"/>).
    /// </summary>
    private long PlacementExcess(ReadOnlySpan<long> loads, int first, int end, long threshold, long minPiece, int[] slots)
    {
        var flow = _flow!;
        var perSlot = _topology.RedundantSlotsPerRank;
        flow.ReplicaCount = 0;
        for (var s = 0; s < slots.Length; s++)
        {
            if (slots[s] >= 0)
            {
                var i = flow.ReplicaCount++;
                flow.ReplicaExpert[i] = slots[s];
                flow.ReplicaRank[i] = first + (s / perSlot);
            }
        }

        var excess = MaximumFlow(loads, first, end, threshold);
        if (excess == 0)
        {
            for (var i = 0; i < flow.ReplicaCount; i++)
            {
                if (flow.ReplicaQuota[i] > 0 && flow.ReplicaQuota[i] < minPiece)
                {
                    return 1;
                }
            }
        }

        return excess;
    }

    /// <summary>Whether another redundant slot of the slot's rank already holds the expert.</summary>
    private static bool HoldsInAnotherSlot(int[] slots, int slot, int perSlot, int expert)
    {
        var start = slot - (slot % perSlot);
        for (var s = start; s < start + perSlot; s++)
        {
            if (s != slot && slots[s] == expert)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>xorshift64*: a fixed-seed stream, so that a solve is deterministic and allocates nothing.</summary>
    private static ulong NextRandom(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DUL;
    }
}
