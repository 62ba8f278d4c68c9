namespace Planning.Knowledge;

/// <summary>One retrieved experience.</summary>
/// <param name="Id">The experience's id.</param>
/// <param name="Task">Its task (also in <paramref name="Experience"/>; repeated for readers of the list).</param>
/// <param name="Score">
/// The fused score after the disagreement gate's down-weighting (for a single-retriever search, that retriever's score).
/// Higher is better; results are ordered by it.
/// </param>
/// <param name="FoundBy">The retrievers that returned it among their candidates.</param>
/// <param name="Bm25Rank">Its rank (from 1) in BM25's candidate list, or null.</param>
/// <param name="DenseRank">Its rank (from 1) in the dense candidate list, or null.</param>
/// <param name="Withheld">
/// True when the disagreement gate withheld it (rule a): it is listed after the results an agent should use, with
/// <paramref name="Reason"/>, and should not be handed on.
/// </param>
/// <param name="Reason">Why the gate withheld or down-weighted it (every rule that applied, separated by "; "), or null.</param>
/// <param name="Experience">The stored experience.</param>
public sealed record SearchResult(
    long Id,
    string Task,
    double Score,
    Retrievers FoundBy,
    int? Bm25Rank,
    int? DenseRank,
    bool Withheld,
    string? Reason,
    Experience Experience);
