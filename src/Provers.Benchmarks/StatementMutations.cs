using System.Collections.Immutable;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Benchmarks;

/// <summary>The kinds of (usually) semantics-changing mutation <see cref="StatementMutations"/> generates.</summary>
internal enum MutationKind
{
    /// <summary>A numeric literal changed by one (<c>40</c> to <c>41</c> or <c>39</c>; a decimal's last digit).</summary>
    ChangedConstant,

    /// <summary>One hypothesis removed.</summary>
    DroppedHypothesis,

    /// <summary><c>&lt;</c> for <c>≤</c>, <c>≤</c> for <c>&lt;</c> (and <c>&gt;</c>/<c>≥</c>).</summary>
    StrictnessSwap,

    /// <summary><c>+</c> for <c>-</c> or back, a negation removed, or a variable negated.</summary>
    FlippedSign,

    /// <summary>A variable declared ℕ instead of ℝ (the statement re-elaborated, so casts and ℕ arithmetic follow).</summary>
    NatForReal,
}

/// <summary>A candidate semantics-changing mutation of a statement (whether it really changes the meaning needs a witness).</summary>
/// <param name="Kind">The mutation's kind.</param>
/// <param name="Description">What was changed, for reports (<c>40 → 41</c>, <c>dropped h₁</c>).</param>
/// <param name="Statement">The mutated statement.</param>
internal sealed record StatementMutation(MutationKind Kind, string Description, FormalStatement Statement);

/// <summary>Generates candidate semantics-changing mutations of a statement, deterministically for a seed.</summary>
internal static class StatementMutations
{
    /// <summary>
    /// One mutation of every kind that applies, at a seeded site: a changed constant in the conclusion and one in the
    /// hypotheses, a dropped hypothesis, a strictness swap, a flipped sign, and ℕ for one ℝ variable (when the statement
    /// re-elaborates with it). Mutations that leave the statement unchanged are dropped.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The mutations, in a fixed order of kinds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<StatementMutation> Generate(FormalStatement statement, int seed)
    {
        ArgumentNullException.ThrowIfNull(statement);
        Random random = SeededRandom.Create(seed, 3);
        List<StatementMutation> mutations = [];
        HashSet<FormalStatement> seen = [statement];
        void Add(StatementMutation? mutation)
        {
            if (mutation is not null && seen.Add(mutation.Statement))
            {
                mutations.Add(mutation);
            }
        }

        Add(ChangeConstant(statement, random, inConclusion: true));
        Add(ChangeConstant(statement, random, inConclusion: false));
        Add(DropHypothesis(statement, random));
        Add(AtSite(statement, random, MutationKind.StrictnessSwap, StrictnessRule, "swapped strictness"));
        Add(AtSite(statement, random, MutationKind.FlippedSign, SignRule, "flipped sign"));
        Add(NatForReal(statement, random));
        return mutations;
    }

    /// <summary>A literal changed by ±1 at a seeded site, in the conclusion or in the hypotheses.</summary>
    private static StatementMutation? ChangeConstant(FormalStatement statement, Random random, bool inConclusion)
    {
        int delta = random.Next(2) == 0 ? 1 : -1;
        FormalExpr? Rule(FormalExpr expression) => expression switch
        {
            NumeralExpr numeral => numeral with { Value = numeral.Value.IsZero || delta > 0 ? numeral.Value + 1 : numeral.Value - 1 },
            ScientificExpr scientific => scientific with
            {
                Mantissa = scientific.Mantissa.IsZero || delta > 0 ? scientific.Mantissa + 1 : scientific.Mantissa - 1,
            },
            _ => null,
        };

        int hypothesisSites = StatementEdits.CountSites(statement with { Conclusion = new CallExpr(FormalFunction.TrueProp, [], FormalType.Prop) }, Rule);
        int conclusionSites = StatementEdits.CountSites(statement with { Hypotheses = [] }, Rule);
        int sites = inConclusion ? conclusionSites : hypothesisSites;
        if (sites == 0)
        {
            return null;
        }

        int site = (inConclusion ? hypothesisSites : 0) + random.Next(sites);
        FormalStatement mutated = StatementEdits.Apply(statement, Rule, index => index == site);
        (FormalExpr before, FormalExpr after) = Pairs(statement, mutated).FirstOrDefault();
        return new StatementMutation(MutationKind.ChangedConstant, $"{before} → {after} ({(inConclusion ? "conclusion" : "hypotheses")})", mutated);
    }

    /// <summary>The first differing literals of two statements of the same shape.</summary>
    private static IEnumerable<(FormalExpr Before, FormalExpr After)> Pairs(FormalStatement first, FormalStatement second)
    {
        IEnumerable<FormalExpr> a = StatementParts.Propositions(first).SelectMany(ExprTree.Descendants);
        IEnumerable<FormalExpr> b = StatementParts.Propositions(second).SelectMany(ExprTree.Descendants);
        return a.Zip(b).Where(static pair => pair.First is NumeralExpr or ScientificExpr && pair.First != pair.Second).Take(1);
    }

    private static StatementMutation? DropHypothesis(FormalStatement statement, Random random)
    {
        ImmutableArray<FormalHypothesis> hypotheses = StatementParts.Hypotheses(statement);
        if (hypotheses.IsEmpty)
        {
            return null;
        }

        int index = random.Next(hypotheses.Length);
        return new StatementMutation(
            MutationKind.DroppedHypothesis, $"dropped {hypotheses[index].Name} : {hypotheses[index].Proposition}", statement with { Hypotheses = hypotheses.RemoveAt(index) });
    }

    private static StatementMutation? AtSite(FormalStatement statement, Random random, MutationKind kind, Func<FormalExpr, FormalExpr?> rule, string name)
    {
        int sites = StatementEdits.CountSites(statement, rule);
        if (sites == 0)
        {
            return null;
        }

        int site = random.Next(sites);
        return new StatementMutation(kind, $"{name} at site {site + 1} of {sites}", StatementEdits.Apply(statement, rule, index => index == site));
    }

    private static FormalExpr? StrictnessRule(FormalExpr expression)
    {
        if (expression is not RelationExpr relation)
        {
            return null;
        }

        RelationOperator? swapped = relation.Operator switch
        {
            RelationOperator.Less => RelationOperator.LessEqual,
            RelationOperator.LessEqual => RelationOperator.Less,
            RelationOperator.Greater => RelationOperator.GreaterEqual,
            RelationOperator.GreaterEqual => RelationOperator.Greater,
            _ => null,
        };
        return swapped is RelationOperator op ? relation with { Operator = op } : null;
    }

    private static FormalExpr? SignRule(FormalExpr expression)
    {
        return expression switch
        {
            ArithmeticExpr { Operator: NumericOperator.Add } sum when sum.Type.IsNumeric => sum with { Operator = NumericOperator.Subtract },
            ArithmeticExpr { Operator: NumericOperator.Subtract } difference when difference.Type.IsNumeric => difference with { Operator = NumericOperator.Add },
            NegateExpr negate => negate.Operand,
            VariableExpr variable when StatementEdits.IsRing(variable.Type) => new NegateExpr(variable),
            _ => null,
        };
    }

    /// <summary>One ℝ variable declared ℕ: the statement printed with the new binder and parsed again, so Lean's elaboration decides the casts.</summary>
    private static StatementMutation? NatForReal(FormalStatement statement, Random random)
    {
        ImmutableArray<FormalVariable> variables = StatementParts.Variables(statement);
        int[] reals = [.. Enumerable.Range(0, variables.Length).Where(i => variables[i].Type.Kind == FormalTypeKind.Real)];
        if (reals.Length == 0)
        {
            return null;
        }

        int chosen = reals[random.Next(reals.Length)];
        FormalStatement retyped = statement with { Variables = variables.SetItem(chosen, variables[chosen] with { Type = FormalType.Nat }) };
        string text;
        try
        {
            text = LeanPrinter.Print(retyped);
        }
        catch (ArgumentException)
        {
            return null;
        }

        FormalParseResult parsed = LeanStatementParser.TryParse(text);
        return parsed.Statement is FormalStatement mutated
            ? new StatementMutation(MutationKind.NatForReal, $"{variables[chosen].Name} : ℕ instead of ℝ", mutated)
            : null;
    }
}
