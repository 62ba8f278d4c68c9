using System.Collections.Immutable;

namespace Planning.Execution.Moe;

/// <summary>
/// All-to-all traffic of one layer in tokens: entry <c>[source, target]</c> is the number of tokens source rank
/// <c>source</c> sends to rank <c>target</c>. Tokens that stay on their source rank are not traffic, so the diagonal is
/// always zero. Immutable.
/// </summary>
public sealed class RankTrafficMatrix
{
    private readonly ImmutableArray<long> _tokens;

    internal RankTrafficMatrix(int ranks, ImmutableArray<long> tokens)
    {
        Ranks = ranks;
        _tokens = tokens;
    }

    /// <summary>The number of ranks (rows and columns).</summary>
    public int Ranks { get; }

    /// <summary>The tokens <paramref name="source"/> sends to <paramref name="target"/>.</summary>
    /// <param name="source">The sending rank.</param>
    /// <param name="target">The receiving rank.</param>
    /// <returns>The token count; zero when <paramref name="source"/> equals <paramref name="target"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rank is outside the matrix.</exception>
    public long this[int source, int target]
    {
        get
        {
            CheckRank(source);
            CheckRank(target);
            return _tokens[(source * Ranks) + target];
        }
    }

    /// <summary>One sending rank's row, without copying.</summary>
    /// <param name="source">The sending rank.</param>
    /// <returns>The tokens it sends to each rank.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> is outside the matrix.</exception>
    public ReadOnlySpan<long> Row(int source)
    {
        CheckRank(source);
        return _tokens.AsSpan(source * Ranks, Ranks);
    }

    private void CheckRank(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Ranks);
    }
}
