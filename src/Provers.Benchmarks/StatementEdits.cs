using System.Collections.Immutable;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Benchmarks;

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
        foreach (FormalExpr proposition in StatementParts.Propositions(statement))
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

        ImmutableArray<FormalHypothesis> hypotheses = [.. StatementParts.Hypotheses(statement).Select(hypothesis => hypothesis with { Proposition = Walk(hypothesis.Proposition) })];
        FormalExpr conclusion = Walk(statement.Conclusion);
        return statement with { Hypotheses = hypotheses, Conclusion = conclusion };
    }

    /// <summary>Whether a type is a commutative ring where subtraction is exact (ℤ, ℚ, ℝ).</summary>
    public static bool IsRing(FormalType type) => type.Kind is FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real;

    /// <summary>Whether a relation operator is an order or equality comparison.</summary>
    public static bool IsComparison(RelationOperator op) => op is RelationOperator.Equal or RelationOperator.NotEqual or RelationOperator.Less
        or RelationOperator.LessEqual or RelationOperator.Greater or RelationOperator.GreaterEqual;
}
