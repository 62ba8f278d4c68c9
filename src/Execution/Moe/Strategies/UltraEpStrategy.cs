using Planning.Moe;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>ultraep</c>: <see cref="UltraEpPolicy"/> on the current loads as they arrive, incremental (the layer's previous
/// plan is <see cref="MoeLayerProblem.Previous"/>, so replicas already in place are preferred), with locality-aware
/// rerouting (<see cref="Rerouter"/>). New replicas' weights move by the relay schedule and its exposed part is
/// charged; the planner's solve time is charged to every layer.
/// </summary>
/// <param name="createPlanner">Builds the planner for a run (<see cref="UltraEpPolicy"/> in the registry).</param>
internal sealed class UltraEpStrategy(Func<IBalancingPolicy> createPlanner) : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "ultraep";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public MoePlannerTime PlannerTime => MoePlannerTime.OnCriticalPath;

    /// <inheritdoc/>
    public bool Incremental => true;

    /// <inheritdoc/>
    public bool ReroutesTokens => true;

    /// <inheritdoc/>
    public MoeWeightSyncCharge WeightSync => MoeWeightSyncCharge.ExposedRelay;

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new(context, createPlanner());
}
