namespace Planning.Provers.Smt;

/// <summary>Validity and equivalence on top of <see cref="ISmtBackend.Check"/>: a claim is proven when its negation is unsatisfiable.</summary>
internal static class SmtBackendExtensions
{
    /// <summary>Checks whether the formula holds for all values of its free variables (under the assumptions).</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="formula">The claim.</param>
    /// <param name="limit">The time limit.</param>
    /// <param name="assumptions">Formulas assumed true; none when null.</param>
    /// <returns>Proven, refuted with a counterexample, or unknown.</returns>
    public static ProofResult CheckValid(this ISmtBackend backend, Term formula, TimeSpan limit, IReadOnlyList<Term>? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(formula);
        var query = new List<Term>(assumptions ?? []) { new LogicalNot(formula) };
        return ProofResult.FromNegation(backend.Check(query, limit));
    }

    /// <summary>
    /// Checks whether two formulas are equivalent: <c>¬(left ↔ right)</c> is unsatisfiable (under the assumptions).
    /// A refutation carries a point where exactly one of them holds.
    /// </summary>
    /// <param name="backend">The backend.</param>
    /// <param name="left">A formula.</param>
    /// <param name="right">A formula.</param>
    /// <param name="limit">The time limit.</param>
    /// <param name="assumptions">Formulas assumed true; none when null.</param>
    /// <returns>Proven (equivalent), refuted with a counterexample, or unknown.</returns>
    public static ProofResult CheckEquivalent(this ISmtBackend backend, Term left, Term right, TimeSpan limit, IReadOnlyList<Term>? assumptions = null) =>
        backend.CheckValid(new Biconditional(left, right), limit, assumptions);
}
