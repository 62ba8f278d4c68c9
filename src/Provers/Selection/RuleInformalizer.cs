using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;

using Planning.Provers.Formal;

namespace Planning.Provers.Selection;

/// <summary>
/// A deterministic, rule-based informalizer: describes a statement as an English problem in the style of the
/// informal statements it formalizes, for example "Let x and y be real numbers such that x + y = 10 and x - y = 2.
/// Show that x = 6."
/// </summary>
/// <remarks>
/// <para>
/// The text is meant to be embedded, not typeset: arithmetic keeps its symbols (<c>+ - * / ^</c>, with parentheses
/// where precedence needs them; <c>mod</c> for <c>%</c>), comparisons are <c>= &lt; &lt;= &gt; &gt;=</c>, coercions
/// are dropped, and the rest is in words: "the square root of x", "b is divisible by a", "for every natural number
/// n, ...", "the sum of i ^ 2 for i from 1 to 10", "n is prime", "a is congruent to b modulo n".
/// </para>
/// <para>
/// Every expression node and library function has a rule; a construct added to the IR later falls back to its Lean
/// text, so informalizing a parsed statement never throws.
/// </para>
/// </remarks>
public sealed class RuleInformalizer : IInformalizer
{
    /// <summary>Precedence of atoms: numerals, variables, applications, and phrases with delimited arguments.</summary>
    private const int Atom = 100;

    /// <summary>Precedence of constructs open to the right ("the sum of ... for i in S", quantifiers): parenthesized inside operators.</summary>
    private const int Open = 10;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is null.</exception>
    public string Informalize(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;

        List<string> groups = [];
        for (int i = 0; i < variables.Length;)
        {
            int j = i;
            while (j < variables.Length && variables[j].Type == variables[i].Type)
            {
                j++;
            }

            List<string> names = [.. variables[i..j].Select(static variable => variable.Name)];
            groups.Add(j - i == 1
                ? names[0] + " be " + Singular(variables[i].Type)
                : JoinAnd(names) + " be " + Plural(variables[i].Type));
            i = j;
        }

        List<string> assumptions = [.. hypotheses.Select(hypothesis => Render(hypothesis.Proposition, 0))];
        StringBuilder text = new();
        if (groups.Count > 0)
        {
            text.Append("Let ").Append(JoinAnd(groups));
            if (assumptions.Count > 0)
            {
                text.Append(" such that ").Append(JoinAnd(assumptions));
            }

            text.Append(". ");
        }
        else if (assumptions.Count > 0)
        {
            text.Append("Suppose that ").Append(JoinAnd(assumptions)).Append(". ");
        }

        text.Append("Show that ").Append(Render(statement.Conclusion, 0)).Append('.');
        return text.ToString();
    }

    // ---- Expressions ----

    /// <summary>Renders an expression, parenthesized when its precedence is below <paramref name="minPrecedence"/>.</summary>
    private static string Render(FormalExpr expression, int minPrecedence)
    {
        (string text, int precedence) = Phrase(expression);
        return precedence < minPrecedence ? "(" + text + ")" : text;
    }

    /// <summary>An argument of a phrase such as "the square root of x": parenthesized unless it is an atom.</summary>
    private static string Argument(FormalExpr expression)
    {
        return Render(expression, Atom);
    }

    private static (string Text, int Precedence) Phrase(FormalExpr expression)
    {
        switch (expression)
        {
            case NumeralExpr numeral:
                return (numeral.Value.ToString(CultureInfo.InvariantCulture), Atom);
            case ScientificExpr scientific:
                return (Decimal(scientific.Mantissa, scientific.Exponent), Atom);
            case VariableExpr variable:
                return (variable.Name, Atom);
            case CastExpr cast:
                return Phrase(cast.Operand);
            case NegateExpr negate:
                return ("-" + Render(negate.Operand, 75), 75);
            case ArithmeticExpr arithmetic:
                return Arithmetic(arithmetic);
            case CallExpr call:
                return Call(call);
            case ApplyExpr apply:
                return (apply.Function.Name + (apply.Inverse ? "^-1" : string.Empty) + "(" + string.Join(", ", apply.Arguments.Select(static argument => Render(argument, 0))) + ")", Atom);
            case RelationExpr relation:
                return (Relation(relation), 50);
            case LogicalExpr logical:
                return Logical(logical);
            case NotExpr not:
                return (Negation(not.Operand), 40);
            case QuantifierExpr quantifier:
                return (Quantified(quantifier), Open);
            case BigOperatorExpr bigOperator:
                return ((bigOperator.Operator == BigOperator.Sum ? "the sum of " : "the product of ") + Render(bigOperator.Body, 0)
                    + " " + Range(bigOperator.Index, bigOperator.Domain), Open);
            case SetBuilderExpr setBuilder:
                return ("the set of " + Plural(setBuilder.ElementType) + " " + setBuilder.Variable + " such that "
                    + Render(setBuilder.Predicate, 0), Open);
            case FilterExpr filter:
                return ("the elements " + filter.Variable + " of " + Argument(filter.Source) + " such that " + Render(filter.Predicate, 0), Open);
            default:
                return (expression.ToString(), Atom);
        }
    }

    private static (string Text, int Precedence) Arithmetic(ArithmeticExpr arithmetic)
    {
        (string symbol, int level, int left, int right) = arithmetic.Operator switch
        {
            NumericOperator.Add => ("+", 65, 65, 66),
            NumericOperator.Subtract => ("-", 65, 65, 66),
            NumericOperator.Multiply => ("*", 70, 70, 71),
            NumericOperator.Divide => ("/", 70, 70, 71),
            NumericOperator.Modulo => ("mod", 70, 70, 71),
            _ => ("^", 75, 76, 75),
        };
        return (Render(arithmetic.Left, left) + " " + symbol + " " + Render(arithmetic.Right, right), level);
    }

    private static string Relation(RelationExpr relation)
    {
        string left = Render(relation.Left, 0);
        string right = Render(relation.Right, 0);
        return relation.Operator switch
        {
            RelationOperator.Equal => left + " = " + right,
            RelationOperator.NotEqual => left + " is not equal to " + right,
            RelationOperator.Less => left + " < " + right,
            RelationOperator.LessEqual => left + " <= " + right,
            RelationOperator.Greater => left + " > " + right,
            RelationOperator.GreaterEqual => left + " >= " + right,
            RelationOperator.Divides => right + " is divisible by " + left,
            RelationOperator.Member => left + " is in " + right,
            RelationOperator.NotMember => left + " is not in " + right,
            _ => relation.ToString(),
        };
    }

    private static (string Text, int Precedence) Logical(LogicalExpr logical)
    {
        switch (logical.Operator)
        {
            case LogicalOperator.And:
                return (Render(logical.Left, 36) + " and " + Render(logical.Right, 35), 35);
            case LogicalOperator.Or:
                return (Render(logical.Left, 31) + " or " + Render(logical.Right, 30), 30);
            case LogicalOperator.Implies:
                return ("if " + Render(logical.Left, 26) + ", then " + Render(logical.Right, 25), 25);
            default:
                return (Render(logical.Left, 21) + " if and only if " + Render(logical.Right, 21), 20);
        }
    }

    /// <summary>The negation of a proposition, in words where a direct form exists ("n is not prime").</summary>
    private static string Negation(FormalExpr operand)
    {
        switch (operand)
        {
            case RelationExpr { Operator: RelationOperator.Equal } equal:
                return Render(equal.Left, 0) + " is not equal to " + Render(equal.Right, 0);
            case RelationExpr { Operator: RelationOperator.Divides } divides:
                return Render(divides.Right, 0) + " is not divisible by " + Render(divides.Left, 0);
            case RelationExpr { Operator: RelationOperator.Member } member:
                return Render(member.Left, 0) + " is not in " + Render(member.Right, 0);
            case CallExpr { Function: FormalFunction.NatPrime or FormalFunction.Even or FormalFunction.Odd or FormalFunction.Irrational } call
                when call.Arguments.Length == 1:
                return Render(call.Arguments[0], 0) + " is not " + Adjective(call.Function);
            default:
                return "it is not true that " + Render(operand, 0);
        }
    }

    private static string Quantified(QuantifierExpr quantifier)
    {
        List<string> names = [quantifier.Variable];
        FormalExpr body = quantifier.Body;
        while (quantifier.Quantifier != Quantifier.ExistsUnique && body is QuantifierExpr inner
            && inner.Quantifier == quantifier.Quantifier && inner.VariableType == quantifier.VariableType)
        {
            names.Add(inner.Variable);
            body = inner.Body;
        }

        string noun = names.Count == 1 ? Noun(quantifier.VariableType) + " " + names[0] : Plural(quantifier.VariableType) + " " + JoinAnd(names);
        switch (quantifier.Quantifier)
        {
            case Quantifier.ForAll:
                string all = names.Count == 1 ? "for every " : "for all ";
                if (body is LogicalExpr { Operator: LogicalOperator.Implies } implication)
                {
                    return all + noun + " such that " + Render(implication.Left, 26) + ", " + Render(implication.Right, 0);
                }

                return all + noun + ", " + Render(body, 0);
            case Quantifier.Exists:
                return (names.Count == 1 ? "there exists " + Singular(quantifier.VariableType) + " " + names[0] : "there exist " + noun)
                    + " such that " + Render(body, 0);
            default:
                return "there exists a unique " + Noun(quantifier.VariableType) + " " + names[0] + " such that " + Render(body, 0);
        }
    }

    /// <summary>How a big operator's index ranges: "for i from 1 to 10", or "for i in S".</summary>
    private static string Range(string index, FormalExpr domain)
    {
        if (domain is CallExpr call && call.Type.Element is { } element && element.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
        {
            switch (call.Function)
            {
                case FormalFunction.FinsetRange when call.Arguments.Length == 1:
                    return "for " + index + " from 0 to " + Offset(call.Arguments[0], -1);
                case FormalFunction.FinsetIcc when call.Arguments.Length == 2:
                    return "for " + index + " from " + Render(call.Arguments[0], 0) + " to " + Render(call.Arguments[1], 0);
                case FormalFunction.FinsetIco when call.Arguments.Length == 2:
                    return "for " + index + " from " + Render(call.Arguments[0], 0) + " to " + Offset(call.Arguments[1], -1);
                case FormalFunction.FinsetIoc when call.Arguments.Length == 2:
                    return "for " + index + " from " + Offset(call.Arguments[0], 1) + " to " + Render(call.Arguments[1], 0);
                case FormalFunction.FinsetIoo when call.Arguments.Length == 2:
                    return "for " + index + " from " + Offset(call.Arguments[0], 1) + " to " + Offset(call.Arguments[1], -1);
                case FormalFunction.NatDivisors when call.Arguments.Length == 1:
                    return "over the divisors " + index + " of " + Argument(call.Arguments[0]);
                case FormalFunction.NatProperDivisors when call.Arguments.Length == 1:
                    return "over the proper divisors " + index + " of " + Argument(call.Arguments[0]);
                default:
                    break;
            }
        }

        return "for " + index + " in " + Render(domain, 0);
    }

    /// <summary>A bound shifted by one: computed for a numeral ("9" for 10 - 1), written out otherwise ("n - 1").</summary>
    private static string Offset(FormalExpr bound, int delta)
    {
        FormalExpr plain = bound is CastExpr cast ? cast.Operand : bound;
        if (plain is NumeralExpr numeral)
        {
            return (numeral.Value + delta).ToString(CultureInfo.InvariantCulture);
        }

        return Render(bound, 66) + (delta < 0 ? " - 1" : " + 1");
    }

    // ---- Library functions ----

    private static (string Text, int Precedence) Call(CallExpr call)
    {
        ImmutableArray<FormalExpr> arguments = call.Arguments.IsDefault ? [] : call.Arguments;
        string A(int index)
        {
            return index < arguments.Length ? Argument(arguments[index]) : "?";
        }

        string Plain(int index)
        {
            return Operand(index, 0);
        }

        string Operand(int index, int minPrecedence)
        {
            return index < arguments.Length ? Render(arguments[index], minPrecedence) : "?";
        }

        switch (call.Function)
        {
            case FormalFunction.RealSqrt or FormalFunction.NNRealSqrt:
                return ("the square root of " + A(0), Atom);
            case FormalFunction.NatSqrt:
                return ("the integer square root of " + A(0), Atom);
            case FormalFunction.Abs or FormalFunction.IntNatAbs:
                return ("the absolute value of " + A(0), Atom);
            case FormalFunction.Min:
                return ("the minimum of " + A(0) + " and " + A(1), Atom);
            case FormalFunction.Max:
                return ("the maximum of " + A(0) + " and " + A(1), Atom);
            case FormalFunction.NatGcd or FormalFunction.IntGcd:
                return ("the greatest common divisor of " + A(0) + " and " + A(1), Atom);
            case FormalFunction.NatLcm or FormalFunction.IntLcm:
                return ("the least common multiple of " + A(0) + " and " + A(1), Atom);
            case FormalFunction.IntFloor or FormalFunction.NatFloor:
                return ("the floor of " + A(0), Atom);
            case FormalFunction.IntCeil or FormalFunction.NatCeil:
                return ("the ceiling of " + A(0), Atom);
            case FormalFunction.IntToNat:
                return ("the natural number part of " + A(0), Atom);
            case FormalFunction.Factorial:
                return (A(0) + "!", Atom);
            case FormalFunction.Choose:
                return (A(0) + " choose " + A(1), 70);
            case FormalFunction.NatSucc:
                return (Operand(0, 65) + " + 1", 65);
            case FormalFunction.NatPrime or FormalFunction.Even or FormalFunction.Odd or FormalFunction.Irrational:
                return (Plain(0) + " is " + Adjective(call.Function), 50);
            case FormalFunction.Pi:
                return ("pi", Atom);
            case FormalFunction.ImaginaryUnit:
                return ("i", Atom);
            case FormalFunction.Exp:
                return ("e ^ " + A(0), 75);
            case FormalFunction.Log:
                return ("the natural logarithm of " + A(0), Atom);
            case FormalFunction.Logb:
                return ("the logarithm base " + A(0) + " of " + A(1), Atom);
            case FormalFunction.Cos:
                return ("the cosine of " + A(0), Atom);
            case FormalFunction.Sin:
                return ("the sine of " + A(0), Atom);
            case FormalFunction.Tan:
                return ("the tangent of " + A(0), Atom);
            case FormalFunction.ComplexAbs:
                return ("the modulus of " + A(0), Atom);
            case FormalFunction.ComplexRe:
                return ("the real part of " + A(0), Atom);
            case FormalFunction.ComplexIm:
                return ("the imaginary part of " + A(0), Atom);
            case FormalFunction.ComplexNormSq:
                return ("the squared modulus of " + A(0), Atom);
            case FormalFunction.RatNum:
                return ("the numerator of " + A(0), Atom);
            case FormalFunction.RatDen:
                return ("the denominator of " + A(0), Atom);
            case FormalFunction.RatDivInt:
                return (Operand(0, 70) + " / " + Operand(1, 71), 70);
            case FormalFunction.Inverse:
                return ("the reciprocal of " + A(0), Atom);
            case FormalFunction.FinsetRange:
                return ("the " + ElementNoun(call) + " less than " + A(0), Open);
            case FormalFunction.FinsetIcc:
                return ("the " + ElementNoun(call) + " from " + A(0) + " to " + A(1), Open);
            case FormalFunction.FinsetIco:
                return ("the " + ElementNoun(call) + " from " + A(0) + " to " + A(1) + ", excluding " + A(1), Open);
            case FormalFunction.FinsetIoc:
                return ("the " + ElementNoun(call) + " from " + A(0) + " to " + A(1) + ", excluding " + A(0), Open);
            case FormalFunction.FinsetIoo:
                return ("the " + ElementNoun(call) + " strictly between " + A(0) + " and " + A(1), Open);
            case FormalFunction.FinsetCard:
                return ("the number of elements of " + A(0), Atom);
            case FormalFunction.NatDivisors:
                return ("the set of divisors of " + A(0), Atom);
            case FormalFunction.NatProperDivisors:
                return ("the set of proper divisors of " + A(0), Atom);
            case FormalFunction.IsLeast:
                return (Plain(1) + " is the least element of " + A(0), 50);
            case FormalFunction.IsGreatest:
                return (Plain(1) + " is the greatest element of " + A(0), 50);
            case FormalFunction.NatModEq or FormalFunction.IntModEq:
                return (Plain(1) + " is congruent to " + Plain(2) + " modulo " + A(0), 50);
            case FormalFunction.Fintype:
                return (A(0) + " is finite", 50);
            case FormalFunction.SetToFinset:
                return (A(0), Atom);
            case FormalFunction.TrueProp:
                return ("true", Atom);
            case FormalFunction.FalseProp:
                return ("false", Atom);
            default:
                return (call.ToString(), Atom);
        }
    }

    private static string Adjective(FormalFunction function)
    {
        return function switch
        {
            FormalFunction.NatPrime => "prime",
            FormalFunction.Even => "even",
            FormalFunction.Odd => "odd",
            _ => "irrational",
        };
    }

    /// <summary>The plural noun for the elements of a finite set a call returns ("integers").</summary>
    private static string ElementNoun(CallExpr call)
    {
        return call.Type.Element is { } element ? Plural(element) : "elements";
    }

    // ---- Types ----

    /// <summary>The noun for one value of the type, without article: "real number", "function from ... to ...".</summary>
    private static string Noun(FormalType type)
    {
        return type.Kind switch
        {
            FormalTypeKind.Nat => "natural number",
            FormalTypeKind.Int => "integer",
            FormalTypeKind.Rat => "rational number",
            FormalTypeKind.Real => "real number",
            FormalTypeKind.Complex => "complex number",
            FormalTypeKind.NNReal => "nonnegative real number",
            FormalTypeKind.Prop => "proposition",
            FormalTypeKind.Function => "function " + Mapping(type),
            FormalTypeKind.Set => "set of " + Plural(type.Element!),
            FormalTypeKind.Finset => "finite set of " + Plural(type.Element!),
            FormalTypeKind.Equiv => "bijection " + Mapping(type),
            FormalTypeKind.ZMod => "integer modulo " + (type.ModulusVariable ?? type.Modulus.ToString(CultureInfo.InvariantCulture)),
            _ => "element of " + type,
        };
    }

    /// <summary>The noun with its indefinite article: "a real number", "an integer".</summary>
    private static string Singular(FormalType type)
    {
        string noun = Noun(type);
        return ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;
    }

    /// <summary>The plural noun: "real numbers", "functions from ... to ...".</summary>
    private static string Plural(FormalType type)
    {
        return type.Kind switch
        {
            FormalTypeKind.Nat => "natural numbers",
            FormalTypeKind.Int => "integers",
            FormalTypeKind.Rat => "rational numbers",
            FormalTypeKind.Real => "real numbers",
            FormalTypeKind.Complex => "complex numbers",
            FormalTypeKind.NNReal => "nonnegative real numbers",
            FormalTypeKind.Prop => "propositions",
            FormalTypeKind.Function => "functions " + Mapping(type),
            FormalTypeKind.Set => "sets of " + Plural(type.Element!),
            FormalTypeKind.Finset => "finite sets of " + Plural(type.Element!),
            FormalTypeKind.Equiv => "bijections " + Mapping(type),
            FormalTypeKind.ZMod => "integers modulo " + (type.ModulusVariable ?? type.Modulus.ToString(CultureInfo.InvariantCulture)),
            _ => "elements of " + type,
        };
    }

    /// <summary>"from the natural numbers to the real numbers"; a curried type lists its domains ("from the natural numbers and the natural numbers to ...").</summary>
    private static string Mapping(FormalType type)
    {
        List<string> domains = [];
        FormalType result = type;
        while (result.Kind is FormalTypeKind.Function or FormalTypeKind.Equiv && result.Domain is { } domain && result.Codomain is { } codomain)
        {
            domains.Add("the " + Plural(domain));
            result = codomain;
        }

        return "from " + JoinAnd(domains) + " to the " + Plural(result);
    }

    // ---- Text ----

    private static string JoinAnd(List<string> items)
    {
        return items.Count switch
        {
            0 => string.Empty,
            1 => items[0],
            _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
        };
    }

    /// <summary>The decimal value of <c>mantissa × 10^exponent</c>: "0.5", "2500".</summary>
    private static string Decimal(BigInteger mantissa, int exponent)
    {
        string digits = mantissa.ToString(CultureInfo.InvariantCulture);
        if (exponent >= 0)
        {
            return digits + new string('0', exponent);
        }

        int fraction = -exponent;
        digits = digits.PadLeft(fraction + 1, '0');
        return digits[..^fraction] + "." + digits[^fraction..];
    }
}
