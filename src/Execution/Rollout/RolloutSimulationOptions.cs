using System.Globalization;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>How <see cref="RolloutSimulator"/> runs: the hardware it lays the instances on, the batch limit and the equal-TP rule.</summary>
public sealed record RolloutSimulationOptions
{
    // Declared before Default: static initializers run in text order, and Default's Hardware reads this.
    private static readonly HardwareSpec DefaultHardware = HardwareSpec.Load("h100");

    /// <summary>The defaults.</summary>
    public static RolloutSimulationOptions Default { get; } = new();

    /// <summary>The most sequences in one instance's continuous batch (vLLM's <c>max_num_seqs</c>). Default 256.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// The hardware the instances run on, laid out once per simulation as a cluster of the GPU budget
    /// (<see cref="HardwareSpec.Build"/>): which node each GPU lies in (a regroup merges instances of one node), the
    /// bandwidth a KV-cache migration moves at between instances (its <see cref="LinkClass.Network"/> link; a migration
    /// whose transfer does not fit inside the tool call becomes a re-prefill) and the one a regrouped instance reloads
    /// its shards at (its <see cref="LinkClass.Pcie"/> link). Default: the embedded <c>h100</c> (8 GPUs a node, 25e9
    /// B/s each). The cost model's GPU figures are its own (<c>CalibratedCostModel.ForModel(name, InferenceHardware.From(hardware))</c>
    /// builds one on the same description).
    /// </summary>
    public HardwareSpec Hardware { get; init; } = DefaultHardware;

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
    /// What changing an instance's tensor-parallel degree (a regroup) costs: by default
    /// <see cref="Planning.Rollout.TensorParallelChange.Stock"/>, a stock engine's restart
    /// (<see cref="Planning.Rollout.TensorParallelChange.StockRestartSeconds"/> plus the weights over the reload link, the
    /// KV cache lost); <see cref="Planning.Rollout.TensorParallelChange.InPlace"/> for an engine that reshards in place
    /// (<c>--in-place-resharding</c>).
    /// </summary>
    public TensorParallelChange TensorParallelChange { get; init; } = TensorParallelChange.Stock;

    /// <summary>
    /// The rollout's configured maximum context in tokens (an engine's <c>max_model_len</c>, the prompt plus the response
    /// budget): all a real system knows about its longest trajectory before the rollout runs. The layout rules (equal TP,
    /// the recipes' degrees, Heddle's resource manager) size every instance's KV cache for it, and a trajectory whose final
    /// context exceeds it is an input error. Default 0: not configured, and the trace's own longest final context stands
    /// in (knowledge of the future, for callers without a configuration; <c>plan rollout simulate</c> always sets it).
    /// </summary>
    public long MaxContextTokens { get; init; }

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

        if (Hardware is null)
        {
            throw new PlanningInputException("hardware", "must be a hardware description (HardwareSpec.Load(\"h100\") by default)");
        }

        // A description changed with a `with` expression is checked again, and the two link classes the simulator
        // moves bytes over must exist (the error names the missing one, such as hardware.links.network).
        Hardware.Validate();
        Hardware.Link(LinkClass.Network);
        Hardware.Link(LinkClass.Pcie);

        if (TensorParallelChange is null)
        {
            throw new PlanningInputException("tensorParallelChange", "must describe what a degree change costs (TensorParallelChange.Stock by default)");
        }

        TensorParallelChange.Validate();
        if (EqualTensorParallelBatchTarget < 1)
        {
            throw new PlanningInputException("equalTensorParallelBatchTarget", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {EqualTensorParallelBatchTarget}"));
        }

        if (MaxContextTokens < 0)
        {
            throw new PlanningInputException("maxContextTokens", string.Create(CultureInfo.InvariantCulture, $"must be 0 (not configured) or positive, got {MaxContextTokens}"));
        }

        if (EqualTensorParallelDegree < 0)
        {
            throw new PlanningInputException("equalTensorParallelDegree", string.Create(CultureInfo.InvariantCulture, $"must be 0 (the equal-TP rule) or a tensor-parallel degree, got {EqualTensorParallelDegree}"));
        }

        return this;
    }

    /// <summary>The context the layout rules size KV caches for: <see cref="MaxContextTokens"/>, or when not configured the trace's longest final context.</summary>
    /// <param name="trace">The trajectories.</param>
    /// <returns>Tokens.</returns>
    internal long LayoutContextTokens(IReadOnlyList<Trajectory> trace) =>
        MaxContextTokens > 0 ? MaxContextTokens : trace.Count == 0 ? 0 : trace.Max(t => t.FinalContextTokens);
}
