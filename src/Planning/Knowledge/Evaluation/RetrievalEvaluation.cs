using System.Globalization;

namespace Planning.Knowledge.Evaluation;

/// <summary>
/// Retrieval quality of one retriever over a labelled query set at one cut-off k: recall@k and MRR@k, each the mean
/// over the queries (every query weighs the same).
/// </summary>
/// <remarks>
/// For a query with relevant set R and ranked result ids r1, r2, ...: recall@k = |{r1..rk} ∩ R| / |R|, and the
/// reciprocal rank@k = 1 / i for the smallest i &lt;= k with ri in R, or 0 when none of the first k is relevant.
/// A repeated id in a ranking counts once, at its first rank. Results the disagreement gate withheld are not results:
/// <see cref="Evaluate(KnowledgeBase, RetrievalMode, IReadOnlyList{LabelledQuery}, IReadOnlyList{int})"/> ranks only
/// the ones an agent is handed.
/// </remarks>
/// <param name="Mode">The retriever (for <see cref="RetrievalMode.Fusion"/>, <paramref name="Fusion"/> says which rule).</param>
/// <param name="Fusion">The fusion rule when <paramref name="Mode"/> is <see cref="RetrievalMode.Fusion"/>, else null.</param>
/// <param name="K">The cut-off.</param>
/// <param name="QueryCount">The number of queries averaged.</param>
/// <param name="RecallAtK">Mean recall@k, in [0, 1].</param>
/// <param name="MrrAtK">Mean reciprocal rank@k, in [0, 1].</param>
public sealed record RetrievalEvaluation(RetrievalMode Mode, FusionRule? Fusion, int K, int QueryCount, double RecallAtK, double MrrAtK)
{
    /// <summary>The retriever's name in reports: <c>bm25</c>, <c>dense</c>, <c>fusion-rrf</c> or <c>fusion-weighted</c>.</summary>
    public string Retriever => Mode switch
    {
        RetrievalMode.Bm25 => "bm25",
        RetrievalMode.Dense => "dense",
        _ => Fusion == FusionRule.WeightedSum ? "fusion-weighted" : "fusion-rrf",
    };

    /// <summary>Recall@k of one ranking: the share of the relevant ids among the first k results.</summary>
    /// <param name="ranked">The result ids, best first.</param>
    /// <param name="relevant">The relevant ids (at least one).</param>
    /// <param name="k">The cut-off, at least 1.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException"><paramref name="relevant"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public static double Recall(IReadOnlyList<long> ranked, IReadOnlyCollection<long> relevant, int k)
    {
        Check(ranked, relevant, k);
        var wanted = relevant.ToHashSet();
        int found = ranked.Distinct().Take(k).Count(wanted.Contains);
        return (double)found / wanted.Count;
    }

    /// <summary>The reciprocal rank@k of one ranking: 1 / the rank of the first relevant id among the first k, or 0.</summary>
    /// <param name="ranked">The result ids, best first.</param>
    /// <param name="relevant">The relevant ids (at least one).</param>
    /// <param name="k">The cut-off, at least 1.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException"><paramref name="relevant"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public static double ReciprocalRank(IReadOnlyList<long> ranked, IReadOnlyCollection<long> relevant, int k)
    {
        Check(ranked, relevant, k);
        var wanted = relevant.ToHashSet();
        var seen = new HashSet<long>();
        int rank = 0;
        foreach (long id in ranked)
        {
            if (!seen.Add(id))
            {
                continue;
            }

            rank++;
            if (rank > k)
            {
                break;
            }

            if (wanted.Contains(id))
            {
                return 1.0 / rank;
            }
        }

        return 0;
    }

    /// <summary>
    /// Evaluates rankings at several cut-offs: <paramref name="search"/> is called once per query with the largest k,
    /// and each cut-off reads a prefix of that ranking.
    /// </summary>
    /// <param name="mode">The retriever the rankings come from (recorded in the result).</param>
    /// <param name="fusion">The fusion rule for <see cref="RetrievalMode.Fusion"/>, else null.</param>
    /// <param name="queries">The labelled queries (at least one).</param>
    /// <param name="ks">The cut-offs (each at least 1).</param>
    /// <param name="search">The ranking of a query: result ids, best first, at most the given number.</param>
    /// <returns>One evaluation per cut-off, in the order of <paramref name="ks"/>.</returns>
    /// <exception cref="ArgumentException">No queries, no cut-offs, a cut-off below 1, or a query without relevant ids.</exception>
    public static IReadOnlyList<RetrievalEvaluation> Evaluate(
        RetrievalMode mode, FusionRule? fusion, IReadOnlyList<LabelledQuery> queries, IReadOnlyList<int> ks,
        Func<LabelledQuery, int, IReadOnlyList<long>> search)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(ks);
        ArgumentNullException.ThrowIfNull(search);
        if (queries.Count == 0)
        {
            throw new ArgumentException("no queries", nameof(queries));
        }

        if (ks.Count == 0 || ks.Any(k => k < 1))
        {
            throw new ArgumentException("cut-offs must be at least 1 and there must be one", nameof(ks));
        }

        int deepest = ks.Max();
        var recall = new double[ks.Count];
        var reciprocal = new double[ks.Count];
        foreach (LabelledQuery query in queries)
        {
            if (query.Relevant.Count == 0)
            {
                throw new ArgumentException($"query {query.Id} has no relevant ids", nameof(queries));
            }

            IReadOnlyList<long> ranked = search(query, deepest);
            for (int i = 0; i < ks.Count; i++)
            {
                recall[i] += Recall(ranked, query.Relevant, ks[i]);
                reciprocal[i] += ReciprocalRank(ranked, query.Relevant, ks[i]);
            }
        }

        return [.. ks.Select((k, i) => new RetrievalEvaluation(
            mode, mode == RetrievalMode.Fusion ? fusion : null, k, queries.Count, recall[i] / queries.Count, reciprocal[i] / queries.Count))];
    }

    /// <summary>
    /// Evaluates a knowledge base's hybrid search in one mode (<see cref="KnowledgeBase.SearchHybrid"/>), ranking the
    /// results an agent is handed (withheld ones left out); for <see cref="RetrievalMode.Fusion"/> the rule is the
    /// base's <see cref="KnowledgeBaseOptions.Fusion"/>.
    /// </summary>
    /// <param name="knowledgeBase">The knowledge base, holding the set's experiences under the labels' ids.</param>
    /// <param name="mode">The retriever.</param>
    /// <param name="queries">The labelled queries.</param>
    /// <param name="ks">The cut-offs.</param>
    /// <returns>One evaluation per cut-off.</returns>
    /// <exception cref="ArgumentException">As <see cref="Evaluate(RetrievalMode, FusionRule?, IReadOnlyList{LabelledQuery}, IReadOnlyList{int}, Func{LabelledQuery, int, IReadOnlyList{long}})"/>.</exception>
    public static IReadOnlyList<RetrievalEvaluation> Evaluate(
        KnowledgeBase knowledgeBase, RetrievalMode mode, IReadOnlyList<LabelledQuery> queries, IReadOnlyList<int> ks)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        return Evaluate(mode, knowledgeBase.Options.Fusion, queries, ks, (query, k) =>
            [.. knowledgeBase.SearchHybrid(query.Query, k, mode).Results.Where(r => !r.Withheld).Select(r => r.Id)]);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{Retriever} @{K}: recall {RecallAtK:F3}, MRR {MrrAtK:F3} over {QueryCount} queries");

    private static void Check(IReadOnlyList<long> ranked, IReadOnlyCollection<long> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (relevant.Count == 0)
        {
            throw new ArgumentException("no relevant ids", nameof(relevant));
        }
    }
}
