using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>One layer of one microbatch, as the simulation hands it to a strategy. Immutable.</summary>
/// <param name="Microbatch">The microbatch's index in the workload.</param>
/// <param name="Layer">The layer's index.</param>
/// <param name="Tokens">The layer's routing, by logical expert.</param>
/// <param name="BoundarySeconds">
/// Time of the moves the strategy made before this microbatch (<see cref="IMoeDeploymentStrategy.BeginMicrobatch"/>)
/// for this layer; nothing overlaps them, so they are charged in full. 0 when none.
/// </param>
/// <param name="Timer">The timer to plan through when this strategy's solves are the ones timed; <see langword="null"/> to plan untimed.</param>
/// <param name="FastestPlannedAllToAllSeconds">
/// The fastest one-pass dispatch all-to-all of the strategies that stepped this layer before (those that do not
/// <see cref="IMoeDeploymentStrategy.ComparesWithPlans"/>); infinity when none did.
/// </param>
internal sealed record MoeLayerInput(int Microbatch, int Layer, LayerTokens Tokens, double BoundarySeconds, MoePlannerTimer? Timer, double FastestPlannedAllToAllSeconds);
