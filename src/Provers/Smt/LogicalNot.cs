namespace Planning.Provers.Smt;

/// <summary>The negation <c>¬p</c> of a formula.</summary>
internal sealed record LogicalNot : Term
{
    /// <summary>Creates <c>¬<paramref name="operand"/></c>.</summary>
    /// <param name="operand">A formula.</param>
    public LogicalNot(Term operand)
    {
        Operand = RequireSort(operand, SmtSort.BoolSort, nameof(operand));
    }

    /// <summary>The negated formula.</summary>
    public Term Operand { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
