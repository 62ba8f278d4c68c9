namespace Planning.Knowledge;

/// <summary>Which retrievers a hybrid search uses (<see cref="KnowledgeBase.SearchHybrid"/>).</summary>
public enum RetrievalMode
{
    /// <summary>BM25 and dense, combined by <see cref="KnowledgeBaseOptions.Fusion"/>.</summary>
    Fusion,

    /// <summary>BM25 alone; the score is Lucene's BM25 score.</summary>
    Bm25,

    /// <summary>Dense alone; the score is the cosine of the query's and the item's vectors.</summary>
    Dense,
}
