namespace Planning.Provers.Smt;

/// <summary>Arithmetic negation <c>-x</c> of an Int or Real term.</summary>
internal sealed record UnaryMinus : Term
{
    /// <summary>Creates <c>-<paramref name="operand"/></c>.</summary>
    /// <param name="operand">An Int or Real term.</param>
    public UnaryMinus(Term operand)
    {
        Operand = RequireNumeric(operand, nameof(operand));
    }

    /// <summary>The negated term.</summary>
    public Term Operand { get; }

    /// <inheritdoc />
    public override SmtSort Sort => Operand.Sort;
}
