using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>
/// One layer's routing: how many tokens each source rank sends to each logical expert
/// (<c>tokensPerRankLayer[layer][sourceRank][expert]</c> of the contract). Immutable.
/// </summary>
public sealed class LayerTokens
{
    private readonly ImmutableArray<int> _counts;

    /// <summary>Creates a layer from a row per source rank.</summary>
    /// <param name="rows">Per source rank, the tokens routed to each expert; all rows have the same length and no count is negative.</param>
    /// <exception cref="PlanningInputException">Rows differ in length or a count is negative.</exception>
    public LayerTokens(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        SourceRanks = rows.Count;
        Experts = rows.Count == 0 ? 0 : rows[0].Count;
        var builder = ImmutableArray.CreateBuilder<int>(SourceRanks * Experts);
        for (var s = 0; s < rows.Count; s++)
        {
            if (rows[s].Count != Experts)
            {
                throw new PlanningInputException($"tokensPerRankLayer[][{s}]", $"must have {Experts} counts like row 0, got {rows[s].Count}");
            }

            for (var e = 0; e < Experts; e++)
            {
                if (rows[s][e] < 0)
                {
                    throw new PlanningInputException($"tokensPerRankLayer[][{s}][{e}]", $"must be a non-negative integer, got {rows[s][e]}");
                }

                builder.Add(rows[s][e]);
            }
        }

        _counts = builder.MoveToImmutable();
        ExpertLoads = ComputeExpertLoads();
    }

    /// <summary>The number of source ranks (rows).</summary>
    public int SourceRanks { get; }

    /// <summary>The number of logical experts (columns).</summary>
    public int Experts { get; }

    /// <summary>Each expert's load: the tokens all source ranks route to it.</summary>
    public ImmutableArray<long> ExpertLoads { get; }

    /// <summary>The tokens source rank <paramref name="sourceRank"/> routes to <paramref name="expert"/>.</summary>
    /// <param name="sourceRank">The source rank.</param>
    /// <param name="expert">The logical expert.</param>
    /// <returns>The token count.</returns>
    public int this[int sourceRank, int expert] => _counts[(sourceRank * Experts) + expert];

    /// <summary>One source rank's row.</summary>
    /// <param name="sourceRank">The source rank.</param>
    /// <returns>The tokens it routes to each expert.</returns>
    public ReadOnlySpan<int> Row(int sourceRank) => _counts.AsSpan(sourceRank * Experts, Experts);

    private ImmutableArray<long> ComputeExpertLoads()
    {
        var loads = new long[Experts];
        for (var s = 0; s < SourceRanks; s++)
        {
            var row = Row(s);
            for (var e = 0; e < Experts; e++)
            {
                loads[e] += row[e];
            }
        }

        return [.. loads];
    }
}
