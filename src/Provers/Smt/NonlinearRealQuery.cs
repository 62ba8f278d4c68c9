namespace Planning.Provers.Smt;

/// <summary>
/// Recognises the queries Z3's nlsat tactic (<c>qfnra-nlsat</c>) is for: quantifier-free, every term real or Boolean, no
/// function symbol, and at least one product of two non-literal terms or a division by one. Both backends check such a
/// query with that tactic first, as Z3 does on its own for a one-shot QF_NRA problem: the incremental solver a backend
/// keeps across checks (push, assert, check, pop) gives nonlinear real arithmetic only its incomplete heuristics, and
/// left systems such as <c>a x + b y = 3, a x² + b y² = 7, a x³ + b y³ = 16, a x⁴ + b y⁴ = 42</c> unknown at any
/// limit (measured: 74 s) where the tactic answers in milliseconds (docs/benchmarks.md). The tactic answers
/// <c>unknown</c> when it does not apply or gives up; the check then goes on with the incremental solver.
/// </summary>
internal static class NonlinearRealQuery
{
    /// <summary>The tactic's name, in SMT-LIB's <c>check-sat-using</c> and Z3's <c>MkTactic</c>.</summary>
    public const string Tactic = "qfnra-nlsat";

    /// <summary>Whether the query is quantifier-free nonlinear real arithmetic (see the type's summary).</summary>
    /// <param name="assertions">The query's assertions.</param>
    /// <returns>True for such a query.</returns>
    public static bool Matches(IReadOnlyList<Term> assertions)
    {
        ArgumentNullException.ThrowIfNull(assertions);
        var nonlinear = false;
        var pending = new Stack<Term>(assertions);
        while (pending.Count > 0)
        {
            var term = pending.Pop();
            if (term.Sort != SmtSort.RealSort && term.Sort != SmtSort.BoolSort)
            {
                return false;
            }

            switch (term)
            {
                case Variable { IsFunction: true } or Application or ForAll or Exists:
                    return false;
                case Arithmetic { Operator: ArithmeticOperator.Multiply } product when !IsLiteral(product.Left) && !IsLiteral(product.Right):
                    nonlinear = true;
                    break;
                case Arithmetic { Operator: ArithmeticOperator.Divide } quotient when !IsLiteral(quotient.Right):
                    nonlinear = true;
                    break;
            }

            Terms.PushOperands(pending, term);
        }

        return nonlinear;
    }

    private static bool IsLiteral(Term term) => term is RealLiteral or UnaryMinus { Operand: RealLiteral };
}
