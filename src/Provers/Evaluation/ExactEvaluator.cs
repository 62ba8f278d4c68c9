using System.Diagnostics.CodeAnalysis;
using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>
/// One exact evaluation (the engine behind <see cref="LeanEvaluator"/>): the assignment of the free variables, the
/// variables bound by quantifiers, big operators and set-builders, and the step budget. Values are <see cref="LeanValue"/>s,
/// propositions three-valued. The rules live in one file per domain: logic (connectives, relations, quantifiers),
/// arithmetic (numerals, operators, casts, comparisons), built-in functions (gcd, sqrt, floor, primality, ...) and finite
/// sets (ranges, intervals, divisors, filters, membership, sums and products, cardinality, least elements).
/// </summary>
/// <param name="assignment">Values of the free variables, by name.</param>
internal sealed partial class ExactEvaluator(IReadOnlyDictionary<string, Rational> assignment)
{
    /// <summary>Evaluation steps (nodes visited) before giving up: a budget, not a time limit, so results never depend on the machine.</summary>
    private const int MaxSteps = 400_000;

    /// <summary>The most integers a bounded quantifier, a finite set or a least-element scan enumerates.</summary>
    private const int MaxEnumerated = 5000;

    /// <summary>The most bits of a computed numerator or denominator (<c>number too large</c> beyond).</summary>
    private const int MaxBits = 100_000;

    /// <summary>An unbounded quantifier is sampled at the integers -24..24 (and simple fractions over ℚ and ℝ).</summary>
    private const int SampleRadius = 24;

    /// <summary>Primality is decided by trial division up to this bound.</summary>
    private static readonly BigInteger PrimeLimit = BigInteger.Pow(10, 12);

    /// <summary>Values of the variables bound by an enclosing binder; they shadow the assignment.</summary>
    private readonly Dictionary<string, LeanValue> _bound = new(StringComparer.Ordinal);

    private int _steps;

    /// <summary>Why the first proposition that could not be decided was not (the result's reason).</summary>
    private string? _reason;

    /// <summary>A proposition evaluated in three-valued logic.</summary>
    private enum Tri
    {
        False,
        True,
        Unknown,
    }

    /// <summary>Evaluates an expression: a truth value for a proposition, otherwise a number, or why neither was computed.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The result.</returns>
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
                LeanValue.Number number => new EvaluatedNumber(number.Value),
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

    /// <summary>Evaluates <paramref name="body"/> with <paramref name="name"/> bound to <paramref name="value"/>, then restores the outer binding.</summary>
    private T WithBound<T>(string name, Rational value, Func<T> body)
    {
        bool had = _bound.TryGetValue(name, out LeanValue? outer);
        _bound[name] = new LeanValue.Number(value);
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

    private LeanValue? Lookup(string name)
    {
        if (_bound.TryGetValue(name, out LeanValue? value))
        {
            return value;
        }

        return assignment.TryGetValue(name, out Rational assigned) ? new LeanValue.Number(assigned) : null;
    }

    private Rational Number(FormalExpr expression)
    {
        return Value(expression) is LeanValue.Number value ? value.Value : throw new NotEvaluableException("not a number: " + expression.Type);
    }

    private BigInteger Integer(FormalExpr expression)
    {
        Rational value = Number(expression);
        return value.IsInteger ? value.Numerator : throw new NotEvaluableException("non-integer value of " + expression.Type);
    }

    private LeanValue Value(FormalExpr expression)
    {
        Step();
        if (expression.Type.Kind is FormalTypeKind.Complex or FormalTypeKind.ZMod)
        {
            throw new NotEvaluableException(expression.Type.Kind == FormalTypeKind.Complex ? "ℂ" : "ZMod");
        }

        switch (expression)
        {
            case NumeralExpr numeral:
                return new LeanValue.Number(new Rational(numeral.Value));
            case ScientificExpr scientific:
                return new LeanValue.Number(Scientific(scientific));
            case VariableExpr variable:
                return Lookup(variable.Name) ?? throw new NotEvaluableException(
                    variable.Type.Kind == FormalTypeKind.Function ? "function variable " + variable.Name : "unassigned variable " + variable.Name);
            case CastExpr cast:
                return new LeanValue.Number(Number(cast.Operand));
            case NegateExpr negate:
                return new LeanValue.Number(Negate(negate));
            case ArithmeticExpr arithmetic:
                return new LeanValue.Number(Arithmetic(arithmetic));
            case CallExpr call:
                return Call(call);
            case BigOperatorExpr big:
                return new LeanValue.Number(Big(big));
            case SetBuilderExpr setBuilder:
                return new LeanValue.SetPredicate(setBuilder.Variable, setBuilder.ElementType, setBuilder.Predicate);
            case FilterExpr filter:
                return Filter(filter);
            case ApplyExpr apply:
                throw new NotEvaluableException("function variable " + apply.Function.Name);
            case RelationExpr or LogicalExpr or NotExpr or QuantifierExpr:
                return Prop(expression) switch
                {
                    Tri.True => new LeanValue.Truth(true),
                    Tri.False => new LeanValue.Truth(false),
                    _ => throw new NotEvaluableException(_reason ?? "proposition not evaluable"),
                };
            default:
                throw new NotEvaluableException(expression.GetType().Name);
        }
    }

    /// <summary>A call: a finite set, a set's cardinality, a built-in number function, or a built-in predicate used as a value.</summary>
    private LeanValue Call(CallExpr call)
    {
        switch (call.Function)
        {
            case FormalFunction.FinsetRange or FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc
                or FormalFunction.FinsetIoo or FormalFunction.NatDivisors or FormalFunction.NatProperDivisors:
                return Enumerate(call);
            case FormalFunction.FinsetCard:
                return new LeanValue.Number(Cardinality(call.Arguments[0]));
            default:
                if (BuiltInNumber(call) is Rational number)
                {
                    return new LeanValue.Number(number);
                }

                if (call.Type.Kind == FormalTypeKind.Prop)
                {
                    return new LeanValue.Truth(PropCall(call));
                }

                throw new NotEvaluableException(call.Function.ToString());
        }
    }

    /// <summary>Raised inside the evaluator when a value cannot be computed exactly.</summary>
    [SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Control flow inside the evaluator; never escapes it.")]
    [SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Control flow inside the evaluator; never escapes it.")]
    private sealed class NotEvaluableException(string reason) : Exception(reason);
}
