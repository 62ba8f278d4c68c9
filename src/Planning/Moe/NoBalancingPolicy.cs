namespace Planning.Moe;

/// <summary>The <c>none</c> policy: masters only, each serving its whole load; the baseline every policy improves on.</summary>
public sealed class NoBalancingPolicy : IBalancingPolicy
{
    /// <inheritdoc />
    public string Name => "none";

    /// <inheritdoc />
    public bool ReroutesTokens => false;

    /// <inheritdoc />
    public bool IsRealTime => true;

    /// <inheritdoc />
    public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var topology = problem.Topology;
        var instances = new ExpertInstance[topology.Experts];
        for (var e = 0; e < instances.Length; e++)
        {
            instances[e] = new ExpertInstance(e, topology.ExpertMaster[e], problem.Loads[e]);
        }

        var bound = BalanceBounds.SlotRulesMaxLoad(topology, problem.Loads.AsSpan());
        return LayerPlan.Create(topology, instances, BalanceBounds.ToImbalance(bound, problem.TotalLoad, topology.Ranks));
    }
}
