namespace Planning.Knowledge;

/// <summary>The retrievers that returned an item among their candidates.</summary>
[Flags]
public enum Retrievers
{
    /// <summary>Neither.</summary>
    None = 0,

    /// <summary>Lucene BM25 over the task and plan text.</summary>
    Bm25 = 1,

    /// <summary>Cosine over MiniLM vectors of the task and plan text.</summary>
    Dense = 2,
}
