namespace Planning.Knowledge;

/// <summary>How the BM25 and dense rankings are combined into one (<see cref="KnowledgeBaseOptions.Fusion"/>).</summary>
public enum FusionRule
{
    /// <summary>
    /// Reciprocal rank fusion: score = sum over the retrievers that found the item of 1 / (k + rank), rank from 1,
    /// k = <see cref="KnowledgeBaseOptions.RrfK"/> (Cormack, Clarke and Buettcher, SIGIR 2009).
    /// </summary>
    ReciprocalRank,

    /// <summary>
    /// Weighted sum of min-max normalised scores: each retriever's scores over its candidate list are mapped to [0, 1]
    /// (the best 1, the worst 0; all 1 when they are equal), an item a retriever did not return counts 0, and score =
    /// w x BM25 + (1 - w) x dense with w = <see cref="KnowledgeBaseOptions.Bm25Weight"/>.
    /// </summary>
    WeightedSum,
}
