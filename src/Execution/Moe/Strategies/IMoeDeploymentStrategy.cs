using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// What a deployment policy decides each microbatch of a simulated workload: the problem it poses to its planner
/// (current loads, or a window of earlier ones; fresh or incremental), whether it moves masters between microbatches,
/// whether it reroutes tokens, what weight sync it pays and whether its planner's time is on the critical path.
/// <see cref="MoeWorkloadSimulation"/> owns the loop, the step simulator and the clock; a strategy decides, and keeps
/// what it carries from one microbatch to the next (previous plans, weights in place, master layout) in the
/// <see cref="MoeStrategyState"/> it starts. A strategy is immutable: one instance may start any number of runs.
/// </summary>
/// <remarks>
/// The members with bodies are the common case; a strategy overrides what it decides differently. The default
/// <see cref="Step"/> is the planned layer (<see cref="MoePlannedLayer"/>): pose the problem, plan, reroute, route on
/// the step simulator, pay the weight sync.
/// </remarks>
internal interface IMoeDeploymentStrategy
{
    /// <summary>The policy's name on the command line and in the results (<c>none</c>, <c>eplb</c>, ...).</summary>
    string Name { get; }

    /// <summary>Where the planner's time goes: charged to every layer only when <see cref="MoePlannerTime.OnCriticalPath"/>.</summary>
    MoePlannerTime PlannerTime { get; }

    /// <summary>
    /// Earlier microbatches whose summed loads the placement is chosen from (the quotas still follow the current
    /// loads); 0 to place by the current microbatch's loads. The first microbatch, with no history, places by its own.
    /// </summary>
    int HistoryWindow => 0;

    /// <summary>Whether the planner is told the layer's previous plan, so that it can keep replicas already in place.</summary>
    bool Incremental => false;

    /// <summary>Whether the plan's tokens are rerouted with locality in mind (<see cref="Rerouter"/>) before they are dispatched.</summary>
    bool ReroutesTokens => false;

    /// <summary>What the weights of new replicas cost the step.</summary>
    MoeWeightSyncCharge WeightSync => MoeWeightSyncCharge.OffCriticalPath;

    /// <summary>
    /// Whether the strategy reads the planned strategies' all-to-all of the layer
    /// (<see cref="MoeLayerInput.FastestPlannedAllToAllSeconds"/>): then it steps after every strategy that does not.
    /// </summary>
    bool ComparesWithPlans => false;

    /// <summary>Starts the strategy's state for one run (builds its planner; weights in place are the masters alone).</summary>
    /// <param name="context">The run.</param>
    /// <returns>The state, handed back to every other member for this run.</returns>
    MoeStrategyState Start(MoeSimulationContext context);

    /// <summary>Called before each microbatch's first layer: moves made at this boundary, if any.</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="microbatch">The microbatch about to run.</param>
    /// <returns>The moves and their cost; <see langword="null"/> when nothing moves (the default).</returns>
    MoeBoundaryMoves? BeginMicrobatch(MoeStrategyState state, int microbatch) => null;

    /// <summary>The layer's routing in the strategy's slot layout (the default: the logical experts' own).</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="tokens">The routing by logical expert.</param>
    /// <returns>The routing the planner and the dispatch see.</returns>
    LayerTokens Tokens(MoeStrategyState state, int layer, LayerTokens tokens) => tokens;

    /// <summary>
    /// The problem posed to the planner: the current loads to serve; the placement loads summed over
    /// <see cref="HistoryWindow"/> earlier microbatches when there is one; the previous plan when <see cref="Incremental"/>.
    /// </summary>
    /// <param name="state">The run's state.</param>
    /// <param name="microbatch">The microbatch.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="tokens">The layer's routing in the strategy's slot layout (<see cref="Tokens"/>).</param>
    /// <returns>The problem.</returns>
    MoeLayerProblem Problem(MoeStrategyState state, int microbatch, int layer, LayerTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tokens);
        var topology = state.Context.Topology;
        var previous = Incremental ? state.Previous(layer) : null;
        if (HistoryWindow == 0 || microbatch == 0)
        {
            return new MoeLayerProblem(topology, tokens.ExpertLoads, Tokens: tokens, Previous: previous);
        }

        var experts = topology.Experts;
        var sum = new long[experts];
        for (var h = Math.Max(0, microbatch - HistoryWindow); h < microbatch; h++)
        {
            var loads = state.Context.Microbatches[h].Layers[layer].ExpertLoads;
            for (var e = 0; e < experts; e++)
            {
                sum[e] += loads[e];
            }
        }

        return new MoeLayerProblem(topology, tokens.ExpertLoads, PlacementLoads: [.. sum], Tokens: tokens, Previous: previous);
    }

    /// <summary>Runs one layer of one microbatch (the default: the planned layer, <see cref="MoePlannedLayer.Step"/>).</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="input">The layer.</param>
    /// <returns>What the layer cost.</returns>
    MoeLayerStep Step(MoeStrategyState state, MoeLayerInput input) => MoePlannedLayer.Step(this, state, input);
}
