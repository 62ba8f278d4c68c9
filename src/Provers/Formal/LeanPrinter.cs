using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Planning.Provers.Formal;

/// <summary>
/// Prints the IR as Lean 4 text with Unicode spelling and the fewest parentheses Lean's precedences allow, such that
/// <see cref="LeanStatementParser.Parse"/> gives back an equal IR: <c>Parse(Print(s)) == s</c>.
/// </summary>
/// <remarks>
/// Types are made explicit only where elaboration would otherwise pick another one: a coercion prints as an
/// ascription (<c>(x : ℝ)</c>, or <c>((x + y : ℕ) : ℝ)</c> for a compound operand), a numeral gets one when nothing
/// around it has its type (<c>(2 : ℝ) = 2</c>), and every bound variable is printed with its type
/// (<c>∀ x : ℝ, …</c>, <c>∑ k : ℕ in Finset.range n, …</c>, <c>{ x : ℕ | … }</c>).
/// </remarks>
public static class LeanPrinter
{
    private const int Max = LeanTermParser.MaxPrecedence;
    private const int Lead = LeanTermParser.LeadPrecedence;

    /// <summary>No operator follows: nothing can be absorbed by an open-ended construct.</summary>
    private const int Nothing = -1;

    /// <summary>Prints a statement: <c>theorem name (x y : ℝ) (h₀ : …) : conclusion := by</c>.</summary>
    /// <param name="statement">The statement.</param>
    /// <returns>The Lean text, on one line, ending with <c>:= by</c> as miniF2F statements do.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    public static string Print(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        StringBuilder builder = new();
        builder.Append("theorem ").Append(statement.Name);
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        for (int i = 0; i < variables.Length;)
        {
            int j = i;
            while (j < variables.Length && variables[j].Type == variables[i].Type)
            {
                j++;
            }

            builder.Append(" (").AppendJoin(' ', variables[i..j].Select(static variable => variable.Name))
                .Append(" : ").Append(variables[i].Type).Append(')');
            i = j;
        }

        foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
        {
            builder.Append(" (").Append(hypothesis.Name).Append(" : ").Append(Term(hypothesis.Proposition, 0, Nothing)).Append(')');
        }

        builder.Append(" : ").Append(Term(statement.Conclusion, 0, Nothing)).Append(" := by");
        return builder.ToString();
    }

    /// <summary>
    /// Prints an expression on its own. When its type would not be what Lean elaborates the text to without context
    /// (a real numeral, a sum of reals that are all numerals), the text is an ascription <c>(e : T)</c>.
    /// </summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The Lean text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    public static string PrintExpression(FormalExpr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return Unit(expression, 0, Nothing);
    }

    // ---- Types the printed text has on its own (mirrors the elaborator's Intrinsic) ----

    /// <summary>The type the printed expression has without an expected type, or null when it is pending.</summary>
    private static FormalType? Own(FormalExpr expression)
    {
        switch (expression)
        {
            case NumeralExpr or ScientificExpr:
                return null;
            case NegateExpr negate:
                return Own(negate.Operand) is null ? null : negate.Type;
            case ArithmeticExpr { Operator: NumericOperator.Power } power:
                return Own(power.Left) is null ? null : power.Type;
            case ArithmeticExpr arithmetic:
                return Own(arithmetic.Left) is null && Own(arithmetic.Right) is null ? null : arithmetic.Type;
            case CallExpr call:
                {
                    FunctionSignature signature = FormalFunctions.Get(call.Function);
                    if (!signature.Result.MentionsAlpha)
                    {
                        return call.Type;
                    }

                    for (int i = 0; i < call.Arguments.Length; i++)
                    {
                        FormalType? alpha = signature.Parameters[i].MatchAlpha(Own(call.Arguments[i]));
                        if (alpha is not null)
                        {
                            return signature.Result.Instantiate(alpha);
                        }
                    }

                    return null;
                }

            case BigOperatorExpr bigOperator:
                return Own(bigOperator.Body);
            default:
                return expression.Type;
        }
    }

    /// <summary>The type Lean gives the printed expression when nothing constrains it (numerals default to ℕ).</summary>
    private static FormalType Predicted(FormalExpr expression)
    {
        return Own(expression) ?? expression.Type.Kind switch
        {
            FormalTypeKind.Finset => FormalType.Finset(FormalType.Nat),
            FormalTypeKind.Set => FormalType.Set(FormalType.Nat),
            _ when expression.Type.IsNumeric => FormalType.Nat,
            _ => expression.Type,
        };
    }

    /// <summary>Prints an expression elaborated without an expected type, ascribing its type when needed.</summary>
    private static string Unit(FormalExpr expression, int minPrecedence, int follow)
    {
        return Predicted(expression) == expression.Type ? Term(expression, minPrecedence, follow) : Ascribed(expression);
    }

    private static string Ascribed(FormalExpr expression)
    {
        return "(" + Term(expression, 0, Nothing) + " : " + expression.Type + ")";
    }

    // ---- Precedence ----

    /// <summary>
    /// Prints an expression whose context already gives it its type. It is parenthesized when its precedence is
    /// below <paramref name="minPrecedence"/>, or when it is open-ended (<c>¬ - ∀ ∃ ∑</c>) and the operator that
    /// follows it (precedence <paramref name="follow"/>) would be absorbed into its body.
    /// </summary>
    private static string Term(FormalExpr expression, int minPrecedence, int follow)
    {
        (int level, int body) = Shape(expression);
        if (level < minPrecedence || follow >= body)
        {
            return "(" + Render(expression, Nothing) + ")";
        }

        return Render(expression, follow);
    }

    /// <summary>The node's precedence, and for open-ended nodes the precedence their trailing operand is parsed at.</summary>
    private static (int Level, int Body) Shape(FormalExpr expression)
    {
        return expression switch
        {
            NegateExpr => (75, 75),
            ArithmeticExpr { Operator: NumericOperator.Add or NumericOperator.Subtract } => (65, int.MaxValue),
            ArithmeticExpr { Operator: NumericOperator.Power } => (75, int.MaxValue),
            ArithmeticExpr => (70, int.MaxValue),
            RelationExpr => (50, int.MaxValue),
            LogicalExpr { Operator: LogicalOperator.And } => (35, int.MaxValue),
            LogicalExpr { Operator: LogicalOperator.Or } => (30, int.MaxValue),
            LogicalExpr { Operator: LogicalOperator.Implies } => (25, int.MaxValue),
            LogicalExpr => (20, int.MaxValue),
            NotExpr => (Max, 40),
            QuantifierExpr => (Lead, 0),
            BigOperatorExpr => (Lead, 67),
            ApplyExpr or FilterExpr => (Lead, int.MaxValue),
            CallExpr call => FormalFunctions.Get(call.Function).Notation switch
            {
                FunctionNotation.Application when call.Arguments.Length > 0 => (Lead, int.MaxValue),
                FunctionNotation.ModEq or FunctionNotation.IntModEq => (50, int.MaxValue),
                FunctionNotation.RatDivInt => (70, int.MaxValue),
                _ => (Max, int.MaxValue),
            },
            _ => (Max, int.MaxValue),
        };
    }

    private static string Render(FormalExpr expression, int follow)
    {
        switch (expression)
        {
            case NumeralExpr numeral:
                return numeral.Value.ToString(CultureInfo.InvariantCulture);
            case ScientificExpr scientific:
                return Scientific(scientific.Mantissa, scientific.Exponent);
            case VariableExpr variable:
                return variable.Name;
            case CastExpr cast:
                return RenderCast(cast);
            case NegateExpr negate:
                {
                    string operand = Term(negate.Operand, 75, follow);
                    return operand.StartsWith('-') ? "- " + operand : "-" + operand;
                }

            case ArithmeticExpr arithmetic:
                return RenderArithmetic(arithmetic, follow);
            case RelationExpr relation:
                return RenderRelation(relation, follow);
            case LogicalExpr logical:
                {
                    (string symbol, int left, int right) = logical.Operator switch
                    {
                        LogicalOperator.And => ("∧", 36, 35),
                        LogicalOperator.Or => ("∨", 31, 30),
                        LogicalOperator.Implies => ("→", 26, 25),
                        _ => ("↔", 21, 21),
                    };
                    int level = Shape(logical).Level;
                    return Term(logical.Left, left, level) + " " + symbol + " " + Term(logical.Right, right, follow);
                }

            case NotExpr not:
                return "¬" + Term(not.Operand, 40, follow);
            case QuantifierExpr quantifier:
                return RenderQuantifier(quantifier, follow);
            case BigOperatorExpr bigOperator:
                return (bigOperator.Operator == BigOperator.Sum ? "∑ " : "∏ ") + bigOperator.Index + " : " + bigOperator.IndexType
                    + " in " + Term(bigOperator.Domain, 0, Nothing) + ", " + Term(bigOperator.Body, 67, follow);
            case SetBuilderExpr setBuilder:
                return "{ " + setBuilder.Variable + " : " + setBuilder.ElementType + " | " + Term(setBuilder.Predicate, 0, Nothing) + " }";
            case FilterExpr filter:
                return "Finset.filter (fun " + filter.Variable + " : " + filter.ElementType + " => " + Term(filter.Predicate, 0, Nothing) + ") "
                    + Term(filter.Source, Max, follow);
            case ApplyExpr apply:
                return apply.Function.Name + (apply.IsProjection ? (apply.Inverse ? ".2" : ".1") : "")
                    + Arguments(apply.Arguments, static (_, _) => false, follow);
            case CallExpr call:
                return RenderCall(call, follow);
            default:
                throw new ArgumentException($"Unknown expression node {expression.GetType().Name}.", nameof(expression));
        }
    }

    private static string Scientific(BigInteger mantissa, int exponent)
    {
        string digits = mantissa.ToString(CultureInfo.InvariantCulture);
        if (exponent >= 0)
        {
            return digits + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }

        int fraction = -exponent;
        digits = digits.PadLeft(fraction + 1, '0');
        return digits[..^fraction] + "." + digits[^fraction..];
    }

    private static string RenderCast(CastExpr cast)
    {
        // `(e : T)` elaborates e expecting T: right for a leaf whose type cannot follow the expected type, but a tree
        // or polymorphic call would be elaborated at T, so those get their own type first: `((x + y : ℕ) : ℝ)`.
        FormalExpr operand = cast.Operand;
        bool leaf = operand is VariableExpr or ApplyExpr or CastExpr
            || (operand is CallExpr call && !FormalFunctions.Get(call.Function).Result.MentionsAlpha);
        return "(" + (leaf ? Term(operand, 0, Nothing) : Ascribed(operand)) + " : " + cast.Type + ")";
    }

    private static string RenderArithmetic(ArithmeticExpr arithmetic, int follow)
    {
        (string symbol, int level, int left, int right) = arithmetic.Operator switch
        {
            NumericOperator.Add => ("+", 65, 65, 66),
            NumericOperator.Subtract => ("-", 65, 65, 66),
            NumericOperator.Multiply => ("*", 70, 70, 71),
            NumericOperator.Divide => ("/", 70, 70, 71),
            NumericOperator.Modulo => ("%", 70, 70, 71),
            _ => ("^", 75, 76, 75),
        };
        string rightText = arithmetic.Operator == NumericOperator.Power
            ? Unit(arithmetic.Right, right, follow)
            : Term(arithmetic.Right, right, follow);
        return Term(arithmetic.Left, left, level) + " " + symbol + " " + rightText;
    }

    private static string RenderRelation(RelationExpr relation, int follow)
    {
        FormalExpr left = relation.Left;
        FormalExpr right = relation.Right;
        bool ascribeLeft = relation.Operator switch
        {
            // binrel%: one tree; a side with its own type fixes both, else numerals default to ℕ.
            RelationOperator.Equal or RelationOperator.NotEqual or RelationOperator.Less or RelationOperator.LessEqual
                or RelationOperator.Greater or RelationOperator.GreaterEqual
                => Own(left) is null && Own(right) is null && Predicted(left) != left.Type,
            RelationOperator.Divides => (Own(left) ?? Own(right) ?? FormalType.Nat) != left.Type,
            _ => (Own(right)?.Element ?? Own(left) ?? FormalType.Nat) != left.Type,
        };
        string symbol = relation.Operator switch
        {
            RelationOperator.Equal => "=",
            RelationOperator.NotEqual => "≠",
            RelationOperator.Less => "<",
            RelationOperator.LessEqual => "≤",
            RelationOperator.Greater => ">",
            RelationOperator.GreaterEqual => "≥",
            RelationOperator.Divides => "∣",
            RelationOperator.Member => "∈",
            _ => "∉",
        };
        string leftText = ascribeLeft ? Ascribed(left) : Term(left, 51, 50);
        return leftText + " " + symbol + " " + Term(right, 51, follow);
    }

    private static string RenderQuantifier(QuantifierExpr quantifier, int follow)
    {
        string symbol = quantifier.Quantifier switch
        {
            Quantifier.ForAll => "∀",
            Quantifier.Exists => "∃",
            _ => "∃!",
        };
        List<string> names = [quantifier.Variable];
        FormalExpr body = quantifier.Body;
        while (quantifier.Quantifier != Quantifier.ExistsUnique && body is QuantifierExpr inner
            && inner.Quantifier == quantifier.Quantifier && inner.VariableType == quantifier.VariableType)
        {
            names.Add(inner.Variable);
            body = inner.Body;
        }

        return symbol + " " + string.Join(' ', names) + " : " + quantifier.VariableType + ", " + Term(body, 0, follow);
    }

    private static string RenderCall(CallExpr call, int follow)
    {
        FunctionSignature signature = FormalFunctions.Get(call.Function);
        ImmutableArray<FormalExpr> arguments = call.Arguments;
        int ascribed = AscribedArgument(signature, arguments);
        string Argument(int index, int minPrecedence, int argumentFollow)
        {
            return index == ascribed ? Ascribed(arguments[index]) : Term(arguments[index], minPrecedence, argumentFollow);
        }

        switch (signature.Notation)
        {
            case FunctionNotation.Abs:
                return "|" + Argument(0, 0, Nothing) + "|";
            case FunctionNotation.Floor:
                return "⌊" + Argument(0, 0, Nothing) + "⌋";
            case FunctionNotation.Ceil:
                return "⌈" + Argument(0, 0, Nothing) + "⌉";
            case FunctionNotation.Factorial:
                return Argument(0, Max, Max) + " !";
            case FunctionNotation.Inverse:
                return Argument(0, Max, Max) + "⁻¹";
            case FunctionNotation.ModEq or FunctionNotation.IntModEq:
                return Argument(1, 51, 50) + " ≡ " + Argument(2, 51, Nothing)
                    + (signature.Notation == FunctionNotation.ModEq ? " [MOD " : " [ZMOD ") + Argument(0, 0, Nothing) + "]";
            case FunctionNotation.RatDivInt:
                return Argument(0, 70, 70) + " /. " + Argument(1, 71, follow);
            default:
                return signature.Name + Arguments(arguments, (index, _) => index == ascribed, follow);
        }
    }

    /// <summary>
    /// When α is fixed by the arguments alone (<c>Int.floor</c>, <c>Finset.card</c>, <c>Even</c>: α is not in the
    /// result), the first argument that mentions α is ascribed its type unless some argument has it on its own;
    /// -1 when no argument needs it.
    /// </summary>
    private static int AscribedArgument(FunctionSignature signature, ImmutableArray<FormalExpr> arguments)
    {
        if (!signature.MentionsAlpha || signature.Result.MentionsAlpha)
        {
            return -1;
        }

        FormalType? alpha = null;
        FormalType? predicted = null;
        int first = -1;
        for (int i = 0; i < arguments.Length; i++)
        {
            if (!signature.Parameters[i].MentionsAlpha)
            {
                continue;
            }

            first = first < 0 ? i : first;
            alpha ??= signature.Parameters[i].MatchAlpha(arguments[i].Type);
            predicted ??= signature.Parameters[i].MatchAlpha(Own(arguments[i]));
        }

        return alpha is not null && (predicted ?? FormalType.Nat) != alpha ? first : -1;
    }

    private static string Arguments(ImmutableArray<FormalExpr> arguments, Func<int, FormalExpr, bool> ascribe, int follow)
    {
        StringBuilder builder = new();
        for (int i = 0; i < arguments.Length; i++)
        {
            builder.Append(' ');
            builder.Append(ascribe(i, arguments[i]) ? Ascribed(arguments[i]) : Term(arguments[i], Max, i == arguments.Length - 1 ? follow : Max));
        }

        return builder.ToString();
    }
}
