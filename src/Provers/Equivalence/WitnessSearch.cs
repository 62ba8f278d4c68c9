using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Searches for a <see cref="Witness"/> that two statements (an original and a mutant, variables matched by name) mean
/// different things. Candidate values per variable: small integers, simple fractions, the statements' literals and their
/// neighbours, and seeded random rationals; each candidate is also "solved": the equations among the hypotheses are
/// linearised around it (finite differences, exact) and solved by Gaussian elimination, so that linear hypothesis systems
/// such as <c>x + y = 10, x - y = 2</c> are satisfied exactly. Every verdict is checked by <see cref="LeanEvaluator"/>.
/// </summary>
internal static class WitnessSearch
{
    /// <summary>The largest integer literal whose divisors join the candidate values (trial division up to its square root).</summary>
    private const long MaxFactoredLiteral = 100_000_000;

    /// <summary>The first this many base candidates of a search also get bisection variants (<see cref="Bisect"/>).</summary>
    private const int BisectedCandidates = 4;

    /// <summary>Bisection looks at most at this many equations, and at this many variables of each.</summary>
    private const int MaxBisectedEquations = 4;

    /// <summary>Up to this many combinations of the candidate values, a witness search tries them all (a model search: up to its budget).</summary>
    private const int ExhaustiveCombinations = 600;

    private static readonly Rational[] SmallValues =
    [
        0, 1, -1, 2, -2, 3, -3, 4, 5, -4, 6, 7, -5, 8, 10, 12, -10, 100,
        new(1, 2), new(-1, 2), new(3, 2), new(1, 3), new(-3, 2), new(2, 3), new(5, 2), new(1, 4), new(-1, 3), new(7, 2),
    ];

    /// <summary>Searches for an assignment on which the statements differ.</summary>
    /// <param name="first">The first statement (the original).</param>
    /// <param name="second">The second statement (the mutant).</param>
    /// <param name="options">Limits and seed; <see cref="WitnessSearchOptions.Default"/> when null.</param>
    /// <returns>A witness, or <see langword="null"/> when none was found.</returns>
    /// <exception cref="ArgumentNullException">A statement is <see langword="null"/>.</exception>
    public static Witness? Find(FormalStatement first, FormalStatement second, WitnessSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        options ??= WitnessSearchOptions.Default;
        ImmutableArray<FormalVariable> strict = Union(first, second, permissive: false);
        ImmutableArray<FormalVariable> loose = Union(first, second, permissive: true);
        if (loose.IsEmpty)
        {
            return Compare(first, second, ImmutableSortedDictionary<string, Rational>.Empty.WithComparers(StringComparer.Ordinal));
        }

        // Values both statements' types admit first; then values only the more permissive type admits.
        if (strict.SequenceEqual(loose))
        {
            return Search(first, second, loose, options.MaxAssignments, options.Seed);
        }

        int half = Math.Max(1, options.MaxAssignments / 2);
        return Search(first, second, strict, half, options.Seed) ?? Search(first, second, loose, options.MaxAssignments - half, options.Seed + 1);
    }

    /// <summary>
    /// Searches for an assignment of the statement's numeric variables on which every hypothesis holds, evaluated exactly
    /// with Lean's semantics (<see cref="LeanEvaluator"/>): a proof, independent of any SMT solver, that the hypotheses are
    /// satisfiable (the statement is not vacuous). Same candidates as <see cref="Find"/>, including the hypothesis
    /// equations solved around each candidate.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="options">Limits and seed; <see cref="WitnessSearchOptions.Default"/> when null.</param>
    /// <returns>The values of the numeric variables, by name, or <see langword="null"/> when none was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    public static ImmutableSortedDictionary<string, Rational>? FindModel(FormalStatement statement, WitnessSearchOptions? options = null)
    {
        IReadOnlyList<ImmutableSortedDictionary<string, Rational>> models = FindModels(statement, 1, options);
        return models.Count > 0 ? models[0] : null;
    }

    /// <summary>
    /// Like <see cref="FindModel"/>, but collects up to <paramref name="count"/> different models, in the order found
    /// (the search stops early once it has them, or when its budget is spent).
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="count">How many models to collect, at least 1.</param>
    /// <param name="options">Limits and seed; <see cref="WitnessSearchOptions.Default"/> when null.</param>
    /// <returns>The models found, possibly none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static IReadOnlyList<ImmutableSortedDictionary<string, Rational>> FindModels(FormalStatement statement, int count, WitnessSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        options ??= WitnessSearchOptions.Default;
        ImmutableArray<FormalVariable> variables = Union(statement, statement, permissive: false);
        List<ImmutableSortedDictionary<string, Rational>> models = [];
        ImmutableSortedDictionary<string, Rational>? Collect(ImmutableSortedDictionary<string, Rational> assignment)
        {
            if (LeanEvaluator.EvaluateStatement(statement, assignment).HypothesesHold == true && !models.Any(model => model.SequenceEqual(assignment)))
            {
                models.Add(assignment);
            }

            // A result ends the search: the last model once there are enough.
            return models.Count >= count ? assignment : null;
        }

        if (variables.IsEmpty)
        {
            Collect(ImmutableSortedDictionary<string, Rational>.Empty.WithComparers(StringComparer.Ordinal));
        }
        else
        {
            Search(statement, statement, variables, options.MaxAssignments, options.Seed, options.MaxAssignments, Collect);
        }

        return models;
    }

    private static Witness? Search(FormalStatement first, FormalStatement second, ImmutableArray<FormalVariable> variables, int budget, int seed)
    {
        return Search(first, second, variables, budget, seed, ExhaustiveCombinations, candidate => Compare(first, second, candidate));
    }

    /// <summary>Evaluates <paramref name="test"/> on the candidates for the two statements' variables until it gives a result or the budget is spent.</summary>
    private static T? Search<T>(
        FormalStatement first,
        FormalStatement second,
        ImmutableArray<FormalVariable> variables,
        int budget,
        int seed,
        int exhaustiveLimit,
        Func<ImmutableSortedDictionary<string, Rational>, T?> test)
        where T : class
    {
        Random random = SeededRandom.Create(seed, 4);
        List<Rational>[] pools = [.. variables.Select(variable => Pool(variable.Type, first, second, random))];
        List<RelationExpr> firstEquations = Equations(first);
        List<RelationExpr> secondEquations = Equations(second);
        int evaluated = 0;
        int bases = 0;
        foreach (Rational[] values in Candidates(pools, random, exhaustiveLimit))
        {
            ImmutableSortedDictionary<string, Rational> assignment = Assign(variables, values);
            bool bisect = bases++ < BisectedCandidates;
            foreach (ImmutableSortedDictionary<string, Rational> candidate in Variants(assignment, variables, firstEquations, secondEquations, random, bisect))
            {
                if (test(candidate) is T found)
                {
                    return found;
                }

                if (++evaluated >= budget)
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>Whether the statements differ at one assignment (see <see cref="Witness"/>).</summary>
    /// <param name="first">The first statement.</param>
    /// <param name="second">The second statement.</param>
    /// <param name="assignment">Values of the variables, by name.</param>
    /// <returns>The witness, or <see langword="null"/> when they agree there or cannot be evaluated.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Witness? Compare(FormalStatement first, FormalStatement second, IReadOnlyDictionary<string, Rational> assignment)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(assignment);
        StatementEvaluation a = LeanEvaluator.EvaluateStatement(first, assignment);
        if (a.HypothesesHold is not bool firstHypotheses)
        {
            return null;
        }

        StatementEvaluation b = LeanEvaluator.EvaluateStatement(second, assignment);
        if (b.HypothesesHold is not bool secondHypotheses)
        {
            return null;
        }

        ImmutableSortedDictionary<string, Rational> values = assignment.ToImmutableSortedDictionary(StringComparer.Ordinal);
        if (firstHypotheses != secondHypotheses)
        {
            return new Witness(values, firstHypotheses, secondHypotheses, a.ConclusionHolds, b.ConclusionHolds, !a.InDomain || !b.InDomain);
        }

        if (firstHypotheses && a.ConclusionHolds is bool c1 && b.ConclusionHolds is bool c2 && c1 != c2)
        {
            return new Witness(values, true, true, c1, c2, false);
        }

        return null;
    }

    /// <summary>The numeric variables of both statements by name; a name with two types gets the more (or less) permissive one.</summary>
    private static ImmutableArray<FormalVariable> Union(FormalStatement first, FormalStatement second, bool permissive)
    {
        Dictionary<string, FormalVariable> byName = new(StringComparer.Ordinal);
        List<string> order = [];
        foreach (FormalVariable variable in StatementParts.Variables(first).Concat(StatementParts.Variables(second)))
        {
            if (!variable.Type.IsNumeric || variable.Type.Kind is FormalTypeKind.Complex or FormalTypeKind.ZMod)
            {
                continue;
            }

            if (!byName.TryGetValue(variable.Name, out FormalVariable? existing))
            {
                byName[variable.Name] = variable;
                order.Add(variable.Name);
            }
            else if (permissive ? Permissiveness(variable.Type) > Permissiveness(existing.Type) : Permissiveness(variable.Type) < Permissiveness(existing.Type))
            {
                byName[variable.Name] = variable;
            }
        }

        return [.. order.Select(name => byName[name])];
    }

    private static int Permissiveness(FormalType type) => type.Kind switch
    {
        FormalTypeKind.Nat => 0,
        FormalTypeKind.Int => 1,
        FormalTypeKind.NNReal => 1,
        _ => 2,
    };

    private static List<Rational> Pool(FormalType type, FormalStatement first, FormalStatement second, Random random)
    {
        List<Rational> pool = [];
        HashSet<Rational> seen = [];
        void Add(Rational value)
        {
            if (LeanEvaluator.InDomain(type, value) && seen.Add(value))
            {
                pool.Add(value);
            }
        }

        foreach (Rational value in SmallValues)
        {
            Add(value);
        }

        foreach ((BigInteger numerator, BigInteger denominator) in StatementParts.Literals(first).Concat(StatementParts.Literals(second)).Distinct().Take(40))
        {
            Rational literal = new(numerator, denominator);
            Add(literal);
            Add(literal + 1);
            Add(literal - 1);
            Add(-literal);
            Add(literal / 2);
        }

        // Divisors of the integer literals: gcd, lcm and divisibility hypotheses (gcd m n = 6, lcm m n = 126) are met by them.
        if (type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
        {
            foreach ((BigInteger numerator, BigInteger denominator) in StatementParts.Literals(first).Concat(StatementParts.Literals(second)).Distinct().Take(40))
            {
                if (denominator.IsOne && BigInteger.Abs(numerator) is var magnitude && magnitude > 3 && magnitude <= MaxFactoredLiteral)
                {
                    foreach (long divisor in Divisors((long)magnitude))
                    {
                        Add(divisor);
                    }
                }
            }
        }

        for (int i = 0; i < 24; i++)
        {
            int numerator = random.Next(-60, 61);
            int denominator = i % 3 == 0 ? 1 : random.Next(1, 8);
            Add(new Rational(numerator, denominator));
        }

        return pool;
    }

    /// <summary>The divisors of a positive number between 2 and the number itself, ascending, at most 32 of them.</summary>
    private static IEnumerable<long> Divisors(long value)
    {
        List<long> small = [];
        List<long> large = [];
        for (long d = 2; d * d <= value && small.Count + large.Count < 32; d++)
        {
            if (value % d == 0)
            {
                small.Add(d);
                if (d * d != value)
                {
                    large.Add(value / d);
                }
            }
        }

        large.Reverse();
        return small.Concat(large);
    }

    /// <summary>All combinations when there are at most <paramref name="exhaustiveLimit"/>, otherwise: the small values diagonal-first, then seeded random picks.</summary>
    private static IEnumerable<Rational[]> Candidates(List<Rational>[] pools, Random random, int exhaustiveLimit)
    {
        double combinations = pools.Aggregate(1.0, static (product, pool) => product * pool.Count);
        if (combinations <= exhaustiveLimit)
        {
            int[] index = new int[pools.Length];
            while (true)
            {
                yield return [.. index.Select((at, variable) => pools[variable][at])];
                int position = 0;
                while (position < pools.Length && ++index[position] == pools[position].Count)
                {
                    index[position++] = 0;
                }

                if (position == pools.Length)
                {
                    yield break;
                }
            }
        }

        // Small grid over the first few values of each pool (prefix 6 per variable), then random picks.
        int prefix = Math.Max(2, (int)Math.Floor(Math.Pow(300, 1.0 / pools.Length)));
        int[] small = new int[pools.Length];
        while (true)
        {
            yield return [.. small.Select((at, variable) => pools[variable][Math.Min(at, pools[variable].Count - 1)])];
            int position = 0;
            while (position < pools.Length && ++small[position] == prefix)
            {
                small[position++] = 0;
            }

            if (position == pools.Length)
            {
                break;
            }
        }

        while (true)
        {
            yield return [.. pools.Select(pool => pool[random.Next(pool.Count)])];
        }
    }

    private static ImmutableSortedDictionary<string, Rational> Assign(ImmutableArray<FormalVariable> variables, Rational[] values)
    {
        ImmutableSortedDictionary<string, Rational>.Builder builder = ImmutableSortedDictionary.CreateBuilder<string, Rational>(StringComparer.Ordinal);
        for (int i = 0; i < variables.Length; i++)
        {
            builder[variables[i].Name] = values[i];
        }

        return builder.ToImmutable();
    }

    /// <summary>The candidate itself, then the candidate with each statement's hypothesis equations solved around it.</summary>
    private static IEnumerable<ImmutableSortedDictionary<string, Rational>> Variants(
        ImmutableSortedDictionary<string, Rational> assignment, ImmutableArray<FormalVariable> variables,
        List<RelationExpr> firstEquations, List<RelationExpr> secondEquations, Random random, bool bisect)
    {
        yield return assignment;
        foreach (List<RelationExpr> equations in new[] { firstEquations, secondEquations })
        {
            if (equations.Count > 0 && Solve(assignment, variables, equations, random) is ImmutableSortedDictionary<string, Rational> solved
                && !solved.SequenceEqual(assignment))
            {
                yield return solved;
            }
        }

        if (!bisect)
        {
            yield break;
        }

        foreach (RelationExpr equation in firstEquations.Concat(secondEquations).Take(MaxBisectedEquations))
        {
            foreach (FormalVariable variable in variables.Take(MaxBisectedEquations))
            {
                if (Bisect(assignment, variable, equation) is ImmutableSortedDictionary<string, Rational> root)
                {
                    yield return root;
                }
            }
        }
    }

    /// <summary>
    /// A root of one equation in one variable, the others fixed, by bisection on the sign of its residual: a bracket is
    /// sought by doubling steps away from the current value, then halved (to integers for ℕ and ℤ) until the residual is
    /// exactly 0. Step functions (floors, integer division) defeat the Newton step of <see cref="Solve"/> but not this,
    /// as long as the residual is monotone between the bracket's ends: <c>∑ k in 19..91, ⌊r + k/100⌋ = 546</c> holds
    /// only for r in [7.43, 7.44), which halving from [0, 16] reaches.
    /// </summary>
    private static ImmutableSortedDictionary<string, Rational>? Bisect(ImmutableSortedDictionary<string, Rational> assignment, FormalVariable variable, RelationExpr equation)
    {
        bool integral = variable.Type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int;
        Rational start = assignment[variable.Name];
        if (Residual(equation, assignment) is not Rational startResidual || startResidual.IsZero)
        {
            return null;
        }

        // A bracket: the first point, stepping by 1, 2, 4, ... either way, where the residual's sign flips.
        Rational? other = null;
        Rational step = Rational.One;
        for (int i = 0; i < 24 && other is null; i++, step += step)
        {
            foreach (Rational candidate in new[] { start + step, start - step })
            {
                if (Residual(equation, assignment.SetItem(variable.Name, candidate)) is Rational residual && residual.Sign != startResidual.Sign)
                {
                    if (residual.IsZero)
                    {
                        return assignment.SetItem(variable.Name, candidate);
                    }

                    other = candidate;
                    break;
                }
            }
        }

        if (other is not Rational far)
        {
            return null;
        }

        Rational low = start;
        Rational high = far;
        Rational half = new(1, 2);
        for (int i = 0; i < 64; i++)
        {
            Rational middle = (low + high) * half;
            if (integral)
            {
                middle = Floor(middle);
                if (middle == low || middle == high)
                {
                    return null;
                }
            }

            if (Residual(equation, assignment.SetItem(variable.Name, middle)) is not Rational residual)
            {
                return null;
            }

            if (residual.IsZero)
            {
                return assignment.SetItem(variable.Name, middle);
            }

            if (residual.Sign == startResidual.Sign)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return null;
    }

    private static Rational Floor(Rational value)
    {
        BigInteger quotient = BigInteger.DivRem(value.Numerator, value.Denominator, out BigInteger remainder);
        return remainder.Sign < 0 ? quotient - 1 : quotient;
    }

    /// <summary>The numeric equations among the top-level conjuncts of a statement's hypotheses.</summary>
    private static List<RelationExpr> Equations(FormalStatement statement)
    {
        List<RelationExpr> equations = [];
        void Collect(FormalExpr proposition)
        {
            switch (proposition)
            {
                case LogicalExpr { Operator: LogicalOperator.And } and:
                    Collect(and.Left);
                    Collect(and.Right);
                    break;
                case RelationExpr { Operator: RelationOperator.Equal } equation when equation.Left.Type.IsNumeric:
                    equations.Add(equation);
                    break;
                default:
                    break;
            }
        }

        foreach (FormalHypothesis hypothesis in StatementParts.Hypotheses(statement))
        {
            Collect(hypothesis.Proposition);
        }

        return equations;
    }

    /// <summary>
    /// One Newton step on the equations (exact finite differences around the assignment, Gaussian elimination with the
    /// pivot variables in a seeded order): the exact solution when the system is affine in the variables.
    /// </summary>
    private static ImmutableSortedDictionary<string, Rational>? Solve(
        ImmutableSortedDictionary<string, Rational> assignment, ImmutableArray<FormalVariable> variables, List<RelationExpr> equations, Random random)
    {
        Rational?[] residual = [.. equations.Select(equation => Residual(equation, assignment))];
        int[] columns = [.. Enumerable.Range(0, variables.Length).OrderBy(_ => random.Next())];
        List<Rational[]> rows = [];
        for (int j = 0; j < equations.Count; j++)
        {
            if (residual[j] is not Rational value)
            {
                continue;
            }

            Rational[] row = new Rational[columns.Length + 1];
            bool ok = true;
            for (int c = 0; c < columns.Length && ok; c++)
            {
                string name = variables[columns[c]].Name;
                if (Residual(equations[j], assignment.SetItem(name, assignment[name] + Rational.One)) is Rational shifted)
                {
                    row[c] = shifted - value;
                }
                else
                {
                    ok = false;
                }
            }

            if (ok)
            {
                row[columns.Length] = -value;
                rows.Add(row);
            }
        }

        if (rows.Count == 0)
        {
            return null;
        }

        // Gaussian elimination; inconsistent rows (non-linear or contradictory equations) are dropped.
        int width = columns.Length;
        List<(int Column, Rational[] Row)> pivots = [];
        foreach (Rational[] original in rows)
        {
            Rational[] row = original;
            foreach ((int column, Rational[] pivotRow) in pivots)
            {
                if (!row[column].IsZero)
                {
                    Rational factor = row[column];
                    row = [.. row.Select((entry, k) => entry - (factor * pivotRow[k]))];
                }
            }

            int lead = Array.FindIndex(row, 0, width, static entry => !entry.IsZero);
            if (lead < 0)
            {
                continue;
            }

            Rational scale = row[lead];
            row = [.. row.Select(entry => entry / scale)];
            for (int p = 0; p < pivots.Count; p++)
            {
                Rational[] other = pivots[p].Row;
                if (!other[lead].IsZero)
                {
                    Rational factor = other[lead];
                    pivots[p] = (pivots[p].Column, [.. other.Select((entry, k) => entry - (factor * row[k]))]);
                }
            }

            pivots.Add((lead, row));
        }

        if (pivots.Count == 0)
        {
            return null;
        }

        ImmutableSortedDictionary<string, Rational> solved = assignment;
        foreach ((int column, Rational[] row) in pivots)
        {
            string name = variables[columns[column]].Name;
            solved = solved.SetItem(name, assignment[name] + row[width]);
        }

        return solved;
    }

    private static Rational? Residual(RelationExpr equation, IReadOnlyDictionary<string, Rational> assignment)
    {
        return LeanEvaluator.Evaluate(equation.Left, assignment).Number is Rational left && LeanEvaluator.Evaluate(equation.Right, assignment).Number is Rational right
            ? left - right
            : null;
    }
}
