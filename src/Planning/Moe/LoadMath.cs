namespace Planning.Moe;

/// <summary>Load arithmetic shared by every policy: imbalance and the even, largest-remainder split of a load.</summary>
internal static class LoadMath
{
    /// <summary>Max / mean of the loads; 1 when every load is zero.</summary>
    /// <param name="loads">Per-rank loads.</param>
    /// <returns>The imbalance.</returns>
    public static double Imbalance(ReadOnlySpan<long> loads)
    {
        if (loads.IsEmpty)
        {
            return 1.0;
        }

        long max = 0, total = 0;
        foreach (var load in loads)
        {
            max = Math.Max(max, load);
            total += load;
        }

        return total == 0 ? 1.0 : max * (double)loads.Length / total;
    }

    /// <summary>
    /// The quota of the <paramref name="index"/>-th of <paramref name="parts"/> replicas when <paramref name="load"/>
    /// tokens are split evenly with largest-remainder rounding: every share is <c>load / parts</c> and, since all
    /// fractional remainders are equal, the first <c>load % parts</c> replicas get one token more.
    /// </summary>
    /// <param name="load">The tokens to split.</param>
    /// <param name="parts">The number of replicas (positive).</param>
    /// <param name="index">The replica's index, from 0.</param>
    /// <returns>That replica's quota; the quotas of all indices sum to <paramref name="load"/>.</returns>
    public static long EvenShare(long load, int parts, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, parts);
        var share = Math.DivRem(load, parts, out var remainder);
        return share + (index < remainder ? 1 : 0);
    }

    /// <summary>The smallest integer not below <paramref name="numerator"/> / <paramref name="denominator"/>, for non-negative numerators.</summary>
    /// <param name="numerator">A non-negative numerator.</param>
    /// <param name="denominator">A positive denominator.</param>
    /// <returns>The ceiling of the quotient.</returns>
    public static long CeilDiv(long numerator, long denominator) => (numerator + denominator - 1) / denominator;
}
