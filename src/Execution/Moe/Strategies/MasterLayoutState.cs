using Planning.Moe;
using Planning.Moe.Reordering;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// The state of a strategy that reorders masters across domains: besides the previous plans, per layer, the logical
/// expert in each master slot (the identity until the first reordering that swaps anything).
/// </summary>
/// <param name="context">The run.</param>
/// <param name="planner">The strategy's planner for this run.</param>
internal sealed class MasterLayoutState(MoeSimulationContext context, IBalancingPolicy planner) : MoeStrategyState(context, planner)
{
    /// <summary>Per layer, the logical expert in each master slot; <see langword="null"/> while the layout is the identity.</summary>
    private readonly int[]?[] _expertAt = new int[]?[context.Layers];

    /// <summary>The logical expert in each master slot of a layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>A fresh array, slot by slot.</returns>
    public int[] ExpertAt(int layer) => _expertAt[layer] is { } expertAt ? [.. expertAt] : [.. Enumerable.Range(0, Context.Topology.Experts)];

    /// <summary>The layer's routing in slot terms: slot <c>s</c>'s column is its logical expert's.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="tokens">The routing by logical expert.</param>
    /// <returns>The routing by slot (the same object while the layout is the identity).</returns>
    public LayerTokens Tokens(int layer, LayerTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (_expertAt[layer] is not { } expertAt)
        {
            return tokens;
        }

        var rows = new IReadOnlyList<int>[tokens.SourceRanks];
        for (var r = 0; r < rows.Length; r++)
        {
            var source = tokens.Row(r);
            var row = new int[expertAt.Length];
            for (var s = 0; s < row.Length; s++)
            {
                row[s] = source[expertAt[s]];
            }

            rows[r] = row;
        }

        return new LayerTokens(rows);
    }

    /// <summary>Applies a reordering; replicas of swapped slots now stand for other experts and are no longer in place.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="plan">The reordering.</param>
    public void Apply(int layer, DomainReorderPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Swaps.IsEmpty)
        {
            return;
        }

        _expertAt[layer] = plan.Apply(ExpertAt(layer));
        Forget(layer, plan.Swaps.SelectMany(swap => new[] { swap.SlotA, swap.SlotB }).ToHashSet());
    }
}
