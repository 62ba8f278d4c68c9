using System.Collections.Immutable;

namespace Planning.Provers.Selection;

/// <summary>The outcome of <see cref="CandidateSelector.Select(string, IReadOnlyList{string}, CancellationToken)"/>.</summary>
/// <param name="Selected">
/// The index of the chosen candidate, or -1 when no candidate parsed (or there were none); see <see cref="HasSelection"/>.
/// </param>
/// <param name="Clusters">
/// The partition of the candidate indices into proven-equivalent classes: each cluster sorted ascending, clusters
/// ordered by their smallest index. A candidate that does not parse is a cluster of its own.
/// </param>
/// <param name="Scores">Per candidate, in input order: its scores, or <see langword="null"/> for a candidate that does not parse.</param>
/// <param name="ParseErrors">Per candidate, in input order: why it does not parse, or <see langword="null"/> when it parses.</param>
/// <param name="Informalizations">Per candidate, in input order: the English text embedded for it, or <see langword="null"/> when it does not parse.</param>
/// <param name="EquivalenceChecks">How many pairs went to the prover.</param>
/// <param name="SkippedPairs">How many pairs were not checked because the two were already in one cluster when their turn came.</param>
/// <param name="IdenticalPairs">How many pairs were joined without the prover because the statements are identical (up to the theorem name).</param>
/// <param name="Elapsed">The wall-clock time of the whole selection (parsing, clustering, embedding, scoring).</param>
public sealed record SelectionResult(
    int Selected,
    ImmutableArray<ImmutableArray<int>> Clusters,
    ImmutableArray<CandidateScore?> Scores,
    ImmutableArray<string?> ParseErrors,
    ImmutableArray<string?> Informalizations,
    int EquivalenceChecks,
    int SkippedPairs,
    int IdenticalPairs,
    TimeSpan Elapsed)
{
    /// <summary>Whether a candidate was selected (some candidate parsed).</summary>
    public bool HasSelection => Selected >= 0;
}
