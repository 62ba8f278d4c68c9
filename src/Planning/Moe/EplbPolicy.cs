namespace Planning.Moe;

/// <summary>
/// The <c>eplb</c> policy: DeepSeek's EPLB (<see cref="Eplb"/>) over all <c>ranks x slotsPerRank</c> slots,
/// hierarchical over nodes when the expert groups divide by the nodes, and each expert's tokens split evenly over its
/// replicas with largest-remainder rounding (<see cref="LoadMath.EvenShare"/>).
/// </summary>
public sealed class EplbPolicy : IBalancingPolicy
{
    /// <inheritdoc />
    public string Name => "eplb";

    /// <inheritdoc />
    public bool ReroutesTokens => false;

    /// <inheritdoc />
    public bool IsRealTime => true;

    /// <inheritdoc />
    public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var topology = problem.Topology;
        var result = Eplb.Rebalance(
            problem.LoadsToPlace.AsSpan(),
            topology.Ranks * topology.SlotsPerRank,
            topology.ExpertGroups,
            topology.Nodes,
            topology.Ranks);

        var instances = new ExpertInstance[result.PhysicalToLogical.Length];
        for (var slot = 0; slot < instances.Length; slot++)
        {
            var expert = result.PhysicalToLogical[slot];
            var quota = LoadMath.EvenShare(problem.Loads[expert], result.LogicalCount[expert], result.ReplicaIndex[slot]);
            instances[slot] = new ExpertInstance(expert, slot / topology.SlotsPerRank, quota);
        }

        var bound = BalanceBounds.SlotRulesMaxLoad(topology, problem.Loads.AsSpan());
        return LayerPlan.Create(topology, instances, BalanceBounds.ToImbalance(bound, problem.TotalLoad, topology.Ranks));
    }
}
