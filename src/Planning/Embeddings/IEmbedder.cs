namespace Planning.Embeddings;

/// <summary>
/// A sentence embedder: maps a text to a fixed-length vector such that texts of similar meaning have a high cosine
/// similarity (<see cref="VectorSimilarity.Cosine"/>).
/// </summary>
public interface IEmbedder
{
    /// <summary>The length of every vector this embedder returns.</summary>
    int Dimensions { get; }

    /// <summary>
    /// Names the model and everything that shapes its vectors (truncation, pooling). Vectors of two embedders are
    /// comparable only when their names are equal; a knowledge base records the name and refuses another.
    /// </summary>
    string Name { get; }

    /// <summary>Embeds one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A vector of <see cref="Dimensions"/> components.</returns>
    float[] Embed(string text);

    /// <summary>Embeds several texts, usually faster than one call per text.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One vector per text, in the order given.</returns>
    IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts);
}
