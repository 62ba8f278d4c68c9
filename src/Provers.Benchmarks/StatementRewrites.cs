using System.Collections.Immutable;
using System.Globalization;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Benchmarks;

/// <summary>The kinds of semantics-preserving rewrite <see cref="StatementRewrites"/> generates.</summary>
internal enum RewriteKind
{
    /// <summary>Variables renamed consistently to fresh names and hypotheses reordered: the statement itself, in disguise.</summary>
    RenameAndReorder,

    /// <summary>Operands of <c>+ * = ≠ ∧ ∨</c> swapped.</summary>
    Commute,

    /// <summary>A term moved across a comparison on ℤ/ℚ/ℝ (<c>a + b = c</c> as <c>a = c - b</c>, <c>a &lt; b</c> as <c>a - b &lt; 0</c>).</summary>
    MoveTerm,

    /// <summary><c>a &lt; b</c> written <c>b &gt; a</c> (and <c>≤</c>/<c>≥</c>, both directions).</summary>
    FlipRelation,

    /// <summary>Squares expanded: <c>(a + b)^2</c> as <c>a^2 + 2*a*b + b^2</c> (and <c>(a - b)^2</c> on rings, <c>(a * b)^2</c> as <c>a^2 * b^2</c>).</summary>
    ExpandSquare,

    /// <summary>A product distributed over a sum: <c>a * (b + c)</c> as <c>a * b + a * c</c> (and <c>(a + b) * c</c>; differences on ℤ/ℚ/ℝ).</summary>
    Distribute,

    /// <summary>Both sides of a comparison on ℤ/ℚ/ℝ negated: <c>a &lt; b</c> as <c>-b &lt; -a</c>, <c>a = b</c> as <c>-a = -b</c>.</summary>
    NegateSides,

    /// <summary>
    /// A comparison on an ordered number type restated through the order: <c>a = b</c> as <c>a ≤ b ∧ b ≤ a</c>,
    /// <c>a ≠ b</c> as <c>a &lt; b ∨ b &lt; a</c>, <c>a ≤ b</c> as <c>¬(b &lt; a)</c>, <c>a &lt; b</c> as <c>¬(b ≤ a)</c>.
    /// </summary>
    RestateRelation,

    /// <summary>Several of the rewrites above at once.</summary>
    Combined,
}

/// <summary>A semantics-preserving rewrite of a statement.</summary>
/// <param name="Kind">The rewrite's kind.</param>
/// <param name="Description">What was rewritten, for reports (<c>commute 1 of 4 sites</c>).</param>
/// <param name="Statement">The rewritten statement (same theorem name).</param>
internal sealed record StatementRewrite(RewriteKind Kind, string Description, FormalStatement Statement);

/// <summary>
/// Generates semantics-preserving rewrites of a statement, deterministically for a seed: the rewritten statement holds
/// at exactly the same assignments (hypotheses and conclusion alike) as the original, with Lean's semantics.
/// </summary>
internal static class StatementRewrites
{
    /// <summary>
    /// The "self" variant: every statement variable renamed to a fresh name (bound variables are left alone; shadowing is
    /// respected) and the hypotheses in a different order (a seeded shuffle; rotated when the shuffle changed nothing).
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The renamed, reordered statement.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    public static StatementRewrite RenameAndReorder(FormalStatement statement, int seed)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ImmutableArray<FormalVariable> variables = StatementParts.Variables(statement);
        HashSet<string> taken = new(variables.Select(static variable => variable.Name), StringComparer.Ordinal);
        foreach (FormalExpr proposition in StatementParts.Propositions(statement))
        {
            taken.UnionWith(ExprTree.BoundNames(proposition));
        }

        Dictionary<string, string> renaming = new(StringComparer.Ordinal);
        int next = 0;
        foreach (FormalVariable variable in variables)
        {
            string name;
            do
            {
                name = "v" + (next++).ToString(CultureInfo.InvariantCulture) + "'";
            }
            while (taken.Contains(name));

            taken.Add(name);
            renaming[variable.Name] = name;
        }

        ImmutableDictionary<string, string> map = renaming.ToImmutableDictionary(StringComparer.Ordinal);
        List<FormalHypothesis> hypotheses = [.. StatementParts.Hypotheses(statement).Select(hypothesis => hypothesis with { Proposition = Rename(hypothesis.Proposition, map) })];
        if (hypotheses.Count > 1)
        {
            List<FormalHypothesis> original = [.. hypotheses];
            Random random = SeededRandom.Create(seed, 1);
            for (int i = hypotheses.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (hypotheses[i], hypotheses[j]) = (hypotheses[j], hypotheses[i]);
            }

            if (hypotheses.SequenceEqual(original))
            {
                hypotheses.Add(hypotheses[0]);
                hypotheses.RemoveAt(0);
            }
        }

        FormalStatement renamed = statement with
        {
            Variables = [.. variables.Select(variable => variable with { Name = renaming[variable.Name] })],
            Hypotheses = [.. hypotheses],
            Conclusion = Rename(statement.Conclusion, map),
        };
        return new StatementRewrite(RewriteKind.RenameAndReorder, $"renamed {variables.Length} variables, reordered {hypotheses.Count} hypotheses", renamed);
    }

    /// <summary>
    /// The rewrites of every kind that applies, except <see cref="RewriteKind.RenameAndReorder"/>: for each kind a rewrite at
    /// each of up to two seeded sites, one at every site (when there are more than two), and one
    /// <see cref="RewriteKind.Combined"/> rewrite.
    /// Rewrites that leave the statement unchanged are dropped, and each statement appears once.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The rewrites, in a fixed order of kinds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<StatementRewrite> Generate(FormalStatement statement, int seed)
    {
        ArgumentNullException.ThrowIfNull(statement);
        List<StatementRewrite> rewrites = [];
        HashSet<FormalStatement> seen = [statement];
        void Add(StatementRewrite rewrite)
        {
            if (seen.Add(rewrite.Statement))
            {
                rewrites.Add(rewrite);
            }
        }

        (RewriteKind Kind, Func<FormalExpr, FormalExpr?> Rule)[] rules =
        [
            (RewriteKind.Commute, CommuteRule),
            (RewriteKind.FlipRelation, FlipRule),
            (RewriteKind.MoveTerm, MoveRule),
            (RewriteKind.ExpandSquare, ExpandRule),
            (RewriteKind.Distribute, DistributeRule),
            (RewriteKind.NegateSides, NegateSidesRule),
            (RewriteKind.RestateRelation, RestateRule),
        ];
        Random random = SeededRandom.Create(seed, 2);
        foreach ((RewriteKind kind, Func<FormalExpr, FormalExpr?> rule) in rules)
        {
            int sites = StatementEdits.CountSites(statement, rule);
            if (sites == 0)
            {
                continue;
            }

            // Up to two single sites (distinct, seeded), then every site at once.
            int first = random.Next(sites);
            foreach (int site in sites > 1 ? [first, (first + 1 + random.Next(sites - 1)) % sites] : new[] { first })
            {
                Add(new StatementRewrite(kind, $"{Name(kind)} at site {site + 1} of {sites}", StatementEdits.Apply(statement, rule, index => index == site)));
            }

            if (sites > 2)
            {
                Add(new StatementRewrite(kind, $"{Name(kind)} at all {sites} sites", StatementEdits.Apply(statement, rule, static _ => true)));
            }
        }

        FormalStatement combined = statement;
        List<string> parts = [];
        foreach ((RewriteKind kind, Func<FormalExpr, FormalExpr?> rule) in rules)
        {
            int sites = StatementEdits.CountSites(combined, rule);
            if (sites > 0)
            {
                int site = random.Next(sites);
                combined = StatementEdits.Apply(combined, rule, index => index == site);
                parts.Add(Name(kind));
            }
        }

        if (parts.Count > 1)
        {
            Add(new StatementRewrite(RewriteKind.Combined, string.Join(" + ", parts), combined));
        }

        return rewrites;
    }

    private static string Name(RewriteKind kind) => kind switch
    {
        RewriteKind.Commute => "commute",
        RewriteKind.FlipRelation => "flip relation",
        RewriteKind.MoveTerm => "move term",
        RewriteKind.ExpandSquare => "expand square",
        RewriteKind.Distribute => "distribute",
        RewriteKind.NegateSides => "negate sides",
        RewriteKind.RestateRelation => "restate relation",
        _ => kind.ToString(),
    };

    // ---- Rules ----

    /// <summary>Swaps the operands of <c>+ * = ≠ ∧ ∨</c>.</summary>
    internal static FormalExpr? CommuteRule(FormalExpr expression)
    {
        return expression switch
        {
            ArithmeticExpr { Operator: NumericOperator.Add or NumericOperator.Multiply } arithmetic when arithmetic.Type.IsNumeric
                && arithmetic.Left != arithmetic.Right
                => new ArithmeticExpr(arithmetic.Operator, arithmetic.Right, arithmetic.Left),
            RelationExpr { Operator: RelationOperator.Equal or RelationOperator.NotEqual } relation when relation.Left != relation.Right
                => new RelationExpr(relation.Operator, relation.Right, relation.Left),
            LogicalExpr { Operator: LogicalOperator.And or LogicalOperator.Or } logical when logical.Left != logical.Right
                => new LogicalExpr(logical.Operator, logical.Right, logical.Left),
            _ => null,
        };
    }

    /// <summary><c>a &lt; b</c> as <c>b &gt; a</c>, <c>a ≤ b</c> as <c>b ≥ a</c>, and back.</summary>
    internal static FormalExpr? FlipRule(FormalExpr expression)
    {
        if (expression is not RelationExpr relation)
        {
            return null;
        }

        RelationOperator? flipped = relation.Operator switch
        {
            RelationOperator.Less => RelationOperator.Greater,
            RelationOperator.Greater => RelationOperator.Less,
            RelationOperator.LessEqual => RelationOperator.GreaterEqual,
            RelationOperator.GreaterEqual => RelationOperator.LessEqual,
            _ => null,
        };
        return flipped is RelationOperator op ? new RelationExpr(op, relation.Right, relation.Left) : null;
    }

    /// <summary>
    /// Moves a term across a comparison on ℤ/ℚ/ℝ, where addition cancels exactly: <c>a + b ~ c</c> as <c>a ~ c - b</c>,
    /// <c>a - b ~ c</c> as <c>a ~ c + b</c>, <c>c ~ a + b</c> as <c>c - b ~ a</c>, otherwise <c>a ~ b</c> as <c>a - b ~ 0</c>.
    /// </summary>
    internal static FormalExpr? MoveRule(FormalExpr expression)
    {
        if (expression is not RelationExpr relation || !StatementEdits.IsComparison(relation.Operator) || !StatementEdits.IsRing(relation.Left.Type)
            || relation.Left.Type != relation.Right.Type)
        {
            return null;
        }

        FormalExpr left = relation.Left;
        FormalExpr right = relation.Right;
        switch (left)
        {
            case ArithmeticExpr { Operator: NumericOperator.Add } sum:
                return new RelationExpr(relation.Operator, sum.Left, new ArithmeticExpr(NumericOperator.Subtract, right, sum.Right));
            case ArithmeticExpr { Operator: NumericOperator.Subtract } difference:
                return new RelationExpr(relation.Operator, difference.Left, new ArithmeticExpr(NumericOperator.Add, right, difference.Right));
            default:
                break;
        }

        switch (right)
        {
            case ArithmeticExpr { Operator: NumericOperator.Add } sum:
                return new RelationExpr(relation.Operator, new ArithmeticExpr(NumericOperator.Subtract, left, sum.Right), sum.Left);
            case ArithmeticExpr { Operator: NumericOperator.Subtract } difference:
                return new RelationExpr(relation.Operator, new ArithmeticExpr(NumericOperator.Add, left, difference.Right), difference.Left);
            default:
                break;
        }

        return right is NumeralExpr { Value.IsZero: true }
            ? null
            : new RelationExpr(relation.Operator, new ArithmeticExpr(NumericOperator.Subtract, left, right), new NumeralExpr(0, left.Type));
    }

    /// <summary>
    /// <c>(a + b)^2</c> as <c>a^2 + 2*a*b + b^2</c> (any number type but ℂ), <c>(a - b)^2</c> as <c>a^2 - 2*a*b + b^2</c> on ℤ/ℚ/ℝ,
    /// <c>(a * b)^2</c> as <c>a^2 * b^2</c>.
    /// </summary>
    internal static FormalExpr? ExpandRule(FormalExpr expression)
    {
        if (expression is not ArithmeticExpr { Operator: NumericOperator.Power, Right: NumeralExpr { Value: var exponent } two } power
            || exponent != 2 || two.Type.Kind != FormalTypeKind.Nat || power.Left is not ArithmeticExpr inner
            || !power.Type.IsNumeric || power.Type.Kind == FormalTypeKind.Complex)
        {
            return null;
        }

        FormalType type = power.Type;
        FormalExpr Square(FormalExpr operand) => new ArithmeticExpr(NumericOperator.Power, operand, two);
        FormalExpr DoubleProduct() => new ArithmeticExpr(
            NumericOperator.Multiply, new ArithmeticExpr(NumericOperator.Multiply, new NumeralExpr(2, type), inner.Left), inner.Right);
        return inner.Operator switch
        {
            NumericOperator.Add => new ArithmeticExpr(
                NumericOperator.Add, new ArithmeticExpr(NumericOperator.Add, Square(inner.Left), DoubleProduct()), Square(inner.Right)),
            NumericOperator.Subtract when StatementEdits.IsRing(type) => new ArithmeticExpr(
                NumericOperator.Add, new ArithmeticExpr(NumericOperator.Subtract, Square(inner.Left), DoubleProduct()), Square(inner.Right)),
            NumericOperator.Multiply => new ArithmeticExpr(NumericOperator.Multiply, Square(inner.Left), Square(inner.Right)),
            _ => null,
        };
    }

    /// <summary>
    /// <c>a * (b + c)</c> as <c>a * b + a * c</c> and <c>(a + b) * c</c> as <c>a * c + b * c</c> on every number type but
    /// ℂ (ℕ included: no subtraction is involved); the same with <c>-</c> on ℤ/ℚ/ℝ.
    /// </summary>
    internal static FormalExpr? DistributeRule(FormalExpr expression)
    {
        if (expression is not ArithmeticExpr { Operator: NumericOperator.Multiply } product || !product.Type.IsNumeric
            || product.Type.Kind is FormalTypeKind.Complex or FormalTypeKind.ZMod)
        {
            return null;
        }

        bool Distributes(FormalExpr operand) => operand is ArithmeticExpr { Operator: var op }
            && (op == NumericOperator.Add || (op == NumericOperator.Subtract && StatementEdits.IsRing(product.Type)));
        ArithmeticExpr Spread(ArithmeticExpr sum, Func<FormalExpr, FormalExpr> times) => new(sum.Operator, times(sum.Left), times(sum.Right));
        if (Distributes(product.Right))
        {
            return Spread((ArithmeticExpr)product.Right, term => new ArithmeticExpr(NumericOperator.Multiply, product.Left, term));
        }

        if (Distributes(product.Left))
        {
            return Spread((ArithmeticExpr)product.Left, term => new ArithmeticExpr(NumericOperator.Multiply, term, product.Right));
        }

        return null;
    }

    /// <summary><c>a ~ b</c> as <c>-b ~' -a</c> for an order (the sides swap) and <c>-a ~ -b</c> for (in)equality, on ℤ/ℚ/ℝ.</summary>
    internal static FormalExpr? NegateSidesRule(FormalExpr expression)
    {
        if (expression is not RelationExpr relation || !StatementEdits.IsComparison(relation.Operator) || !StatementEdits.IsRing(relation.Left.Type)
            || relation.Left.Type != relation.Right.Type)
        {
            return null;
        }

        return relation.Operator is RelationOperator.Equal or RelationOperator.NotEqual
            ? new RelationExpr(relation.Operator, new NegateExpr(relation.Left), new NegateExpr(relation.Right))
            : new RelationExpr(relation.Operator, new NegateExpr(relation.Right), new NegateExpr(relation.Left));
    }

    /// <summary>
    /// On a linearly ordered number type (ℕ ℤ ℚ ℝ and NNReal): <c>a = b</c> as <c>a ≤ b ∧ b ≤ a</c>, <c>a ≠ b</c> as
    /// <c>a &lt; b ∨ b &lt; a</c>, <c>a ≤ b</c> as <c>¬(b &lt; a)</c>, <c>a &lt; b</c> as <c>¬(b ≤ a)</c> (and <c>≥ &gt;</c> alike).
    /// </summary>
    internal static FormalExpr? RestateRule(FormalExpr expression)
    {
        if (expression is not RelationExpr relation || relation.Left.Type != relation.Right.Type
            || relation.Left.Type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real or FormalTypeKind.NNReal))
        {
            return null;
        }

        FormalExpr a = relation.Left;
        FormalExpr b = relation.Right;
        return relation.Operator switch
        {
            RelationOperator.Equal => new LogicalExpr(
                LogicalOperator.And, new RelationExpr(RelationOperator.LessEqual, a, b), new RelationExpr(RelationOperator.LessEqual, b, a)),
            RelationOperator.NotEqual => new LogicalExpr(
                LogicalOperator.Or, new RelationExpr(RelationOperator.Less, a, b), new RelationExpr(RelationOperator.Less, b, a)),
            RelationOperator.LessEqual => new NotExpr(new RelationExpr(RelationOperator.Less, b, a)),
            RelationOperator.GreaterEqual => new NotExpr(new RelationExpr(RelationOperator.Less, a, b)),
            RelationOperator.Less => new NotExpr(new RelationExpr(RelationOperator.LessEqual, b, a)),
            RelationOperator.Greater => new NotExpr(new RelationExpr(RelationOperator.LessEqual, a, b)),
            _ => null,
        };
    }

    // ---- Renaming ----

    private static FormalExpr Rename(FormalExpr expression, ImmutableDictionary<string, string> map)
    {
        if (map.IsEmpty)
        {
            return expression;
        }

        switch (expression)
        {
            case VariableExpr variable:
                return map.TryGetValue(variable.Name, out string? renamed) ? variable with { Name = renamed } : variable;
            case ApplyExpr apply:
                {
                    VariableExpr function = (VariableExpr)Rename(apply.Function, map);
                    return apply with { Function = function, Arguments = [.. apply.Arguments.Select(argument => Rename(argument, map))] };
                }

            case BigOperatorExpr big:
                return new BigOperatorExpr(big.Operator, big.Index, big.IndexType, Rename(big.Domain, map), Rename(big.Body, map.Remove(big.Index)));
            case FilterExpr filter:
                return filter with { Predicate = Rename(filter.Predicate, map.Remove(filter.Variable)), Source = Rename(filter.Source, map) };
            default:
                {
                    ImmutableDictionary<string, string> inner = ExprTree.Binder(expression) is string bound ? map.Remove(bound) : map;
                    return ExprTree.MapChildren(expression, child => Rename(child, inner));
                }
        }
    }
}
