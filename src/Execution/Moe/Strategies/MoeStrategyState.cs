using System.Collections.Immutable;
using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// What a strategy carries from one microbatch to the next over one run: its planner, each layer's previous plan and
/// so the weights in place (a rank holds the weights of its masters and of every instance the previous plan of the
/// layer put on it; the first microbatch starts from the masters alone). Strategies that carry more derive from it.
/// </summary>
internal class MoeStrategyState
{
    private readonly ImmutableArray<ExpertInstance>?[] _previous;
    private readonly ImmutableArray<ExpertInstance> _masters;

    /// <summary>Starts the state of a run.</summary>
    /// <param name="context">The run.</param>
    /// <param name="planner">The strategy's planner, built for this run; <see langword="null"/> for a strategy that plans nothing.</param>
    public MoeStrategyState(MoeSimulationContext context, IBalancingPolicy? planner)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        Planner = planner;
        var first = context.Microbatches[0];
        _previous = new ImmutableArray<ExpertInstance>?[context.Layers];
        _masters = [.. Enumerable.Range(0, first.Experts).Select(e => new ExpertInstance(e, first.MasterRank(e), 0))];
    }

    /// <summary>The run.</summary>
    public MoeSimulationContext Context { get; }

    /// <summary>The strategy's planner for this run; <see langword="null"/> when it plans nothing.</summary>
    public IBalancingPolicy? Planner { get; }

    /// <summary>The layer's previous plan's instances; <see langword="null"/> before its first plan.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The instances.</returns>
    public ImmutableArray<ExpertInstance>? Previous(int layer) => _previous[layer];

    /// <summary>The instances whose weights are on their ranks: the previous plan's and the masters.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The instances.</returns>
    public IEnumerable<ExpertInstance> InPlace(int layer) => _previous[layer] is { } previous ? previous.Concat(_masters) : _masters;

    /// <summary>Keeps a plan as the layer's previous one: its replicas are in place for the next microbatch.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="plan">The plan.</param>
    public void Remember(int layer, LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _previous[layer] = plan.Instances;
    }

    /// <summary>Forgets the previous plan's instances of some slots (their weights are no longer the right ones).</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="slots">The slots.</param>
    public void Forget(int layer, IReadOnlySet<int> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (_previous[layer] is { } previous)
        {
            _previous[layer] = [.. previous.Where(instance => !slots.Contains(instance.Expert))];
        }
    }
}
