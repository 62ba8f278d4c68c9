namespace Planning.Knowledge;

/// <summary>The answer of a search.</summary>
/// <param name="Stage">
/// <c>plan</c> (<see cref="KnowledgeBase.SearchPlan"/>), <c>feedback</c> (<see cref="KnowledgeBase.SearchFeedback"/>)
/// or <c>hybrid</c> (<see cref="KnowledgeBase.SearchHybrid"/>).
/// </param>
/// <param name="Results">
/// At most k results that are not withheld, best first, then the withheld ones (the gate's window, in fused order).
/// </param>
public sealed record SearchResponse(string Stage, IReadOnlyList<SearchResult> Results);
