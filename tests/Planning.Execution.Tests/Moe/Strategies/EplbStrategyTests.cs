using Planning.Execution.Moe.Strategies;
using Planning.Moe;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary><c>eplb</c> as deployed: placed from a window of earlier loads, quotas from the current ones, nothing charged.</summary>
public sealed class EplbStrategyTests
{
    private static readonly long[][] Loads = [[8, 2, 2, 2], [2, 8, 2, 2], [2, 2, 8, 2]];

    [Fact]
    public void Problem_FirstMicrobatch_PlacesByItsOwnLoads()
    {
        IMoeDeploymentStrategy strategy = new EplbStrategy(2, () => new EplbPolicy());
        var context = StrategyFixture.Context(Loads);
        var state = strategy.Start(context);

        var problem = strategy.Problem(state, 0, 0, context.Microbatches[0].Layers[0]);

        Assert.Null(problem.PlacementLoads);
        Assert.Equal([8L, 2, 2, 2], problem.LoadsToPlace.ToArray());
        Assert.Null(problem.Previous);
    }

    [Theory]
    [InlineData(1, new long[] { 2, 8, 2, 2 })]
    [InlineData(2, new long[] { 10, 10, 4, 4 })]
    [InlineData(9, new long[] { 10, 10, 4, 4 })]
    public void Problem_LaterMicrobatch_PlacesFromTheWindowBeforeItAndServesTheCurrentLoads(int window, long[] placement)
    {
        IMoeDeploymentStrategy strategy = new EplbStrategy(window, () => new EplbPolicy());
        var context = StrategyFixture.Context(Loads);
        var state = strategy.Start(context);

        var problem = strategy.Problem(state, 2, 0, context.Microbatches[2].Layers[0]);

        Assert.Equal(placement, problem.PlacementLoads!.Value.ToArray());
        Assert.Equal([2L, 2, 8, 2], problem.Loads.ToArray());
    }

    [Fact]
    public void Step_NewReplicas_CountsTheBytesButChargesNoTime()
    {
        IMoeDeploymentStrategy strategy = new EplbStrategy(1, () => new EplbPolicy());
        var context = StrategyFixture.Context([40, 2, 4, 2]);
        var state = strategy.Start(context);

        var step = strategy.Step(state, new MoeLayerInput(0, 0, context.Microbatches[0].Layers[0], 0, null, double.PositiveInfinity));

        Assert.True(step.Replicas > 0);
        Assert.True(step.BytesSynced > 0);
        Assert.Equal(0, step.Time.WeightSyncSeconds);
        Assert.Equal(0, step.Time.PlannerSeconds);
        Assert.Equal(MoePlannerTime.OffCriticalPath, strategy.PlannerTime);
    }

    [Fact]
    public void Constructor_EmptyWindow_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EplbStrategy(0, () => new EplbPolicy()));
}
