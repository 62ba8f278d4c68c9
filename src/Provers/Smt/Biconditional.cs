namespace Planning.Provers.Smt;

/// <summary>The equivalence <c>p ↔ q</c> of two formulas (SMT-LIB <c>=</c> on Bool).</summary>
internal sealed record Biconditional : Term
{
    /// <summary>Creates <paramref name="left"/> ↔ <paramref name="right"/>.</summary>
    /// <param name="left">A formula.</param>
    /// <param name="right">A formula.</param>
    public Biconditional(Term left, Term right)
    {
        Left = RequireSort(left, SmtSort.BoolSort, nameof(left));
        Right = RequireSort(right, SmtSort.BoolSort, nameof(right));
    }

    /// <summary>The left formula.</summary>
    public Term Left { get; }

    /// <summary>The right formula.</summary>
    public Term Right { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
