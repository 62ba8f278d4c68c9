namespace Planning.Moe;

/// <summary>Lower bounds on the largest rank load, from which the reported <c>lowerBound</c> imbalance is derived.</summary>
internal static class BalanceBounds
{
    /// <summary>
    /// The bound under EPLB's slot rules (any expert on any rank, <c>ranks x slotsPerRank</c> slots, integral
    /// quotas): the largest rank load is at least the ceiling of the mean, and at least the ceiling of an expert's
    /// load over the most copies it can have (one per rank, and no more than the slots left when every other
    /// expert has one).
    /// </summary>
    /// <param name="topology">The topology.</param>
    /// <param name="loads">Each expert's load.</param>
    /// <returns>A lower bound on the largest rank load of any plan under EPLB's rules.</returns>
    public static long SlotRulesMaxLoad(MoeTopology topology, ReadOnlySpan<long> loads)
    {
        ArgumentNullException.ThrowIfNull(topology);
        long total = 0, heaviest = 0;
        foreach (var load in loads)
        {
            total += load;
            heaviest = Math.Max(heaviest, load);
        }

        var maxCopies = Math.Min(topology.Ranks, (topology.Ranks * topology.SlotsPerRank) - topology.Experts + 1);
        return Math.Max(LoadMath.CeilDiv(total, topology.Ranks), LoadMath.CeilDiv(heaviest, maxCopies));
    }

    /// <summary>Converts a bound on the largest rank load to a bound on the imbalance.</summary>
    /// <param name="maxLoadBound">The bound on the largest rank load.</param>
    /// <param name="totalLoad">The layer's total load.</param>
    /// <param name="ranks">The number of ranks.</param>
    /// <returns>The imbalance bound; 1 when there is no load.</returns>
    public static double ToImbalance(double maxLoadBound, long totalLoad, int ranks) =>
        totalLoad == 0 ? 1.0 : maxLoadBound * ranks / totalLoad;
}
