using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Soc;

/// <summary>What a kernel of the heterogeneous execution graph computes.</summary>
public enum SocKernelKind
{
    /// <summary>
    /// The linear part (query/key/value, output, gate/up/down projections) of a layer group for one chunk of prompt
    /// tokens: matrix-matrix products. A full chunk has the static shape the NPU is compiled for, and is elastic (NPU
    /// or iGPU); the remainder chunk (fewer tokens) has a dynamic shape and runs on the iGPU.
    /// </summary>
    PrefillChunk,

    /// <summary>The attention of a layer group for one chunk against its context (earlier chunks and itself): a dynamic shape, on the iGPU.</summary>
    PrefillAttention,

    /// <summary>One output token for a batch of requests through a layer group (matrix-vector products and attention over each request's KV cache).</summary>
    DecodeStep,
}

/// <summary>
/// One kernel of the heterogeneous execution graph (Agent.xpu's HEG): a layer group's work for one chunk of prompt
/// tokens or one decode step, with the accelerators it may run on. Kernels are problem facts: the cost model prices
/// them (<see cref="SocCostModel.Cost"/>), the mapping assigns them, the scheduler dispatches them.
/// </summary>
/// <param name="Kind">What the kernel computes.</param>
/// <param name="FirstLayer">The first layer it covers.</param>
/// <param name="EndLayer">One past the last layer it covers.</param>
/// <param name="Tokens">New tokens per request: the chunk's prompt tokens (prefill), 1 (decode).</param>
/// <param name="ContextTokens">
/// Tokens already in each request's KV cache before this kernel: the chunk's offset in the prompt (prefill), the mean
/// context of the batch (decode).
/// </param>
/// <param name="Batch">Requests served at once: 1 for prefill.</param>
/// <param name="Accelerators">Where it may run: one accelerator for a fixed kernel, NPU and iGPU for an elastic one.</param>
public sealed record SocKernel(
    SocKernelKind Kind,
    int FirstLayer,
    int EndLayer,
    int Tokens,
    int ContextTokens,
    int Batch,
    ImmutableArray<DeviceKind> Accelerators)
{
    /// <summary>Whether the kernel also runs the LM head (the prompt's last token, or every decode step's tokens): only the last layer group of the last chunk, or of a decode step.</summary>
    public bool IncludesLmHead { get; init; }

    /// <summary>The layers it covers.</summary>
    public int Layers => EndLayer - FirstLayer;

    /// <summary>Whether it may run on more than one accelerator.</summary>
    public bool IsElastic => Accelerators.Length > 1;

    /// <summary>
    /// A stable name: <c>prefill[0:256]/layers[0:7]</c> (the chunk's prompt positions and the layers),
    /// <c>attention[0:256]/layers[0:7]</c>, <c>decode[batch=4,context=1024]/layers[0:16]</c>.
    /// </summary>
    public string Name => Kind switch
    {
        SocKernelKind.PrefillChunk => string.Create(CultureInfo.InvariantCulture, $"prefill[{ContextTokens}:{ContextTokens + Tokens}]/layers[{FirstLayer}:{EndLayer}]"),
        SocKernelKind.PrefillAttention => string.Create(CultureInfo.InvariantCulture, $"attention[{ContextTokens}:{ContextTokens + Tokens}]/layers[{FirstLayer}:{EndLayer}]"),
        _ => string.Create(CultureInfo.InvariantCulture, $"decode[batch={Batch},context={ContextTokens}]/layers[{FirstLayer}:{EndLayer}]"),
    };

    /// <summary>Whether the kernel may run on an accelerator.</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns><see langword="true"/> when it is one of <see cref="Accelerators"/>.</returns>
    public bool MayRunOn(DeviceKind accelerator) => Accelerators.Contains(accelerator);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <inheritdoc />
    public bool Equals(SocKernel? other) =>
        other is not null && Kind == other.Kind && FirstLayer == other.FirstLayer && EndLayer == other.EndLayer && Tokens == other.Tokens
        && ContextTokens == other.ContextTokens && Batch == other.Batch && IncludesLmHead == other.IncludesLmHead
        && Accelerators.SequenceEqual(other.Accelerators);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, FirstLayer, EndLayer, Tokens, ContextTokens, Batch, IncludesLmHead, Accelerators.Length);
}

/// <summary>
/// The uncontended price of one kernel on one accelerator: its time, the DRAM traffic it causes, the operations it
/// performs and the memory it keeps resident.
/// </summary>
/// <param name="Seconds">Its time alone on the accelerator: launch overhead plus the larger of its compute and memory times.</param>
/// <param name="Bytes">DRAM bytes it reads and writes (weights, KV cache, activations).</param>
/// <param name="Flops">Operations it performs.</param>
/// <param name="MemoryBytes">Bytes it keeps resident: its layers' weights and the KV cache of its context and tokens.</param>
public readonly record struct KernelCost(double Seconds, double Bytes, double Flops, long MemoryBytes)
{
    /// <summary>The compute term of the roofline: operations over the accelerator's effective rate.</summary>
    public double ComputeSeconds { get; init; }

    /// <summary>The memory term of the roofline: bytes over the accelerator's effective bandwidth.</summary>
    public double MemorySeconds { get; init; }

    /// <summary>The DRAM bandwidth the kernel draws while it runs alone: <see cref="Bytes"/> / <see cref="Seconds"/>.</summary>
    public double BytesPerSecond => Seconds > 0 ? Bytes / Seconds : 0;

    /// <summary>Whether the memory term of the roofline exceeds the compute term (decode's matrix-vector products; not prefill's matrix products).</summary>
    public bool IsMemoryBound => MemorySeconds > ComputeSeconds;
}
