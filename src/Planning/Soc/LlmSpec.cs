using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Soc;

/// <summary>
/// The shape of a dense decoder-only language model as a system-on-chip runs it: its public configuration (layers,
/// hidden size, heads, key/value heads, feed-forward size, vocabulary) and the precision it is deployed at, from which
/// the weight bytes a forward pass streams, the KV-cache bytes a token adds and the FLOPs of every kernel follow.
/// </summary>
/// <remarks>
/// <para>Precision (stated, not measured): weights in INT4 (0.5 bytes a weight), as OpenVINO deploys LLMs on the NPU
/// and iGPU of a Core Ultra (NNCF 4-bit weight compression; the small share of INT8 layers and the per-group scales
/// are left out, and the calibration's fitted bandwidths absorb them); KV cache in FP16 (2 bytes an element);
/// activations in FP16.</para>
/// <para>A layer's weights: query and output projections (<c>2 h^2</c>), key and value projections
/// (<c>2 h x kvHeads x headDim</c>), gate, up and down projections (<c>3 h x ffn</c>); norms are left out. The LM head
/// is <c>vocab x h</c> weights; tied embeddings share it.</para>
/// </remarks>
public sealed record LlmSpec
{
    /// <summary>Bytes a weight takes at INT4.</summary>
    public const double Int4BytesPerWeight = 0.5;

    /// <summary>Bytes a KV-cache element or an activation takes at FP16.</summary>
    public const int Fp16Bytes = 2;

    /// <summary>Llama-3.2-3B (meta-llama/Llama-3.2-3B config.json): 28 layers, hidden 3072, 24 heads, 8 KV heads, FFN 8192, vocabulary 128256, tied embeddings; INT4 weights.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "The name the Agent.xpu contract between the Soc helpers fixes (docs: soc-contract part A): 3.2 and 3B need a separator.")]
    public static LlmSpec Llama32_3B { get; } = new()
    {
        Name = "llama-3.2-3b",
        Layers = 28,
        HiddenSize = 3072,
        Heads = 24,
        KvHeads = 8,
        FfnSize = 8192,
        VocabSize = 128256,
        TiedEmbeddings = true,
    };

    /// <summary>Llama-3.1-8B (meta-llama/Llama-3.1-8B config.json): 32 layers, hidden 4096, 32 heads, 8 KV heads, FFN 14336, vocabulary 128256; INT4 weights.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "The name the Agent.xpu contract between the Soc helpers fixes: 3.1 and 8B need a separator.")]
    public static LlmSpec Llama31_8B { get; } = new()
    {
        Name = "llama-3.1-8b",
        Layers = 32,
        HiddenSize = 4096,
        Heads = 32,
        KvHeads = 8,
        FfnSize = 14336,
        VocabSize = 128256,
    };

    /// <summary>The names <see cref="Get"/> knows, in the order the CLI lists them.</summary>
    public static ImmutableArray<string> Names { get; } = ["llama-3.2-3b", "llama-3.1-8b"];

    /// <summary>The model's name, such as <c>llama-3.2-3b</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Transformer layers.</summary>
    public required int Layers { get; init; }

    /// <summary>Hidden size (query heads x head dimension).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Query heads.</summary>
    public required int Heads { get; init; }

    /// <summary>Key/value heads (grouped-query attention).</summary>
    public required int KvHeads { get; init; }

    /// <summary>Feed-forward (MLP intermediate) size.</summary>
    public required int FfnSize { get; init; }

    /// <summary>Vocabulary size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Whether the input embedding and the LM head share one matrix. Default false.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Bytes a weight takes at the deployed precision. Default <see cref="Int4BytesPerWeight"/> (INT4).</summary>
    public double BytesPerWeight { get; init; } = Int4BytesPerWeight;

    /// <summary>Bytes a KV-cache element takes. Default <see cref="Fp16Bytes"/> (FP16).</summary>
    public int KvBytesPerElement { get; init; } = Fp16Bytes;

    /// <summary>The dimension of one head: <see cref="HiddenSize"/> / <see cref="Heads"/>.</summary>
    public int HeadDim => HiddenSize / Heads;

    /// <summary>Weights of one transformer layer (attention and MLP projections).</summary>
    public long LayerWeights =>
        (2L * HiddenSize * HiddenSize) + (2L * HiddenSize * KvHeads * HeadDim) + (3L * HiddenSize * FfnSize);

    /// <summary>Weights of the LM head (<c>vocab x hidden</c>).</summary>
    public long LmHeadWeights => (long)VocabSize * HiddenSize;

    /// <summary>The weights one forward pass reads: every layer and the LM head.</summary>
    public long StreamedWeights => (Layers * LayerWeights) + LmHeadWeights;

    /// <summary>The bytes one forward pass streams from DRAM for weights: <see cref="StreamedWeights"/> x <see cref="BytesPerWeight"/>.</summary>
    public double WeightBytes => StreamedWeights * BytesPerWeight;

    /// <summary>The bytes the weights occupy in memory: the streamed weights plus an untied input embedding.</summary>
    public long ResidentWeightBytes => (long)Math.Ceiling((StreamedWeights + (TiedEmbeddings ? 0 : LmHeadWeights)) * BytesPerWeight);

    /// <summary>KV-cache bytes one token adds in one layer: keys and values.</summary>
    public long KvBytesPerTokenPerLayer => 2L * KvHeads * HeadDim * KvBytesPerElement;

    /// <summary>KV-cache bytes one token adds over every layer.</summary>
    public long KvBytesPerToken => Layers * KvBytesPerTokenPerLayer;

    /// <summary>The model by name (one of <see cref="Names"/>).</summary>
    /// <param name="name">The name, such as <c>llama-3.1-8b</c>.</param>
    /// <returns>The model.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>model</c>).</exception>
    public static LlmSpec Get(string name) => name switch
    {
        "llama-3.2-3b" => Llama32_3B,
        "llama-3.1-8b" => Llama31_8B,
        _ => throw new PlanningInputException("model", $"must be one of {string.Join(", ", Names)}, got \"{name}\""),
    };

    /// <summary>Checks every figure; errors name the field (<c>model.layers</c>, ...).</summary>
    /// <returns>This model.</returns>
    /// <exception cref="PlanningInputException">A figure is out of range, or the hidden size does not split into the heads.</exception>
    public LlmSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new PlanningInputException("model.name", "must be a non-empty string");
        }

        Positive("model.layers", Layers);
        Positive("model.hiddenSize", HiddenSize);
        Positive("model.heads", Heads);
        Positive("model.kvHeads", KvHeads);
        Positive("model.ffnSize", FfnSize);
        Positive("model.vocabSize", VocabSize);
        Positive("model.kvBytesPerElement", KvBytesPerElement);
        if (HiddenSize % Heads != 0 || Heads % KvHeads != 0)
        {
            throw new PlanningInputException("model.heads", string.Create(CultureInfo.InvariantCulture, $"must divide the hidden size ({HiddenSize}) and be a multiple of the KV heads ({KvHeads}), got {Heads}"));
        }

        if (!(BytesPerWeight > 0) || !double.IsFinite(BytesPerWeight))
        {
            throw new PlanningInputException("model.bytesPerWeight", string.Create(CultureInfo.InvariantCulture, $"must be a positive number, got {BytesPerWeight}"));
        }

        return this;
    }

    private static void Positive(string field, int value)
    {
        if (value < 1)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {value}"));
        }
    }
}
