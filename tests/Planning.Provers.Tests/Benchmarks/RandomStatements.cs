using System.Collections.Immutable;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Benchmarks;

/// <summary>
/// Small random polynomial/relational statements over 1–3 variables of ℕ, ℤ and ℝ (+, -, *, /, %, abs, literal powers),
/// and random assignments of their variables, both from a seeded <see cref="Random"/>.
/// </summary>
internal static class RandomStatements
{
    private static readonly FormalVariable[] Pool =
    [
        new("x", FormalType.Real), new("y", FormalType.Real), new("n", FormalType.Nat), new("m", FormalType.Nat), new("a", FormalType.Int),
    ];

    private static readonly RelationOperator[] Relations =
    [
        RelationOperator.Equal, RelationOperator.NotEqual, RelationOperator.Less, RelationOperator.LessEqual, RelationOperator.Greater,
        RelationOperator.GreaterEqual,
    ];

    public static FormalStatement Statement(Random random)
    {
        int count = random.Next(1, 4);
        ImmutableArray<FormalVariable> variables = [.. Pool.OrderBy(_ => random.Next()).Take(count)];
        int hypotheses = random.Next(0, 3);
        ImmutableArray<FormalHypothesis> hyps =
            [.. Enumerable.Range(0, hypotheses).Select(i => new FormalHypothesis("h" + i, Relation(random, variables)))];
        return new FormalStatement("t", variables, hyps, Relation(random, variables));
    }

    public static FormalExpr Relation(Random random, ImmutableArray<FormalVariable> variables)
    {
        FormalType type = variables[random.Next(variables.Length)].Type;
        return new RelationExpr(Relations[random.Next(Relations.Length)], Term(random, type, variables, 2), Term(random, type, variables, random.Next(0, 2)));
    }

    public static FormalExpr Term(Random random, FormalType type, ImmutableArray<FormalVariable> variables, int depth)
    {
        int choice = depth <= 0 ? random.Next(0, 2) : random.Next(0, 9);
        switch (choice)
        {
            case 0:
                return new NumeralExpr(random.Next(0, 6), type);
            case 1:
                {
                    FormalVariable[] usable = [.. variables.Where(variable => variable.Type == type || variable.Type.CanCoerceTo(type))];
                    if (usable.Length == 0)
                    {
                        return new NumeralExpr(random.Next(0, 6), type);
                    }

                    FormalVariable chosen = usable[random.Next(usable.Length)];
                    VariableExpr reference = new(chosen.Name, chosen.Type);
                    return chosen.Type == type ? reference : new CastExpr(reference, type);
                }

            case 2 or 3:
                return new ArithmeticExpr(NumericOperator.Add, Term(random, type, variables, depth - 1), Term(random, type, variables, depth - 1));
            case 4:
                return new ArithmeticExpr(NumericOperator.Subtract, Term(random, type, variables, depth - 1), Term(random, type, variables, depth - 1));
            case 5:
                return new ArithmeticExpr(NumericOperator.Multiply, Term(random, type, variables, depth - 1), Term(random, type, variables, depth - 1));
            case 6:
                {
                    NumericOperator op = type.Kind == FormalTypeKind.Real || random.Next(2) == 0 ? NumericOperator.Divide : NumericOperator.Modulo;
                    return new ArithmeticExpr(op, Term(random, type, variables, depth - 1), Term(random, type, variables, 0));
                }

            case 7:
                return new ArithmeticExpr(NumericOperator.Power, Term(random, type, variables, depth - 1), new NumeralExpr(random.Next(2, 4), FormalType.Nat));
            default:
                return type.Kind == FormalTypeKind.Nat
                    ? new ArithmeticExpr(NumericOperator.Power, Term(random, type, variables, depth - 1), new NumeralExpr(2, FormalType.Nat))
                    : new CallExpr(FormalFunction.Abs, [Term(random, type, variables, depth - 1)], type);
        }
    }

    /// <summary>A random assignment of the numeric variables (of both statements, by name), each in its type.</summary>
    public static Dictionary<string, Rational> Assignment(Random random, IEnumerable<FormalVariable> variables)
    {
        Dictionary<string, Rational> values = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in variables)
        {
            values[variable.Name] = variable.Type.Kind switch
            {
                FormalTypeKind.Nat => random.Next(0, 13),
                FormalTypeKind.Int => random.Next(-12, 13),
                FormalTypeKind.NNReal => new Rational(random.Next(0, 40), random.Next(1, 7)),
                _ => random.Next(3) == 0 ? random.Next(-12, 13) : new Rational(random.Next(-40, 41), random.Next(1, 7)),
            };
        }

        return values;
    }

    /// <summary>
    /// Checks that two statements over the same variables agree at an assignment: the hypotheses' conjunctions are equal
    /// and, where both hold, so are the conclusions. Undecided evaluations count as agreement; returns whether both were decided.
    /// </summary>
    public static bool AgreeAt(FormalStatement first, FormalStatement second, IReadOnlyDictionary<string, Rational> assignment, out string? disagreement)
    {
        StatementEvaluation a = LeanEvaluator.EvaluateStatement(first, assignment);
        StatementEvaluation b = LeanEvaluator.EvaluateStatement(second, assignment);
        disagreement = null;
        if (a.HypothesesHold is not bool h1 || b.HypothesesHold is not bool h2)
        {
            return false;
        }

        string at = string.Join(", ", assignment.Select(static pair => pair.Key + " = " + pair.Value));
        if (h1 != h2)
        {
            disagreement = $"hypotheses {h1} vs {h2} at {at}";
            return true;
        }

        if (!h1)
        {
            return true;
        }

        if (a.ConclusionHolds is not bool c1 || b.ConclusionHolds is not bool c2)
        {
            return false;
        }

        if (c1 != c2)
        {
            disagreement = $"conclusions {c1} vs {c2} at {at}";
        }

        return true;
    }
}
