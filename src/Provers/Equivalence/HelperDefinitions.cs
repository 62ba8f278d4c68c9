using System.Collections.Immutable;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Eliminates helper variables that a statement defines by an equation and the other statement does not have: a variable
/// <c>d</c> with a hypothesis <c>d = e</c> (or <c>e = d</c>), where <c>e</c> has <c>d</c>'s type and does not mention
/// <c>d</c>, is replaced by <c>e</c> in every other hypothesis and in the conclusion, and the variable and the hypothesis
/// are dropped. The theorem says the same afterwards (<c>∀ d, d = e → P d</c> holds exactly when <c>P e</c> does), so an
/// equivalence proven after elimination holds for the statements as written. This aligns a formalization that names an
/// intermediate quantity (<c>(d : ℕ) (h : d = a + b)</c>) or moves its answer into a hypothesis on a fresh variable
/// (<c>(y : ℝ) (h : y = f x) : y = 26</c>) with one that writes the expression in place.
/// </summary>
internal static class HelperDefinitions
{
    /// <summary>
    /// Eliminates, in the statement with more variables, defined variables whose names the other statement does not use,
    /// until it has no more variables than the other. Only surplus variables go: when both statements have as many, their
    /// variables are taken as the same quantities (alignment pairs them), and comparing their hypotheses is the point.
    /// </summary>
    /// <param name="first">The first statement.</param>
    /// <param name="second">The second statement.</param>
    /// <returns>Both statements, helper definitions eliminated (the same instances when there were none).</returns>
    public static (FormalStatement First, FormalStatement Second) EliminateFresh(FormalStatement first, FormalStatement second)
    {
        HashSet<string> firstNames = Names(first);
        HashSet<string> secondNames = Names(second);
        int surplus = firstNames.Count - secondNames.Count;
        return surplus > 0 ? (Eliminate(first, secondNames, surplus), second)
            : surplus < 0 ? (first, Eliminate(second, firstNames, -surplus))
            : (first, second);
    }

    /// <summary>Eliminates every variable defined by an equation hypothesis, except those named in <paramref name="keep"/>.</summary>
    /// <param name="statement">The statement.</param>
    /// <param name="keep">Names never eliminated (the other statement's variables, which alignment may pair by name).</param>
    /// <param name="limit">How many variables to eliminate at most.</param>
    /// <returns>The statement without those variables and their defining hypotheses.</returns>
    public static FormalStatement Eliminate(FormalStatement statement, IReadOnlySet<string> keep, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(keep);
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        FormalExpr conclusion = statement.Conclusion;

        // Names bound anywhere: a definition whose right side mentions one of them, or whose variable is one of them,
        // is left alone rather than risk capture or shadowing.
        HashSet<string> bound = new(ExprTree.BoundNames(conclusion), StringComparer.Ordinal);
        foreach (FormalHypothesis hypothesis in hypotheses)
        {
            bound.UnionWith(ExprTree.BoundNames(hypothesis.Proposition));
        }

        int eliminated = 0;
        while (eliminated < limit && FindDefinition(variables, hypotheses, keep, bound) is (int index, FormalVariable variable, FormalExpr value))
        {
            eliminated++;
            hypotheses = [.. hypotheses.Where((_, i) => i != index).Select(h => h with { Proposition = ExprTree.Substitute(h.Proposition, variable.Name, value) })];
            conclusion = ExprTree.Substitute(conclusion, variable.Name, value);
            variables = variables.Remove(variable);
        }

        return eliminated > 0 ? statement with { Variables = variables, Hypotheses = hypotheses, Conclusion = conclusion } : statement;
    }

    private static (int Index, FormalVariable Variable, FormalExpr Value)? FindDefinition(
        ImmutableArray<FormalVariable> variables, ImmutableArray<FormalHypothesis> hypotheses, IReadOnlySet<string> keep, HashSet<string> bound)
    {
        for (int i = 0; i < hypotheses.Length; i++)
        {
            if (hypotheses[i].Proposition is not RelationExpr { Operator: RelationOperator.Equal } equation)
            {
                continue;
            }

            foreach ((FormalExpr side, FormalExpr value) in (ReadOnlySpan<(FormalExpr, FormalExpr)>)[(equation.Left, equation.Right), (equation.Right, equation.Left)])
            {
                if (side is VariableExpr { Name: string name } && !keep.Contains(name) && !bound.Contains(name)
                    && variables.FirstOrDefault(v => v.Name == name) is { } variable
                    && variable.Type == value.Type
                    && variable.Type.Kind is not (FormalTypeKind.Function or FormalTypeKind.Equiv)
                    && ExprTree.FreeVariables(value) is var free
                    && !free.Contains(name)
                    && !free.Overlaps(bound))
                {
                    return (i, variable, value);
                }
            }
        }

        return null;
    }

    private static HashSet<string> Names(FormalStatement statement) =>
        new((statement.Variables.IsDefault ? [] : statement.Variables).Select(v => v.Name), StringComparer.Ordinal);
}
