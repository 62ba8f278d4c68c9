using Planning.Embeddings;

namespace Planning.Tests.Embeddings;

/// <summary>The real MiniLM model (loaded once for the class: about 2 s).</summary>
public sealed class MiniLmEmbedderTests : IClassFixture<MiniLmEmbedderTests.Model>
{
    private readonly MiniLmEmbedder _embedder;

    public MiniLmEmbedderTests(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _embedder = model.Embedder;
    }

    public sealed class Model : IDisposable
    {
        public MiniLmEmbedder Embedder { get; } = new();

        public void Dispose()
        {
            Embedder.Dispose();
        }
    }

    [Fact]
    public void Embed_AnyText_UnitVectorOf384()
    {
        float[] vector = _embedder.Embed("Show that the square root of 16 is 4.");
        Assert.Equal(384, vector.Length);
        Assert.Equal(384, _embedder.Dimensions);
        Assert.Equal(1.0, VectorSimilarity.Cosine(vector, vector), 5);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(static component => (double)component * component)), 4);
    }

    [Fact]
    public void EmbedAll_SeveralTexts_SameAsOneByOne()
    {
        string[] texts = ["x + y = 10", "Let n be a natural number.", "the sum of k for k from 1 to 10"];
        IReadOnlyList<float[]> batch = _embedder.EmbedAll(texts);
        Assert.Equal(3, batch.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(1.0, VectorSimilarity.Cosine(batch[i], _embedder.Embed(texts[i])), 4);
        }
    }

    [Fact]
    public void Embed_VeryLongText_DoesNotThrow()
    {
        string text = string.Join(' ', Enumerable.Repeat("the square root of x plus the sum of k for k from 1 to n", 200));
        Assert.Equal(384, _embedder.Embed(text).Length);
    }

    [Fact]
    public void Embed_ConcurrentCalls_AgreeWithSequential()
    {
        string[] texts = [.. Enumerable.Range(0, 8).Select(static i => $"Show that {i} is less than {i + 1}.")];
        float[][] sequential = [.. texts.Select(_embedder.Embed)];
        float[][] parallel = new float[texts.Length][];
        Parallel.For(0, texts.Length, i => parallel[i] = _embedder.Embed(texts[i]));
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }

    [Fact]
    public void Embed_AfterDispose_Throws()
    {
        MiniLmEmbedder embedder = new();
        embedder.Dispose();
        embedder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => embedder.Embed("x"));
    }
}
