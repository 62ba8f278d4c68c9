using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>
/// The GPU an inference instance runs on, as the roofline of <see cref="CalibratedCostModel"/> sees it, and the memory
/// policy of the serving engine. The defaults (H100-80GB SXM) are embedded in <c>Rollout/CostModel/Data/inference-models.json</c>.
/// </summary>
/// <param name="Name">A name for reports, such as <c>H100-80GB SXM</c>.</param>
/// <param name="PeakFlopsPerSecond">Peak dense bf16 FLOP/s of one GPU.</param>
/// <param name="MemoryBytesPerSecond">HBM bandwidth of one GPU, bytes a second.</param>
/// <param name="MemoryBytes">HBM capacity of one GPU, bytes.</param>
/// <param name="InterconnectBytesPerSecond">GPU-to-GPU (NVLink) bandwidth per direction, bytes a second; all-reduces and KV migrations use it.</param>
/// <param name="UsableMemoryFraction">The fraction of each GPU's memory the engine may use.</param>
/// <param name="ActivationReserveBytesPerGpu">Bytes a GPU keeps for activations, graphs and the sampler (not KV cache).</param>
/// <param name="MinKvTokens">The KV capacity a tensor-parallel degree must offer to be allowed.</param>
/// <param name="BytesPerParameter">Bytes a weight (and an activation element) takes.</param>
/// <param name="KvBytesPerElement">Bytes a KV-cache element takes.</param>
/// <param name="TensorParallelDegrees">The degrees an instance may use, ascending.</param>
public sealed record InferenceHardware(
    string Name,
    double PeakFlopsPerSecond,
    double MemoryBytesPerSecond,
    double MemoryBytes,
    double InterconnectBytesPerSecond,
    double UsableMemoryFraction,
    double ActivationReserveBytesPerGpu,
    long MinKvTokens,
    int BytesPerParameter,
    int KvBytesPerElement,
    ImmutableArray<int> TensorParallelDegrees);
