using Planning.Knowledge;

using Xunit.Abstractions;

namespace Planning.Tests.Knowledge;

public sealed class DenseIndexTests(ITestOutputHelper output)
{
    /// <summary>
    /// Clustered vectors like sentence embeddings of a few topics: <paramref name="topics"/> random unit centres in
    /// <paramref name="dimensions"/> dimensions, each vector a centre plus Gaussian noise of deviation
    /// <paramref name="noise"/> per component (Box-Muller from a seeded <see cref="Random"/>).
    /// </summary>
    private static float[][] Clustered(int count, int dimensions, int topics, double noise, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        float[][] centres = [.. Enumerable.Range(0, topics).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)Gaussian()).ToArray())];
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            float[] centre = centres[random.Next(topics)];
            return centre.Select(c => c + (float)(noise * Gaussian())).ToArray();
        })];
    }

    private static DenseIndex Build(float[][] vectors, KnowledgeBaseOptions options)
    {
        var index = new DenseIndex(vectors[0].Length, options);
        index.Add([.. Enumerable.Range(1, vectors.Length).Select(static i => (long)i)], vectors);
        return index;
    }

    [Fact]
    public void Search_SmallCollection_ExactCosineRanking()
    {
        float[][] vectors = [[1, 0], [0, 1], [1, 1], [-1, 0]];
        DenseIndex index = Build(vectors, KnowledgeBaseOptions.Default);
        Assert.Null(index.Ivf);
        List<Candidate> found = index.Search([2, 0], 3);
        Assert.Equal([1L, 3L, 2L], found.Select(static c => c.Id));
        Assert.Equal([1.0, Math.Sqrt(0.5), 0.0], found.Select(static c => Math.Round(c.Score, 6)), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Search_AboveExactLimit_IvfTrainedWithSqrtLists()
    {
        float[][] vectors = Clustered(2_000, 24, 20, 0.5, seed: 3);
        DenseIndex index = Build(vectors, KnowledgeBaseOptions.Default with { ExactDenseLimit = 1_000 });
        Assert.NotNull(index.Ivf);
        Assert.Equal(45, index.Ivf.Lists);   // round(sqrt(2000)) = 45
        Assert.Equal(8, index.Probes());      // max(8, ceil(45 / 8) = 6)
        Assert.Equal(2_000, Enumerable.Range(0, index.Ivf.Lists).Sum(list => index.Ivf.MemberRows(list).Length));
    }

    [Fact]
    public void SearchIvf_AllListsProbed_SameAsExact()
    {
        float[][] vectors = Clustered(3_000, 16, 30, 0.6, seed: 5);
        DenseIndex index = Build(vectors, KnowledgeBaseOptions.Default with { ExactDenseLimit = 500 });
        int lists = index.Ivf!.Lists;
        foreach (float[] query in Clustered(50, 16, 30, 0.6, seed: 6))
        {
            Assert.Equal(index.SearchExact(query, 10), index.SearchIvf(query, 10, lists));
        }
    }

    [Fact]
    public void SearchIvf_VectorsAddedAfterTraining_AllListsProbedSameAsExact()
    {
        float[][] vectors = Clustered(1_800, 16, 12, 0.6, seed: 7);
        var index = new DenseIndex(16, KnowledgeBaseOptions.Default with { ExactDenseLimit = 1_000 });
        index.Add([.. Enumerable.Range(1, 1_100).Select(static i => (long)i)], vectors[..1_100]);
        index.Add([.. Enumerable.Range(1_101, 700).Select(static i => (long)i)], vectors[1_100..]);
        Assert.Equal(1_100, index.Ivf!.TrainedCount);   // the last 700 joined lists without retraining
        foreach (float[] query in Clustered(40, 16, 12, 0.6, seed: 8))
        {
            Assert.Equal(index.SearchExact(query, 20), index.SearchIvf(query, 20, index.Ivf.Lists));
        }
    }

    /// <summary>
    /// Recall@10 of the IVF index with its default probes against exact search, on 20,000 clustered vectors (141 lists,
    /// 18 probes) and 200 queries drawn from the same distribution: at least 0.95 (measured value in the test output).
    /// </summary>
    [Fact]
    public void SearchIvf_DefaultProbes_RecallAtTenAtLeast95Percent()
    {
        float[][] vectors = Clustered(20_000, 32, 100, 0.7, seed: 11);
        DenseIndex index = Build(vectors, KnowledgeBaseOptions.Default with { ExactDenseLimit = 10_000 });
        Assert.Equal(141, index.Ivf!.Lists);
        Assert.Equal(18, index.Probes());
        int hits = 0;
        float[][] queries = Clustered(200, 32, 100, 0.7, seed: 12);
        foreach (float[] query in queries)
        {
            HashSet<long> exact = [.. index.SearchExact(query, 10).Select(static c => c.Id)];
            hits += index.Search(query, 10).Count(c => exact.Contains(c.Id));
        }

        double recall = hits / (queries.Length * 10.0);
        output.WriteLine($"IVF recall@10 = {recall:0.0000} (141 lists, 18 probes, 20,000 vectors of 32 dimensions)");
        Assert.True(recall >= 0.95, $"recall@10 {recall:0.0000}");
    }

    [Fact]
    public void Add_CollectionDoubles_Retrained()
    {
        float[][] vectors = Clustered(4_400, 8, 10, 0.5, seed: 21);
        var index = new DenseIndex(8, KnowledgeBaseOptions.Default with { ExactDenseLimit = 1_000 });
        index.Add([.. Enumerable.Range(1, 1_100).Select(static i => (long)i)], vectors[..1_100]);
        Assert.Equal(1_100, index.Ivf!.TrainedCount);
        index.Add([.. Enumerable.Range(1_101, 1_000).Select(static i => (long)i)], vectors[1_100..2_100]);
        Assert.Equal(1_100, index.Ivf.TrainedCount);
        Assert.Equal(2_100, Enumerable.Range(0, index.Ivf.Lists).Sum(list => index.Ivf.MemberRows(list).Length));
        index.Add([.. Enumerable.Range(2_101, 100).Select(static i => (long)i)], vectors[2_100..2_200]);
        Assert.Equal(2_200, index.Ivf.TrainedCount);
        Assert.Equal(47, index.Ivf.Lists);    // round(sqrt(2200))
    }

    [Fact]
    public void Train_SameSeed_SameLists()
    {
        float[][] vectors = Clustered(1_500, 12, 12, 0.5, seed: 31);
        KnowledgeBaseOptions options = KnowledgeBaseOptions.Default with { ExactDenseLimit = 1_000 };
        DenseIndex first = Build(vectors, options);
        DenseIndex second = Build(vectors, options);
        for (int list = 0; list < first.Ivf!.Lists; list++)
        {
            Assert.Equal(first.Ivf.MemberRows(list).ToArray(), second.Ivf!.MemberRows(list).ToArray());
        }
    }
}
