using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>eplb</c>: EPLB as deployed. Each layer is placed from the summed loads of the previous
/// <see cref="HistoryWindow"/> microbatches (a moving window; the first microbatch from its own loads) and its quotas
/// follow the current loads (<see cref="MoeLayerProblem.PlacementLoads"/>). The placement is known before the
/// microbatch starts, so the planner and the weight moves run off the critical path: no time is charged for either,
/// but the bytes are counted.
/// </summary>
/// <param name="historyWindow">Earlier microbatches placed from (<see cref="MoeSimulationOptions.EplbWindow"/>); at least 1.</param>
/// <param name="createPlanner">Builds the planner for a run (<see cref="EplbPolicy"/> in the registry).</param>
internal sealed class EplbStrategy(int historyWindow, Func<IBalancingPolicy> createPlanner) : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "eplb";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public MoePlannerTime PlannerTime => MoePlannerTime.OffCriticalPath;

    /// <inheritdoc/>
    public int HistoryWindow { get; } = historyWindow >= 1
        ? historyWindow
        : throw new ArgumentOutOfRangeException(nameof(historyWindow), historyWindow, "The history window holds at least one microbatch.");

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new(context, createPlanner());
}
