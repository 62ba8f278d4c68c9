using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Translation;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Rewrites of a statement's hypotheses for the vacuity check (are the hypotheses satisfiable?) where Z3 gives up:
/// hypotheses that quantify over a function or set variable (<c>∀ n, a (n + 2) = a (n + 1) + a n</c>) ask Z3 for a
/// model that interprets the function at every point, which it rarely builds in time. Each rewrite says what its answer
/// is worth:
/// <list type="bullet">
/// <item><description><see cref="Unrolled"/> and <see cref="WithoutDefinitions"/> are equisatisfiable with the
/// hypotheses: satisfiable and unsatisfiable answers both settle the check.</description></item>
/// <item><description><see cref="ConstantFunctions"/> narrows the functions to constants, and
/// <see cref="IdentityFunctions"/> to the identity, <see cref="RealComplexVariables"/> ℂ variables to real numbers: a
/// model of any is a model of the hypotheses, an unsatisfiable answer says nothing.</description></item>
/// </list>
/// </summary>
internal static class VacuityReductions
{
    /// <summary>The largest index a recurrence is unrolled to; beyond it the statement is left to Z3.</summary>
    internal const int MaxUnrolledIndex = 1000;

    /// <summary>
    /// Any bound proves a set finite; a large one is the easiest to prove (fewer elements are left above it).
    /// </summary>
    private static readonly BigInteger FinitenessBound = BigInteger.Pow(10, 12);

    /// <summary>
    /// Replaces the hypotheses that define ℕ-indexed sequences by recurrence with their instances up to the largest index
    /// the other hypotheses use. A recurrence is a hypothesis <c>∀ n, [G n →] a (n + k) = e</c> on a variable
    /// <c>a : ℕ → number</c>, with a guard <c>G</c> on <c>n</c> alone, where <c>e</c> mentions the recurrence-defined
    /// sequences only at indices below <c>n + k</c> (checked on every instance kept, after evaluating the indices).
    /// </summary>
    /// <remarks>
    /// Equisatisfiable, provided the other hypotheses mention those sequences only at literal indices once translated
    /// (sums with literal bounds are unrolled by then), at most <see cref="MaxUnrolledIndex"/>: the instances follow from
    /// the recurrences, and conversely a model of the instances and the other hypotheses extends to one of the
    /// recurrences by defining each sequence above the largest index the rewrite mentions by its own recurrence, index by
    /// index (every instance defines a different index, from smaller ones). Null when no hypothesis is such a recurrence
    /// or a condition fails.
    /// </remarks>
    /// <param name="statement">The statement.</param>
    /// <returns>The statement with the recurrences replaced by their instances, or null.</returns>
    public static FormalStatement? Unrolled(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        List<Recurrence> recurrences = [];
        for (int i = 0; i < hypotheses.Length; i++)
        {
            if (AsRecurrence(i, hypotheses[i].Proposition, variables) is { } recurrence)
            {
                recurrences.Add(recurrence);
            }
        }

        HashSet<string> sequences = new(recurrences.Select(static r => r.Defined.Function.Name), StringComparer.Ordinal);
        if (recurrences.Count == 0 || sequences.Count != recurrences.Count)
        {
            // None, or two recurrences for one sequence (they could disagree): not this rewrite's case.
            return null;
        }

        HashSet<int> replaced = [.. recurrences.Select(static r => r.Hypothesis)];
        FormalStatement rest = statement with { Hypotheses = [.. hypotheses.Where((_, i) => !replaced.Contains(i))] };
        if (LargestIndex(rest, sequences) is not BigInteger largest || largest > MaxUnrolledIndex)
        {
            return null;
        }

        List<FormalHypothesis> instances = [];
        foreach (Recurrence recurrence in recurrences)
        {
            string name = hypotheses[recurrence.Hypothesis].Name;
            for (int value = 0; value + recurrence.Offset <= largest; value++)
            {
                NumeralExpr index = new(value, FormalType.Nat);
                if (recurrence.Guard is { } guard)
                {
                    EvaluationResult holds = LeanEvaluator.Evaluate(ExprTree.Substitute(guard, recurrence.Index, index), ImmutableDictionary<string, Rational>.Empty);
                    if (holds is not EvaluatedTruth truth)
                    {
                        return null;
                    }

                    if (!truth.Value)
                    {
                        continue;
                    }
                }

                FormalExpr defined = ExprTree.Substitute(recurrence.Defined, recurrence.Index, index);
                FormalExpr right = ExprTree.Substitute(recurrence.Value, recurrence.Index, index);
                if (!OnlyEarlierIndices(right, sequences, value + recurrence.Offset))
                {
                    return null;
                }

                instances.Add(new FormalHypothesis(name, new RelationExpr(RelationOperator.Equal, defined, right)));
            }
        }

        return rest with { Hypotheses = [.. rest.Hypotheses, .. instances] };
    }

    /// <summary>
    /// Drops the hypotheses that only define a function or a set the other hypotheses do not mention, when the definition
    /// is realisable whatever the other variables are:
    /// <list type="bullet">
    /// <item><description>a function by cases, <c>∀ x y, Gᵢ x y → f x y = eᵢ x y</c> (guards may sit between the
    /// binders, as in <c>∀ x, x ≠ 0 → ∀ y, y ≠ 0 → …</c>; without a guard, one case), with <c>f</c> in neither a guard
    /// nor a value and the guards of different cases proven pairwise disjoint (f is then defined case by case, anything
    /// elsewhere);</description></item>
    /// <item><description>a set by its members, <c>∀ x, x ∈ S ↔ P x</c> or <c>S = {x | P x}</c>, with <c>S</c> not in <c>P</c>: a <c>Set</c>
    /// always (<c>S = {x | P x}</c>), a <c>Finset</c> of ℕ or ℤ only when no element satisfies <c>P</c> beyond a bound
    /// (proven), since a finset of the infinitely many solutions does not exist.</description></item>
    /// </list>
    /// Equisatisfiable: the hypotheses dropped follow from a choice of the function or set the others do not constrain.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="unsatisfiable">Whether a statement's hypotheses are proven unsatisfiable (by the caller's solver, with its limit).</param>
    /// <returns>The statement without those hypotheses, or null when there are none.</returns>
    public static FormalStatement? WithoutDefinitions(FormalStatement statement, Func<FormalStatement, bool> unsatisfiable)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(unsatisfiable);
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        HashSet<int> dropped = [];
        foreach (FormalVariable variable in variables)
        {
            List<int> mentions = [.. Enumerable.Range(0, hypotheses.Length).Where(i => ExprTree.FreeVariables(hypotheses[i].Proposition).Contains(variable.Name))];
            if (mentions.Count == 0)
            {
                continue;
            }

            bool realisable = variable.Type.Kind == FormalTypeKind.Function
                ? DefinedByCases(statement, variable, [.. mentions.Select(i => hypotheses[i].Proposition)], unsatisfiable)
                : variable.Type.IsCollection && mentions.Count == 1
                    && DefinedByMembers(statement, variable, hypotheses[mentions[0]].Proposition, unsatisfiable);
            if (realisable)
            {
                dropped.UnionWith(mentions);
            }
        }

        return dropped.Count == 0 ? null : statement with { Hypotheses = [.. hypotheses.Where((_, i) => !dropped.Contains(i))] };
    }

    /// <summary>
    /// Replaces every function variable with numeric values by a constant (a fresh variable of its value type) in the
    /// hypotheses, and drops the quantifiers left without their variable (ℕ, ℤ, ℚ and ℝ are not empty). A model of the
    /// result is a model of the hypotheses with constant functions. Null when the hypotheses have no such function, or
    /// use one other than fully applied.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="constants">The fresh variables, by the function each stands for.</param>
    /// <returns>The narrowed statement (the conclusion untouched), or null.</returns>
    public static FormalStatement? ConstantFunctions(FormalStatement statement, out ImmutableDictionary<string, FormalVariable> constants)
    {
        ArgumentNullException.ThrowIfNull(statement);
        constants = ImmutableDictionary<string, FormalVariable>.Empty;
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        HashSet<string> used = Names(statement);
        ImmutableDictionary<string, FormalVariable>.Builder chosen = ImmutableDictionary.CreateBuilder<string, FormalVariable>(StringComparer.Ordinal);
        foreach (FormalVariable variable in variables)
        {
            if (variable.Type.Kind == FormalTypeKind.Function && ValueType(variable.Type) is { IsNumeric: true } value && value.Kind is not (FormalTypeKind.Complex or FormalTypeKind.ZMod)
                && hypotheses.Any(h => ExprTree.FreeVariables(h.Proposition).Contains(variable.Name)))
            {
                chosen[variable.Name] = new FormalVariable(Fresh(variable.Name + "₀", used), value);
            }
        }

        if (chosen.Count == 0)
        {
            return null;
        }

        constants = chosen.ToImmutable();
        ImmutableDictionary<string, FormalVariable> byFunction = constants;
        HashSet<string> functions = [.. constants.Keys];
        List<FormalHypothesis> narrowed = [];
        foreach (FormalHypothesis hypothesis in hypotheses)
        {
            if (Narrowed(hypothesis.Proposition, functions, apply => apply.Type == byFunction[apply.Function.Name].Type ? new VariableExpr(byFunction[apply.Function.Name].Name, apply.Type) : null) is not { } proposition)
            {
                return null;
            }

            narrowed.Add(hypothesis with { Proposition = WithoutIdleQuantifiers(proposition) });
        }

        return statement with { Variables = [.. variables, .. constants.Values.OrderBy(static v => v.Name, StringComparer.Ordinal)], Hypotheses = [.. narrowed] };
    }

    /// <summary>
    /// Replaces every function variable of one numeric argument whose values can hold its arguments (ℕ → ℕ, ℕ → ℝ,
    /// ℤ → ℚ, ℝ → ℝ: the domain embeds in the codomain) by the identity, <c>f x</c> by <c>↑x</c>, in the hypotheses. A
    /// model of the result is a model of the hypotheses with those functions the identity: injectivity and monotonicity
    /// hypotheses, which no constant function satisfies, hold for it. Null when there is no such function, or one is
    /// used other than fully applied.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <returns>The narrowed statement (the conclusion untouched), or null.</returns>
    public static FormalStatement? IdentityFunctions(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        HashSet<string> identities = new(
            variables.Where(v => v.Type is { Kind: FormalTypeKind.Function, Domain: { } domain, Codomain: { } codomain } && Embeds(domain, codomain)
                && hypotheses.Any(h => ExprTree.FreeVariables(h.Proposition).Contains(v.Name))).Select(static v => v.Name),
            StringComparer.Ordinal);
        if (identities.Count == 0)
        {
            return null;
        }

        List<FormalHypothesis> narrowed = [];
        foreach (FormalHypothesis hypothesis in hypotheses)
        {
            if (Narrowed(hypothesis.Proposition, identities, Identity) is not { } proposition)
            {
                return null;
            }

            narrowed.Add(hypothesis with { Proposition = proposition });
        }

        // The functions stay declared: the conclusion, untouched, may still apply them.
        return statement with { Hypotheses = [.. narrowed] };

        // f a becomes ↑a, its argument narrowed first (f (f x) is ↑↑x).
        FormalExpr? Identity(ApplyExpr apply) =>
            apply.Arguments is [FormalExpr argument] && Narrowed(argument, identities, Identity) is { } inner
                ? (inner.Type == apply.Type ? inner : new CastExpr(inner, apply.Type))
                : null;

        static bool Embeds(FormalType domain, FormalType codomain) => (domain.Kind, codomain.Kind) switch
        {
            (FormalTypeKind.Nat, FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real) => true,
            (FormalTypeKind.Int, FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real) => true,
            (FormalTypeKind.Rat, FormalTypeKind.Rat or FormalTypeKind.Real) => true,
            (FormalTypeKind.Real, FormalTypeKind.Real) => true,
            _ => false,
        };
    }

    /// <summary>
    /// Replaces every ℂ variable the hypotheses mention by a real one (<c>z</c> by <c>↑zᵣ</c>, a fresh ℝ variable) in the
    /// hypotheses. A model of the result is a model of the hypotheses with those numbers real: polynomial equations over ℂ
    /// with a real root (<c>a ^ 3 - 8 = 0</c>) become univariate real ones, where Z3's real and imaginary parts left two
    /// coupled equations per variable. Null when the hypotheses mention no ℂ variable.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <returns>The narrowed statement (the conclusion untouched, the ℂ variables still declared for it), or null.</returns>
    public static FormalStatement? RealComplexVariables(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ImmutableArray<FormalHypothesis> hypotheses = statement.Hypotheses.IsDefault ? [] : statement.Hypotheses;
        ImmutableArray<FormalVariable> variables = statement.Variables.IsDefault ? [] : statement.Variables;
        HashSet<string> used = Names(statement);
        Dictionary<string, FormalVariable> real = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in variables)
        {
            if (variable.Type.Kind == FormalTypeKind.Complex && hypotheses.Any(h => ExprTree.FreeVariables(h.Proposition).Contains(variable.Name)))
            {
                real[variable.Name] = new FormalVariable(Fresh(variable.Name + "ᵣ", used), FormalType.Real);
            }
        }

        if (real.Count == 0)
        {
            return null;
        }

        return statement with
        {
            Variables = [.. variables, .. real.Values],
            Hypotheses =
            [
                .. hypotheses.Select(h => h with
                {
                    Proposition = real.Aggregate(h.Proposition, static (p, pair) =>
                        ExprTree.Substitute(p, pair.Key, new CastExpr(new VariableExpr(pair.Value.Name, FormalType.Real), FormalType.Complex))),
                }),
            ],
        };
    }

    private sealed record Recurrence(int Hypothesis, string Index, FormalExpr? Guard, ApplyExpr Defined, FormalExpr Value, int Offset);

    private static Recurrence? AsRecurrence(int hypothesis, FormalExpr proposition, ImmutableArray<FormalVariable> variables)
    {
        if (proposition is not QuantifierExpr { Quantifier: Quantifier.ForAll } quantifier || quantifier.VariableType.Kind != FormalTypeKind.Nat)
        {
            return null;
        }

        FormalExpr? guard = null;
        FormalExpr body = quantifier.Body;
        if (body is LogicalExpr { Operator: LogicalOperator.Implies } implication)
        {
            guard = implication.Left;
            body = implication.Right;
        }

        if (body is not RelationExpr { Operator: RelationOperator.Equal, Left: ApplyExpr { IsProjection: false } defined } equation
            || defined.Arguments.Length != 1
            || variables.FirstOrDefault(v => v.Name == defined.Function.Name) is not { } sequence
            || sequence.Type.Domain?.Kind != FormalTypeKind.Nat || sequence.Type.Codomain is not { IsNumeric: true }
            || Offset(defined.Arguments[0], quantifier.Variable) is not int offset
            || (guard is not null && !ExprTree.FreeVariables(guard).All(name => name == quantifier.Variable)))
        {
            return null;
        }

        return new Recurrence(hypothesis, quantifier.Variable, guard, defined, equation.Right, offset);
    }

    /// <summary>The constant k of an index <c>n</c>, <c>n + k</c>, <c>k + n</c> or <c>Nat.succ n</c>; null for any other index.</summary>
    private static int? Offset(FormalExpr argument, string index)
    {
        return argument switch
        {
            VariableExpr variable when variable.Name == index => 0,
            ArithmeticExpr { Operator: NumericOperator.Add, Left: VariableExpr left, Right: NumeralExpr right } when left.Name == index && right.Value <= MaxUnrolledIndex => (int)right.Value,
            ArithmeticExpr { Operator: NumericOperator.Add, Left: NumeralExpr left, Right: VariableExpr right } when right.Name == index && left.Value <= MaxUnrolledIndex => (int)left.Value,
            CallExpr { Function: FormalFunction.NatSucc, Arguments: [VariableExpr variable] } when variable.Name == index => 1,
            _ => null,
        };
    }

    /// <summary>Whether every application of a recurrence-defined sequence in <paramref name="value"/> is at a closed index below <paramref name="below"/>.</summary>
    private static bool OnlyEarlierIndices(FormalExpr value, HashSet<string> sequences, int below)
    {
        foreach (ApplyExpr apply in ExprTree.Descendants(value).OfType<ApplyExpr>().Where(a => sequences.Contains(a.Function.Name)))
        {
            FormalExpr index = apply.Arguments[0];
            if (!ExprTree.FreeVariables(index).IsEmpty
                || LeanEvaluator.Evaluate(index, ImmutableDictionary<string, Rational>.Empty) is not EvaluatedNumber { Value: { IsInteger: true } number }
                || number.Numerator >= below)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The largest index at which the translated hypotheses (and the side conditions they bring) apply one of the
    /// sequences; -1 when they apply none; null when one is applied at an index that is not a closed integer term.
    /// </summary>
    private static BigInteger? LargestIndex(FormalStatement rest, HashSet<string> sequences)
    {
        if (LeanToSmt.TryTranslate(rest) is not { Statement: { } translated })
        {
            return null;
        }

        BigInteger largest = BigInteger.MinusOne;
        Stack<Term> pending = new([.. translated.SideConditions, .. translated.Hypotheses]);
        while (pending.Count > 0)
        {
            Term term = pending.Pop();
            if (term is Application application && sequences.Contains(application.Function.Name))
            {
                if (ClosedValue(application.Arguments[0]) is not BigInteger index)
                {
                    return null;
                }

                largest = BigInteger.Max(largest, index);
            }

            switch (term)
            {
                case ForAll forAll:
                    pending.Push(forAll.Body);
                    break;
                case Exists exists:
                    pending.Push(exists.Body);
                    break;
                default:
                    Terms.PushOperands(pending, term);
                    break;
            }
        }

        return largest;
    }

    /// <summary>The value of a closed integer or Boolean term (literals, arithmetic, comparisons, <c>ite</c>), or null.</summary>
    private static object? ClosedValue(Term term)
    {
        switch (term)
        {
            case IntLiteral literal:
                return literal.Value;
            case UnaryMinus { Operand: var operand } when ClosedValue(operand) is BigInteger value:
                return -value;
            case Arithmetic arithmetic when ClosedValue(arithmetic.Left) is BigInteger left && ClosedValue(arithmetic.Right) is BigInteger right:
                return arithmetic.Operator switch
                {
                    ArithmeticOperator.Add => left + right,
                    ArithmeticOperator.Subtract => left - right,
                    ArithmeticOperator.Multiply => left * right,
                    // SMT-LIB div and mod are Euclidean; the translation guards a zero divisor before it gets here.
                    ArithmeticOperator.IntegerDivide when !right.IsZero => (left - EuclideanMod(left, right)) / right,
                    ArithmeticOperator.Modulo when !right.IsZero => EuclideanMod(left, right),
                    _ => null,
                };
            case Comparison comparison when ClosedValue(comparison.Left) is BigInteger left && ClosedValue(comparison.Right) is BigInteger right:
                return comparison.Operator switch
                {
                    ComparisonOperator.Equal => left == right,
                    ComparisonOperator.NotEqual => left != right,
                    ComparisonOperator.Less => left < right,
                    ComparisonOperator.LessOrEqual => left <= right,
                    ComparisonOperator.Greater => left > right,
                    _ => left >= right,
                };
            case IfThenElse choice when ClosedValue(choice.Condition) is bool condition:
                return ClosedValue(condition ? choice.WhenTrue : choice.WhenFalse);
            default:
                return null;
        }
    }

    private static BigInteger EuclideanMod(BigInteger left, BigInteger right)
    {
        BigInteger remainder = BigInteger.Remainder(left, right);
        return remainder.Sign < 0 ? remainder + BigInteger.Abs(right) : remainder;
    }

    /// <summary>Whether the hypotheses mentioning <paramref name="function"/> define it by pairwise disjoint cases.</summary>
    private static bool DefinedByCases(FormalStatement statement, FormalVariable function, ImmutableArray<FormalExpr> mentions, Func<FormalStatement, bool> unsatisfiable)
    {
        if (ValueType(function.Type) is not { IsNumeric: true })
        {
            return false;
        }

        List<Case> cases = [];
        foreach (FormalExpr mention in mentions)
        {
            // A parameter named like a variable of the statement could stand for it in an earlier guard: left alone.
            if (AsCase(mention, function) is not { } definition
                || definition.Parameters.Any(p => statement.Variables.Any(v => v.Name == p)))
            {
                return false;
            }

            cases.Add(definition);
        }

        if (cases.Count > 1 && cases.Any(static c => c.Guards.Count == 0))
        {
            return false;
        }

        HashSet<string> used = Names(statement);
        for (int i = 0; i < cases.Count; i++)
        {
            for (int j = i + 1; j < cases.Count; j++)
            {
                // One point for both cases: each case's parameters renamed to the same fresh variables, argument by argument.
                List<FormalVariable> point = [];
                List<FormalHypothesis> overlap = [];
                FormalType type = function.Type;
                for (int k = 0; k < cases[i].Parameters.Length; k++, type = type.Codomain!)
                {
                    point.Add(new FormalVariable(Fresh("x", used), type.Domain!));
                }

                foreach (Case c in (ReadOnlySpan<Case>)[cases[i], cases[j]])
                {
                    foreach (FormalExpr guard in c.Guards)
                    {
                        FormalExpr at = guard;
                        for (int k = 0; k < point.Count; k++)
                        {
                            at = ExprTree.Substitute(at, c.Parameters[k], new VariableExpr(point[k].Name, point[k].Type));
                        }

                        overlap.Add(new FormalHypothesis("case", at));
                    }
                }

                FormalStatement both = statement with { Variables = [.. statement.Variables.IsDefault ? [] : statement.Variables, .. point], Hypotheses = [.. overlap] };
                if (!unsatisfiable(both))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>One case of a definition: <c>∀ x₁, [G₁ →] ∀ x₂, [G₂ →] … f x₁ … xₖ = e</c>, the guards and value without <c>f</c>.</summary>
    private sealed record Case(ImmutableArray<string> Parameters, List<FormalExpr> Guards);

    private static Case? AsCase(FormalExpr proposition, FormalVariable function)
    {
        List<string> parameters = [];
        List<FormalExpr> guards = [];
        while (true)
        {
            if (proposition is QuantifierExpr { Quantifier: Quantifier.ForAll } quantifier)
            {
                parameters.Add(quantifier.Variable);
                proposition = quantifier.Body;
            }
            else if (proposition is LogicalExpr { Operator: LogicalOperator.Implies } implication)
            {
                guards.Add(implication.Left);
                proposition = implication.Right;
            }
            else
            {
                break;
            }
        }

        if (proposition is not RelationExpr { Operator: RelationOperator.Equal, Left: ApplyExpr { IsProjection: false } apply } equation
            || apply.Function.Name != function.Name || apply.Type != ValueType(function.Type)
            || apply.Arguments.Length != parameters.Count || parameters.Distinct(StringComparer.Ordinal).Count() != parameters.Count
            || ExprTree.FreeVariables(equation.Right).Contains(function.Name)
            || guards.Any(g => ExprTree.FreeVariables(g).Contains(function.Name)))
        {
            return null;
        }

        for (int k = 0; k < parameters.Count; k++)
        {
            if (apply.Arguments[k] is not VariableExpr argument || argument.Name != parameters[k])
            {
                return null;
            }
        }

        return new Case([.. parameters], guards);
    }

    /// <summary>Whether <paramref name="definition"/> is <c>∀ x, x ∈ S ↔ P x</c> for the set and the set it defines exists.</summary>
    private static bool DefinedByMembers(FormalStatement statement, FormalVariable set, FormalExpr definition, Func<FormalStatement, bool> unsatisfiable)
    {
        // S = {x | P x} says the same as ∀ x, x ∈ S ↔ P x.
        if (definition is RelationExpr { Operator: RelationOperator.Equal } equation
            && (equation.Left, equation.Right) is (VariableExpr, SetBuilderExpr) or (SetBuilderExpr, VariableExpr))
        {
            SetBuilderExpr builder = equation.Left as SetBuilderExpr ?? (SetBuilderExpr)equation.Right;
            VariableExpr named = equation.Left as VariableExpr ?? (VariableExpr)equation.Right;
            VariableExpr bound = new(builder.Variable, builder.ElementType);
            definition = new QuantifierExpr(
                Quantifier.ForAll,
                builder.Variable,
                builder.ElementType,
                new LogicalExpr(LogicalOperator.Iff, new RelationExpr(RelationOperator.Member, bound, named), builder.Predicate));
        }

        if (definition is not QuantifierExpr { Quantifier: Quantifier.ForAll } quantifier
            || quantifier.Body is not LogicalExpr { Operator: LogicalOperator.Iff } iff)
        {
            return false;
        }

        (FormalExpr membership, FormalExpr predicate) = iff.Left is RelationExpr { Operator: RelationOperator.Member } ? (iff.Left, iff.Right) : (iff.Right, iff.Left);
        if (membership is not RelationExpr { Operator: RelationOperator.Member, Left: VariableExpr element, Right: VariableExpr collection }
            || element.Name != quantifier.Variable || collection.Name != set.Name
            || ExprTree.FreeVariables(predicate).Contains(set.Name))
        {
            return false;
        }

        if (set.Type.Kind == FormalTypeKind.Set)
        {
            return true;
        }

        // A Finset: the solutions must be finitely many; proven by a bound no solution exceeds (ℕ) or reaches in absolute value (ℤ).
        FormalType elementType = quantifier.VariableType;
        if (elementType.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
        {
            return false;
        }

        HashSet<string> used = Names(statement);
        FormalVariable point = new(Fresh("x", used), elementType);
        VariableExpr at = new(point.Name, elementType);
        FormalExpr large = new RelationExpr(RelationOperator.GreaterEqual, at, new NumeralExpr(FinitenessBound, elementType));
        if (elementType.Kind == FormalTypeKind.Int)
        {
            large = new LogicalExpr(LogicalOperator.Or, large, new RelationExpr(RelationOperator.LessEqual, at, new NegateExpr(new NumeralExpr(FinitenessBound, elementType))));
        }

        FormalStatement beyond = statement with
        {
            Variables = [.. statement.Variables.IsDefault ? [] : statement.Variables, point],
            Hypotheses = [new FormalHypothesis("member", ExprTree.Substitute(predicate, quantifier.Variable, at)), new FormalHypothesis("beyond", large)],
        };
        return unsatisfiable(beyond);
    }

    /// <summary>
    /// The expression with every application of a narrowed function replaced (<paramref name="replace"/>: null when the
    /// application cannot be); null when one cannot, or a narrowed function appears other than applied.
    /// </summary>
    private static FormalExpr? Narrowed(FormalExpr expression, IReadOnlySet<string> functions, Func<ApplyExpr, FormalExpr?> replace)
    {
        if (expression is ApplyExpr apply && functions.Contains(apply.Function.Name))
        {
            return replace(apply);
        }

        if (expression is VariableExpr variable && functions.Contains(variable.Name))
        {
            return null;
        }

        bool failed = false;
        FormalExpr mapped = ExprTree.MapChildren(expression, child =>
        {
            FormalExpr? replaced = Narrowed(child, functions, replace);
            failed |= replaced is null;
            return replaced ?? child;
        });
        return failed ? null : mapped;
    }

    private static FormalExpr WithoutIdleQuantifiers(FormalExpr expression)
    {
        FormalExpr mapped = ExprTree.MapChildren(expression, WithoutIdleQuantifiers);
        return mapped is QuantifierExpr { Quantifier: Quantifier.ForAll or Quantifier.Exists } quantifier
            && quantifier.VariableType.Kind is FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real
            && !ExprTree.FreeVariables(quantifier.Body).Contains(quantifier.Variable)
            ? quantifier.Body
            : mapped;
    }

    /// <summary>The type of a function's values after all its arguments.</summary>
    private static FormalType ValueType(FormalType type)
    {
        while (type.Kind == FormalTypeKind.Function)
        {
            type = type.Codomain!;
        }

        return type;
    }

    private static HashSet<string> Names(FormalStatement statement)
    {
        HashSet<string> used = new((statement.Variables.IsDefault ? [] : statement.Variables).Select(static v => v.Name), StringComparer.Ordinal);
        foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
        {
            used.UnionWith(ExprTree.BoundNames(hypothesis.Proposition));
        }

        used.UnionWith(ExprTree.BoundNames(statement.Conclusion));
        return used;
    }

    /// <summary>A name not in <paramref name="used"/> (which it joins), from <paramref name="stem"/> with a numeric suffix if needed.</summary>
    private static string Fresh(string stem, HashSet<string> used)
    {
        string name = stem;
        for (int i = 1; !used.Add(name); i++)
        {
            name = stem + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
