using Planning.Moe.ReLibra;

namespace Planning.Execution.Moe.ReLibra;

/// <summary>How <see cref="ReLibraTrainingSimulation"/> runs: ReLibra's planner options and EPLB's history.</summary>
public sealed record ReLibraSimulationOptions
{
    /// <summary>The defaults.</summary>
    public static ReLibraSimulationOptions Default { get; } = new();

    /// <summary>
    /// ReLibra's planner. The move penalty is not read from here: the simulation derives it from the model and the
    /// hardware (<see cref="ExpertReorderingOptions.MovePenaltyTokens"/>). Default: CP-SAT for 2 s per layer and batch.
    /// </summary>
    public ReLibraOptions Planner { get; init; } = ReLibraOptions.Default;

    /// <summary>
    /// Whether a rank's redundant slots keep their replicas across a batch's microbatches (default): a replica is fetched
    /// once while it stays in its slot and accumulates its gradients there, which go to the master when the slot is
    /// reused or before the optimizer step. Off: every microbatch and layer fetches its replicas and reduces their
    /// gradients afresh (the upper end of the replica traffic).
    /// </summary>
    public bool ReplicasPersistInBatch { get; init; } = true;

    /// <summary>
    /// Whether transfers a real trainer overlaps run behind the work that does not need them (default): a moved expert's
    /// optimizer state (fp32 main weights and Adam's moments), which its new rank reads only at the next optimizer step,
    /// streams while the batch's expert compute runs (the network is idle then: the simulator does not overlap phases);
    /// only its weights, needed before the first forward, and the part of the state's exchange longer than the batch's
    /// compute are exposed. With <see cref="ReplicasPersistInBatch"/>, an evicted replica's accumulated gradients leave
    /// from its gradient buffer, which the next replica writes only in its backward pass: they go to the master during
    /// the microbatch's forward dispatch and compute, and only what is longer is exposed. Off: both are charged fully
    /// exposed, and ReLibra's move penalty prices a move's whole state (the sensitivity check; on, it prices the weights
    /// alone where the batch's compute is sure to hide the state).
    /// </summary>
    public bool OverlapTransfers { get; init; } = true;

    /// <summary>
    /// Whether the policies with replicas (<c>eplb</c>, <c>eplb-oracle</c>, <c>ultraep</c>, <c>relibra</c>) route the
    /// tokens that cross the network so that every rank of a node receives about as many (default; the baselines get the
    /// same router): an expert's tokens from other nodes are split over its instances on one node by a max flow, and the
    /// node's own tokens take what is left over NVLink (<c>Rerouter.RouteSpreadingArrivals</c>). Off: UltraEP's
    /// proportional reroute table for <c>ultraep</c> and <c>relibra</c>, which gives every instance of an expert the same
    /// mix of sources, and the dispatcher's local-first rule for EPLB (the ablation).
    /// </summary>
    public bool SpreadNetworkArrivals { get; init; } = true;

    /// <summary>
    /// Whether <c>relibra</c> checks each batch before committing to it (default): the batch's routing is known from the
    /// replay, so it simulates the batch with the reordered layout and replicas, with the current layout (no moves), and
    /// with either layout without replicas, each charged what it moves, and keeps the fastest. A small batch then keeps
    /// what does not pay for itself out (replica weights that cost more than the compute they balance, moves a single
    /// batch does not pay back). Off: every batch is reordered and replicated.
    /// </summary>
    public bool GuardEachBatch { get; init; } = true;

    /// <summary>Where the simulation reports its progress (one line per batch), or <see langword="null"/>.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    public ReLibraSimulationOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Planner);
        Planner.Validate();
        return this;
    }
}
