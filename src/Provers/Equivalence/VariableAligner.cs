using System.Collections.Immutable;

using Google.OrTools.Graph;

using Planning.Provers.Formal;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Aligns the variables of two statements, so that a second statement written with other names can be compared with a
/// first one. Variables of different types are never aligned. In order:
/// <list type="number">
/// <item><description>By name: a second-statement variable with the name and the type of a first-statement variable.</description></item>
/// <item><description>By conclusion position: for each type, when both conclusions mention the same number of the remaining
/// variables of that type, they are paired in order of first occurrence in the conclusions.</description></item>
/// <item><description>By assignment: for each type, the remaining variables are matched by OR-Tools' linear sum assignment
/// (as many pairs as the smaller side has variables) at the least total cost, the cost of a pair being the L1 distance of
/// their usage signatures (the operator slots each occurrence fills, the slot above, a literal beside it, conclusion or
/// hypothesis) and, as a tie-breaker, the distance of their ranks in the order of first occurrence (the conclusion, then
/// the hypotheses).</description></item>
/// </list>
/// Any alignment is a sound basis for an equivalence proof (the variables of a theorem are universally bound, so
/// renaming them changes nothing); a poor one can only make equivalent statements look different.
/// </summary>
internal static class VariableAligner
{
    /// <summary>Weight of a usage-signature difference against a difference of one in the occurrence rank.</summary>
    private const long FeatureWeight = 16;

    /// <summary>Aligns the second statement's variables with the first's.</summary>
    /// <param name="first">The reference statement.</param>
    /// <param name="second">The statement whose variables are mapped onto the first's.</param>
    /// <returns>The alignment.</returns>
    public static VariableAlignment Align(FormalStatement first, FormalStatement second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ImmutableArray<FormalVariable> firstVariables = first.Variables.IsDefault ? [] : first.Variables;
        ImmutableArray<FormalVariable> secondVariables = second.Variables.IsDefault ? [] : second.Variables;
        Dictionary<string, FormalVariable> firstByName = ByName(firstVariables);
        Dictionary<string, FormalVariable> secondByName = ByName(secondVariables);
        HashSet<string> alignedFirst = new(StringComparer.Ordinal);
        HashSet<string> alignedSecond = new(StringComparer.Ordinal);
        ImmutableArray<AlignedVariable>.Builder pairs = ImmutableArray.CreateBuilder<AlignedVariable>();

        void Pair(FormalVariable secondVariable, FormalVariable firstVariable, AlignmentMethod method)
        {
            alignedFirst.Add(firstVariable.Name);
            alignedSecond.Add(secondVariable.Name);
            pairs.Add(new AlignedVariable(secondVariable.Name, firstVariable.Name, firstVariable.Type, method));
        }

        // 1. Same name and same type.
        foreach (FormalVariable variable in secondVariables)
        {
            if (firstByName.TryGetValue(variable.Name, out FormalVariable? match) && match.Type == variable.Type
                && !alignedFirst.Contains(match.Name) && !alignedSecond.Contains(variable.Name))
            {
                Pair(variable, match, AlignmentMethod.Name);
            }
        }

        // 1b. Same name, a ℕ variable and a ℤ one that its statement's hypotheses keep non-negative (0 ≤ b): they range
        // over the same values. Sound because a ℕ variable's range fact (b ≥ 0) is assumed for both statements, and the ℤ
        // statement says nothing for b < 0 (its hypotheses fail there).
        HashSet<string> firstNonNegative = NonNegativeIntegers(first);
        HashSet<string> secondNonNegative = NonNegativeIntegers(second);
        bool SameNaturals(FormalVariable firstVariable, FormalVariable secondVariable) =>
            (firstVariable.Type == FormalType.Nat && secondVariable.Type == FormalType.Int && secondNonNegative.Contains(secondVariable.Name))
            || (firstVariable.Type == FormalType.Int && firstNonNegative.Contains(firstVariable.Name) && secondVariable.Type == FormalType.Nat);

        foreach (FormalVariable variable in secondVariables)
        {
            if (firstByName.TryGetValue(variable.Name, out FormalVariable? match) && SameNaturals(match, variable)
                && !alignedFirst.Contains(match.Name) && !alignedSecond.Contains(variable.Name))
            {
                Pair(variable, match, AlignmentMethod.NonNegativeInteger);
            }
        }

        if (alignedSecond.Count == secondVariables.Length || alignedFirst.Count == firstVariables.Length)
        {
            return Result(pairs, firstVariables, secondVariables, alignedFirst, alignedSecond);
        }

        // 2. Same type, same position among the remaining variables of that type in the conclusions.
        UsageProfile firstProfile = UsageProfile.Of(first);
        UsageProfile secondProfile = UsageProfile.Of(second);
        Dictionary<FormalType, (List<FormalVariable> First, List<FormalVariable> Second)> byConclusion = [];
        foreach (string name in firstProfile.ConclusionOrder)
        {
            if (!alignedFirst.Contains(name) && firstByName.TryGetValue(name, out FormalVariable? variable))
            {
                Group(byConclusion, variable.Type).First.Add(variable);
            }
        }

        foreach (string name in secondProfile.ConclusionOrder)
        {
            if (!alignedSecond.Contains(name) && secondByName.TryGetValue(name, out FormalVariable? variable))
            {
                Group(byConclusion, variable.Type).Second.Add(variable);
            }
        }

        foreach ((List<FormalVariable> firstGroup, List<FormalVariable> secondGroup) in byConclusion.Values)
        {
            if (firstGroup.Count == secondGroup.Count)
            {
                for (int i = 0; i < firstGroup.Count; i++)
                {
                    Pair(secondGroup[i], firstGroup[i], AlignmentMethod.ConclusionPosition);
                }
            }
        }

        // 3. The rest, type by type: a minimum-cost assignment over usage signatures.
        Dictionary<FormalType, (List<FormalVariable> First, List<FormalVariable> Second)> rest = [];
        foreach (FormalVariable variable in firstVariables)
        {
            if (!alignedFirst.Contains(variable.Name))
            {
                Group(rest, variable.Type).First.Add(variable);
            }
        }

        foreach (FormalVariable variable in secondVariables)
        {
            if (!alignedSecond.Contains(variable.Name))
            {
                Group(rest, variable.Type).Second.Add(variable);
            }
        }

        foreach ((List<FormalVariable> firstGroup, List<FormalVariable> secondGroup) in rest.Values)
        {
            if (firstGroup.Count == 0 || secondGroup.Count == 0)
            {
                continue;
            }

            long[,] costs = new long[firstGroup.Count, secondGroup.Count];
            for (int i = 0; i < firstGroup.Count; i++)
            {
                for (int j = 0; j < secondGroup.Count; j++)
                {
                    costs[i, j] = Cost(firstProfile, firstGroup[i], secondProfile, secondGroup[j]);
                }
            }

            foreach ((int i, int j) in Assign(costs))
            {
                Pair(secondGroup[j], firstGroup[i], AlignmentMethod.Assignment);
            }
        }

        // 4. What is left of ℕ variables on one side and non-negative ℤ ones on the other (as in 1b), in order of first
        // occurrence, when both sides have as many.
        List<FormalVariable> firstLeft = [.. firstVariables
            .Where(v => !alignedFirst.Contains(v.Name) && (v.Type == FormalType.Nat || (v.Type == FormalType.Int && firstNonNegative.Contains(v.Name))))
            .OrderBy(v => Rank(firstProfile, v.Name))];
        List<FormalVariable> secondLeft = [.. secondVariables
            .Where(v => !alignedSecond.Contains(v.Name) && (v.Type == FormalType.Nat || (v.Type == FormalType.Int && secondNonNegative.Contains(v.Name))))
            .OrderBy(v => Rank(secondProfile, v.Name))];
        if (firstLeft.Count == secondLeft.Count && firstLeft.Zip(secondLeft).All(pair => SameNaturals(pair.First, pair.Second)))
        {
            foreach ((FormalVariable firstVariable, FormalVariable secondVariable) in firstLeft.Zip(secondLeft))
            {
                Pair(secondVariable, firstVariable, AlignmentMethod.NonNegativeInteger);
            }
        }

        return Result(pairs, firstVariables, secondVariables, alignedFirst, alignedSecond);
    }

    private static int Rank(UsageProfile profile, string name) =>
        profile.Variables.TryGetValue(name, out VariableUsage? usage) && usage.Rank >= 0 ? usage.Rank : int.MaxValue;

    /// <summary>
    /// The ℤ variables some hypothesis keeps non-negative: a hypothesis (or a conjunct of one) <c>c ≤ v</c>, <c>v ≥ c</c>
    /// with a literal <c>c ≥ 0</c>, or <c>c &lt; v</c>, <c>v &gt; c</c> with <c>c ≥ -1</c>.
    /// </summary>
    private static HashSet<string> NonNegativeIntegers(FormalStatement statement)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        void Visit(FormalExpr proposition)
        {
            switch (proposition)
            {
                case LogicalExpr { Operator: LogicalOperator.And } conjunction:
                    Visit(conjunction.Left);
                    Visit(conjunction.Right);
                    break;
                case RelationExpr relation:
                    (FormalExpr? low, FormalExpr? high, bool strict) = relation.Operator switch
                    {
                        RelationOperator.LessEqual => (relation.Left, relation.Right, false),
                        RelationOperator.Less => (relation.Left, relation.Right, true),
                        RelationOperator.GreaterEqual => (relation.Right, relation.Left, false),
                        RelationOperator.Greater => (relation.Right, relation.Left, true),
                        _ => ((FormalExpr?)null, (FormalExpr?)null, false),
                    };
                    if (low is NumeralExpr literal && high is VariableExpr { Type.Kind: FormalTypeKind.Int } variable
                        && literal.Value >= (strict ? -1 : 0))
                    {
                        names.Add(variable.Name);
                    }

                    break;
            }
        }

        foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
        {
            Visit(hypothesis.Proposition);
        }

        return names;
    }

    /// <summary>
    /// Other alignments to try when <paramref name="alignment"/> was refuted: for each type with 2 to
    /// <see cref="MaxPermutedPerType"/> pairs not matched by name, those pairs' first-statement variables permuted among
    /// themselves (pairs matched by name never change). Variables with symmetric roles (<c>a * b = 6</c>, <c>b * c = 8</c>)
    /// have equal usage signatures, so the assignment's pick among them can be the wrong one; a later permutation can be
    /// right. Cheapest first (the same costs as the assignment), then in a fixed order; the identity is not repeated.
    /// </summary>
    /// <param name="first">The reference statement.</param>
    /// <param name="second">The other statement.</param>
    /// <param name="alignment">The alignment <see cref="Align"/> gave for them.</param>
    /// <param name="maxAlternatives">How many alignments to return at most.</param>
    /// <returns>The alternative alignments, none when every pair was matched by name.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IReadOnlyList<VariableAlignment> Alternatives(FormalStatement first, FormalStatement second, VariableAlignment alignment, int maxAlternatives = 23)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(alignment);
        List<List<AlignedVariable>> groups = [.. alignment.Pairs
            .Where(static pair => pair.Method is not (AlignmentMethod.Name or AlignmentMethod.NonNegativeInteger))
            .GroupBy(static pair => pair.Type)
            .Select(static group => group.ToList())
            .Where(static group => group.Count is >= 2 and <= MaxPermutedPerType)];
        if (groups.Count == 0 || maxAlternatives <= 0)
        {
            return [];
        }

        UsageProfile firstProfile = UsageProfile.Of(first);
        UsageProfile secondProfile = UsageProfile.Of(second);
        Dictionary<string, FormalVariable> firstByName = ByName(first.Variables.IsDefault ? [] : first.Variables);
        Dictionary<string, FormalVariable> secondByName = ByName(second.Variables.IsDefault ? [] : second.Variables);

        // Every combination of one permutation per group (the product is at most 24^groups; cut at a few thousand).
        List<(long Cost, int Order, Dictionary<string, string> Map)> candidates = [];
        List<int[][]> permutations = [.. groups.Select(static group => Permutations(group.Count).ToArray())];
        int[] choice = new int[groups.Count];
        for (int order = 0; order < 4096; order++)
        {
            int position = 0;
            while (position < choice.Length && ++choice[position] == permutations[position].Length)
            {
                choice[position++] = 0;
            }

            if (position == choice.Length)
            {
                break;
            }

            long cost = 0;
            Dictionary<string, string> map = new(StringComparer.Ordinal);
            for (int g = 0; g < groups.Count; g++)
            {
                int[] permutation = permutations[g][choice[g]];
                for (int k = 0; k < groups[g].Count; k++)
                {
                    AlignedVariable pair = groups[g][k];
                    string target = groups[g][permutation[k]].First;
                    map[pair.Second] = target;
                    cost += Cost(firstProfile, firstByName[target], secondProfile, secondByName[pair.Second]);
                }
            }

            candidates.Add((cost, order, map));
        }

        return [.. candidates
            .OrderBy(static candidate => candidate.Cost)
            .ThenBy(static candidate => candidate.Order)
            .Take(maxAlternatives)
            .Select(candidate => new VariableAlignment(
                [.. alignment.Pairs.Select(pair => candidate.Map.TryGetValue(pair.Second, out string? target) && target != pair.First
                    ? pair with { First = target, Method = AlignmentMethod.Permutation }
                    : pair)],
                alignment.UnalignedFirst,
                alignment.UnalignedSecond))];
    }

    /// <summary>The most pairs of one type <see cref="Alternatives"/> permutes (4! = 24 orders).</summary>
    public const int MaxPermutedPerType = 4;

    /// <summary>The permutations of 0..n-1 in lexicographic order, the identity first.</summary>
    private static IEnumerable<int[]> Permutations(int n)
    {
        int[] current = [.. Enumerable.Range(0, n)];
        while (true)
        {
            yield return [.. current];
            int i = n - 2;
            while (i >= 0 && current[i] >= current[i + 1])
            {
                i--;
            }

            if (i < 0)
            {
                yield break;
            }

            int j = n - 1;
            while (current[j] <= current[i])
            {
                j--;
            }

            (current[i], current[j]) = (current[j], current[i]);
            Array.Reverse(current, i + 1, n - i - 1);
        }
    }

    /// <summary>
    /// A minimum-cost matching of rows with columns that pairs min(rows, columns) of them, through OR-Tools' linear sum
    /// assignment on the matrix padded to a square with zero-cost dummy rows or columns.
    /// </summary>
    internal static IReadOnlyList<(int Row, int Column)> Assign(long[,] costs)
    {
        int rows = costs.GetLength(0);
        int columns = costs.GetLength(1);
        if (rows == 1 && columns == 1)
        {
            return [(0, 0)];
        }

        try
        {
            if (Optimal(costs) is List<(int Row, int Column)> optimal)
            {
                return optimal;
            }
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            // OR-Tools' native library cannot be loaded here: the greedy matching below still aligns every variable it can.
        }

        // Not reached for a complete bipartite graph when OR-Tools loads; a greedy matching keeps the alignment total anyway.
        List<(long Cost, int Row, int Column)> arcs = [];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                arcs.Add((costs[i, j], i, j));
            }
        }

        arcs.Sort();
        List<(int Row, int Column)> result = [];
        HashSet<int> usedRows = [];
        HashSet<int> usedColumns = [];
        foreach ((_, int row, int column) in arcs)
        {
            if (!usedRows.Contains(row) && !usedColumns.Contains(column))
            {
                usedRows.Add(row);
                usedColumns.Add(column);
                result.Add((row, column));
            }
        }

        return result;
    }

    private static List<(int Row, int Column)>? Optimal(long[,] costs)
    {
        int rows = costs.GetLength(0);
        int columns = costs.GetLength(1);
        int size = Math.Max(rows, columns);
        using LinearSumAssignment assignment = new();
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                assignment.AddArcWithCost(i, j, i < rows && j < columns ? costs[i, j] : 0);
            }
        }

        if (assignment.Solve() != LinearSumAssignment.Status.OPTIMAL)
        {
            return null;
        }

        List<(int Row, int Column)> result = [];
        for (int i = 0; i < rows; i++)
        {
            int j = assignment.RightMate(i);
            if (j < columns)
            {
                result.Add((i, j));
            }
        }

        return result;
    }

    private static long Cost(UsageProfile firstProfile, FormalVariable first, UsageProfile secondProfile, FormalVariable second)
    {
        VariableUsage a = firstProfile.Variables[first.Name];
        VariableUsage b = secondProfile.Variables[second.Name];
        return (FeatureWeight * UsageProfile.Distance(a, b)) + Math.Abs(OrderKey(firstProfile, a) - OrderKey(secondProfile, b));
    }

    /// <summary>The rank of first occurrence; unused variables after all used ones, in declaration order.</summary>
    private static long OrderKey(UsageProfile profile, VariableUsage usage)
    {
        return usage.Rank >= 0 ? usage.Rank : profile.Variables.Count + usage.DeclarationIndex;
    }

    private static (List<FormalVariable> First, List<FormalVariable> Second) Group(
        Dictionary<FormalType, (List<FormalVariable> First, List<FormalVariable> Second)> groups, FormalType type)
    {
        if (!groups.TryGetValue(type, out (List<FormalVariable> First, List<FormalVariable> Second) group))
        {
            group = ([], []);
            groups.Add(type, group);
        }

        return group;
    }

    private static Dictionary<string, FormalVariable> ByName(ImmutableArray<FormalVariable> variables)
    {
        Dictionary<string, FormalVariable> byName = new(variables.Length, StringComparer.Ordinal);
        foreach (FormalVariable variable in variables)
        {
            byName.TryAdd(variable.Name, variable);
        }

        return byName;
    }

    private static VariableAlignment Result(
        ImmutableArray<AlignedVariable>.Builder pairs,
        ImmutableArray<FormalVariable> firstVariables,
        ImmutableArray<FormalVariable> secondVariables,
        HashSet<string> alignedFirst,
        HashSet<string> alignedSecond)
    {
        ImmutableArray<string> unalignedFirst = [.. firstVariables.Where(v => !alignedFirst.Contains(v.Name)).Select(v => v.Name)];
        ImmutableArray<string> unalignedSecond = [.. secondVariables.Where(v => !alignedSecond.Contains(v.Name)).Select(v => v.Name)];
        return new VariableAlignment(pairs.ToImmutable(), unalignedFirst, unalignedSecond);
    }
}
