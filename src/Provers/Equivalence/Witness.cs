using System.Collections.Immutable;

using Planning.Provers.Evaluation;

namespace Planning.Provers.Equivalence;

/// <summary>
/// A concrete assignment on which two statements differ, found by exact evaluation: either the conjunctions of their
/// hypotheses (with the variables' type conditions) have different truth values, or both hold and the conclusions differ.
/// </summary>
/// <param name="Assignment">The values of the variables (the union of both statements' variables, by name).</param>
/// <param name="FirstHypotheses">Whether the first statement's hypotheses hold.</param>
/// <param name="SecondHypotheses">Whether the second statement's hypotheses hold.</param>
/// <param name="FirstConclusion">The first conclusion's value, when it was evaluated.</param>
/// <param name="SecondConclusion">The second conclusion's value, when it was evaluated.</param>
/// <param name="OutsideDomain">
/// Whether the assignment lies outside one statement's variable types (a fraction for a variable one statement declares ℕ
/// and the other ℝ), so that statement's hypotheses are false for that reason alone.
/// </param>
internal sealed record Witness(
    ImmutableSortedDictionary<string, Rational> Assignment, bool FirstHypotheses, bool SecondHypotheses, bool? FirstConclusion, bool? SecondConclusion,
    bool OutsideDomain)
{
    /// <summary>Whether the hypotheses differ (otherwise both hold and the conclusions differ).</summary>
    public bool HypothesesDiffer => FirstHypotheses != SecondHypotheses;

    /// <summary>The witness as text: <c>x = 1/2, y = 3: hypotheses true vs false</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        string values = string.Join(", ", Assignment.Select(static pair => pair.Key + " = " + pair.Value));
        return HypothesesDiffer
            ? $"{values}: hypotheses {FirstHypotheses} vs {SecondHypotheses}"
            : $"{values}: conclusions {FirstConclusion} vs {SecondConclusion}";
    }
}
