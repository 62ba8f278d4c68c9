namespace Planning.Provers.Smt;

/// <summary><c>if c then a else b</c>; both branches have the same sort, which is the result's.</summary>
internal sealed record IfThenElse : Term
{
    /// <summary>Creates <c>ite(<paramref name="condition"/>, <paramref name="whenTrue"/>, <paramref name="whenFalse"/>)</c>.</summary>
    /// <param name="condition">A formula.</param>
    /// <param name="whenTrue">The value when the condition holds.</param>
    /// <param name="whenFalse">The value otherwise, of the same sort.</param>
    public IfThenElse(Term condition, Term whenTrue, Term whenFalse)
    {
        Condition = RequireSort(condition, SmtSort.BoolSort, nameof(condition));
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        RequireSameSort(whenTrue, whenFalse, nameof(whenFalse));
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    /// <summary>The condition.</summary>
    public Term Condition { get; }

    /// <summary>The value when the condition holds.</summary>
    public Term WhenTrue { get; }

    /// <summary>The value when it does not.</summary>
    public Term WhenFalse { get; }

    /// <inheritdoc />
    public override SmtSort Sort => WhenTrue.Sort;
}
