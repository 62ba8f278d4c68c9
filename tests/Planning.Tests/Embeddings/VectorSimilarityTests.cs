using Planning.Embeddings;

namespace Planning.Tests.Embeddings;

public sealed class VectorSimilarityTests
{
    [Fact]
    public void Cosine_KnownVectors_ExactValues()
    {
        Assert.Equal(0.6, VectorSimilarity.Cosine([1, 0], [3, 4]), 15);
        Assert.Equal(0.0, VectorSimilarity.Cosine([1, 0], [0, 2]), 15);
        Assert.Equal(-1.0, VectorSimilarity.Cosine([1, 1], [-2, -2]), 15);
    }

    [Fact]
    public void Cosine_ZeroVector_Zero()
    {
        Assert.Equal(0.0, VectorSimilarity.Cosine([0, 0], [1, 2]));
    }

    [Fact]
    public void Cosine_DifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorSimilarity.Cosine([1, 0], [1, 0, 0]));
    }
}
