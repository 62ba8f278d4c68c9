using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ResourceManagerTests
{
    private static readonly AffineCostModel Cost = new();

    public static TheoryData<int, int> BudgetsAndSeeds() => new()
    {
        { 4, 1 }, { 4, 2 }, { 5, 3 }, { 6, 4 }, { 7, 5 }, { 8, 6 }, { 8, 7 }, { 8, 8 },
    };

    public static Arbitrary<(int Gpus, int Seed, int Count)> Problems() =>
        (from gpus in Gen.Choose(1, 24)
         from seed in Gen.Choose(0, 1_000_000)
         from count in Gen.Choose(0, 40)
         select (gpus, seed, count)).ToArbitrary();

    [Property(MaxTest = 25, Arbitrary = [typeof(ResourceManagerTests)])]
    public bool Plan_WithinBudget_NeverWorseThanInitial(ValueTuple<int, int, int> problem)
    {
        var (gpus, seed, count) = problem;
        var items = RolloutArbitraries.RandomItems(seed, count);
        var manager = new ResourceManager(Cost, new ResourceManagerOptions { Seed = seed, Iterations = 60 });

        var plan = manager.Plan(items, gpus);

        Assert.True(plan.Degrees.Sum() <= gpus);
        Assert.True(plan.InitialDegrees.Sum() <= gpus);
        Assert.All(plan.Degrees, d => Assert.Contains(d, Cost.TensorParallelDegrees));
        Assert.True(plan.PredictedMakespanSeconds <= plan.InitialMakespanSeconds);
        Assert.Equal(manager.PredictMakespan(items, plan.Degrees), plan.PredictedMakespanSeconds, 1e-9);
        return true;
    }

    [Fact]
    public void Plan_SameSeed_SameDegrees()
    {
        var items = RolloutArbitraries.RandomItems(11, 200, maxTokens: 20_000);
        var options = new ResourceManagerOptions { Seed = 42, Iterations = 200 };
        var first = new ResourceManager(Cost, options).Plan(items, 32);
        var second = new ResourceManager(Cost, options).Plan(items, 32);
        Assert.Equal(first.Degrees.ToArray(), second.Degrees.ToArray());
        Assert.Equal(first.PredictedMakespanSeconds, second.PredictedMakespanSeconds);
    }

    [Theory]
    [MemberData(nameof(BudgetsAndSeeds))]
    public void Plan_TinyBudgets_FindsBruteForceOptimum(int gpus, int seed)
    {
        var items = RolloutArbitraries.RandomItems(seed, 6 + (seed * 3), maxTokens: 8000);
        var manager = new ResourceManager(Cost, new ResourceManagerOptions { Seed = seed, Iterations = 300 });

        var plan = manager.Plan(items, gpus);
        var best = AllMultisets(gpus, manager.AllowedDegrees(gpus)).Min(degrees => manager.PredictMakespan(items, degrees));

        Assert.Equal(best, plan.PredictedMakespanSeconds, 1e-9 * best);
    }

    [Fact]
    public void Plan_LongTail_GivesTheTailAHigherDegree()
    {
        // 60 short trajectories and 2 very long ones: the initial mapping's tail instances should not be TP1 only.
        var items = Enumerable.Range(0, 60).Select(i => new RolloutWorkItem(i, 500, 1000, 0))
            .Append(new RolloutWorkItem(60, 50_000, 1000, 0)).Append(new RolloutWorkItem(61, 48_000, 1000, 0)).ToArray();
        var plan = new ResourceManager(Cost, new ResourceManagerOptions { Seed = 1 }).Plan(items, 16);
        Assert.True(plan.Degrees.Max() > 1, $"degrees {string.Join(",", plan.Degrees)}");
    }

    [Fact]
    public void Plan_NoDegreeFits_Throws()
    {
        var cost = new AffineCostModel(degrees: [2, 4]);
        var error = Assert.Throws<PlanningInputException>(() => new ResourceManager(cost).Plan([new(0, 1, 1, 0)], 1));
        Assert.Equal("gpus", error.Field);
    }

    private static List<int[]> AllMultisets(int gpus, ImmutableArray<int> allowed)
    {
        var result = new List<int[]>();
        Recurse(allowed.Length - 1, gpus, []);
        return result;

        void Recurse(int index, int left, List<int> chosen)
        {
            if (index < 0)
            {
                if (chosen.Count > 0)
                {
                    result.Add([.. chosen]);
                }

                return;
            }

            for (var count = 0; count * allowed[index] <= left; count++)
            {
                var next = new List<int>(chosen);
                next.AddRange(Enumerable.Repeat(allowed[index], count));
                Recurse(index - 1, left - (count * allowed[index]), next);
            }
        }
    }
}
