using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>One layer to balance: the topology, the loads the plan must serve and, optionally, the loads to place by.</summary>
/// <param name="Topology">The cluster and slots.</param>
/// <param name="Loads">Each logical expert's load in this layer: the quotas of an expert sum to it.</param>
/// <param name="PlacementLoads">
/// Loads to choose the placement from, when they differ from <paramref name="Loads"/> (EPLB as deployed plans from
/// earlier microbatches); <see langword="null"/> to place by <paramref name="Loads"/>.
/// </param>
/// <param name="Tokens">
/// The layer's routing (tokens per source rank and expert), for policies that also reroute tokens; <see langword="null"/>
/// when only the loads are known.
/// </param>
/// <param name="Previous">
/// The previous microbatch's instances of this layer, for incremental policies that prefer replicas already in place;
/// <see langword="null"/> for a fresh plan.
/// </param>
public sealed record MoeLayerProblem(
    MoeTopology Topology,
    ImmutableArray<long> Loads,
    ImmutableArray<long>? PlacementLoads = null,
    LayerTokens? Tokens = null,
    ImmutableArray<ExpertInstance>? Previous = null)
{
    /// <summary>The loads the placement is chosen from.</summary>
    public ImmutableArray<long> LoadsToPlace => PlacementLoads ?? Loads;

    /// <summary>The total tokens of the layer.</summary>
    public long TotalLoad => Loads.Sum();
}

/// <summary>
/// A MoE balancing policy: turns one layer's loads into a <see cref="LayerPlan"/>. Implementations are stateless
/// and thread-safe; they never mutate the problem.
/// </summary>
public interface IBalancingPolicy
{
    /// <summary>The policy's name on the command line and in the output (<c>none</c>, <c>eplb</c>, <c>exact</c>, ...).</summary>
    string Name { get; }

    /// <summary>
    /// Whether the policy is meant for the critical path: then its solve time is measured in steady state, after a
    /// warm-up, over repeated solves. A policy that runs a solver to a time limit is timed once per layer.
    /// </summary>
    bool IsRealTime { get; }

    /// <summary>
    /// Whether the policy's plans carry a reroute table (<see cref="LayerPlan.Routes"/>): UltraEP's locality-aware
    /// rerouting (<see cref="Rerouter"/>), computed after the timed solves.
    /// </summary>
    bool ReroutesTokens { get; }

    /// <summary>Plans one layer.</summary>
    /// <param name="problem">The layer.</param>
    /// <param name="cancellationToken">Stops a solver early; the best plan so far is returned.</param>
    /// <returns>The plan.</returns>
    LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default);
}
