namespace Planning.Provers.Smt;

/// <summary>A binary arithmetic operation; both operands have the same numeric sort, which is the result's.</summary>
internal sealed record Arithmetic : Term
{
    /// <summary>Creates <paramref name="left"/> <paramref name="op"/> <paramref name="right"/>.</summary>
    /// <param name="op">The operator.</param>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand, of the same sort.</param>
    /// <exception cref="ArgumentException">The operands are not numeric, differ in sort, or do not suit the operator.</exception>
    public Arithmetic(ArithmeticOperator op, Term left, Term right)
    {
        RequireNumeric(left, nameof(left));
        RequireNumeric(right, nameof(right));
        RequireSameSort(left, right, nameof(right));
        switch (op)
        {
            case ArithmeticOperator.Add or ArithmeticOperator.Subtract or ArithmeticOperator.Multiply:
                break;
            case ArithmeticOperator.Divide:
                RequireSort(left, SmtSort.RealSort, nameof(left));
                break;
            case ArithmeticOperator.IntegerDivide or ArithmeticOperator.Modulo:
                RequireSort(left, SmtSort.IntSort, nameof(left));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown arithmetic operator");
        }

        Operator = op;
        Left = left;
        Right = right;
    }

    /// <summary>The operator.</summary>
    public ArithmeticOperator Operator { get; }

    /// <summary>The left operand.</summary>
    public Term Left { get; }

    /// <summary>The right operand.</summary>
    public Term Right { get; }

    /// <inheritdoc />
    public override SmtSort Sort => Left.Sort;
}
