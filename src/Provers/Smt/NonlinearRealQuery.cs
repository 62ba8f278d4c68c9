using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Provers.Smt;

/// <summary>
/// Prepares the queries Z3's nlsat tactic (<c>qfnra-nlsat</c>) is for: quantifier-free, every term real or Boolean, and
/// at least one product of two non-literal terms or a division by one. Both backends check such a query with that tactic
/// first, as Z3 does on its own for a one-shot QF_NRA problem: the incremental solver a backend keeps across checks
/// (push, assert, check, pop) gives nonlinear real arithmetic only its incomplete heuristics, and left systems such as
/// <c>a x + b y = 3, a x² + b y² = 7, a x³ + b y³ = 16, a x⁴ + b y⁴ = 42</c> unknown at any limit (measured: 74 s)
/// where the tactic answers in milliseconds. The tactic answers <c>unknown</c> when it does not apply or gives up; the
/// check then goes on with the incremental solver.
/// </summary>
/// <remarks>
/// nlsat knows no function symbols, so applications of real functions (the translation's <c>Real.sin</c>,
/// <c>Real.pi</c>, function variables) are replaced by fresh real constants, one per distinct application, with
/// Ackermann's constraints (equal arguments give equal values) for each pair of applications of one function: the
/// result is satisfiable exactly when the query is, and a model of it gives the query's constants their values.
/// </remarks>
internal static class NonlinearRealQuery
{
    /// <summary>The tactic's name, in SMT-LIB's <c>check-sat-using</c> and Z3's <c>MkTactic</c>.</summary>
    public const string Tactic = "qfnra-nlsat";

    /// <summary>More applications of one function than this and the pairwise constraints are not worth it: no rewrite.</summary>
    private const int MaxApplicationsPerFunction = 24;

    /// <summary>The query for the tactic (see the type's summary), or null when the query is not one for it.</summary>
    /// <param name="assertions">The query's assertions.</param>
    /// <returns>The assertions, with function applications replaced when there are any, or null.</returns>
    public static IReadOnlyList<Term>? Prepare(IReadOnlyList<Term> assertions)
    {
        ArgumentNullException.ThrowIfNull(assertions);
        var nonlinear = false;
        var applications = false;
        var pending = new Stack<Term>(assertions);
        while (pending.Count > 0)
        {
            var term = pending.Pop();
            if (term.Sort != SmtSort.RealSort && term.Sort != SmtSort.BoolSort)
            {
                return null;
            }

            switch (term)
            {
                case ForAll or Exists or Variable { IsFunction: true }:
                    return null;
                case Application application:
                    applications = true;
                    foreach (var argument in application.Arguments)
                    {
                        pending.Push(argument);
                    }

                    continue;
                case Arithmetic { Operator: ArithmeticOperator.Multiply } product when !IsLiteral(product.Left) && !IsLiteral(product.Right):
                    nonlinear = true;
                    break;
                case Arithmetic { Operator: ArithmeticOperator.Divide } quotient when !IsLiteral(quotient.Right):
                    nonlinear = true;
                    break;
            }

            Terms.PushOperands(pending, term);
        }

        if (!nonlinear)
        {
            return null;
        }

        if (!applications)
        {
            return assertions;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var assertion in assertions)
        {
            TermRenaming.CollectNames(assertion, used);
        }

        var ackermann = new Ackermann(used);
        var prepared = assertions.Select(ackermann.Visit).ToList();
        return ackermann.Consistency(prepared) ? prepared : null;
    }

    private static bool IsLiteral(Term term) => term is RealLiteral or UnaryMinus { Operand: RealLiteral };

    /// <summary>Replaces each distinct application (by its SMT-LIB text, arguments rewritten first) with a fresh constant.</summary>
    private sealed class Ackermann(HashSet<string> used)
    {
        private readonly Dictionary<string, Variable> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<(ImmutableArray<Term> Arguments, Variable Value)>> _byFunction = new(StringComparer.Ordinal);

        public Term Visit(Term term)
        {
            switch (term)
            {
                case Variable or BoolLiteral or IntLiteral or RealLiteral:
                    return term;
                case Application application:
                    {
                        ImmutableArray<Term> arguments = [.. application.Arguments.Select(Visit)];
                        var key = new Application(application.Function, arguments).ToString();
                        if (!_constants.TryGetValue(key, out var constant))
                        {
                            string name;
                            for (var i = _constants.Count; !used.Add(name = "ackermann!" + i.ToString(CultureInfo.InvariantCulture)); i++)
                            {
                            }

                            constant = new Variable(name, application.Sort);
                            _constants.Add(key, constant);
                            if (!_byFunction.TryGetValue(application.Function.Name, out var list))
                            {
                                _byFunction.Add(application.Function.Name, list = []);
                            }

                            list.Add((arguments, constant));
                        }

                        return constant;
                    }

                case Arithmetic a:
                    return new Arithmetic(a.Operator, Visit(a.Left), Visit(a.Right));
                case Comparison c:
                    return new Comparison(c.Operator, Visit(c.Left), Visit(c.Right));
                case Conjunction c:
                    return new Conjunction(Visit(c.Left), Visit(c.Right));
                case Disjunction d:
                    return new Disjunction(Visit(d.Left), Visit(d.Right));
                case Implication i:
                    return new Implication(Visit(i.Premise), Visit(i.Conclusion));
                case Biconditional b:
                    return new Biconditional(Visit(b.Left), Visit(b.Right));
                case IfThenElse ite:
                    return new IfThenElse(Visit(ite.Condition), Visit(ite.WhenTrue), Visit(ite.WhenFalse));
                case UnaryMinus u:
                    return new UnaryMinus(Visit(u.Operand));
                case LogicalNot n:
                    return new LogicalNot(Visit(n.Operand));
                default:
                    throw new ArgumentException($"unsupported term in a quantifier-free real query: {term.GetType().Name}", nameof(term));
            }
        }

        /// <summary>Adds, for each pair of applications of one function, equal arguments → equal values; false when there are too many.</summary>
        public bool Consistency(List<Term> prepared)
        {
            foreach (var applications in _byFunction.Values)
            {
                if (applications.Count > MaxApplicationsPerFunction)
                {
                    return false;
                }

                for (var i = 0; i < applications.Count; i++)
                {
                    for (var j = i + 1; j < applications.Count; j++)
                    {
                        var equalArguments = Terms.All(applications[i].Arguments.Select((argument, k) => (Term)new Comparison(ComparisonOperator.Equal, argument, applications[j].Arguments[k])));
                        prepared.Add(new Implication(equalArguments, new Comparison(ComparisonOperator.Equal, applications[i].Value, applications[j].Value)));
                    }
                }
            }

            return true;
        }
    }
}
