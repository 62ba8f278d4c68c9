using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class EqualTensorParallelTests
{
    [Theory]
    [InlineData(1, 1)]   // 400 tokens per GPU hold 1 x 110 at TP1
    [InlineData(4, 2)]   // 4 x 110 = 440 needs TP2 (800)
    [InlineData(8, 4)]   // 880 needs TP4 (1600)
    [InlineData(100, 4)] // nothing holds 11,000: the largest degree within the budget
    public void Degree_BatchTarget_SmallestDegreeHoldingIt(int target, int expected)
    {
        var cost = new LinearCostModel(400, 1, 2, 4);
        Trajectory[] trace = [RolloutTraces.Make(0, 100, [10], [], []), RolloutTraces.Make(1, 90, [20], [], [])];

        var degree = EqualTensorParallel.Degree(trace, 4, cost, new RolloutSimulationOptions { EqualTensorParallelBatchTarget = target });

        Assert.Equal(expected, degree);
        Assert.Equal(Enumerable.Repeat(expected, 4 / expected).ToArray(), EqualTensorParallel.Layout(trace, 4, cost, new RolloutSimulationOptions { EqualTensorParallelBatchTarget = target }).ToArray());
    }

    [Fact]
    public void Degree_FixedDegree_ReplacesTheRule()
    {
        // The rule would pick TP1 (one trajectory of 110 tokens per 400-token GPU); the fixed degree wins.
        var cost = new LinearCostModel(400, 1, 2, 4);
        Trajectory[] trace = [RolloutTraces.Make(0, 100, [10], [], [])];
        var options = new RolloutSimulationOptions { EqualTensorParallelBatchTarget = 1, EqualTensorParallelDegree = 2 };

        Assert.Equal(2, EqualTensorParallel.Degree(trace, 4, cost, options));
        Assert.Equal([2, 2], EqualTensorParallel.Layout(trace, 4, cost, options).ToArray());
    }

    [Theory]
    [InlineData(3, 4, "must be one of")]  // not a degree of the model
    [InlineData(4, 2, "must be one of")]  // beyond the budget
    [InlineData(1, 4, "fewer than the longest trajectory's final context 500")] // TP1 holds 400 tokens
    public void Degree_FixedDegreeThatCannotRunTheTrace_ThrowsNamingTheField(int degree, int gpus, string expected)
    {
        var cost = new LinearCostModel(400, 1, 2, 4);
        Trajectory[] trace = [RolloutTraces.Make(0, 490, [10], [], [])];

        var error = Assert.Throws<PlanningInputException>(() => EqualTensorParallel.Degree(trace, gpus, cost, new RolloutSimulationOptions { EqualTensorParallelDegree = degree }));

        Assert.Equal("equalTensorParallelDegree", error.Field);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(490, 4, new[] { 2, 4 })] // TP1 holds 400 tokens, fewer than the 500 of the final context
    [InlineData(100, 4, new[] { 1, 2, 4 })]
    [InlineData(100, 2, new[] { 1, 2 })] // TP4 is beyond the budget
    [InlineData(1700, 4, new int[0])]    // even TP4 (1,600 tokens) cannot hold the trajectory
    public void FixableDegrees_ExactlyTheFixedDegreesThatDegreeAccepts(int prompt, int gpus, int[] expected)
    {
        var cost = new LinearCostModel(400, 1, 2, 4);
        Trajectory[] trace = [RolloutTraces.Make(0, prompt, [10], [], [])];

        var fixable = EqualTensorParallel.FixableDegrees(trace, gpus, cost);

        Assert.Equal(expected, fixable.ToArray());
        foreach (var degree in new[] { 1, 2, 3, 4 })
        {
            var options = new RolloutSimulationOptions { EqualTensorParallelDegree = degree };
            if (fixable.Contains(degree))
            {
                Assert.Equal(degree, EqualTensorParallel.Degree(trace, gpus, cost, options));
            }
            else
            {
                Assert.Throws<PlanningInputException>(() => EqualTensorParallel.Degree(trace, gpus, cost, options));
            }
        }
    }

    [Fact]
    public void Options_NegativeFixedDegree_NamesTheField() =>
        Assert.Equal("equalTensorParallelDegree", Assert.Throws<PlanningInputException>(() => new RolloutSimulationOptions { EqualTensorParallelDegree = -1 }.Validate()).Field);
}
