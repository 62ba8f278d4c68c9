using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>Logic: three-valued connectives, relations, and quantifiers enumerated over bounded integer ranges or sampled.</summary>
internal sealed partial class ExactEvaluator
{
    /// <summary>A proposition's truth value; one that cannot be evaluated is <see cref="Tri.Unknown"/> and its reason is kept.</summary>
    private Tri Prop(FormalExpr expression)
    {
        try
        {
            return PropCore(expression);
        }
        catch (NotEvaluableException exception)
        {
            _reason ??= exception.Message;
            return Tri.Unknown;
        }
    }

    private Tri PropCore(FormalExpr expression)
    {
        Step();
        switch (expression)
        {
            case LogicalExpr logical:
                return Logical(logical);
            case NotExpr not:
                return Not(Prop(not.Operand));
            case RelationExpr relation:
                return Relation(relation);
            case QuantifierExpr quantifier:
                return Quantify(quantifier);
            case CallExpr call:
                return Of(PropCall(call));
            case VariableExpr variable when Lookup(variable.Name) is LeanValue.Truth truth:
                return Of(truth.Value);
            default:
                throw new NotEvaluableException("proposition " + expression.GetType().Name);
        }
    }

    private static Tri Of(bool value) => value ? Tri.True : Tri.False;

    private static Tri Not(Tri value) => value switch
    {
        Tri.True => Tri.False,
        Tri.False => Tri.True,
        _ => Tri.Unknown,
    };

    private static Tri And(Tri left, Tri right)
    {
        return left == Tri.False || right == Tri.False ? Tri.False : left == Tri.True && right == Tri.True ? Tri.True : Tri.Unknown;
    }

    private static Tri Or(Tri left, Tri right)
    {
        return left == Tri.True || right == Tri.True ? Tri.True : left == Tri.False && right == Tri.False ? Tri.False : Tri.Unknown;
    }

    private Tri Logical(LogicalExpr logical)
    {
        Tri left = Prop(logical.Left);
        switch (logical.Operator)
        {
            case LogicalOperator.And:
                return left == Tri.False ? Tri.False : And(left, Prop(logical.Right));
            case LogicalOperator.Or:
                return left == Tri.True ? Tri.True : Or(left, Prop(logical.Right));
            case LogicalOperator.Implies:
                return left == Tri.False ? Tri.True : Or(Not(left), Prop(logical.Right));
            default:
                {
                    Tri right = Prop(logical.Right);
                    return left == Tri.Unknown || right == Tri.Unknown ? Tri.Unknown : Of(left == right);
                }
        }
    }

    private Tri Relation(RelationExpr relation)
    {
        switch (relation.Operator)
        {
            case RelationOperator.Member:
                return Member(relation.Left, relation.Right);
            case RelationOperator.NotMember:
                return Not(Member(relation.Left, relation.Right));
            case RelationOperator.Divides:
                return Of(Divides(relation.Left.Type, Number(relation.Left), Number(relation.Right)));
            default:
                break;
        }

        if (relation.Left.Type.Kind == FormalTypeKind.Prop)
        {
            Tri left = Prop(relation.Left);
            Tri right = Prop(relation.Right);
            if (left == Tri.Unknown || right == Tri.Unknown)
            {
                return Tri.Unknown;
            }

            return relation.Operator switch
            {
                RelationOperator.Equal => Of(left == right),
                RelationOperator.NotEqual => Of(left != right),
                _ => throw new NotEvaluableException("order on Prop"),
            };
        }

        int order = Order(relation.Left, relation.Right);
        return Of(relation.Operator switch
        {
            RelationOperator.Equal => order == 0,
            RelationOperator.NotEqual => order != 0,
            RelationOperator.Less => order < 0,
            RelationOperator.LessEqual => order <= 0,
            RelationOperator.Greater => order > 0,
            _ => order >= 0,
        });
    }

    private Tri Quantify(QuantifierExpr quantifier)
    {
        FormalType type = quantifier.VariableType;
        if (!type.IsNumeric || type.Kind is FormalTypeKind.Complex or FormalTypeKind.ZMod)
        {
            throw new NotEvaluableException("quantifier over " + type);
        }

        bool exists = quantifier.Quantifier != Quantifier.ForAll;
        IReadOnlyList<Rational>? range = type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int
            ? BoundedRange(quantifier.Variable, type, Guards(quantifier.Body, exists))
            : null;
        bool exhaustive = range is not null;
        IEnumerable<Rational> values = range ?? Samples(type);
        int found = 0;
        bool unknown = false;
        foreach (Rational value in values)
        {
            Tri body = WithBound(quantifier.Variable, value, () => Prop(quantifier.Body));
            if (body == Tri.Unknown)
            {
                unknown = true;
                continue;
            }

            switch (quantifier.Quantifier)
            {
                case Quantifier.ForAll when body == Tri.False:
                    return Tri.False;
                case Quantifier.Exists when body == Tri.True:
                    return Tri.True;
                case Quantifier.ExistsUnique when body == Tri.True && ++found > 1:
                    return Tri.False;
                default:
                    break;
            }
        }

        if (!exhaustive || unknown)
        {
            _reason ??= exhaustive ? "quantifier body not evaluable" : "unbounded " + QuantifierName(quantifier.Quantifier) + " over " + type;
            return Tri.Unknown;
        }

        return quantifier.Quantifier switch
        {
            Quantifier.ForAll => Tri.True,
            Quantifier.Exists => Tri.False,
            _ => Of(found == 1),
        };
    }

    private static string QuantifierName(Quantifier quantifier) => quantifier switch
    {
        Quantifier.ForAll => "∀",
        Quantifier.Exists => "∃",
        _ => "∃!",
    };

    /// <summary>The premises of a ∀ body (<c>p → q → r</c>) or the conjuncts of an ∃ body (<c>p ∧ q ∧ r</c>), except the last.</summary>
    private static List<FormalExpr> Guards(FormalExpr body, bool exists)
    {
        List<FormalExpr> guards = [];
        FormalExpr current = body;
        LogicalOperator chain = exists ? LogicalOperator.And : LogicalOperator.Implies;
        while (current is LogicalExpr logical && logical.Operator == chain)
        {
            AddConjuncts(logical.Left, guards);
            current = logical.Right;
        }

        return guards;
    }

    private static void AddConjuncts(FormalExpr expression, List<FormalExpr> into)
    {
        if (expression is LogicalExpr { Operator: LogicalOperator.And } and)
        {
            AddConjuncts(and.Left, into);
            AddConjuncts(and.Right, into);
        }
        else
        {
            into.Add(expression);
        }
    }

    /// <summary>The integer values the guards confine the variable to, or null when they do not bound it to a small range.</summary>
    private List<Rational>? BoundedRange(string variable, FormalType type, List<FormalExpr> guards)
    {
        BigInteger? low = type.Kind == FormalTypeKind.Nat ? BigInteger.Zero : null;
        BigInteger? high = null;
        void Low(BigInteger value) => low = low is BigInteger current && current >= value ? current : value;
        void High(BigInteger value) => high = high is BigInteger current && current <= value ? current : value;

        foreach (FormalExpr guard in guards)
        {
            if (guard is not RelationExpr relation)
            {
                continue;
            }

            bool leftIsVariable = IsBoundVariable(relation.Left, variable);
            bool rightIsVariable = IsBoundVariable(relation.Right, variable);
            if (relation.Operator is RelationOperator.Member && leftIsVariable && relation.Right is CallExpr set && !Mentions(set, variable))
            {
                if (TryBounds(set) is (BigInteger setLow, BigInteger setHigh))
                {
                    Low(setLow);
                    High(setHigh);
                }

                continue;
            }

            if (relation.Operator is RelationOperator.Divides && rightIsVariable is false && leftIsVariable && TryNumber(relation.Right) is Rational dividend
                && !dividend.IsZero && dividend.IsInteger)
            {
                Low(-BigInteger.Abs(dividend.Numerator));
                High(BigInteger.Abs(dividend.Numerator));
                continue;
            }

            if (leftIsVariable == rightIsVariable)
            {
                continue;
            }

            FormalExpr other = leftIsVariable ? relation.Right : relation.Left;
            if (Mentions(other, variable) || TryNumber(other) is not Rational bound)
            {
                continue;
            }

            // Normalise to "variable op bound".
            RelationOperator op = leftIsVariable ? relation.Operator : Mirror(relation.Operator);
            switch (op)
            {
                case RelationOperator.Equal:
                    Low(Rational.Ceiling(bound));
                    High(Rational.Floor(bound));
                    break;
                case RelationOperator.Less:
                    High(Rational.Ceiling(bound) - BigInteger.One);
                    break;
                case RelationOperator.LessEqual:
                    High(Rational.Floor(bound));
                    break;
                case RelationOperator.Greater:
                    Low(Rational.Floor(bound) + BigInteger.One);
                    break;
                case RelationOperator.GreaterEqual:
                    Low(Rational.Ceiling(bound));
                    break;
                default:
                    break;
            }
        }

        if (low is not BigInteger from || high is not BigInteger to || to - from + 1 > MaxEnumerated)
        {
            return null;
        }

        List<Rational> values = [];
        for (BigInteger value = from; value <= to; value++)
        {
            values.Add(value);
        }

        return values;
    }

    private Rational? TryNumber(FormalExpr expression)
    {
        try
        {
            return Value(expression) is LeanValue.Number value ? value.Value : null;
        }
        catch (NotEvaluableException)
        {
            return null;
        }
    }

    private static RelationOperator Mirror(RelationOperator op) => op switch
    {
        RelationOperator.Less => RelationOperator.Greater,
        RelationOperator.LessEqual => RelationOperator.GreaterEqual,
        RelationOperator.Greater => RelationOperator.Less,
        RelationOperator.GreaterEqual => RelationOperator.LessEqual,
        _ => op,
    };

    private static bool IsBoundVariable(FormalExpr expression, string variable)
    {
        return expression switch
        {
            VariableExpr named => named.Name == variable,
            CastExpr cast => IsBoundVariable(cast.Operand, variable),
            _ => false,
        };
    }

    private static bool Mentions(FormalExpr expression, string variable)
    {
        return ExprTree.FreeVariables(expression).Contains(variable);
    }

    private static IEnumerable<Rational> Samples(FormalType type)
    {
        bool nonNegative = type.Kind is FormalTypeKind.Nat or FormalTypeKind.NNReal;
        bool integral = type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int;
        for (int i = 0; i <= SampleRadius; i++)
        {
            yield return i;
            if (!nonNegative && i > 0)
            {
                yield return -i;
            }
        }

        if (!integral)
        {
            foreach (int denominator in new[] { 2, 3, 4, 5 })
            {
                for (int numerator = 1; numerator < 4 * denominator; numerator++)
                {
                    if (BigInteger.GreatestCommonDivisor(numerator, denominator).IsOne)
                    {
                        yield return new Rational(numerator, denominator);
                        if (!nonNegative)
                        {
                            yield return new Rational(-numerator, denominator);
                        }
                    }
                }
            }
        }
    }
}
