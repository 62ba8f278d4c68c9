namespace Planning.Provers.Smt;

/// <summary>The answer of a satisfiability check.</summary>
internal enum SmtStatus
{
    /// <summary>The assertions have a model.</summary>
    Sat,

    /// <summary>The assertions have no model.</summary>
    Unsat,

    /// <summary>The backend could not decide (time limit, incompleteness, or a failure), with a reason.</summary>
    Unknown,
}
