using System.Collections.Immutable;
using Planning.Moe;

namespace Planning.Execution.Moe;

/// <summary>
/// Where every token of one layer goes under a <see cref="LayerPlan"/>: a table of <see cref="MoeRoute"/>s, built by
/// <see cref="MoeDispatcher.Dispatch"/>. The routes are grouped by expert in ascending order; within an expert come
/// first the local routes (in instance order), then the remote ones (sources in rank order, each filling instances in
/// instance order). Every route carries at least one token. Immutable.
/// </summary>
public sealed class MoeDispatch
{
    private readonly ImmutableArray<int> _expertStarts;

    internal MoeDispatch(LayerPlan plan, int ranks, int experts, ImmutableArray<MoeRoute> routes, ImmutableArray<int> expertStarts)
    {
        Plan = plan;
        Ranks = ranks;
        Experts = experts;
        Routes = routes;
        _expertStarts = expertStarts;
    }

    /// <summary>The plan the tokens were dispatched by; <see cref="MoeRoute.InstanceIndex"/> indexes its instances.</summary>
    public LayerPlan Plan { get; }

    /// <summary>The number of ranks (source ranks and hosting ranks alike).</summary>
    public int Ranks { get; }

    /// <summary>The number of logical experts.</summary>
    public int Experts { get; }

    /// <summary>Every route, grouped by expert (see the type's remarks for the order).</summary>
    public ImmutableArray<MoeRoute> Routes { get; }

    /// <summary>The routes of one expert, without copying.</summary>
    /// <param name="expert">The logical expert.</param>
    /// <returns>Its routes: local ones first, then remote ones.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expert"/> is not an expert of the layer.</exception>
    public ReadOnlySpan<MoeRoute> RoutesOf(int expert)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expert);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(expert, Experts);
        var start = _expertStarts[expert];
        return Routes.AsSpan(start, _expertStarts[expert + 1] - start);
    }
}
