namespace Planning.Provers.Smt;

/// <summary>
/// A term of the SMT term language that both backends (<see cref="Z3InProcessBackend"/>, <see cref="Z3ProcessBackend"/>)
/// accept: boolean, integer and real constants and variables, arithmetic, comparisons, connectives, if-then-else and
/// quantifiers over typed variables. Terms are immutable, compare structurally, and are sort-checked when built (an
/// ill-sorted term throws <see cref="ArgumentException"/>).
/// </summary>
/// <remarks>
/// The semantics are SMT-LIB's (theories Ints, Reals, Reals_Ints): <c>div</c> and <c>mod</c> are Euclidean and, like
/// real division, unspecified for a zero divisor. A translation from another language (Lean) encodes its own rules on
/// top. <see cref="ToString"/> gives the SMT-LIB 2 text of the term.
/// </remarks>
internal abstract record Term
{
    private protected Term()
    {
    }

    /// <summary>The sort of the term.</summary>
    public abstract SmtSort Sort { get; }

    /// <summary>The term in SMT-LIB 2 syntax, variables under their own names.</summary>
    /// <returns>The SMT-LIB 2 text, for instance <c>(and (&lt;= 0 x) (= (* x x) 4))</c>.</returns>
    public sealed override string ToString() => SmtLibWriter.Write(this);

    private protected static Term RequireSort(Term term, SmtSort sort, string parameterName)
    {
        RequireValue(term, parameterName);
        if (term.Sort != sort)
        {
            throw new ArgumentException($"expected a term of sort {Describe(sort)}, got {Describe(term.Sort)}: {term}", parameterName);
        }

        return term;
    }

    private protected static Term RequireNumeric(Term term, string parameterName)
    {
        RequireValue(term, parameterName);
        if (term.Sort == SmtSort.BoolSort)
        {
            throw new ArgumentException($"expected an Int or Real term, got a Bool term: {term}", parameterName);
        }

        return term;
    }

    private protected static void RequireSameSort(Term left, Term right, string parameterName)
    {
        RequireValue(left, parameterName);
        RequireValue(right, parameterName);
        if (left.Sort != right.Sort)
        {
            throw new ArgumentException(
                $"operands of different sorts ({Describe(left.Sort)} and {Describe(right.Sort)}; convert with IntToReal or RealToInt): {left} and {right}",
                parameterName);
        }
    }

    /// <summary>A term that has a value: not null, and not a bare function symbol (which only heads an <see cref="Application"/>).</summary>
    private protected static void RequireValue(Term term, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(term, parameterName);
        if (term is Variable { IsFunction: true } function)
        {
            throw new ArgumentException($"the function symbol '{function.Name}' is used without arguments", parameterName);
        }
    }

    internal static string Describe(SmtSort sort) => sort switch
    {
        SmtSort.BoolSort => "Bool",
        SmtSort.IntSort => "Int",
        SmtSort.RealSort => "Real",
        _ => sort.ToString(),
    };
}
