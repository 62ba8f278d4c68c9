namespace Planning.Provers.Smt;

/// <summary>The verdict of a validity or equivalence check.</summary>
internal enum ProofVerdict
{
    /// <summary>Valid: the negation is unsatisfiable (for an equivalence: the two formulas agree everywhere).</summary>
    Proven,

    /// <summary>Not valid: the backend found a counterexample.</summary>
    Refuted,

    /// <summary>Not decided (time limit, incompleteness, failure).</summary>
    Unknown,
}
