namespace Planning.Provers.Smt;

/// <summary>The sort (type) of a <see cref="Term"/>.</summary>
internal enum SmtSort
{
    /// <summary>Truth values: formulas.</summary>
    BoolSort,

    /// <summary>Mathematical integers (unbounded).</summary>
    IntSort,

    /// <summary>Mathematical reals.</summary>
    RealSort,
}
