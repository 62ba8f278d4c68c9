namespace Planning.Embeddings;

/// <summary>Similarity of embedding vectors.</summary>
public static class VectorSimilarity
{
    /// <summary>
    /// The cosine of the angle between two vectors, <c>a·b / (|a| |b|)</c>, in [-1, 1], accumulated in double
    /// precision; 0 when either vector is zero.
    /// </summary>
    /// <param name="first">One vector.</param>
    /// <param name="second">The other vector, of the same length.</param>
    /// <returns>The cosine similarity.</returns>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public static double Cosine(ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        if (first.Length != second.Length)
        {
            throw new ArgumentException($"the vectors differ in length ({first.Length} and {second.Length})", nameof(second));
        }

        double dot = 0;
        double firstNorm = 0;
        double secondNorm = 0;
        for (int i = 0; i < first.Length; i++)
        {
            dot += (double)first[i] * second[i];
            firstNorm += (double)first[i] * first[i];
            secondNorm += (double)second[i] * second[i];
        }

        if (firstNorm == 0 || secondNorm == 0)
        {
            return 0;
        }

        return Math.Clamp(dot / (Math.Sqrt(firstNorm) * Math.Sqrt(secondNorm)), -1, 1);
    }
}
