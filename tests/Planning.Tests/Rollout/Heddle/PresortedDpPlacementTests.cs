using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.OrTools.Sat;
using Planning.Rollout;
using Planning.Solving;
using Xunit.Abstractions;

namespace Planning.Tests.Rollout;

public sealed class PresortedDpPlacementTests(ITestOutputHelper output)
{
    private static readonly AffineCostModel Cost = new();
    private static readonly SolverOptions Solver = new() { TimeLimit = TimeSpan.FromSeconds(20), Workers = 1, Seed = 5 };

    /// <summary>A generated case: public for the property's signature, its items internal as Heddle's work item is.</summary>
    public sealed class PlacementCase
    {
        internal PlacementCase(RolloutWorkItem[] items, int[] degrees)
        {
            Items = items;
            Degrees = degrees;
        }

        internal RolloutWorkItem[] Items { get; }

        internal int[] Degrees { get; }

        internal string Label { get; init; } = "";

        public override string ToString() => Label;
    }

    public static Arbitrary<PlacementCase> Cases() =>
        (from count in Gen.Choose(0, 40)
         from instances in Gen.Choose(1, 6)
         from seed in Gen.Choose(0, 1_000_000)
         select MakeCase(seed, count, instances)).ToArbitrary();

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Place_SmallCases_EqualsBruteForceContiguousSplitAndFullDp(int seed)
    {
        var random = new Random(seed);
        var smallCase = MakeCase(seed, random.Next(1, 9), random.Next(2, 4));
        var placement = new PresortedDpPlacement(Cost);

        var plan = placement.Place(smallCase.Items, smallCase.Degrees);
        var full = placement.PlaceByFullDynamicProgram(smallCase.Items, smallCase.Degrees);
        var brute = BruteForceContiguous(smallCase.Items, smallCase.Degrees);

        Assert.Equal(brute, plan.PredictedMakespanSeconds, 1e-9 * brute);
        Assert.Equal(brute, full.PredictedMakespanSeconds, 1e-9 * brute);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Place_SmallCases_NeverBelowCpSatOptimumOverAllAssignments(int seed)
    {
        var random = new Random(seed);
        var smallCase = MakeCase(seed, random.Next(1, 9), random.Next(2, 4));
        var plan = new PresortedDpPlacement(Cost).Place(smallCase.Items, smallCase.Degrees);

        var (status, optimum) = CpSatOptimum(Cost, smallCase.Items, smallCase.Degrees);

        Assert.Equal(SolveStatus.Optimal, status);
        var dp = Scaled(plan.PredictedMakespanSeconds);
        Assert.True(dp >= optimum, $"contiguous {dp} below the optimum over all assignments {optimum}");
        output.WriteLine($"seed {seed}: n={smallCase.Items.Length} degrees=[{string.Join(",", smallCase.Degrees)}] dp/opt={dp / (double)optimum:0.0000}");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Place_BatchIndependentDecode_EqualsCpSatOptimum(int seed)
    {
        // When an iteration's time does not depend on the batch (nor context, prefill, tools), a group takes
        // a(d) * its longest item, and the presorted split is optimal over all assignments.
        var cost = new AffineCostModel(perSequenceSeconds: 0, perKvTokenSeconds: 0, prefillFixedSeconds: 0, perPrefillTokenSeconds: 0);
        var random = new Random(seed);
        var smallCase = MakeCase(seed, random.Next(1, 9), random.Next(2, 4), tools: false);

        var plan = new PresortedDpPlacement(cost).Place(smallCase.Items, smallCase.Degrees);
        var (status, optimum) = CpSatOptimum(cost, smallCase.Items, smallCase.Degrees);

        Assert.Equal(SolveStatus.Optimal, status);
        Assert.Equal(optimum, Scaled(plan.PredictedMakespanSeconds));
    }

    [Fact]
    public void Place_InterleavingBeatsContiguous_WhenBatchCostGrowsWithBatch()
    {
        // Iteration 1 + b s, items 10, 10, 1, 1 on two instances: the best contiguous split {10} {10,1,1} takes
        // 1*4 + 9*2 = 22 s, while {10,1} {10,1} takes 1*3 + 9*2 = 21 s. Presorted contiguity is not always optimal.
        var cost = new LinearBatchCostModel();
        RolloutWorkItem[] items = [new(0, 10, 0, 0), new(1, 10, 0, 0), new(2, 1, 0, 0), new(3, 1, 0, 0)];

        var plan = new PresortedDpPlacement(cost).Place(items, [1, 1]);
        var (status, optimum) = CpSatOptimum(cost, items, [1, 1]);

        Assert.Equal(22.0, plan.PredictedMakespanSeconds, 12);
        Assert.Equal(SolveStatus.Optimal, status);
        Assert.Equal(Scaled(21.0), optimum);
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(PresortedDpPlacementTests)])]
    public bool Place_KeepsPlanInvariants(PlacementCase generated)
    {
        var placement = new PresortedDpPlacement(Cost);
        var plan = placement.Place(generated.Items, generated.Degrees);

        // Every item on exactly one valid instance; instance times are the estimator's; makespan is their max.
        Assert.Equal(generated.Items.Length, plan.InstanceOf.Length);
        Assert.All(plan.InstanceOf, j => Assert.InRange(j, 0, generated.Degrees.Length - 1));
        Assert.Equal(generated.Items.Length, Enumerable.Range(0, generated.Degrees.Length).Sum(j => plan.ItemsOn(j).Length));
        for (var j = 0; j < generated.Degrees.Length; j++)
        {
            var group = plan.ItemsOn(j).Select(i => generated.Items[i]).ToArray();
            Assert.Equal(placement.Estimator.EstimateSeconds(group, generated.Degrees[j]), plan.PredictedInstanceSeconds[j], 1e-9);
        }

        Assert.Equal(plan.PredictedInstanceSeconds.DefaultIfEmpty(0).Max(), plan.PredictedMakespanSeconds);

        // Never worse than the equal-count contiguous split (the naive presorted split), nor than the full DP. Round robin
        // over the sorted list is NOT a bound: it interleaves, and interleaving can beat every contiguous split
        // (see Place_InterleavingBeatsContiguous_WhenBatchCostGrowsWithBatch); FsCheck found such cases within 1%.
        var equalSplit = EqualCountContiguousMakespan(placement.Estimator, generated.Items, generated.Degrees);
        Assert.True(plan.PredictedMakespanSeconds <= equalSplit + 1e-9, $"dp {plan.PredictedMakespanSeconds} > equal split {equalSplit}");
        var full = placement.PlaceByFullDynamicProgram(generated.Items, generated.Degrees);
        Assert.Equal(full.PredictedMakespanSeconds, plan.PredictedMakespanSeconds, 1e-9 * Math.Max(1, full.PredictedMakespanSeconds));
        return true;
    }

    [Fact]
    public void Place_SmallKvCapacity_EveryGroupFits()
    {
        var cost = new AffineCostModel(kvPerGpu: 12_000);
        var items = RolloutArbitraries.RandomItems(3, 30, maxTokens: 2000);
        int[] degrees = [1, 1, 2, 2, 4, 4, 8];
        var placement = new PresortedDpPlacement(cost);

        var plan = placement.Place(items, degrees);

        Assert.True(plan.RespectsKvCapacity);
        for (var j = 0; j < degrees.Length; j++)
        {
            var group = plan.ItemsOn(j).Select(i => items[i]);
            Assert.True(placement.Estimator.EstimatePeakKvTokens(group, degrees[j]) <= cost.KvCapacityTokens(degrees[j]));
        }
    }

    [Fact]
    public void Place_KvCannotFit_FallsBackAndSaysSo()
    {
        var cost = new AffineCostModel(kvPerGpu: 100);
        var plan = new PresortedDpPlacement(cost).Place([new(0, 500, 1000, 0), new(1, 10, 10, 0)], [1, 1]);
        Assert.False(plan.RespectsKvCapacity);
        Assert.Equal(2, plan.InstanceOf.Length);
    }

    [Fact]
    public void Place_LongestWorkMeetsHighestDegree()
    {
        var items = RolloutArbitraries.RandomItems(9, 20);
        var plan = new PresortedDpPlacement(Cost).Place(items, [1, 8, 2]);
        var longest = Enumerable.Range(0, items.Length).MaxBy(i => items[i].PredictedTokens);
        Assert.Equal(1, plan.InstanceOf[longest]);
    }

    [Fact]
    public void Place_BadInput_Throws()
    {
        var placement = new PresortedDpPlacement(Cost);
        var bad = Assert.Throws<PlanningInputException>(() => placement.Place([new(0, double.NaN, 0, 0)], [1]));
        Assert.Equal("items[0].predictedTokens", bad.Field);
        var degree = Assert.Throws<PlanningInputException>(() => placement.Place([new(0, 1, 0, 0)], [1, 3]));
        Assert.Equal("instanceTensorParallel[1]", degree.Field);
        Assert.Throws<PlanningInputException>(() => placement.Place([new(0, 1, 0, 0)], []));
    }

    internal static PlacementCase MakeCase(int seed, int count, int instances, bool tools = true)
    {
        var random = new Random(seed ^ 0x5bd1);
        int[] choices = [1, 2, 4];
        return new PlacementCase(
            RolloutArbitraries.RandomItems(seed, count, tools: tools),
            [.. Enumerable.Range(0, instances).Select(_ => choices[random.Next(choices.Length)])])
        {
            Label = $"seed {seed}, {count} items, {instances} instances",
        };
    }

    private static long Scaled(double seconds) => (long)Math.Round(seconds * 1e6);

    private static double BruteForceContiguous(RolloutWorkItem[] items, int[] degrees)
    {
        var estimator = new GroupTimeEstimator(Cost);
        var sorted = items.OrderByDescending(i => i.PredictedTokens).ThenBy(i => i.Trajectory).ToArray();
        var ordered = degrees.OrderDescending().ToArray();
        var best = double.PositiveInfinity;
        Recurse(0, 0, 0.0);
        return best;

        void Recurse(int instance, int start, double worst)
        {
            if (instance == ordered.Length - 1)
            {
                best = Math.Min(best, Math.Max(worst, estimator.EstimateSeconds(sorted[start..], ordered[instance])));
                return;
            }

            for (var end = start; end <= sorted.Length; end++)
            {
                Recurse(instance + 1, end, Math.Max(worst, estimator.EstimateSeconds(sorted[start..end], ordered[instance])));
            }
        }
    }

    /// <summary>
    /// The optimum over every assignment of items to instances: one Boolean per (instance, subset of items), exactly one
    /// subset per instance, each item in exactly one chosen subset, x[i][j] the item-instance literal; the makespan is at
    /// least every chosen subset's precomputed time (same estimator, scaled to microseconds).
    /// </summary>
    private static (SolveStatus Status, long Optimum) CpSatOptimum(IInferenceCostModel cost, RolloutWorkItem[] items, int[] degrees)
    {
        var estimator = new GroupTimeEstimator(cost);
        var n = items.Length;
        var model = new CpModel();
        var makespan = model.NewIntVar(0, long.MaxValue / 4, "makespan");
        var chosen = new BoolVar[degrees.Length][];
        for (var j = 0; j < degrees.Length; j++)
        {
            chosen[j] = new BoolVar[1 << n];
            for (var mask = 0; mask < 1 << n; mask++)
            {
                chosen[j][mask] = model.NewBoolVar($"z{j}_{mask}");
                var group = Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).Select(i => items[i]);
                var seconds = Scaled(estimator.EstimateSeconds(group, degrees[j]));
                model.Add(makespan >= seconds).OnlyEnforceIf(chosen[j][mask]);
            }

            model.AddExactlyOne(chosen[j]);
        }

        for (var i = 0; i < n; i++)
        {
            var x = new BoolVar[degrees.Length];
            for (var j = 0; j < degrees.Length; j++)
            {
                x[j] = model.NewBoolVar($"x{i}_{j}");
                var containing = Enumerable.Range(0, 1 << n).Where(mask => (mask & (1 << i)) != 0).Select(mask => chosen[j][mask]).ToArray();
                model.Add(LinearExpr.Sum(containing) == x[j]);
            }

            model.AddExactlyOne(x);
        }

        model.Minimize(makespan);
        var solution = CpSat.Solve(model, Solver);
        return (solution.Result.Status, solution.Result.IsSuccess ? solution.Value(makespan) : -1);
    }

    private static double EqualCountContiguousMakespan(GroupTimeEstimator estimator, RolloutWorkItem[] items, int[] degrees)
    {
        var sorted = items.OrderByDescending(i => i.PredictedTokens).ThenBy(i => i.Trajectory).ToArray();
        var ordered = degrees.OrderDescending().ToArray();
        var worst = 0.0;
        for (var j = 0; j < ordered.Length; j++)
        {
            var group = sorted[(j * sorted.Length / ordered.Length)..((j + 1) * sorted.Length / ordered.Length)];
            worst = Math.Max(worst, estimator.EstimateSeconds(group, ordered[j]));
        }

        return worst;
    }
}
