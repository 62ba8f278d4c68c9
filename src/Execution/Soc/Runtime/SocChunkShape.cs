using System.Globalization;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// The shape of one synthetic chunk model, the real ONNX work that stands for a kernel on a lane: a stack of
/// <see cref="Depth"/> layers, each a MatMul of the input rows by a square <see cref="Width"/> x <see cref="Width"/>
/// weight followed by a Relu. The number of input rows is left free (a symbolic dimension), so one model serves every
/// length of kernel: its run time grows in steps of one row, and ONNX Runtime can stop it between any two of its nodes.
/// </summary>
/// <param name="Name">What the shape stands for (<c>prefill</c>, <c>decode</c>).</param>
/// <param name="Width">Columns of the input and side of every weight matrix.</param>
/// <param name="Depth">MatMul + Relu layers.</param>
public readonly record struct SocChunkShape(string Name, int Width, int Depth)
{
    /// <summary>
    /// The model prefill chunks (and every kernel kind that is not a decode step) run: 256 wide and 8 deep, so a run
    /// is many rows of small matrix products, compute-bound like a prefill chunk, with 16 nodes at which a terminate can
    /// land.
    /// </summary>
    public static SocChunkShape Prefill { get; } = new("prefill", 256, 8);

    /// <summary>
    /// The model decode steps run: 1024 wide and 4 deep, so every run streams 16 MiB of weights whatever its rows, as a
    /// decode step streams the model's weights; its rows add the rest of the time.
    /// </summary>
    public static SocChunkShape Decode { get; } = new("decode", 1024, 4);

    /// <summary>Multiply-adds times two, per input row: 2 x width x width x depth.</summary>
    public double FlopsPerRow => 2.0 * Width * Width * Depth;

    /// <summary>Bytes of the weights (float32).</summary>
    public long WeightBytes => 4L * Width * Width * Depth;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Depth} x MatMul {Width}x{Width} + Relu)");
}
