namespace Planning.Moe;

/// <summary>
/// A fast constructive plan under EPLB's slot rules with free quotas, used to warm-start the exact model: for a
/// threshold T, experts are taken heaviest first and poured into a rank with a free slot and room below T (the
/// tightest rank that holds the whole expert, else the roomiest; lowest index on ties), spilling the rest to the next
/// such rank; a spill costs one of the spare slots
/// (<c>ranks x slotsPerRank - experts</c>). A binary search finds the smallest T at which the pouring succeeds.
/// </summary>
internal static class SplitPacking
{
    /// <summary>The best plan the pouring finds between <paramref name="low"/> and <paramref name="high"/>, or null when it fails even at <paramref name="high"/>.</summary>
    public static List<ExpertInstance>? Plan(MoeTopology topology, ReadOnlySpan<long> loads, long low, long high)
    {
        var order = new int[loads.Length];
        for (var e = 0; e < order.Length; e++)
        {
            order[e] = e;
        }

        var keys = loads.ToArray();
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c && c != 0 ? c : a.CompareTo(b));

        var best = TryBoth(topology, keys, order, high);
        if (best is null)
        {
            return null;
        }

        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            var attempt = TryBoth(topology, keys, order, mid);
            if (attempt is null)
            {
                low = mid + 1;
            }
            else
            {
                best = attempt;
                high = mid;
            }
        }

        return best;
    }

    private static List<ExpertInstance>? TryBoth(MoeTopology topology, long[] loads, int[] order, long threshold) =>
        TryPour(topology, loads, order, threshold, bestFit: true) ?? TryPour(topology, loads, order, threshold, bestFit: false);

    /// <summary>
    /// Pours at one threshold. Best fit puts a whole expert on the rank with the least room that still holds it, and
    /// only spills when no rank does; otherwise every piece goes to the rank with the most room.
    /// </summary>
    private static List<ExpertInstance>? TryPour(MoeTopology topology, long[] loads, int[] order, long threshold, bool bestFit)
    {
        var ranks = topology.Ranks;
        var room = new long[ranks];
        var slots = new int[ranks];
        Array.Fill(room, threshold);
        Array.Fill(slots, topology.SlotsPerRank);
        long spare = ((long)ranks * topology.SlotsPerRank) - topology.Experts;
        var instances = new List<ExpertInstance>(topology.Experts + (int)Math.Max(0, spare));
        foreach (var expert in order)
        {
            var left = loads[expert];
            var first = true;
            do
            {
                var rank = -1;
                if (bestFit)
                {
                    for (var r = 0; r < ranks; r++)
                    {
                        if (slots[r] > 0 && room[r] >= left && (rank < 0 || room[r] < room[rank]))
                        {
                            rank = r;
                        }
                    }
                }

                if (rank < 0)
                {
                    for (var r = 0; r < ranks; r++)
                    {
                        if (slots[r] > 0 && (rank < 0 || room[r] > room[rank]))
                        {
                            rank = r;
                        }
                    }
                }

                if (rank < 0 || (left > 0 && room[rank] == 0) || (!first && spare-- <= 0))
                {
                    return null;
                }

                var quota = Math.Min(left, room[rank]);
                instances.Add(new ExpertInstance(expert, rank, quota));
                room[rank] -= quota;
                slots[rank]--;
                left -= quota;
                first = false;
            }
            while (left > 0);
        }

        return instances;
    }
}
