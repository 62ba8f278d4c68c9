using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;

namespace Planning.Tests.Knowledge.Evaluation;

public sealed class RetrievalEvaluationTests
{
    [Theory]
    // ranked 7, 3, 9, 1, 4 against relevant {3, 4}: 3 at rank 2, 4 at rank 5.
    [InlineData(1, 0.0, 0.0)]
    [InlineData(2, 0.5, 0.5)]
    [InlineData(4, 0.5, 0.5)]
    [InlineData(5, 1.0, 0.5)]
    [InlineData(10, 1.0, 0.5)]
    public void RecallAndReciprocalRank_HandComputedRanking_MatchByCutoff(int k, double recall, double reciprocal)
    {
        long[] ranked = [7, 3, 9, 1, 4];
        long[] relevant = [3, 4];

        Assert.Equal(recall, RetrievalEvaluation.Recall(ranked, relevant, k), 12);
        Assert.Equal(reciprocal, RetrievalEvaluation.ReciprocalRank(ranked, relevant, k), 12);
    }

    [Fact]
    public void RecallAndReciprocalRank_RepeatedIdInRanking_CountsItOnceAtItsFirstRank()
    {
        long[] ranked = [5, 5, 2, 8];
        long[] relevant = [8];

        // Distinct ranking 5, 2, 8: 8 is third.
        Assert.Equal(1.0 / 3, RetrievalEvaluation.ReciprocalRank(ranked, relevant, 3), 12);
        Assert.Equal(1.0, RetrievalEvaluation.Recall(ranked, relevant, 3), 12);
        Assert.Equal(0.0, RetrievalEvaluation.ReciprocalRank(ranked, relevant, 2), 12);
    }

    [Fact]
    public void Recall_EmptyRanking_IsZero()
    {
        Assert.Equal(0.0, RetrievalEvaluation.Recall([], [1, 2, 3], 5), 12);
        Assert.Equal(0.0, RetrievalEvaluation.ReciprocalRank([], [1], 5), 12);
    }

    [Fact]
    public void Recall_NoRelevantIds_Throws()
    {
        Assert.Throws<ArgumentException>(() => RetrievalEvaluation.Recall([1], [], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalEvaluation.ReciprocalRank([1], [1], 0));
    }

    [Fact]
    public void Evaluate_ThreeQueries_MeansOverQueriesPerCutoff()
    {
        // q1: relevant {1}, ranked 1, 2, 3     -> recall@1 1, @3 1; RR@1 1, @3 1
        // q2: relevant {5, 6}, ranked 4, 5, 7  -> recall@1 0, @3 1/2; RR@1 0, @3 1/2
        // q3: relevant {9}, ranked 8, 7, 9     -> recall@1 0, @3 1; RR@1 0, @3 1/3
        LabelledQuery[] queries = [Query("q1", 1), Query("q2", 5, 6), Query("q3", 9)];
        var rankings = new Dictionary<string, long[]> { ["q1"] = [1, 2, 3], ["q2"] = [4, 5, 7], ["q3"] = [8, 7, 9] };
        var depths = new List<int>();

        var result = RetrievalEvaluation.Evaluate(RetrievalMode.Bm25, FusionRule.WeightedSum, queries, [3, 1], (query, depth) =>
        {
            depths.Add(depth);
            return rankings[query.Id];
        });

        Assert.Equal([3, 3, 3], depths);
        Assert.Equal(2, result.Count);
        Assert.Equal(3, result[0].K);
        Assert.Equal((1 + 0.5 + 1) / 3, result[0].RecallAtK, 12);
        Assert.Equal((1 + 0.5 + 1.0 / 3) / 3, result[0].MrrAtK, 12);
        Assert.Equal(1, result[1].K);
        Assert.Equal(1.0 / 3, result[1].RecallAtK, 12);
        Assert.Equal(1.0 / 3, result[1].MrrAtK, 12);
        Assert.All(result, r => Assert.Equal(3, r.QueryCount));
        // A single retriever carries no fusion rule.
        Assert.All(result, r => Assert.Null(r.Fusion));
        Assert.Equal("bm25", result[0].Retriever);
    }

    [Theory]
    [InlineData(RetrievalMode.Bm25, FusionRule.ReciprocalRank, "bm25")]
    [InlineData(RetrievalMode.Dense, FusionRule.ReciprocalRank, "dense")]
    [InlineData(RetrievalMode.Fusion, FusionRule.ReciprocalRank, "fusion-rrf")]
    [InlineData(RetrievalMode.Fusion, FusionRule.WeightedSum, "fusion-weighted")]
    public void Retriever_ModeAndRule_NamesTheRetriever(RetrievalMode mode, FusionRule rule, string name)
    {
        var result = RetrievalEvaluation.Evaluate(mode, rule, [Query("q", 1)], [1], (_, _) => [1]);

        Assert.Equal(name, result[0].Retriever);
    }

    [Fact]
    public void Evaluate_BadArguments_Throw()
    {
        LabelledQuery[] queries = [Query("q", 1)];
        Assert.Throws<ArgumentException>(() => RetrievalEvaluation.Evaluate(RetrievalMode.Bm25, null, [], [1], (_, _) => []));
        Assert.Throws<ArgumentException>(() => RetrievalEvaluation.Evaluate(RetrievalMode.Bm25, null, queries, [], (_, _) => []));
        Assert.Throws<ArgumentException>(() => RetrievalEvaluation.Evaluate(RetrievalMode.Bm25, null, queries, [0], (_, _) => []));
        Assert.Throws<ArgumentException>(() => RetrievalEvaluation.Evaluate(RetrievalMode.Bm25, null, [Query("q")], [1], (_, _) => []));
    }

    [Property(MaxTest = 200)]
    public Property RecallAndReciprocalRank_AnyRanking_AgreeWithBruteForce(int[] rankedSeeds, int[] relevantSeeds, PositiveInt cutoff)
    {
        long[] ranked = [.. (rankedSeeds ?? []).Select(v => (long)(Math.Abs(v % 12) + 1))];
        long[] relevant = [.. (relevantSeeds ?? []).Select(v => (long)(Math.Abs(v % 12) + 1)).Distinct()];
        int k = (cutoff.Get % 15) + 1;
        if (relevant.Length == 0)
        {
            return true.ToProperty();
        }

        // Brute force: the first k distinct ids, then the definitions read literally.
        var top = new List<long>();
        foreach (long id in ranked)
        {
            if (!top.Contains(id) && top.Count < k)
            {
                top.Add(id);
            }
        }

        double recall = (double)relevant.Count(top.Contains) / relevant.Length;
        int firstHit = top.FindIndex(relevant.Contains);
        double reciprocal = firstHit < 0 ? 0 : 1.0 / (firstHit + 1);
        double measuredRecall = RetrievalEvaluation.Recall(ranked, relevant, k);
        double measuredReciprocal = RetrievalEvaluation.ReciprocalRank(ranked, relevant, k);
        bool monotone = RetrievalEvaluation.Recall(ranked, relevant, k + 1) >= measuredRecall
            && RetrievalEvaluation.ReciprocalRank(ranked, relevant, k + 1) >= measuredReciprocal;
        return (Math.Abs(recall - measuredRecall) < 1e-12 && Math.Abs(reciprocal - measuredReciprocal) < 1e-12 && monotone
            && (measuredReciprocal > 0) == (measuredRecall > 0)).ToProperty();
    }

    private static LabelledQuery Query(string id, params long[] relevant) => new(id, "text of " + id, relevant, [], [], "");
}
