using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// <see cref="IInferenceCostModel"/> of today's serving engines (the <c>modern</c> cost model; <c>splitwise</c> is
/// <see cref="CalibratedCostModel"/>, fitted to a 2023 engine): a roofline of HBM bandwidth and tensor-core rate with a
/// fixed cost per layer and a one-shot custom all-reduce whose latency is nearly flat in the tensor-parallel degree, so
/// that per-token time keeps falling with the degree. Its four constants (<see cref="Constants"/>) are the minimax fit
/// to public measurements of NVIDIA NIM and vLLM (<c>Rollout/CostModel/Data/modern-cost-model.json</c> lists each with
/// its source URL; docs/benchmarks.md the model's value and error for each). Named models as
/// <see cref="CalibratedCostModel"/> (<c>8b</c>, <c>14b</c>, <c>32b</c>, <c>70b</c>); bf16 weights and KV cache by
/// default (<see cref="ServingEngineSettings"/>). Immutable and thread-safe.
/// <list type="bullet">
/// <item>Decode iteration of b sequences holding C context tokens = L x overhead + max(weight bytes / TP / (eta_mem x
/// HBM), 2 x params x b / TP / (eta_compute x rate)) + C x KV bytes a token / TP / (eta_mem x HBM) + all-reduce(b).</item>
/// <item>Prefill of n new tokens on c cached = L x overhead + max(weight bytes / TP / (eta_mem x HBM), (2 x params x n +
/// attention FLOPs) / TP / (eta_compute x rate)) + c x KV bytes a token / TP / (eta_mem x HBM) + all-reduce(n).</item>
/// <item>All-reduce(t) = 0 at TP 1, else L x (latency + 2 x 2 x t x hidden x 2 bytes x (TP - 1) / TP / NVLink).</item>
/// <item>rate = the GPU's bf16 peak x 2 / bytes a weight (FP8 doubles it); KV capacity = (TP x (memory x usable fraction
/// - activation reserve) - weight bytes) / KV bytes a token, offered where it holds the engine's least KV tokens.</item>
/// </list>
/// </summary>
public sealed class ModernCostModel : IInferenceCostModel
{
    private readonly int[] degreeIndex;
    private readonly long[] capacity;
    private readonly double weightSecondsAtTp1;
    private readonly double kvSecondsPerToken;
    private readonly double computeRate;

    private ModernCostModel(InferenceModelSpec model, InferenceHardware hardware, ModernCostModelConstants constants)
    {
        Model = model;
        Hardware = hardware;
        Constants = constants;
        KvBytesPerToken = model.KvBytesPerToken(hardware.KvBytesPerElement);
        WeightBytes = model.Parameters * hardware.BytesPerParameter;
        weightSecondsAtTp1 = WeightBytes / (constants.MemoryEfficiency * hardware.MemoryBytesPerSecond);
        kvSecondsPerToken = KvBytesPerToken / (constants.MemoryEfficiency * hardware.MemoryBytesPerSecond);
        computeRate = constants.ComputeEfficiency * hardware.PeakFlopsPerSecond * 2.0 / hardware.BytesPerParameter;
        var degrees = hardware.TensorParallelDegrees.Where(d => RawCapacity(d) >= hardware.MinKvTokens).ToImmutableArray();
        if (degrees.IsEmpty)
        {
            throw new PlanningInputException(
                "model",
                string.Create(CultureInfo.InvariantCulture, $"{model.Name} does not fit on {hardware.Name} at any tensor-parallel degree ({string.Join(", ", hardware.TensorParallelDegrees)}) with at least {hardware.MinKvTokens} tokens of KV cache"));
        }

        TensorParallelDegrees = degrees;
        degreeIndex = Enumerable.Repeat(-1, hardware.TensorParallelDegrees.Max() + 1).ToArray();
        capacity = new long[degrees.Length];
        for (var i = 0; i < degrees.Length; i++)
        {
            degreeIndex[degrees[i]] = i;
            capacity[i] = RawCapacity(degrees[i]);
        }
    }

    /// <summary>The embedded constants: the minimax fit to the anchors of <c>modern-cost-model.json</c>.</summary>
    public static ModernCostModelConstants EmbeddedConstants => ModernCostModelCatalog.Constants;

    /// <summary>The model's shape.</summary>
    public InferenceModelSpec Model { get; }

    /// <summary>The GPU and engine the costs are for.</summary>
    public InferenceHardware Hardware { get; }

    /// <summary>The constants this instance uses.</summary>
    public ModernCostModelConstants Constants { get; }

    /// <summary>Bytes of all the model's weights (at the engine's bytes a weight).</summary>
    public double WeightBytes { get; }

    /// <inheritdoc/>
    public string ModelName => Model.Name;

    /// <inheritdoc/>
    public IReadOnlyList<int> TensorParallelDegrees { get; }

    /// <inheritdoc/>
    public long KvBytesPerToken { get; }

    /// <summary>The cost model of an embedded model (<see cref="CalibratedCostModel.ModelNames"/>) on some hardware.</summary>
    /// <param name="name">An embedded model, such as <c>8b</c>.</param>
    /// <param name="hardware">The GPU and engine (<see cref="InferenceHardware.From"/>); null for <see cref="CalibratedCostModel.DefaultHardware"/> (the embedded h100, bf16).</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The name is unknown, or the model fits at no tensor-parallel degree of the hardware (field <c>model</c>).</exception>
    public static ModernCostModel ForModel(string name, InferenceHardware? hardware = null)
    {
        var model = CalibratedCostModelCatalog.Model(name ?? string.Empty)
            ?? throw new PlanningInputException("model", $"must be one of {string.Join(", ", CalibratedCostModel.ModelNames)}, got \"{name}\"");
        return new ModernCostModel(model, hardware ?? CalibratedCostModel.DefaultHardware, EmbeddedConstants);
    }

    /// <summary>The cost model of another dense model, on some hardware, with some constants.</summary>
    /// <param name="model">The model's shape.</param>
    /// <param name="hardware">The GPU and engine; null for <see cref="CalibratedCostModel.DefaultHardware"/>.</param>
    /// <param name="constants">The constants; null for <see cref="EmbeddedConstants"/>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">A constant is out of range (field <c>constants.NAME</c>), or the model fits at no tensor-parallel degree (field <c>model</c>).</exception>
    public static ModernCostModel Create(InferenceModelSpec model, InferenceHardware? hardware = null, ModernCostModelConstants? constants = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModernCostModel(model, hardware ?? CalibratedCostModel.DefaultHardware, (constants ?? EmbeddedConstants).Validate());
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The batch is below 1 or the context negative.</exception>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contextTokens);
        Check(tensorParallel);
        return Decode(batchSize, contextTokens, tensorParallel);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedTokens);
        Check(tensorParallel);
        return Prefill(newTokens, CalibratedCostModelRoofline.AttentionFlops(Model, newTokens, cachedTokens), cachedTokens, tensorParallel);
    }

    /// <inheritdoc/>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public long KvCapacityTokens(int tensorParallel) => capacity[Check(tensorParallel)];

    /// <summary>A decode iteration without argument checks (the formulas of the class summary; context may be fractional, a mean).</summary>
    internal double Decode(double batch, double contextTokens, int tensorParallel)
    {
        var weights = weightSecondsAtTp1 / tensorParallel;
        var compute = 2 * Model.Parameters * batch / tensorParallel / computeRate;
        return (Model.Layers * Constants.LayerOverheadSeconds)
            + Math.Max(weights, compute)
            + (contextTokens * kvSecondsPerToken / tensorParallel)
            + AllReduce(batch, tensorParallel);
    }

    /// <summary>A prefill without argument checks: <paramref name="newTokens"/> tokens (of one or more sequences) whose attention costs <paramref name="attentionFlops"/>, reading <paramref name="cachedTokens"/> of KV cache.</summary>
    internal double Prefill(double newTokens, double attentionFlops, double cachedTokens, int tensorParallel)
    {
        if (newTokens <= 0)
        {
            return 0;
        }

        var weights = weightSecondsAtTp1 / tensorParallel;
        var compute = ((2 * Model.Parameters * newTokens) + attentionFlops) / tensorParallel / computeRate;
        return (Model.Layers * Constants.LayerOverheadSeconds)
            + Math.Max(weights, compute)
            + (cachedTokens * kvSecondsPerToken / tensorParallel)
            + AllReduce(newTokens, tensorParallel);
    }

    /// <summary>
    /// A forward pass's all-reduces over <paramref name="tokens"/> tokens: none at TP 1; else per layer the flat latency
    /// plus two all-reduces of tokens x hidden bf16 activations, each moving 2 (TP - 1) / TP of its bytes over NVLink.
    /// </summary>
    private double AllReduce(double tokens, int tensorParallel)
    {
        if (tensorParallel <= 1)
        {
            return 0;
        }

        var bytes = 2.0 * 2.0 * tokens * Model.HiddenSize * 2.0 * (tensorParallel - 1) / tensorParallel;
        return Model.Layers * (Constants.AllReduceSecondsPerLayer + (bytes / Hardware.InterconnectBytesPerSecond));
    }

    private long RawCapacity(int tensorParallel)
    {
        var free = (tensorParallel * ((Hardware.MemoryBytes * Hardware.UsableMemoryFraction) - Hardware.ActivationReserveBytesPerGpu)) - WeightBytes;
        return free <= 0 ? 0 : (long)Math.Floor(free / KvBytesPerToken);
    }

    private int Check(int tensorParallel)
    {
        var index = tensorParallel >= 0 && tensorParallel < degreeIndex.Length ? degreeIndex[tensorParallel] : -1;
        return index >= 0
            ? index
            : throw new PlanningInputException(
                "tensorParallel",
                string.Create(CultureInfo.InvariantCulture, $"model {Model.Name} offers tensor-parallel degrees {string.Join(", ", TensorParallelDegrees)} on {Hardware.Name} (weights plus at least {Hardware.MinKvTokens} KV tokens must fit), got {tensorParallel}"));
    }
}
