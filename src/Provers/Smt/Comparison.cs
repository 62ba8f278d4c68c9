namespace Planning.Provers.Smt;

/// <summary>A comparison of two terms of the same sort; a formula (Bool).</summary>
internal sealed record Comparison : Term
{
    /// <summary>Creates <paramref name="left"/> <paramref name="op"/> <paramref name="right"/>.</summary>
    /// <param name="op">The relation; orderings need numeric operands.</param>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand, of the same sort.</param>
    public Comparison(ComparisonOperator op, Term left, Term right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        switch (op)
        {
            case ComparisonOperator.Equal or ComparisonOperator.NotEqual:
                break;
            case ComparisonOperator.Less or ComparisonOperator.LessOrEqual or ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual:
                RequireNumeric(left, nameof(left));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown comparison operator");
        }

        RequireSameSort(left, right, nameof(right));
        Operator = op;
        Left = left;
        Right = right;
    }

    /// <summary>The relation.</summary>
    public ComparisonOperator Operator { get; }

    /// <summary>The left operand.</summary>
    public Term Left { get; }

    /// <summary>The right operand.</summary>
    public Term Right { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
