namespace Planning.Provers.Smt;

/// <summary>The Int term as a Real (SMT-LIB <c>to_real</c>).</summary>
internal sealed record IntToReal : Term
{
    /// <summary>Creates <c>to_real(<paramref name="operand"/>)</c>.</summary>
    /// <param name="operand">An Int term.</param>
    public IntToReal(Term operand)
    {
        Operand = RequireSort(operand, SmtSort.IntSort, nameof(operand));
    }

    /// <summary>The converted term.</summary>
    public Term Operand { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.RealSort;
}
