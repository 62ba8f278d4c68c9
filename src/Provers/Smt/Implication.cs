namespace Planning.Provers.Smt;

/// <summary>The implication <c>p → q</c>.</summary>
internal sealed record Implication : Term
{
    /// <summary>Creates <paramref name="premise"/> → <paramref name="conclusion"/>.</summary>
    /// <param name="premise">A formula.</param>
    /// <param name="conclusion">A formula.</param>
    public Implication(Term premise, Term conclusion)
    {
        Premise = RequireSort(premise, SmtSort.BoolSort, nameof(premise));
        Conclusion = RequireSort(conclusion, SmtSort.BoolSort, nameof(conclusion));
    }

    /// <summary>The premise.</summary>
    public Term Premise { get; }

    /// <summary>The conclusion.</summary>
    public Term Conclusion { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
