using Planning.Execution.Moe.Strategies;
using Planning.Moe;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary><c>eplb-oracle</c>: EPLB from the current loads, nothing charged.</summary>
public sealed class EplbOracleStrategyTests
{
    [Fact]
    public void Problem_LaterMicrobatch_PlacesByTheCurrentLoads()
    {
        IMoeDeploymentStrategy strategy = new EplbOracleStrategy(() => new EplbPolicy());
        var context = StrategyFixture.Context([8, 2, 2, 2], [2, 8, 2, 2]);

        var problem = strategy.Problem(strategy.Start(context), 1, 0, context.Microbatches[1].Layers[0]);

        Assert.Null(problem.PlacementLoads);
        Assert.Equal([2L, 8, 2, 2], problem.LoadsToPlace.ToArray());
    }

    [Fact]
    public void Step_NewReplicas_CountsTheBytesButChargesNoTime()
    {
        IMoeDeploymentStrategy strategy = new EplbOracleStrategy(() => new EplbPolicy());
        var context = StrategyFixture.Context([40, 2, 4, 2]);

        var step = strategy.Step(strategy.Start(context), new MoeLayerInput(0, 0, context.Microbatches[0].Layers[0], 0, null, double.PositiveInfinity));

        Assert.True(step.BytesSynced > 0);
        Assert.Equal(0, step.Time.WeightSyncSeconds);
    }
}
