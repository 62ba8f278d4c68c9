using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// Writes a <see cref="SocChunkShape"/> as an ONNX model (the protobuf of onnx.proto, written field by field in the
/// protobuf wire format): input <c>x</c> float32 [rows, width], layers <c>MatMul(x, w_i)</c> then <c>Relu</c>,
/// output <c>y</c> float32 [rows, width], weights as initializers. IR version 8, default opset 13, which every
/// ONNX Runtime since 1.10 reads.
/// </summary>
/// <remarks>
/// The weights are a fixed formula, not random: every entry is (1 + 0.1 k) / width with k in -2..2, so each output is a
/// weighted mean of the inputs with weights summing to about 1. All-positive inputs stay positive and near their mean
/// through every layer: Relu never cuts, nothing overflows, and no value drifts into the denormal range where a CPU's
/// float units slow down and would make the run time depend on the data.
/// </remarks>
internal static class OnnxChunkModel
{
    /// <summary>Name of the model's input.</summary>
    public const string InputName = "x";

    /// <summary>Name of the model's output.</summary>
    public const string OutputName = "y";

    private const long IrVersion = 8;
    private const long OpsetVersion = 13;
    private const int FloatType = 1; // TensorProto.DataType.FLOAT

    /// <summary>The weight of layer <paramref name="layer"/> at row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    public static float Weight(int layer, int row, int column, int width) =>
        (float)((1.0 + (0.1 * ((((row + (2 * column) + (3 * layer)) % 5) + 5) % 5 - 2))) / width);

    /// <summary>The serialized model.</summary>
    public static byte[] Build(SocChunkShape shape)
    {
        if (shape.Width < 1 || shape.Depth < 1)
        {
            throw new PlanningInputException("shape", string.Create(CultureInfo.InvariantCulture, $"width and depth must be at least 1, got {shape.Width} x {shape.Depth}"));
        }

        var graph = new ProtoMessage();
        for (var layer = 0; layer < shape.Depth; layer++)
        {
            var input = layer == 0 ? InputName : Name("h", layer - 1);
            var output = layer == shape.Depth - 1 ? OutputName : Name("h", layer);
            graph.Message(1, Node(Name("matmul", layer), "MatMul", [input, Name("w", layer)], Name("m", layer)));
            graph.Message(1, Node(Name("relu", layer), "Relu", [Name("m", layer)], output));
        }

        graph.String(2, "soc-chunk-" + shape.Name);
        for (var layer = 0; layer < shape.Depth; layer++)
        {
            graph.Message(5, Initializer(Name("w", layer), layer, shape.Width));
        }

        graph.Message(11, TensorInfo(InputName, shape.Width));
        graph.Message(12, TensorInfo(OutputName, shape.Width));

        var opset = new ProtoMessage();
        opset.String(1, string.Empty);
        opset.Int64(2, OpsetVersion);

        var model = new ProtoMessage();
        model.Int64(1, IrVersion);
        model.String(2, "Planning.Execution.Soc.Runtime");
        model.Message(7, graph);
        model.Message(8, opset);
        return model.ToArray();
    }

    private static string Name(string prefix, int layer) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{layer}");

    private static ProtoMessage Node(string name, string op, string[] inputs, string output)
    {
        var node = new ProtoMessage();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, name);
        node.String(4, op);
        return node;
    }

    private static ProtoMessage Initializer(string name, int layer, int width)
    {
        var raw = new byte[4 * width * width];
        for (var row = 0; row < width; row++)
        {
            for (var column = 0; column < width; column++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * ((row * width) + column)), Weight(layer, row, column, width));
            }
        }

        var tensor = new ProtoMessage();
        tensor.Int64(1, width);
        tensor.Int64(1, width);
        tensor.Int64(2, FloatType);
        tensor.String(8, name);
        tensor.Bytes(9, raw);
        return tensor;
    }

    /// <summary>A float32 [rows, width] value info with a symbolic row dimension.</summary>
    private static ProtoMessage TensorInfo(string name, int width)
    {
        var rows = new ProtoMessage();
        rows.String(2, "rows");
        var columns = new ProtoMessage();
        columns.Int64(1, width);
        var shape = new ProtoMessage();
        shape.Message(1, rows);
        shape.Message(1, columns);
        var tensorType = new ProtoMessage();
        tensorType.Int64(1, FloatType);
        tensorType.Message(2, shape);
        var type = new ProtoMessage();
        type.Message(1, tensorType);
        var info = new ProtoMessage();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    /// <summary>
    /// One protobuf message being written, fields appended in the order given (the wire format: a varint tag of field
    /// number and wire type, then a varint or a varint length and the bytes).
    /// </summary>
    private sealed class ProtoMessage
    {
        private const int VarintType = 0;
        private const int LengthDelimitedType = 2;
        private readonly ArrayBufferWriter<byte> buffer = new();

        public void Int64(int field, long value)
        {
            Varint(((ulong)field << 3) | VarintType);
            Varint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Varint(((ulong)field << 3) | LengthDelimitedType);
            Varint((ulong)value.Length);
            buffer.Write(value);
        }

        public void Message(int field, ProtoMessage message) => Bytes(field, message.buffer.WrittenSpan);

        public byte[] ToArray() => buffer.WrittenSpan.ToArray();

        private void Varint(ulong value)
        {
            var span = buffer.GetSpan(10);
            var length = 0;
            while (value >= 0x80)
            {
                span[length++] = (byte)(value | 0x80);
                value >>= 7;
            }

            span[length++] = (byte)value;
            buffer.Advance(length);
        }
    }
}
