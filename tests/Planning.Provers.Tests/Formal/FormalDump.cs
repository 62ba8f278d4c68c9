using System.Globalization;
using System.Text;

using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Formal;

/// <summary>A compact, fully typed S-expression of the IR, for assertions and failure messages.</summary>
internal static class FormalDump
{
    public static string Of(FormalStatement statement)
    {
        StringBuilder builder = new();
        builder.Append(statement.Name);
        foreach (FormalVariable variable in statement.Variables)
        {
            builder.Append(" (").Append(variable.Name).Append(" : ").Append(variable.Type).Append(')');
        }

        foreach (FormalHypothesis hypothesis in statement.Hypotheses)
        {
            builder.Append(" [").Append(hypothesis.Name).Append(' ').Append(Of(hypothesis.Proposition)).Append(']');
        }

        return builder.Append(" ⊢ ").Append(Of(statement.Conclusion)).ToString();
    }

    /// <summary>Numerals and variables as <c>value:type</c>, casts as <c>↑type(e)</c>, the rest as (op args).</summary>
    public static string Of(FormalExpr expression)
    {
        return expression switch
        {
            NumeralExpr numeral => numeral.Value.ToString(CultureInfo.InvariantCulture) + ":" + numeral.Type,
            ScientificExpr scientific => string.Create(CultureInfo.InvariantCulture, $"{scientific.Mantissa}e{scientific.Exponent}:{scientific.Type}"),
            VariableExpr variable => variable.Name + ":" + variable.Type,
            CastExpr cast => "↑" + cast.Type + "(" + Of(cast.Operand) + ")",
            NegateExpr negate => "(- " + Of(negate.Operand) + ")",
            ArithmeticExpr arithmetic => "(" + Symbol(arithmetic.Operator) + " " + Of(arithmetic.Left) + " " + Of(arithmetic.Right) + ")",
            RelationExpr relation => "(" + relation.Operator + " " + Of(relation.Left) + " " + Of(relation.Right) + ")",
            LogicalExpr logical => "(" + logical.Operator + " " + Of(logical.Left) + " " + Of(logical.Right) + ")",
            NotExpr not => "(Not " + Of(not.Operand) + ")",
            QuantifierExpr quantifier => "(" + quantifier.Quantifier + " " + quantifier.Variable + ":" + quantifier.VariableType + " " + Of(quantifier.Body) + ")",
            BigOperatorExpr big => "(" + big.Operator + " " + big.Index + ":" + big.IndexType + " " + Of(big.Domain) + " " + Of(big.Body) + ")",
            SetBuilderExpr set => "(SetOf " + set.Variable + ":" + set.ElementType + " " + Of(set.Predicate) + ")",
            FilterExpr filter => "(Filter " + filter.Variable + ":" + filter.ElementType + " " + Of(filter.Predicate) + " " + Of(filter.Source) + ")",
            CallExpr call => "(" + call.Function + string.Concat(call.Arguments.Select(static argument => " " + Of(argument))) + "):" + call.Type,
            ApplyExpr apply => "(" + apply.Function.Name + (apply.IsProjection ? (apply.Inverse ? ".2" : ".1") : "") + string.Concat(apply.Arguments.Select(static argument => " " + Of(argument))) + "):" + apply.Type,
            _ => expression.GetType().Name,
        };
    }

    private static string Symbol(NumericOperator op)
    {
        return op switch
        {
            NumericOperator.Add => "+",
            NumericOperator.Subtract => "-",
            NumericOperator.Multiply => "*",
            NumericOperator.Divide => "/",
            NumericOperator.Modulo => "%",
            _ => "^",
        };
    }
}
