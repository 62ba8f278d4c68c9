using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>
/// Evaluates typed Lean expressions and statements exactly, over rationals, with Lean's semantics: an oracle that
/// depends on neither Z3 nor the SMT translation.
/// </summary>
/// <remarks>
/// <para>Rules, per type: ℕ subtraction truncates at 0 (NNReal too); ℕ and ℤ <c>/</c> and <c>%</c> are Euclidean with
/// <c>x / 0 = 0</c> and <c>x % 0 = x</c>; ℚ and ℝ <c>x / 0 = 0</c> and <c>0⁻¹ = 0</c>; casts keep the value; <c>^</c> with a ℕ
/// exponent is exact, with a ℤ exponent inverts (<c>0 ^ (-n) = 0</c>), with a real exponent it is exact when the result is
/// rational (an integer exponent, or a rational root that exists); <c>Real.sqrt</c> of a negative is 0 and otherwise evaluable
/// only when the root is rational; <c>⌊⌋ ⌈⌉</c>, <c>Nat.floor</c>/<c>Nat.ceil</c> (clamped at 0), <c>abs</c>, <c>min</c>, <c>max</c>,
/// <c>Int.natAbs</c>, <c>Int.toNat</c>, <c>gcd</c>/<c>lcm</c> (<c>lcm 0 n = 0</c>), <c>n !</c>, <c>Nat.choose</c>, <c>Nat.Prime</c>
/// (trial division up to 10¹²), <c>∣</c> (<c>0 ∣ b ↔ b = 0</c>; on fields <c>a ∣ b ↔ a ≠ 0 ∨ b = 0</c>), <c>Even</c>/<c>Odd</c>
/// (always true on ℚ and ℝ), <c>a ≡ b [MOD n]</c>, <c>Rat.num</c>/<c>Rat.den</c>, <c>Real.logb</c> when the logarithm is rational,
/// <c>Irrational</c> (false: every value here is rational), finite sets (<c>Finset.range</c>, intervals over ℕ/ℤ,
/// <c>Nat.divisors</c>, <c>Finset.filter</c>), <c>∑</c>/<c>∏</c> over them, and <c>IsLeast</c> over ℕ.</para>
/// <para>Connectives use three-valued logic, so <c>False ∧ p</c> is false even when <c>p</c> cannot be evaluated.
/// A quantifier over ℕ or ℤ whose guard (<c>∀ x, lo ≤ x → x &lt; hi → …</c>, <c>∃ x, x ∈ Finset.range n ∧ …</c>) bounds it
/// to at most 5000 values is enumerated; otherwise, and over ℚ/ℝ, sample values can only refute a <c>∀</c> or confirm an
/// <c>∃</c> — else the result is <see cref="NotEvaluated"/>. Function variables, ℂ, π and transcendental values other than
/// trivial ones (<c>exp 0</c>, <c>log 1</c>…) are not evaluable.</para>
/// </remarks>
public static class LeanEvaluator
{
    /// <summary>Evaluates an expression (a number or a proposition) with the given values of its free variables.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="assignment">Values of the free variables, by name; ℕ values must be non-negative integers and ℤ values integers.</param>
    /// <returns>The number, the truth value, or why it could not be evaluated.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static EvaluationResult Evaluate(FormalExpr expression, IReadOnlyDictionary<string, Rational> assignment)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(assignment);
        return new Evaluator(assignment).Top(expression);
    }

    /// <summary>
    /// Evaluates a statement's hypotheses and conclusion at an assignment of its variables. An assignment outside the
    /// variables' types (a fraction for a ℕ variable) gives <see cref="StatementEvaluation.InDomain"/> false and nothing
    /// else is evaluated.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="assignment">Values of the statement's numeric variables, by name.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static StatementEvaluation EvaluateStatement(FormalStatement statement, IReadOnlyDictionary<string, Rational> assignment)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(assignment);
        foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
        {
            if (variable.Type.Kind is not (FormalTypeKind.Complex or FormalTypeKind.ZMod) && variable.Type.IsNumeric && assignment.TryGetValue(variable.Name, out Rational value) && !InDomain(variable.Type, value))
            {
                return new StatementEvaluation(false, [], new NotEvaluated("assignment outside the variables' types"));
            }
        }

        ImmutableArray<EvaluationResult> hypotheses =
            [.. (statement.Hypotheses.IsDefault ? [] : statement.Hypotheses).Select(hypothesis => Evaluate(hypothesis.Proposition, assignment))];
        return new StatementEvaluation(true, hypotheses, Evaluate(statement.Conclusion, assignment));
    }

    /// <summary>Whether a value belongs to a number type: ℕ non-negative integers, ℤ integers, NNReal non-negative, ℚ and ℝ anything.</summary>
    /// <param name="type">The number type.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is of the type (false for ℂ and non-numeric types).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    public static bool InDomain(FormalType type, Rational value)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Kind switch
        {
            FormalTypeKind.Nat => value.IsInteger && value.Sign >= 0,
            FormalTypeKind.Int => value.IsInteger,
            FormalTypeKind.NNReal => value.Sign >= 0,
            FormalTypeKind.Rat or FormalTypeKind.Real => true,
            _ => false,
        };
    }

    /// <summary>Raised inside the evaluator when a value cannot be computed exactly.</summary>
    [SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Control flow inside the evaluator; never escapes it.")]
    [SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Control flow inside the evaluator; never escapes it.")]
    private sealed class NotEvaluableException(string reason) : Exception(reason);

    /// <summary>A finite set's elements, distinct and sorted.</summary>
    private sealed record FiniteSet(ImmutableArray<Rational> Elements);

    /// <summary>A set-builder closed over nothing but its predicate (the environment is the evaluator's).</summary>
    private sealed record SetPredicate(string Variable, FormalType ElementType, FormalExpr Predicate);

    private enum Tri
    {
        False,
        True,
        Unknown,
    }

    private sealed class Evaluator(IReadOnlyDictionary<string, Rational> assignment)
    {
        private const int MaxSteps = 400_000;
        private const int MaxEnumerated = 5000;
        private const int MaxBits = 100_000;
        private const int SampleRadius = 24;
        private static readonly BigInteger PrimeLimit = BigInteger.Pow(10, 12);

        private readonly Dictionary<string, object> _bound = new(StringComparer.Ordinal);
        private int _steps;
        private string? _reason;

        public EvaluationResult Top(FormalExpr expression)
        {
            if (expression.Type.Kind == FormalTypeKind.Prop)
            {
                Tri truth = Prop(expression);
                return truth == Tri.Unknown ? new NotEvaluated(_reason ?? "not evaluable") : new EvaluatedTruth(truth == Tri.True);
            }

            try
            {
                return Value(expression) switch
                {
                    Rational number => new EvaluatedNumber(number),
                    _ => new NotEvaluated("not a number: " + expression.Type),
                };
            }
            catch (NotEvaluableException exception)
            {
                return new NotEvaluated(exception.Message);
            }
        }

        private void Step()
        {
            if (++_steps > MaxSteps)
            {
                throw new NotEvaluableException("evaluation budget exhausted");
            }
        }

        // ---- Propositions (three-valued) ----

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
                case VariableExpr variable when Lookup(variable.Name) is bool value:
                    return Of(value);
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

        /// <summary>
        /// The order of two numbers; a side that is a square root is compared through squares, so that
        /// <c>√539 = 11</c> is decided (false) although <c>√539</c> is irrational.
        /// </summary>
        private int Order(FormalExpr left, FormalExpr right)
        {
            if (IsSqrt(left) is FormalExpr leftRadicand)
            {
                return SqrtOrder(Number(leftRadicand), Number(right));
            }

            if (IsSqrt(right) is FormalExpr rightRadicand)
            {
                return -SqrtOrder(Number(rightRadicand), Number(left));
            }

            return Number(left).CompareTo(Number(right));
        }

        private static FormalExpr? IsSqrt(FormalExpr expression)
        {
            return expression is CallExpr { Function: FormalFunction.RealSqrt or FormalFunction.NNRealSqrt } call ? call.Arguments[0] : null;
        }

        /// <summary>The sign of <c>√radicand - other</c>, with <c>√x = 0</c> for negative <c>x</c>.</summary>
        private static int SqrtOrder(Rational radicand, Rational other)
        {
            if (other.Sign < 0)
            {
                return 1;
            }

            Rational square = radicand.Sign < 0 ? Rational.Zero : radicand;
            return square.CompareTo(Checked(other * other));
        }

        private static bool Divides(FormalType type, Rational divisor, Rational dividend)
        {
            if (type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
            {
                return divisor.IsZero ? dividend.IsZero : BigInteger.Remainder(dividend.Numerator, divisor.Numerator).IsZero;
            }

            // In a field every non-zero element divides everything.
            return !divisor.IsZero || dividend.IsZero;
        }

        private Tri Member(FormalExpr elementExpr, FormalExpr collection)
        {
            Rational element = Number(elementExpr);
            if (collection is CallExpr call)
            {
                switch (call.Function)
                {
                    case FormalFunction.FinsetRange:
                        return Of(element.Sign >= 0 && element < Number(call.Arguments[0]));
                    case FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo:
                        {
                            Rational low = Number(call.Arguments[0]);
                            Rational high = Number(call.Arguments[1]);
                            bool closedLow = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco;
                            bool closedHigh = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc;
                            return Of((closedLow ? low <= element : low < element) && (closedHigh ? element <= high : element < high));
                        }

                    case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors:
                        {
                            Rational n = Number(call.Arguments[0]);
                            bool divides = !n.IsZero && element.Sign > 0 && Divides(FormalType.Nat, element, n);
                            return Of(divides && (call.Function == FormalFunction.NatDivisors || element < n));
                        }

                    default:
                        break;
                }
            }

            if (collection is FilterExpr filter)
            {
                Tri inSource = Member(elementExpr, filter.Source);
                return inSource == Tri.False ? Tri.False : And(inSource, WithBound(filter.Variable, element, () => Prop(filter.Predicate)));
            }

            object set = Value(collection);
            return set switch
            {
                FiniteSet finite => Of(finite.Elements.Contains(element)),
                SetPredicate predicate => InSet(predicate, element),
                _ => throw new NotEvaluableException("membership in " + collection.Type),
            };
        }

        private Tri InSet(SetPredicate set, Rational element)
        {
            return LeanEvaluator.InDomain(set.ElementType, element) ? WithBound(set.Variable, element, () => Prop(set.Predicate)) : Tri.False;
        }

        private bool PropCall(CallExpr call)
        {
            ImmutableArray<FormalExpr> args = call.Arguments;
            switch (call.Function)
            {
                case FormalFunction.TrueProp:
                    return true;
                case FormalFunction.FalseProp:
                    return false;
                case FormalFunction.NatPrime:
                    return IsPrime(Integer(args[0]));
                case FormalFunction.Even or FormalFunction.Odd:
                    {
                        Rational x = Number(args[0]);
                        bool even = call.Function == FormalFunction.Even;
                        return args[0].Type.Kind switch
                        {
                            FormalTypeKind.Nat or FormalTypeKind.Int => BigInteger.Remainder(x.Numerator, 2).IsZero == even,
                            FormalTypeKind.NNReal => even || x >= Rational.One,
                            FormalTypeKind.Rat or FormalTypeKind.Real => true,
                            _ => throw new NotEvaluableException("Even/Odd on " + args[0].Type),
                        };
                    }

                case FormalFunction.NatModEq or FormalFunction.IntModEq:
                    {
                        BigInteger n = Integer(args[0]);
                        return EuclideanMod(Integer(args[1]), n) == EuclideanMod(Integer(args[2]), n);
                    }

                case FormalFunction.Irrational:
                    _ = Number(args[0]);
                    return false;
                case FormalFunction.IsLeast or FormalFunction.IsGreatest:
                    return Extremum(call.Function == FormalFunction.IsLeast, args[0], Number(args[1]));
                default:
                    throw new NotEvaluableException(call.Function.ToString());
            }
        }

        private bool Extremum(bool least, FormalExpr setExpr, Rational candidate)
        {
            if (Value(setExpr) is not SetPredicate set)
            {
                throw new NotEvaluableException("IsLeast/IsGreatest of a non-set-builder");
            }

            Tri member = InSet(set, candidate);
            if (member != Tri.True)
            {
                return member == Tri.False ? false : throw new NotEvaluableException("membership undecided");
            }

            if (least && set.ElementType.Kind == FormalTypeKind.Nat && candidate.Numerator <= MaxEnumerated)
            {
                bool unknown = false;
                for (BigInteger value = 0; value < candidate.Numerator; value++)
                {
                    switch (InSet(set, value))
                    {
                        case Tri.True:
                            return false;
                        case Tri.Unknown:
                            unknown = true;
                            break;
                        default:
                            break;
                    }
                }

                return unknown ? throw new NotEvaluableException("membership undecided") : true;
            }

            if (set.ElementType.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
            {
                for (int offset = 1; offset <= SampleRadius * 4; offset++)
                {
                    Rational other = least ? candidate - offset : candidate + offset;
                    if (InSet(set, other) == Tri.True)
                    {
                        return false;
                    }
                }
            }

            throw new NotEvaluableException(least ? "IsLeast over an unbounded set" : "IsGreatest over an unbounded set");
        }

        // ---- Quantifiers ----

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

        private (BigInteger Low, BigInteger High)? TryBounds(CallExpr set)
        {
            Rational? Arg(int index) => TryNumber(set.Arguments[index]);
            switch (set.Function)
            {
                case FormalFunction.FinsetRange when Arg(0) is Rational n:
                    return (BigInteger.Zero, Rational.Ceiling(n) - BigInteger.One);
                case FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo
                    when Arg(0) is Rational a && Arg(1) is Rational b:
                    {
                        bool closedLow = set.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco;
                        bool closedHigh = set.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc;
                        return (closedLow ? Rational.Ceiling(a) : Rational.Floor(a) + BigInteger.One, closedHigh ? Rational.Floor(b) : Rational.Ceiling(b) - BigInteger.One);
                    }

                case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors when Arg(0) is Rational n:
                    return (BigInteger.One, n.Numerator);
                default:
                    return null;
            }
        }

        private Rational? TryNumber(FormalExpr expression)
        {
            try
            {
                return Value(expression) is Rational value ? value : null;
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

        private T WithBound<T>(string name, object value, Func<T> body)
        {
            bool had = _bound.TryGetValue(name, out object? outer);
            _bound[name] = value;
            try
            {
                return body();
            }
            finally
            {
                if (had)
                {
                    _bound[name] = outer!;
                }
                else
                {
                    _bound.Remove(name);
                }
            }
        }

        private object? Lookup(string name)
        {
            if (_bound.TryGetValue(name, out object? value))
            {
                return value;
            }

            return assignment.TryGetValue(name, out Rational assigned) ? assigned : null;
        }

        // ---- Values ----

        private Rational Number(FormalExpr expression)
        {
            return Value(expression) is Rational value ? value : throw new NotEvaluableException("not a number: " + expression.Type);
        }

        private BigInteger Integer(FormalExpr expression)
        {
            Rational value = Number(expression);
            return value.IsInteger ? value.Numerator : throw new NotEvaluableException("non-integer value of " + expression.Type);
        }

        private object Value(FormalExpr expression)
        {
            Step();
            if (expression.Type.Kind is FormalTypeKind.Complex or FormalTypeKind.ZMod)
            {
                throw new NotEvaluableException(expression.Type.Kind == FormalTypeKind.Complex ? "ℂ" : "ZMod");
            }

            switch (expression)
            {
                case NumeralExpr numeral:
                    return new Rational(numeral.Value);
                case ScientificExpr scientific:
                    {
                        if (Math.Abs(scientific.Exponent) > 1000)
                        {
                            throw new NotEvaluableException("huge decimal exponent");
                        }

                        BigInteger power = BigInteger.Pow(10, Math.Abs(scientific.Exponent));
                        return scientific.Exponent >= 0 ? new Rational(scientific.Mantissa * power) : new Rational(scientific.Mantissa, power);
                    }

                case VariableExpr variable:
                    return Lookup(variable.Name) ?? throw new NotEvaluableException(
                        variable.Type.Kind == FormalTypeKind.Function ? "function variable " + variable.Name : "unassigned variable " + variable.Name);
                case CastExpr cast:
                    return Number(cast.Operand);
                case NegateExpr negate:
                    return negate.Type.Kind is FormalTypeKind.Nat or FormalTypeKind.NNReal
                        ? throw new NotEvaluableException("negation on " + negate.Type)
                        : -Number(negate.Operand);
                case ArithmeticExpr arithmetic:
                    return Arithmetic(arithmetic);
                case CallExpr call:
                    return Call(call);
                case BigOperatorExpr big:
                    return Big(big);
                case SetBuilderExpr setBuilder:
                    return new SetPredicate(setBuilder.Variable, setBuilder.ElementType, setBuilder.Predicate);
                case FilterExpr filter:
                    return Filter(filter);
                case ApplyExpr apply:
                    throw new NotEvaluableException("function variable " + apply.Function.Name);
                case RelationExpr or LogicalExpr or NotExpr or QuantifierExpr:
                    return Prop(expression) switch
                    {
                        Tri.True => true,
                        Tri.False => false,
                        _ => throw new NotEvaluableException(_reason ?? "proposition not evaluable"),
                    };
                default:
                    throw new NotEvaluableException(expression.GetType().Name);
            }
        }

        private Rational Arithmetic(ArithmeticExpr arithmetic)
        {
            if (arithmetic.Operator == NumericOperator.Power)
            {
                return Power(arithmetic);
            }

            Rational left = Number(arithmetic.Left);
            Rational right = Number(arithmetic.Right);
            FormalTypeKind kind = arithmetic.Type.Kind;
            bool integral = kind is FormalTypeKind.Nat or FormalTypeKind.Int;
            switch (arithmetic.Operator)
            {
                case NumericOperator.Add:
                    return Checked(left + right);
                case NumericOperator.Multiply:
                    return Checked(left * right);
                case NumericOperator.Subtract:
                    {
                        Rational difference = left - right;
                        return kind is FormalTypeKind.Nat or FormalTypeKind.NNReal && difference.Sign < 0 ? Rational.Zero : difference;
                    }

                case NumericOperator.Divide:
                    if (right.IsZero)
                    {
                        return Rational.Zero;
                    }

                    return integral ? EuclideanDiv(Whole(left), Whole(right)) : left / right;
                default:
                    if (!integral)
                    {
                        throw new NotEvaluableException("% on " + arithmetic.Type);
                    }

                    return right.IsZero ? left : EuclideanMod(Whole(left), Whole(right));
            }
        }

        private static BigInteger Whole(Rational value)
        {
            return value.IsInteger ? value.Numerator : throw new NotEvaluableException("non-integer value at an integer type");
        }

        private static Rational Checked(Rational value)
        {
            return value.Numerator.GetBitLength() > MaxBits || value.Denominator.GetBitLength() > MaxBits
                ? throw new NotEvaluableException("number too large")
                : value;
        }

        private static BigInteger EuclideanDiv(BigInteger a, BigInteger b)
        {
            if (b.IsZero)
            {
                return BigInteger.Zero;
            }

            BigInteger q = BigInteger.DivRem(a, b, out BigInteger r);
            if (r.Sign < 0)
            {
                q = b.Sign > 0 ? q - BigInteger.One : q + BigInteger.One;
            }

            return q;
        }

        private static BigInteger EuclideanMod(BigInteger a, BigInteger b)
        {
            if (b.IsZero)
            {
                return a;
            }

            BigInteger r = BigInteger.Remainder(a, b);
            return r.Sign < 0 ? r + BigInteger.Abs(b) : r;
        }

        private Rational Power(ArithmeticExpr power)
        {
            Rational baseValue = Number(power.Left);
            Rational exponent = Number(power.Right);
            FormalTypeKind exponentKind = power.Right.Type.Kind;
            if (exponentKind is FormalTypeKind.Nat or FormalTypeKind.Int || exponent.IsInteger)
            {
                if (!exponent.IsInteger)
                {
                    throw new NotEvaluableException("non-integer exponent");
                }

                return IntegerPower(baseValue, exponent.Numerator);
            }

            // rpow with a non-integer exponent: x^(p/q) = (x^(1/q))^p for x > 0, 0 for x = 0.
            if (baseValue.IsZero)
            {
                return Rational.Zero;
            }

            if (baseValue.Sign < 0)
            {
                throw new NotEvaluableException("rpow of a negative base");
            }

            if (exponent.Denominator > 64 || !Rational.TryRoot(baseValue, (int)exponent.Denominator, out Rational root))
            {
                throw new NotEvaluableException("irrational power");
            }

            return IntegerPower(root, exponent.Numerator);
        }

        private static Rational IntegerPower(Rational baseValue, BigInteger exponent)
        {
            if (exponent.Sign < 0)
            {
                return baseValue.IsZero ? Rational.Zero : Rational.One / IntegerPower(baseValue, -exponent);
            }

            if (exponent.IsZero || baseValue == Rational.One)
            {
                return Rational.One;
            }

            if (baseValue.IsZero)
            {
                return Rational.Zero;
            }

            if (baseValue == -Rational.One)
            {
                return exponent.IsEven ? Rational.One : -Rational.One;
            }

            long bits = Math.Max(baseValue.Numerator.GetBitLength(), baseValue.Denominator.GetBitLength());
            if (exponent > MaxBits || bits * (long)exponent > MaxBits)
            {
                throw new NotEvaluableException("power too large");
            }

            return Rational.Pow(baseValue, (int)exponent);
        }

        private object Call(CallExpr call)
        {
            ImmutableArray<FormalExpr> args = call.Arguments;
            switch (call.Function)
            {
                case FormalFunction.RealSqrt or FormalFunction.NNRealSqrt:
                    {
                        Rational x = Number(args[0]);
                        if (x.Sign <= 0)
                        {
                            return Rational.Zero;
                        }

                        return Rational.TryRoot(x, 2, out Rational root) ? root : throw new NotEvaluableException("irrational sqrt");
                    }

                case FormalFunction.NatSqrt:
                    return new Rational(Rational.FloorRoot(Integer(args[0]), 2));
                case FormalFunction.Abs:
                    return Rational.Abs(Number(args[0]));
                case FormalFunction.Min or FormalFunction.Max:
                    {
                        Rational a = Number(args[0]);
                        Rational b = Number(args[1]);
                        return call.Function == FormalFunction.Min ? (a <= b ? a : b) : (a >= b ? a : b);
                    }

                case FormalFunction.NatGcd or FormalFunction.IntGcd:
                    return new Rational(BigInteger.GreatestCommonDivisor(Integer(args[0]), Integer(args[1])));
                case FormalFunction.NatLcm or FormalFunction.IntLcm:
                    {
                        BigInteger a = BigInteger.Abs(Integer(args[0]));
                        BigInteger b = BigInteger.Abs(Integer(args[1]));
                        return a.IsZero || b.IsZero ? Rational.Zero : new Rational(a / BigInteger.GreatestCommonDivisor(a, b) * b);
                    }

                case FormalFunction.IntFloor:
                    return new Rational(Rational.Floor(Number(args[0])));
                case FormalFunction.IntCeil:
                    return new Rational(Rational.Ceiling(Number(args[0])));
                case FormalFunction.NatFloor:
                    return new Rational(BigInteger.Max(BigInteger.Zero, Rational.Floor(Number(args[0]))));
                case FormalFunction.NatCeil:
                    return new Rational(BigInteger.Max(BigInteger.Zero, Rational.Ceiling(Number(args[0]))));
                case FormalFunction.IntNatAbs:
                    return Rational.Abs(Number(args[0]));
                case FormalFunction.IntToNat:
                    {
                        Rational x = Number(args[0]);
                        return x.Sign < 0 ? Rational.Zero : x;
                    }

                case FormalFunction.NatSucc:
                    return Number(args[0]) + Rational.One;
                case FormalFunction.Factorial:
                    return new Rational(Factorial(Integer(args[0])));
                case FormalFunction.Choose:
                    return new Rational(Choose(Integer(args[0]), Integer(args[1])));
                case FormalFunction.Inverse:
                    {
                        Rational x = Number(args[0]);
                        return x.IsZero ? Rational.Zero : Rational.One / x;
                    }

                case FormalFunction.RatNum:
                    return new Rational(Number(args[0]).Numerator);
                case FormalFunction.RatDen:
                    return new Rational(Number(args[0]).Denominator);
                case FormalFunction.RatDivInt:
                    {
                        Rational a = Number(args[0]);
                        Rational b = Number(args[1]);
                        return b.IsZero ? Rational.Zero : a / b;
                    }

                case FormalFunction.Exp:
                    return Number(args[0]).IsZero ? Rational.One : throw new NotEvaluableException("irrational exp");
                case FormalFunction.Sin or FormalFunction.Tan:
                    return Number(args[0]).IsZero ? Rational.Zero : throw new NotEvaluableException("transcendental " + call.Function);
                case FormalFunction.Cos:
                    return Number(args[0]).IsZero ? Rational.One : throw new NotEvaluableException("transcendental cos");
                case FormalFunction.Log:
                    return TrivialLog(Number(args[0])) ? Rational.Zero : throw new NotEvaluableException("irrational log");
                case FormalFunction.Logb:
                    return Logb(Number(args[0]), Number(args[1]));
                case FormalFunction.FinsetRange or FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc
                    or FormalFunction.FinsetIoo or FormalFunction.NatDivisors or FormalFunction.NatProperDivisors:
                    return Enumerate(call);
                case FormalFunction.FinsetCard:
                    return Value(args[0]) is FiniteSet set ? new Rational(set.Elements.Length) : throw new NotEvaluableException("card of an infinite set");
                default:
                    if (call.Type.Kind == FormalTypeKind.Prop)
                    {
                        return PropCall(call);
                    }

                    throw new NotEvaluableException(call.Function.ToString());
            }
        }

        private static bool TrivialLog(Rational x) => x.IsZero || Rational.Abs(x) == Rational.One;

        private static Rational Logb(Rational b, Rational x)
        {
            // logb b x = log x / log b, with log 0 = 0, log |x| = log x, and division by 0 giving 0.
            if (TrivialLog(x) || TrivialLog(b))
            {
                return Rational.Zero;
            }

            Rational absB = Rational.Abs(b);
            Rational absX = Rational.Abs(x);
            double ratio = Log(absX) / Log(absB);
            for (int q = 1; q <= 12; q++)
            {
                double p = Math.Round(ratio * q);
                if (Math.Abs(p) > 4096)
                {
                    continue;
                }

                // |x|^q = |b|^p exactly?
                long bits = (long)Math.Abs(p) * Math.Max(absB.Numerator.GetBitLength(), absB.Denominator.GetBitLength());
                if (bits > MaxBits)
                {
                    continue;
                }

                if (Rational.Pow(absX, q) == Rational.Pow(absB, (int)p))
                {
                    return new Rational(new BigInteger(p), q);
                }
            }

            throw new NotEvaluableException("irrational logb");
        }

        private static double Log(Rational value)
        {
            return BigInteger.Log(value.Numerator) - BigInteger.Log(value.Denominator);
        }

        private static BigInteger Factorial(BigInteger n)
        {
            if (n.Sign < 0 || n > 2000)
            {
                throw new NotEvaluableException("factorial too large");
            }

            BigInteger result = BigInteger.One;
            for (BigInteger i = 2; i <= n; i++)
            {
                result *= i;
            }

            return result;
        }

        private static BigInteger Choose(BigInteger n, BigInteger k)
        {
            if (k > n)
            {
                return BigInteger.Zero;
            }

            BigInteger smaller = BigInteger.Min(k, n - k);
            if (smaller > 2000)
            {
                throw new NotEvaluableException("binomial too large");
            }

            BigInteger result = BigInteger.One;
            for (BigInteger i = 0; i < smaller; i++)
            {
                result = result * (n - i) / (i + 1);
            }

            return result;
        }

        private static bool IsPrime(BigInteger n)
        {
            if (n < 2)
            {
                return false;
            }

            if (n > PrimeLimit)
            {
                throw new NotEvaluableException("primality of a large number");
            }

            long value = (long)n;
            if (value % 2 == 0)
            {
                return value == 2;
            }

            for (long d = 3; d * d <= value; d += 2)
            {
                if (value % d == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private FiniteSet Enumerate(CallExpr call)
        {
            FormalType element = call.Type.Element ?? FormalType.Nat;
            if (element.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
            {
                throw new NotEvaluableException("finite set over " + element);
            }

            if (call.Function is FormalFunction.NatDivisors or FormalFunction.NatProperDivisors)
            {
                BigInteger n = Integer(call.Arguments[0]);
                if (n > 10_000_000)
                {
                    throw new NotEvaluableException("divisors of a large number");
                }

                List<Rational> divisors = [];
                for (long d = 1; d <= (long)n; d++)
                {
                    if ((long)n % d == 0 && (call.Function == FormalFunction.NatDivisors || d < (long)n))
                    {
                        divisors.Add(d);
                    }

                    if (divisors.Count > MaxEnumerated)
                    {
                        throw new NotEvaluableException("set too large");
                    }
                }

                return new FiniteSet([.. divisors]);
            }

            (BigInteger low, BigInteger high) = TryBounds(call) ?? throw new NotEvaluableException("finite set bounds not evaluable");
            if (high - low + 1 > MaxEnumerated)
            {
                throw new NotEvaluableException("set too large");
            }

            List<Rational> values = [];
            for (BigInteger value = low; value <= high; value++)
            {
                values.Add(value);
            }

            return new FiniteSet([.. values]);
        }

        private FiniteSet Filter(FilterExpr filter)
        {
            if (Value(filter.Source) is not FiniteSet source)
            {
                throw new NotEvaluableException("filter of a non-finite set");
            }

            List<Rational> kept = [];
            foreach (Rational element in source.Elements)
            {
                switch (WithBound(filter.Variable, element, () => Prop(filter.Predicate)))
                {
                    case Tri.True:
                        kept.Add(element);
                        break;
                    case Tri.Unknown:
                        throw new NotEvaluableException(_reason ?? "filter predicate not evaluable");
                    default:
                        break;
                }
            }

            return new FiniteSet([.. kept]);
        }

        private Rational Big(BigOperatorExpr big)
        {
            if (Value(big.Domain) is not FiniteSet domain)
            {
                throw new NotEvaluableException("big operator over a non-finite set");
            }

            bool sum = big.Operator == BigOperator.Sum;
            Rational result = sum ? Rational.Zero : Rational.One;
            foreach (Rational element in domain.Elements)
            {
                Rational term = WithBound(big.Index, element, () => Number(big.Body));
                result = Checked(sum ? result + term : result * term);
            }

            return result;
        }
    }
}
