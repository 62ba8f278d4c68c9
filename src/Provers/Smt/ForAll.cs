namespace Planning.Provers.Smt;

/// <summary>
/// <c>∀ x. body</c>: the body holds for every value of the bound variable. Inside the body the variable's name refers to the bound
/// variable (shadowing any outer one). <see cref="Terms.ForAll"/> binds several variables; nested ones print as one binder.
/// </summary>
internal sealed record ForAll : Term
{
    /// <summary>Creates <c>∀ <paramref name="bound"/>. <paramref name="body"/></c>.</summary>
    /// <param name="bound">The bound variable.</param>
    /// <param name="body">A formula.</param>
    public ForAll(Variable bound, Term body)
    {
        RequireValue(bound, nameof(bound));
        Bound = bound;
        Body = RequireSort(body, SmtSort.BoolSort, nameof(body));
    }

    /// <summary>The bound variable.</summary>
    public Variable Bound { get; }

    /// <summary>The body.</summary>
    public Term Body { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
