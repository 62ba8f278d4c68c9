using Planning.Execution.Simulation.Rollout;
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
}
