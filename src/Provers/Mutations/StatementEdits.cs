using System.Collections.Immutable;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Mutations;

/// <summary>
/// Applies a local edit (a rule that may replace a node) at chosen sites of a statement's hypotheses and conclusion.
/// Sites are counted in post-order over the hypotheses, then the conclusion, so a site index is stable for a statement.
/// </summary>
internal static class StatementEdits
{
    /// <summary>How many nodes the rule applies to.</summary>
    public static int CountSites(FormalStatement statement, Func<FormalExpr, FormalExpr?> rule)
    {
        int count = 0;
        foreach (FormalExpr proposition in Propositions(statement))
        {
            count += ExprTree.Descendants(proposition).Count(node => rule(node) is not null);
        }

        return count;
    }

    /// <summary>The statement with the rule applied at the sites <paramref name="select"/> accepts (children before parents).</summary>
    public static FormalStatement Apply(FormalStatement statement, Func<FormalExpr, FormalExpr?> rule, Func<int, bool> select)
    {
        int counter = 0;
        FormalExpr Walk(FormalExpr expression)
        {
            FormalExpr rebuilt = ExprTree.MapChildren(expression, Walk);
            if (rule(rebuilt) is FormalExpr replaced)
            {
                return select(counter++) ? replaced : rebuilt;
            }

            return rebuilt;
        }

        ImmutableArray<FormalHypothesis> hypotheses = [.. Hypotheses(statement).Select(hypothesis => hypothesis with { Proposition = Walk(hypothesis.Proposition) })];
        FormalExpr conclusion = Walk(statement.Conclusion);
        return statement with { Hypotheses = hypotheses, Conclusion = conclusion };
    }

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

    /// <summary>A seeded pseudo-random generator derived from a seed and a salt (deterministic across runs and platforms).</summary>
    public static Random Random(int seed, int salt)
    {
        unchecked
        {
            uint mixed = ((uint)seed * 2654435761u) ^ ((uint)salt * 40503u) ^ 0x9E3779B9u;
            return new Random((int)(mixed & 0x7FFFFFFF));
        }
    }

    /// <summary>Whether a type is a commutative ring where subtraction is exact (ℤ, ℚ, ℝ).</summary>
    public static bool IsRing(FormalType type) => type.Kind is FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real;

    /// <summary>Whether a relation operator is an order or equality comparison.</summary>
    public static bool IsComparison(RelationOperator op) => op is RelationOperator.Equal or RelationOperator.NotEqual or RelationOperator.Less
        or RelationOperator.LessEqual or RelationOperator.Greater or RelationOperator.GreaterEqual;
}
