using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// The serving engine's policy, what <see cref="CalibratedCostModel"/> needs besides the hardware: how much of each
/// GPU's memory the engine may use, what it keeps for activations, the least KV cache a tensor-parallel degree must
/// offer, and the bytes a weight and a KV element take. The device and link figures are not here: they are the
/// cluster's (<see cref="Planning.Graph.HardwareSpec"/>, seen through <see cref="InferenceHardware"/>). The defaults
/// are the <c>engine</c> section of <c>Rollout/CostModel/Data/inference-models.json</c>, which states their assumptions.
/// </summary>
public sealed record ServingEngineSettings
{
    /// <summary>The embedded defaults (vLLM's memory policy, bf16 weights and KV cache).</summary>
    public static ServingEngineSettings Default => CalibratedCostModelCatalog.Engine;

    /// <summary>The fraction of each GPU's memory the engine may use, in (0, 1] (vLLM's <c>gpu_memory_utilization</c>).</summary>
    public required double UsableMemoryFraction { get; init; }

    /// <summary>Bytes a GPU keeps for activations, CUDA graphs and the sampler (not KV cache); at least 0.</summary>
    public required double ActivationReserveBytesPerGpu { get; init; }

    /// <summary>The KV capacity, in tokens, a tensor-parallel degree must offer to be allowed; at least 1.</summary>
    public required long MinKvTokens { get; init; }

    /// <summary>Bytes a weight (and an activation element) takes; at least 1.</summary>
    public required int BytesPerParameter { get; init; }

    /// <summary>Bytes a KV-cache element takes; at least 1.</summary>
    public required int KvBytesPerElement { get; init; }

    /// <summary>Checks every field; errors name it (<c>engine.usableMemoryFraction</c>, ...).</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public ServingEngineSettings Validate()
    {
        if (!(UsableMemoryFraction > 0 && UsableMemoryFraction <= 1))
        {
            throw new PlanningInputException("engine.usableMemoryFraction", Invariant($"must be a fraction in (0, 1], got {UsableMemoryFraction}"));
        }

        if (!(ActivationReserveBytesPerGpu >= 0) || double.IsInfinity(ActivationReserveBytesPerGpu))
        {
            throw new PlanningInputException("engine.activationReserveBytesPerGpu", Invariant($"must be a finite number of bytes, 0 or more, got {ActivationReserveBytesPerGpu}"));
        }

        if (MinKvTokens < 1)
        {
            throw new PlanningInputException("engine.minKvTokens", Invariant($"must be at least 1, got {MinKvTokens}"));
        }

        if (BytesPerParameter < 1)
        {
            throw new PlanningInputException("engine.bytesPerParameter", Invariant($"must be at least 1, got {BytesPerParameter}"));
        }

        if (KvBytesPerElement < 1)
        {
            throw new PlanningInputException("engine.kvBytesPerElement", Invariant($"must be at least 1, got {KvBytesPerElement}"));
        }

        return this;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
