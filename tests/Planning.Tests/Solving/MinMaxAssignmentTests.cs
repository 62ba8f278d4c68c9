using System.Collections.Immutable;
using Planning.Solving;

namespace Planning.Tests.Solving;

public sealed class MinMaxAssignmentTests
{
    private static readonly SolverOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1, Seed = 1 };

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Solve_ThreeWorksTwoResources_MatchesEnumeratedOptimum(int seed)
    {
        var problem = TinyProblem(seed);
        var expected = BruteForce(problem);

        var result = problem.Solve(Options);

        if (expected is null)
        {
            Assert.Equal(AssignmentSource.None, result.Source);
            Assert.Equal(SolveStatus.Infeasible, result.Result.Status);
            return;
        }

        Assert.Equal(AssignmentSource.Solver, result.Source);
        Assert.Equal(SolveStatus.Optimal, result.Result.Status);
        Assert.Equal(expected.Value.Objective, result.Result.Objective);
        Assert.Empty(problem.Violations(result.Pieces));
        Assert.Equal(expected.Value.Objective, problem.Objective(result.Pieces));
        Assert.True(problem.LinearRelaxationBound(Options) <= expected.Value.Objective + 1e-6);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Solve_OptimalIncumbent_IsKeptAndProvenOptimal(int seed)
    {
        var problem = TinyProblem(seed);
        if (BruteForce(problem) is not { } expected)
        {
            return;
        }

        var result = problem.Solve(Options, expected.Pieces);

        // The solver cannot strictly beat an optimum, so the warm start stands; its objective meets the proven bound.
        Assert.Equal(AssignmentSource.Incumbent, result.Source);
        Assert.Equal(SolveStatus.Optimal, result.Result.Status);
        Assert.Equal(expected.Objective, result.Result.Objective);
        Assert.Equal(expected.Objective, problem.Objective(result.Pieces));
        Assert.Equal(0.0, result.Result.RelativeGap);
    }

    [Fact]
    public void Solve_WorseIncumbent_SolverBeatsIt()
    {
        // Two experts of 6 tokens, two ranks with two slots: everything on rank 0 gives 12, one each gives 6.
        var problem = Split([6, 6], resources: 2, slots: 2);

        var result = problem.Solve(Options, [new AssignmentPiece(0, 0, 6), new AssignmentPiece(1, 0, 6)]);

        Assert.Equal(AssignmentSource.Solver, result.Source);
        Assert.Equal(6.0, result.Result.Objective);
        Assert.Equal(SolveStatus.Optimal, result.Result.Status);
    }

    [Fact]
    public void Solve_CancelledBeforeSearch_KeepsIncumbentWithKnownBound()
    {
        var problem = Split([6, 6], resources: 2, slots: 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = problem.Solve(Options, [new AssignmentPiece(0, 0, 6), new AssignmentPiece(1, 0, 6)], knownLowerBound: 6, cancellationToken: cancelled.Token);

        Assert.Equal(AssignmentSource.Incumbent, result.Source);
        Assert.Equal(12.0, result.Result.Objective);
        Assert.Equal(6.0, result.Result.BestBound);
        Assert.Equal(SolveStatus.Feasible, result.Result.Status);
        Assert.Equal(0.5, result.Result.RelativeGap!.Value, 9);
    }

    [Theory]
    [InlineData(0, null, 0.0, SolveStatus.Feasible)]
    [InlineData(7, null, 7.0, SolveStatus.Feasible)]
    [InlineData(7, 8.2, 9.0, SolveStatus.Feasible)]
    [InlineData(0, 10.0000001, 10.0, SolveStatus.Feasible)]
    [InlineData(3, 11.5, 12.0, SolveStatus.Optimal)]
    public void Solve_KnownAndRelaxationBounds_ClampTheReportedBound(long known, double? relaxation, double bound, SolveStatus status)
    {
        // Cancelled before the search, so CP-SAT proves nothing and the bound is the external ones', rounded up.
        var problem = Split([6, 6], resources: 2, slots: 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = problem.Solve(Options, [new AssignmentPiece(0, 0, 6), new AssignmentPiece(1, 0, 6)], known, relaxation, cancelled.Token);

        Assert.Equal(bound, result.Result.BestBound);
        Assert.Equal(status, result.Result.Status);
    }

    [Fact]
    public void LinearRelaxationBound_TwoWorksOneSlotEach_IsTheMeanBelowTheIntegralOptimum()
    {
        // Loads 4 and 2, one slot per rank: each expert takes a rank whole, so the optimum is 4; half hosts on both
        // ranks let the LP split both, down to the mean 3.
        var problem = Split([4, 2], resources: 2, slots: 1);

        var lp = problem.LinearRelaxationBound(Options);
        var result = problem.Solve(Options, relaxationBound: lp);

        Assert.Equal(3.0, lp!.Value, 6);
        Assert.Equal(4.0, result.Result.Objective);
    }

    [Fact]
    public void Solve_MoreWorksThanSlots_NamesSlotLimit()
    {
        var problem = Split([5, 3, 2], resources: 2, slots: 1);

        var result = problem.Solve(Options);

        Assert.Equal(SolveStatus.Infeasible, result.Result.Status);
        Assert.Equal(AssignmentSource.None, result.Source);
        Assert.Empty(result.Pieces);
        Assert.Equal([AssignmentConstraint.SlotLimit], result.InfeasibleFamilies.ToArray());
    }

    [Fact]
    public void Solve_MinimumAboveEveryWeight_NamesMinimumAmount()
    {
        var problem = Split([5, 3], resources: 2, slots: 2) with { MinimumAmount = 10 };

        var result = problem.Solve(Options);

        Assert.Equal(SolveStatus.Infeasible, result.Result.Status);
        Assert.Equal([AssignmentConstraint.MinimumAmount], result.InfeasibleFamilies.ToArray());
    }

    [Fact]
    public void Solve_UnsplitKernelLongerThanAnyDeviceCapacity_NamesLoadWithinCapacity()
    {
        var problem = new MinMaxAssignment
        {
            Weights = [7, 2],
            Resources = [new AssignmentResource { Capacity = 5 }, new AssignmentResource { Capacity = 6 }],
            Pairs = [new(0, 0), new(0, 1), new(1, 0), new(1, 1)],
            SplitAllowed = false,
        };

        var result = problem.Solve(Options);

        Assert.Equal([AssignmentConstraint.LoadWithinCapacity], result.InfeasibleFamilies.ToArray());
    }

    [Fact]
    public void Solve_IncumbentBreakingSlotLimit_IsRejectedNamingTheFamily()
    {
        var problem = Split([4, 4], resources: 2, slots: 1);

        var ex = Assert.Throws<PlanningInputException>(() => problem.Solve(Options, [new AssignmentPiece(0, 0, 4), new AssignmentPiece(1, 0, 4)]));

        Assert.Equal("incumbent", ex.Field);
        Assert.Contains(nameof(AssignmentConstraint.SlotLimit), ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_SymmetryByLoad_OrdersLoadsAndAcceptsAnUnorderedIncumbent()
    {
        // Loads 9, 5, 4 on three ranks with one slot each: the incumbent puts the lightest expert first.
        var problem = Split([9, 5, 4], resources: 3, slots: 1) with { SymmetryByLoad = true };
        AssignmentPiece[] incumbent = [new(2, 0, 4), new(1, 1, 5), new(0, 2, 9)];

        var kept = problem.Solve(Options, incumbent);
        var solved = problem.Solve(Options);

        Assert.Equal(AssignmentSource.Incumbent, kept.Source);
        Assert.Equal(SolveStatus.Optimal, kept.Result.Status);
        Assert.Equal(incumbent, kept.Pieces.OrderBy(piece => piece.Resource).ToArray());
        Assert.Equal(AssignmentSource.Solver, solved.Source);
        Assert.Equal(9.0, solved.Result.Objective);
        var loads = Loads(solved.Pieces, 3);
        Assert.Equal(loads.OrderByDescending(load => load), loads);
    }

    [Fact]
    public void TightFamilies_RankUsingAllItsSlots_ReportsSlotLimit()
    {
        var problem = Split([4, 4, 2], resources: 2, slots: 2);

        var full = problem.TightFamilies([new(0, 0, 4), new(2, 0, 2), new(1, 1, 4)]);
        var oneEach = Split([4, 4], resources: 2, slots: 2).TightFamilies([new(0, 0, 4), new(1, 1, 4)]);

        Assert.Contains(AssignmentConstraint.SlotLimit, full);
        Assert.DoesNotContain(AssignmentConstraint.SlotLimit, oneEach);
        Assert.Contains(AssignmentConstraint.AmountNeedsHost, oneEach);
        Assert.Contains(AssignmentConstraint.LoadBelowMax, oneEach);
    }

    [Fact]
    public void Violations_SplitOfAnUnsplitWork_NamesNotSplit()
    {
        var problem = Split([4], resources: 2, slots: 2) with { SplitAllowed = false };

        var violations = problem.Violations([new(0, 0, 2), new(0, 1, 2)]);

        Assert.Contains(AssignmentConstraint.NotSplit, violations);
        Assert.DoesNotContain(AssignmentConstraint.SlotLimit, violations);
    }

    [Fact]
    public void Solve_PairCosts_TradeLoadForMoves()
    {
        // Two kernels of 4 on two devices; moving kernel 1 off device 0 costs 5, more than the 4 it saves.
        var problem = new MinMaxAssignment
        {
            Weights = [4, 4],
            Resources = [AssignmentResource.Unlimited, AssignmentResource.Unlimited],
            Pairs = [new(0, 0), new(1, 0), new(1, 1) { Cost = 5 }],
            SplitAllowed = false,
        };

        var result = problem.Solve(Options);

        Assert.Equal(8.0, result.Result.Objective);
        Assert.Equal([new AssignmentPiece(0, 0, 4), new AssignmentPiece(1, 0, 4)], result.Pieces.ToArray());
    }

    [Fact]
    public void Families_UltraEpShape_HoldsItsFiveFamilies()
    {
        var problem = new MinMaxAssignment
        {
            Weights = [10, 0],
            Resources = [new AssignmentResource { SlotLimit = 1 }, new AssignmentResource { SlotLimit = 1 }],
            Pairs = [new(0, 0) { IsFixed = true }, new(0, 1), new(1, 1) { IsFixed = true }],
            MinimumAmount = 2,
        };

        Assert.Equal(
            [AssignmentConstraint.AmountsCoverWeight, AssignmentConstraint.AmountNeedsHost, AssignmentConstraint.MinimumAmount, AssignmentConstraint.SlotLimit, AssignmentConstraint.LoadBelowMax],
            problem.Families.ToArray());
    }

    [Fact]
    public void Validate_BadFacts_NameTheField()
    {
        var problem = Split([4, 4], resources: 2, slots: 1);

        Assert.Equal("weights[1]", Assert.Throws<PlanningInputException>(() => (problem with { Weights = [4, -1] }).Validate()).Field);
        Assert.Equal("pairs[2]", Assert.Throws<PlanningInputException>(() => (problem with { Pairs = [new(0, 0), new(0, 1), new(0, 0)] }).Validate()).Field);
        Assert.Equal("pairs[0]", Assert.Throws<PlanningInputException>(() => (problem with { Pairs = [new(2, 0)] }).Validate()).Field);
        Assert.Equal("resources[1].slotLimit", Assert.Throws<PlanningInputException>(() => (problem with { Resources = [new AssignmentResource(), new AssignmentResource { SlotLimit = -1 }] }).Validate()).Field);
        Assert.Equal("symmetryByLoad", Assert.Throws<PlanningInputException>(() => (problem with { SymmetryByLoad = true, Pairs = [new(0, 0), new(1, 1)] }).Validate()).Field);
        Assert.Equal("incumbent[0]", Assert.Throws<PlanningInputException>(() => (problem with { Pairs = [new(0, 0), new(1, 1)] }).Solve(Options, [new AssignmentPiece(0, 1, 4)])).Field);
    }

    /// <summary>Every work may go on every resource, each resource with the same slot limit.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Solve_PairLoads_MatchesEnumeratedOptimum(int seed)
    {
        // Four unsplit works on three resources, each pair with its own load (a kernel's time per accelerator).
        var random = new Random(seed);
        var pairs = new List<AssignmentPair>();
        var loads = new long?[4, 3];
        for (var w = 0; w < 4; w++)
        {
            var allowed = random.Next(1, 8);
            for (var r = 0; r < 3; r++)
            {
                if ((allowed & (1 << r)) != 0)
                {
                    loads[w, r] = random.Next(0, 50);
                    pairs.Add(new AssignmentPair(w, r) { Load = loads[w, r] });
                }
            }
        }

        var problem = new MinMaxAssignment
        {
            Weights = [1, 1, 1, 1],
            Resources = [.. Enumerable.Repeat(AssignmentResource.Unlimited, 3)],
            Pairs = [.. pairs],
            SplitAllowed = false,
        };
        var best = long.MaxValue;
        for (var code = 0; code < 81; code++)
        {
            var busy = new long[3];
            var valid = true;
            var rest = code;
            for (var w = 0; w < 4; w++, rest /= 3)
            {
                valid &= loads[w, rest % 3] is not null;
                busy[rest % 3] += loads[w, rest % 3] ?? 0;
            }

            best = valid ? Math.Min(best, busy.Max()) : best;
        }

        var result = problem.Solve(Options);

        Assert.Equal(SolveStatus.Optimal, result.Result.Status);
        Assert.Equal(best, result.Result.Objective);
        Assert.Equal(best, problem.Objective(result.Pieces));
        Assert.Empty(problem.Violations(result.Pieces));
        Assert.True(problem.LinearRelaxationBound(Options) <= best + 1e-6);
    }

    [Fact]
    public void Solve_HintedUnsplitWorks_ProvenOptimumReportedOptimal()
    {
        // CP-SAT reports this optimum as 51.00000000000001 after the hint; the objective is integral, so the proven
        // bound of 51 meets it and the status is optimal, not feasible.
        var problem = new MinMaxAssignment
        {
            Weights = [1, 1, 1],
            Resources = [.. Enumerable.Repeat(AssignmentResource.Unlimited, 4)],
            Pairs = [new AssignmentPair(0, 1) { Load = 18 }, new AssignmentPair(1, 0) { Load = 51 }, new AssignmentPair(1, 1) { Load = 40 }, new AssignmentPair(2, 3) { IsFixed = true, Load = 23 }],
            SplitAllowed = false,
        };

        var result = problem.Solve(Options with { Seed = 5 }, [new AssignmentPiece(0, 1, 1), new AssignmentPiece(1, 1, 1), new AssignmentPiece(2, 3, 1)], knownLowerBound: 40);

        Assert.Equal(AssignmentSource.Solver, result.Source);
        Assert.Equal(SolveStatus.Optimal, result.Result.Status);
        Assert.Equal(51.0, result.Result.Objective);
    }

    [Fact]
    public void Validate_PairLoadOnSplittableWork_NamesTheField()
    {
        var problem = Split([6, 6], resources: 2, slots: 2) with { Pairs = [new AssignmentPair(0, 0) { Load = 3 }, new AssignmentPair(1, 1)] };

        var error = Assert.Throws<PlanningInputException>(() => problem.Validate());

        Assert.Equal("pairs[0].load", error.Field);
    }

    private static MinMaxAssignment Split(long[] weights, int resources, int slots) => new()
    {
        Weights = [.. weights],
        Resources = [.. Enumerable.Repeat(new AssignmentResource { SlotLimit = slots }, resources)],
        Pairs = [.. Enumerable.Range(0, weights.Length).SelectMany(w => Enumerable.Range(0, resources).Select(r => new AssignmentPair(w, r)))],
    };

    private static long[] Loads(IEnumerable<AssignmentPiece> pieces, int resources)
    {
        var loads = new long[resources];
        foreach (var piece in pieces)
        {
            loads[piece.Resource] += piece.Amount;
        }

        return loads;
    }

    /// <summary>
    /// Three works on two resources: weights 0..7, split or not, a minimum amount, slot limits and capacities now
    /// and then, a fixed pair now and then, a missing pair now and then, costs now and then; every fifth seed the
    /// interchangeable form with <see cref="MinMaxAssignment.SymmetryByLoad"/>.
    /// </summary>
    private static MinMaxAssignment TinyProblem(int seed)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, 3).Select(_ => (long)random.Next(0, 8)).ToImmutableArray();
        var split = random.Next(3) != 0;
        var minimum = random.Next(3) == 0 ? random.Next(1, 4) : 0;
        if (seed % 5 == 0)
        {
            var slots = random.Next(1, 3);
            return new MinMaxAssignment
            {
                Weights = weights,
                Resources = [new AssignmentResource { SlotLimit = slots }, new AssignmentResource { SlotLimit = slots }],
                Pairs = [.. Enumerable.Range(0, 3).SelectMany(w => new[] { new AssignmentPair(w, 0), new AssignmentPair(w, 1) })],
                SplitAllowed = split,
                MinimumAmount = minimum,
                SymmetryByLoad = true,
            };
        }

        var resources = Enumerable.Range(0, 2).Select(_ => new AssignmentResource
        {
            SlotLimit = random.Next(4) == 0 ? null : random.Next(1, 3),
            Capacity = random.Next(4) == 0 ? random.Next(5, 15) : null,
        }).ToImmutableArray();
        var pairs = ImmutableArray.CreateBuilder<AssignmentPair>();
        for (var w = 0; w < 3; w++)
        {
            var fixedOn = random.Next(4) == 0 ? random.Next(2) : -1;
            for (var r = 0; r < 2; r++)
            {
                if (r == fixedOn || random.Next(5) != 0)
                {
                    pairs.Add(new AssignmentPair(w, r) { IsFixed = r == fixedOn, Cost = random.Next(3) == 0 ? random.Next(1, 4) : 0 });
                }
            }
        }

        return new MinMaxAssignment { Weights = weights, Resources = resources, Pairs = pairs.ToImmutable(), SplitAllowed = split, MinimumAmount = minimum };
    }

    /// <summary>
    /// The best objective by enumeration, straight from the rules: a split work tries every amount on resource 0 (the
    /// rest on resource 1) and is hosted where it has an amount or a fixed pair (an idle work without one tries each
    /// resource); a whole work tries each resource (its fixed one, if it has one). Hosted optional pieces of a loaded
    /// work serve at least the minimum and count against the slot limit; loads stay within capacity; the objective
    /// is the largest load plus the costs of the hosted pairs. <see langword="null"/> when nothing is feasible.
    /// </summary>
    private static (long Objective, AssignmentPiece[] Pieces)? BruteForce(MinMaxAssignment problem)
    {
        var works = problem.Weights.Length;
        var pairOf = new AssignmentPair?[works, 2];
        foreach (var pair in problem.Pairs)
        {
            pairOf[pair.Work, pair.Resource] = pair;
        }

        var options = new List<(long[] Amounts, bool[] Hosted)>[works];
        for (var w = 0; w < works; w++)
        {
            options[w] = [];
            var weight = problem.Weights[w];
            bool Allowed(int r) => pairOf[w, r] is not null;
            bool Fixed(int r) => pairOf[w, r] is { IsFixed: true };
            var hasFixed = Fixed(0) || Fixed(1);
            var candidates = new List<(long[], bool[])>();
            if (problem.SplitAllowed)
            {
                for (var a0 = 0L; a0 <= weight; a0++)
                {
                    long[] amounts = [a0, weight - a0];
                    bool[] hosted = [Fixed(0) || amounts[0] > 0, Fixed(1) || amounts[1] > 0];
                    if (weight == 0 && !hasFixed)
                    {
                        candidates.Add(([0, 0], [true, false]));
                        candidates.Add(([0, 0], [false, true]));
                    }
                    else
                    {
                        candidates.Add((amounts, hosted));
                    }
                }
            }
            else
            {
                for (var r = 0; r < 2; r++)
                {
                    if (hasFixed && !Fixed(r))
                    {
                        continue;
                    }

                    var amounts = new long[2];
                    amounts[r] = weight;
                    var hosted = new bool[2];
                    hosted[r] = true;
                    candidates.Add((amounts, hosted));
                }
            }

            foreach (var (amounts, hosted) in candidates)
            {
                var ok = true;
                for (var r = 0; r < 2; r++)
                {
                    ok &= (!hosted[r] && amounts[r] == 0) || Allowed(r);
                    var needsMinimum = hosted[r] && !Fixed(r) && weight > 0 && problem.MinimumAmount > 0 && (problem.SplitAllowed || weight < problem.MinimumAmount);
                    ok &= !needsMinimum || amounts[r] >= problem.MinimumAmount;
                }

                if (ok && (hosted[0] || hosted[1]))
                {
                    options[w].Add((amounts, hosted));
                }
            }
        }

        (long Objective, AssignmentPiece[] Pieces)? best = null;
        var choice = new (long[] Amounts, bool[] Hosted)[works];

        void Recurse(int w)
        {
            if (w == works)
            {
                var loads = new long[2];
                var used = new int[2];
                long cost = 0;
                var pieces = new List<AssignmentPiece>();
                for (var v = 0; v < works; v++)
                {
                    for (var r = 0; r < 2; r++)
                    {
                        if (!choice[v].Hosted[r])
                        {
                            continue;
                        }

                        var pair = pairOf[v, r]!.Value;
                        loads[r] += choice[v].Amounts[r];
                        used[r] += pair.IsFixed ? 0 : 1;
                        cost += pair.Cost;
                        pieces.Add(new AssignmentPiece(v, r, choice[v].Amounts[r]));
                    }
                }

                for (var r = 0; r < 2; r++)
                {
                    if (used[r] > (problem.Resources[r].SlotLimit ?? int.MaxValue) || loads[r] > (problem.Resources[r].Capacity ?? long.MaxValue))
                    {
                        return;
                    }
                }

                var objective = loads.Max() + cost;
                if (best is null || objective < best.Value.Objective)
                {
                    best = (objective, pieces.ToArray());
                }

                return;
            }

            foreach (var option in options[w])
            {
                choice[w] = option;
                Recurse(w + 1);
            }
        }

        Recurse(0);
        return best;
    }
}
