using System.Collections.Immutable;

namespace Planning.Execution.Moe.ReLibra;

/// <summary>One policy's figures over a replay: the mean training step (one batch) and what it moved.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="StepSeconds">The mean time of one training step (a batch: every microbatch's forward and backward, plus the batch boundary's moves).</param>
/// <param name="ComputeSeconds">Per step, the experts' forward and backward compute of the busiest rank, layer by layer.</param>
/// <param name="AllToAllSeconds">Per step, the dispatch and combine of both passes.</param>
/// <param name="ReplicaSeconds">Per step, fetching replicas' weights (the part not hidden behind the forward dispatch) and reducing their gradients to the masters.</param>
/// <param name="BoundarySeconds">Per step, moving experts' weights and optimizer state between nodes at the batch boundary.</param>
/// <param name="BoundaryBytes">Bytes moved at batch boundaries over the whole replay.</param>
/// <param name="ReplicaWeightBytes">Replica weights fetched from masters over the whole replay.</param>
/// <param name="ReplicaGradientBytes">Replica gradients sent to masters over the whole replay.</param>
/// <param name="ForwardTokens">Token-expert assignments computed in the forward pass over the whole replay.</param>
/// <param name="BackwardTokens">Token-expert assignments whose gradients the backward pass computes over the whole replay.</param>
/// <param name="MeanImbalance">The mean over microbatches and layers of max / mean rank load.</param>
public sealed record ReLibraPolicyOutcome(
    string Policy,
    double StepSeconds,
    double ComputeSeconds,
    double AllToAllSeconds,
    double ReplicaSeconds,
    double BoundarySeconds,
    long BoundaryBytes,
    long ReplicaWeightBytes,
    long ReplicaGradientBytes,
    long ForwardTokens,
    long BackwardTokens,
    double MeanImbalance)
{
    /// <summary>Every byte the policy moved: boundary moves, replica weights and replica gradients.</summary>
    public long BytesMoved => BoundaryBytes + ReplicaWeightBytes + ReplicaGradientBytes;
}

/// <summary>The figures of a <see cref="ReLibraTrainingSimulation"/> run.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Hardware">The hardware's name.</param>
/// <param name="Ranks">Ranks.</param>
/// <param name="Nodes">Nodes.</param>
/// <param name="Batches">Batches (training steps) simulated.</param>
/// <param name="Microbatches">Microbatches in all.</param>
/// <param name="Layers">MoE layers per microbatch.</param>
/// <param name="Policies">The requested policies' figures, in the order requested.</param>
/// <param name="Megatron">The reference without balancing (<c>megatron</c>).</param>
/// <param name="Ideal">The force-balanced reference (<c>ideal</c>).</param>
public sealed record ReLibraSimulationResult(
    string Model,
    string Hardware,
    int Ranks,
    int Nodes,
    int Batches,
    int Microbatches,
    int Layers,
    ImmutableArray<ReLibraPolicyOutcome> Policies,
    ReLibraPolicyOutcome Megatron,
    ReLibraPolicyOutcome Ideal)
{
    /// <summary>The initial imbalance: <c>megatron</c>'s mean max / mean rank load.</summary>
    public double InitialImbalance => Megatron.MeanImbalance;

    /// <summary>How much slower than the ideal a policy's step is, in percent: <c>(step / ideal - 1) x 100</c>.</summary>
    /// <param name="outcome">The policy's figures.</param>
    /// <returns>Percent.</returns>
    public double OverIdealPercent(ReLibraPolicyOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return Ideal.StepSeconds == 0 ? 0 : ((outcome.StepSeconds / Ideal.StepSeconds) - 1) * 100;
    }

    /// <summary>The speed-up over <c>megatron</c>: <c>megatron step / step</c>.</summary>
    /// <param name="outcome">The policy's figures.</param>
    /// <returns>The ratio.</returns>
    public double SpeedupOverMegatron(ReLibraPolicyOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.StepSeconds == 0 ? 1 : Megatron.StepSeconds / outcome.StepSeconds;
    }
}
