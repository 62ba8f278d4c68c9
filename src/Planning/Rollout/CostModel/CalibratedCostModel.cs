using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// <see cref="IInferenceCostModel"/> for dense transformers on GPUs: a roofline-shaped model whose few constants
/// (efficiencies, per-layer overheads, all-reduce costs) are fitted to measured Llama-2-70B prefill and decode times on
/// H100-80GB (see <see cref="Calibration"/>) and applied to every model through its shape (the roofline fallback for
/// models without measurements) and to every GPU through its figures (<see cref="InferenceHardware"/>, a view of a
/// <see cref="Planning.Graph.HardwareSpec"/>; the default is the embedded <c>h100</c>, the calibration's own). Named
/// defaults: <c>8b</c>, <c>14b</c>, <c>32b</c>, <c>70b</c> (<c>Rollout/CostModel/Data/inference-models.json</c>, which
/// states the assumptions). Immutable and thread-safe.
/// <list type="bullet">
/// <item>Decode iteration = L x overhead + max(weight bytes / TP / (eta_mem x HBM), 2 x params x batch / TP /
/// (eta_dec x peak)) + context x KV bytes per token / TP / (eta_mem x HBM) + L x all-reduce x (TP - 1).</item>
/// <item>Prefill = max(L x (floor + floor' x (TP - 1)), L x overhead' + (2 x params x new + attention FLOPs) / TP /
/// (eta_pre x peak) + all-reduce bytes / (eta_link x NVLink)).</item>
/// <item>KV capacity = (TP x (memory x usable fraction - activation reserve) - weight bytes) / KV bytes per token; a
/// degree is offered only where it is at least the hardware's minimum (64k tokens by default).</item>
/// </list>
/// </summary>
public sealed class CalibratedCostModel : IInferenceCostModel
{
    private readonly CalibratedCostModelConstants constants;
    private readonly int[] degreeIndex;
    private readonly long[] capacity;

    private CalibratedCostModel(InferenceModelSpec model, InferenceHardware hardware, CostModelCalibration calibration)
    {
        Model = model;
        Hardware = hardware;
        constants = calibration.Constants;
        KvBytesPerToken = model.KvBytesPerToken(hardware.KvBytesPerElement);
        WeightBytes = model.Parameters * hardware.BytesPerParameter;
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

    /// <summary>The names of the embedded models, such as <c>8b</c>.</summary>
    public static ImmutableArray<string> ModelNames => [.. CalibratedCostModelCatalog.Models.Select(m => m.Name)];

    /// <summary>The default hardware: the embedded <c>h100</c> description (H100-80GB SXM) under <see cref="ServingEngineSettings.Default"/>, on which the calibration was measured.</summary>
    public static InferenceHardware DefaultHardware => CalibratedCostModelCatalog.Hardware;

    /// <summary>The fit of the constants to the measured rows, made at first use and cached; with its error.</summary>
    public static CostModelCalibration Calibration => CalibratedCostModelCatalog.Calibration;

    /// <summary>The model's shape.</summary>
    public InferenceModelSpec Model { get; }

    /// <summary>The GPU and engine the costs are for.</summary>
    public InferenceHardware Hardware { get; }

    /// <summary>Bytes of all the model's weights.</summary>
    public double WeightBytes { get; }

    /// <inheritdoc/>
    public string ModelName => Model.Name;

    /// <inheritdoc/>
    public IReadOnlyList<int> TensorParallelDegrees { get; }

    /// <inheritdoc/>
    public long KvBytesPerToken { get; }

    /// <summary>The cost model of an embedded model on some hardware, through the calibrated roofline.</summary>
    /// <param name="name">One of <see cref="ModelNames"/>, such as <c>8b</c>.</param>
    /// <param name="hardware">The GPU and engine (<see cref="InferenceHardware.From"/>); null for <see cref="DefaultHardware"/>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The name is unknown, or the model fits at no tensor-parallel degree of the hardware (field <c>model</c>).</exception>
    public static CalibratedCostModel ForModel(string name, InferenceHardware? hardware = null)
    {
        var model = CalibratedCostModelCatalog.Model(name ?? string.Empty)
            ?? throw new PlanningInputException("model", $"must be one of {string.Join(", ", ModelNames)}, got \"{name}\"");
        return new CalibratedCostModel(model, hardware ?? DefaultHardware, Calibration);
    }

    /// <summary>The cost model of another dense model on some hardware, through the calibrated roofline.</summary>
    /// <param name="model">The model's shape.</param>
    /// <param name="hardware">The GPU and engine (<see cref="InferenceHardware.From"/>); null for <see cref="DefaultHardware"/>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The model fits at no tensor-parallel degree (field <c>model</c>).</exception>
    public static CalibratedCostModel Create(InferenceModelSpec model, InferenceHardware? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new CalibratedCostModel(model, hardware ?? DefaultHardware, Calibration);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The batch is below 1 or the context negative.</exception>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contextTokens);
        Check(tensorParallel);
        return CalibratedCostModelRoofline.DecodeSeconds(Model, Hardware, constants, batchSize, contextTokens, tensorParallel);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedTokens);
        Check(tensorParallel);
        return CalibratedCostModelRoofline.PrefillSeconds(
            Model, Hardware, constants, newTokens, CalibratedCostModelRoofline.AttentionFlops(Model, newTokens, cachedTokens), tensorParallel);
    }

    /// <inheritdoc/>
    /// <exception cref="PlanningInputException">The degree is not offered for this model (field <c>tensorParallel</c>).</exception>
    public long KvCapacityTokens(int tensorParallel) => capacity[Check(tensorParallel)];

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
