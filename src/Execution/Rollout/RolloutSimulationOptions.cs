using System.Globalization;

namespace Planning.Execution.Rollout;

/// <summary>How <see cref="RolloutSimulator"/> runs an instance: batch limit, KV transfer bandwidth and the equal-TP rule.</summary>
public sealed record RolloutSimulationOptions
{
    /// <summary>The defaults.</summary>
    public static RolloutSimulationOptions Default { get; } = new();

    /// <summary>The most sequences in one instance's continuous batch (vLLM's <c>max_num_seqs</c>). Default 256.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// Bytes per second a KV-cache migration moves between instances (GPU-to-GPU over RDMA). Default 25e9 (a 200 Gb/s
    /// link); a migration whose transfer does not fit inside the tool call becomes a re-prefill.
    /// </summary>
    public double MigrationBytesPerSecond { get; init; } = 25e9;

    /// <summary>
    /// The equal-TP rule of the baselines: every instance gets the smallest tensor-parallel degree whose KV cache holds
    /// this many trajectories at the trace's mean final context (and the longest final context). Default 32.
    /// </summary>
    public int EqualTensorParallelBatchTarget { get; init; } = 32;

    /// <summary>
    /// A fixed degree for the equal-TP layout instead of the rule of <see cref="EqualTensorParallelBatchTarget"/>: every
    /// instance at this degree (as a baseline tuned by hand would be). It must be one of the model's degrees within the
    /// budget whose KV cache holds the longest trajectory. Default 0: the rule.
    /// </summary>
    public int EqualTensorParallelDegree { get; init; }

    /// <summary>
    /// Bytes per second each GPU of a regrouped instance loads its new shard of the weights and of the resident KV
    /// cache at (see <see cref="IRolloutPolicy.Regroup"/>). Default 25e9 (host memory over PCIe 5.0 x16, or a peer
    /// GPU); the instance stalls for <c>(weights + resident KV) / (new degree × this)</c>.
    /// </summary>
    public double ReloadBytesPerSecond { get; init; } = 25e9;

    /// <summary>
    /// GPUs per node. Instances take the GPUs in layout order; a regroup may merge only instances whose GPUs all lie
    /// in one node (tensor parallelism runs over the node's NVLink). Default 8.
    /// </summary>
    public int GpusPerNode { get; init; } = 8;

    /// <summary>Whether the result keeps the per-turn records (for tests and analysis). Default true.</summary>
    public bool RecordTurns { get; init; } = true;

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public RolloutSimulationOptions Validate()
    {
        if (MaxBatchSize < 1)
        {
            throw new PlanningInputException("maxBatchSize", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {MaxBatchSize}"));
        }

        if (!(MigrationBytesPerSecond > 0) || double.IsInfinity(MigrationBytesPerSecond))
        {
            throw new PlanningInputException("migrationBytesPerSecond", string.Create(CultureInfo.InvariantCulture, $"must be a positive finite number, got {MigrationBytesPerSecond}"));
        }

        if (!(ReloadBytesPerSecond > 0) || double.IsInfinity(ReloadBytesPerSecond))
        {
            throw new PlanningInputException("reloadBytesPerSecond", string.Create(CultureInfo.InvariantCulture, $"must be a positive finite number, got {ReloadBytesPerSecond}"));
        }

        if (GpusPerNode < 1)
        {
            throw new PlanningInputException("gpusPerNode", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {GpusPerNode}"));
        }

        if (EqualTensorParallelBatchTarget < 1)
        {
            throw new PlanningInputException("equalTensorParallelBatchTarget", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {EqualTensorParallelBatchTarget}"));
        }

        if (EqualTensorParallelDegree < 0)
        {
            throw new PlanningInputException("equalTensorParallelDegree", string.Create(CultureInfo.InvariantCulture, $"must be 0 (the equal-TP rule) or a tensor-parallel degree, got {EqualTensorParallelDegree}"));
        }

        return this;
    }
}
