using System.Collections.Immutable;

using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary>
/// A Lean statement translated to SMT terms: the statement holds in Lean exactly when
/// <see cref="Goal"/> (side conditions ∧ hypotheses → conclusion) is valid over the free variables.
/// </summary>
/// <param name="Name">The theorem's name.</param>
/// <param name="Variables">The free SMT variables: the statement's variables and the fresh ones the translation introduced.</param>
/// <param name="SideConditions">Range facts of the variables (ℕ variables are ≥ 0) and defining constraints of fresh variables.</param>
/// <param name="Hypotheses">The hypotheses, in order, as formulas.</param>
/// <param name="Conclusion">The conclusion as a formula.</param>
internal sealed record TranslatedStatement(
    string Name, ImmutableArray<Variable> Variables, ImmutableArray<Term> SideConditions, ImmutableArray<Term> Hypotheses, Term Conclusion)
{
    /// <summary>The assumptions a backend may assert: the side conditions followed by the hypotheses.</summary>
    public IReadOnlyList<Term> Assumptions => [.. SideConditions, .. Hypotheses];

    /// <summary>The single formula <c>(side conditions ∧ hypotheses) → conclusion</c>, valid exactly when the statement is true.</summary>
    public Term Goal => new Implication(Terms.All(Assumptions), Conclusion);

    /// <inheritdoc/>
    public bool Equals(TranslatedStatement? other)
    {
        return other is not null
            && string.Equals(Name, other.Name, StringComparison.Ordinal)
            && Variables.SequenceEqual(other.Variables)
            && SideConditions.SequenceEqual(other.SideConditions)
            && Hypotheses.SequenceEqual(other.Hypotheses)
            && Conclusion == other.Conclusion;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        return HashCode.Combine(Name, Variables.Length, SideConditions.Length, Hypotheses.Length, Conclusion);
    }
}

/// <summary>The outcome of <see cref="LeanToSmt.TryTranslate(Formal.FormalStatement)"/>: a translation or the reason there is none.</summary>
/// <param name="Statement">The translation, when it succeeded.</param>
/// <param name="Error">The unsupported construct, when it failed.</param>
internal sealed record TranslationResult(TranslatedStatement? Statement, TranslationException? Error)
{
    /// <summary>Whether the statement was translated.</summary>
    public bool Succeeded => Statement is not null;
}
