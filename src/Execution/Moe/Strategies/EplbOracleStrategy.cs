using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>eplb-oracle</c>: EPLB placed from the current microbatch's loads, with no planner or sync time charged: an
/// oracle that knew the loads in advance.
/// </summary>
/// <param name="createPlanner">Builds the planner for a run (<see cref="EplbPolicy"/> in the registry).</param>
internal sealed class EplbOracleStrategy(Func<IBalancingPolicy> createPlanner) : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "eplb-oracle";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public MoePlannerTime PlannerTime => MoePlannerTime.OffCriticalPath;

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new(context, createPlanner());
}
