namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>ideal</c>: force-balanced. Every rank computes exactly the mean, the all-to-all is the uniform spread, no sync and
/// no planner. Where a planned strategy of the run keeps so many tokens local that its all-to-all beats the uniform
/// spread (small clusters), the ideal takes that all-to-all instead, so that it is never slower than a strategy that
/// ran (<see cref="MoeSimulationResult.IdealAllToAllFromPlans"/> counts those layers). The reference of every
/// <see cref="MoePolicyOutcome.RatioToIdeal"/>, so the simulation runs it whether or not it is asked for; it plans
/// nothing, so it costs next to nothing.
/// </summary>
internal sealed class IdealStrategy : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "ideal";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public MoePlannerTime PlannerTime => MoePlannerTime.None;

    /// <inheritdoc/>
    public bool ComparesWithPlans => true;

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new(context, planner: null);

    /// <inheritdoc/>
    public MoeLayerStep Step(MoeStrategyState state, MoeLayerInput input)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        var (topology, simulator) = (state.Context.Topology, state.Context.Simulator);
        var uniform = simulator.UniformAllToAllSeconds(input.Tokens);
        var fromPlans = input.FastestPlannedAllToAllSeconds < uniform;
        var time = simulator.IdealLayerTime(input.Tokens, Math.Min(uniform, input.FastestPlannedAllToAllSeconds));
        var mean = input.Tokens.ExpertLoads.Sum() / (double)topology.Ranks;
        return new MoeLayerStep(time, 1.0, 0, 0, Enumerable.Repeat(mean, topology.Ranks), fromPlans);
    }
}
