namespace Planning.Provers.Equivalence;

/// <summary>The verdict of <see cref="StatementEquivalence.Check"/>.</summary>
public enum EquivalenceVerdict
{
    /// <summary>The hypotheses are equivalent and, under them, so are the conclusions (and neither side is vacuous).</summary>
    Equivalent,

    /// <summary>The hypotheses or the conclusions differ (with a counterexample), or a side's hypotheses are unsatisfiable.</summary>
    NotEquivalent,

    /// <summary>Not decided: a check ran out of time or Z3 gave up, or a statement uses an unsupported construct.</summary>
    Unknown,
}
