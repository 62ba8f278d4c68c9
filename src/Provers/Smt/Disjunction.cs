namespace Planning.Provers.Smt;

/// <summary>The disjunction <c>p ∨ q</c> of two formulas. Chains print as one n-ary SMT-LIB term; <see cref="Terms.Any"/> builds one from a list.</summary>
internal sealed record Disjunction : Term
{
    /// <summary>Creates <paramref name="left"/> ∨ <paramref name="right"/>.</summary>
    /// <param name="left">A formula.</param>
    /// <param name="right">A formula.</param>
    public Disjunction(Term left, Term right)
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
