using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>
/// The parts of a statement that exact search and the benchmark's edits walk: variables and hypotheses (never default),
/// the propositions in site order, and the literal values.
/// </summary>
internal static class StatementParts
{
    /// <summary>The hypotheses, never default.</summary>
    public static ImmutableArray<FormalHypothesis> Hypotheses(FormalStatement statement)
    {
        return statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
    }

    /// <summary>The variables, never default.</summary>
    public static ImmutableArray<FormalVariable> Variables(FormalStatement statement)
    {
        return statement.Variables.IsDefault ? [] : statement.Variables;
    }

    /// <summary>The hypotheses' propositions followed by the conclusion.</summary>
    public static IEnumerable<FormalExpr> Propositions(FormalStatement statement)
    {
        return Hypotheses(statement).Select(static hypothesis => hypothesis.Proposition).Append(statement.Conclusion);
    }

    /// <summary>The literal values of a statement (numerals and decimals), for witness search.</summary>
    public static IEnumerable<(BigInteger Numerator, BigInteger Denominator)> Literals(FormalStatement statement)
    {
        foreach (FormalExpr node in Propositions(statement).SelectMany(ExprTree.Descendants))
        {
            switch (node)
            {
                case NumeralExpr numeral:
                    yield return (numeral.Value, BigInteger.One);
                    break;
                case ScientificExpr scientific when Math.Abs(scientific.Exponent) <= 12:
                    yield return scientific.Exponent >= 0
                        ? (scientific.Mantissa * BigInteger.Pow(10, scientific.Exponent), BigInteger.One)
                        : (scientific.Mantissa, BigInteger.Pow(10, -scientific.Exponent));
                    break;
                default:
                    break;
            }
        }
    }
}
