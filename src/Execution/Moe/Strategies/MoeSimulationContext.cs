using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>What every strategy of one simulated run shares: the workload, its topology and the step simulator. Immutable.</summary>
/// <param name="Microbatches">The workload, in order (every microbatch has the topology and layers of the first).</param>
/// <param name="Topology">The slots and masters of the workload on the simulator's cluster (the policies plan on it).</param>
/// <param name="Simulator">The step simulator (model, cluster with its hardware, phase).</param>
internal sealed record MoeSimulationContext(IReadOnlyList<MoeCase> Microbatches, MoeTopology Topology, MoeStepSimulator Simulator)
{
    /// <summary>MoE layers per microbatch.</summary>
    public int Layers => Microbatches[0].Layers.Length;
}
