using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>The layer of a strategy that plans: the steps every planned policy shares, each decision read from the strategy.</summary>
internal static class MoePlannedLayer
{
    /// <summary>
    /// Poses the strategy's problem, plans it (through the timer when this strategy is the one timed), reroutes when
    /// the strategy does, routes the tokens on the step simulator, prices the new replicas' weights as the strategy
    /// pays for them, adds the boundary moves, and keeps the plan as the layer's previous one.
    /// </summary>
    /// <param name="strategy">The strategy.</param>
    /// <param name="state">Its state for this run.</param>
    /// <param name="input">The layer.</param>
    /// <returns>What the layer cost.</returns>
    public static MoeLayerStep Step(IMoeDeploymentStrategy strategy, MoeStrategyState state, MoeLayerInput input)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        var planner = state.Planner ?? throw new InvalidOperationException($"The strategy {strategy.Name} has no planner.");
        var (topology, simulator) = (state.Context.Topology, state.Context.Simulator);
        var tokens = strategy.Tokens(state, input.Layer, input.Tokens);
        var problem = strategy.Problem(state, input.Microbatch, input.Layer, tokens);
        var plan = input.Timer is { } timer ? timer.Plan(planner, problem) : planner.Plan(problem);
        if (strategy.ReroutesTokens)
        {
            plan = plan.WithRoutes(Rerouter.Route(tokens, plan));
        }

        var execution = MoeStepSimulator.Execute(tokens, plan);
        var transfers = simulator.NewReplicaTransfers(plan, state.InPlace(input.Layer), topology);
        var syncSeconds = strategy.WeightSync == MoeWeightSyncCharge.ExposedRelay
            ? simulator.PlanWeightSync(transfers)?.PredictedSeconds ?? 0
            : 0;
        var time = simulator.LayerTime(execution, syncSeconds);
        if (input.BoundarySeconds > 0)
        {
            // The batch boundary's moves: nothing overlaps them, so they are exposed in full.
            time = time with
            {
                WeightSyncSeconds = time.WeightSyncSeconds + input.BoundarySeconds,
                ExposedWeightSyncSeconds = time.ExposedWeightSyncSeconds + input.BoundarySeconds,
            };
        }

        state.Remember(input.Layer, plan);
        return new MoeLayerStep(time, plan.Imbalance, plan.Replicas, transfers.Sum(t => t.Receivers.Length * t.Bytes), execution.ReceivedTokens.Select(x => (double)x));
    }
}
