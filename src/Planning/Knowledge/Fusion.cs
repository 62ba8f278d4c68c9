namespace Planning.Knowledge;

/// <summary>One item of a fused ranking: its fused score and where each retriever ranked it.</summary>
internal sealed record FusedItem(long Id, double Score, int? Bm25Rank, int? DenseRank)
{
    /// <summary>The retrievers that returned it.</summary>
    public Retrievers FoundBy => (Bm25Rank is null ? Retrievers.None : Retrievers.Bm25) | (DenseRank is null ? Retrievers.None : Retrievers.Dense);
}

/// <summary>The fusion rules of <see cref="FusionRule"/> over two candidate lists (each best first).</summary>
internal static class Fusion
{
    /// <summary>Fuses two rankings; the result is ordered by score (descending), then id (ascending).</summary>
    public static List<FusedItem> Fuse(IReadOnlyList<Candidate> bm25, IReadOnlyList<Candidate> dense, KnowledgeBaseOptions options)
    {
        var ranks = new Dictionary<long, (int? Bm25, int? Dense)>();
        for (int i = 0; i < bm25.Count; i++)
        {
            ranks[bm25[i].Id] = (i + 1, null);
        }

        for (int i = 0; i < dense.Count; i++)
        {
            ranks[dense[i].Id] = (ranks.GetValueOrDefault(dense[i].Id).Bm25, i + 1);
        }

        Func<long, int?, int?, double> score = options.Fusion switch
        {
            FusionRule.ReciprocalRank => (_, bm25Rank, denseRank) => Reciprocal(bm25Rank, options.RrfK) + Reciprocal(denseRank, options.RrfK),
            FusionRule.WeightedSum => WeightedSum(bm25, dense, options.Bm25Weight),
            _ => throw new PlanningInputException("fusion", $"{options.Fusion} is not a fusion rule"),
        };

        var fused = ranks.Select(pair => new FusedItem(pair.Key, score(pair.Key, pair.Value.Bm25, pair.Value.Dense), pair.Value.Bm25, pair.Value.Dense)).ToList();
        fused.Sort(static (a, b) => TopCandidates.Compare(new Candidate(a.Id, a.Score), new Candidate(b.Id, b.Score)));
        return fused;
    }

    /// <summary>A single retriever's ranking as fused items (its own scores).</summary>
    public static List<FusedItem> Single(IReadOnlyList<Candidate> ranking, Retrievers retriever) =>
        [.. ranking.Select((candidate, index) => new FusedItem(
            candidate.Id,
            candidate.Score,
            retriever == Retrievers.Bm25 ? index + 1 : null,
            retriever == Retrievers.Dense ? index + 1 : null))];

    private static double Reciprocal(int? rank, double k) => rank is { } r ? 1.0 / (k + r) : 0;

    private static Func<long, int?, int?, double> WeightedSum(IReadOnlyList<Candidate> bm25, IReadOnlyList<Candidate> dense, double weight)
    {
        Dictionary<long, double> bm25Normalised = MinMax(bm25);
        Dictionary<long, double> denseNormalised = MinMax(dense);
        return (id, _, _) => (weight * bm25Normalised.GetValueOrDefault(id)) + ((1 - weight) * denseNormalised.GetValueOrDefault(id));
    }

    /// <summary>Scores mapped to [0, 1] over the list: (s - min) / (max - min), all 1 when max = min.</summary>
    private static Dictionary<long, double> MinMax(IReadOnlyList<Candidate> ranking)
    {
        var normalised = new Dictionary<long, double>(ranking.Count);
        if (ranking.Count == 0)
        {
            return normalised;
        }

        double min = ranking.Min(static candidate => candidate.Score);
        double max = ranking.Max(static candidate => candidate.Score);
        foreach (Candidate candidate in ranking)
        {
            normalised[candidate.Id] = max > min ? (candidate.Score - min) / (max - min) : 1;
        }

        return normalised;
    }
}
