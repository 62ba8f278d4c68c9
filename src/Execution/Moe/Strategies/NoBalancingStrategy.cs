using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>none</c>: masters only, no replicas, nothing moves. The reference of every speed-up
/// (<see cref="MoePolicyOutcome.RatioToNone"/>), so the simulation runs it whether or not it is asked for.
/// </summary>
/// <param name="createPlanner">Builds the planner for a run (<see cref="NoBalancingPolicy"/> in the registry).</param>
internal sealed class NoBalancingStrategy(Func<IBalancingPolicy> createPlanner) : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "none";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    /// <remarks>The masters' layout is fixed ahead of time: there is nothing to plan on the critical path.</remarks>
    public MoePlannerTime PlannerTime => MoePlannerTime.OffCriticalPath;

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new(context, createPlanner());
}
