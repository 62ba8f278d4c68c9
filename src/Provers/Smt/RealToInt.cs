namespace Planning.Provers.Smt;

/// <summary>The floor of a Real term, as an Int (SMT-LIB <c>to_int</c>).</summary>
internal sealed record RealToInt : Term
{
    /// <summary>Creates <c>to_int(<paramref name="operand"/>)</c>.</summary>
    /// <param name="operand">A Real term.</param>
    public RealToInt(Term operand)
    {
        Operand = RequireSort(operand, SmtSort.RealSort, nameof(operand));
    }

    /// <summary>The converted term.</summary>
    public Term Operand { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.IntSort;
}
