using Planning.Execution.Moe.Strategies;
using Planning.Moe;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary><c>none</c>: masters only, nothing moves.</summary>
public sealed class NoBalancingStrategyTests
{
    [Fact]
    public void Step_SkewedLoads_MastersCarryEveryToken()
    {
        IMoeDeploymentStrategy strategy = new NoBalancingStrategy(() => new NoBalancingPolicy());
        var context = StrategyFixture.Context([40, 2, 4, 2]);

        var step = strategy.Step(strategy.Start(context), new MoeLayerInput(0, 0, context.Microbatches[0].Layers[0], 0, null, double.PositiveInfinity));

        Assert.Equal(0, step.Replicas);
        Assert.Equal(0, step.BytesSynced);
        Assert.Equal([40.0, 2, 4, 2], step.RankLoads.ToArray());
        Assert.Equal(40 / 12.0, step.Imbalance, 1e-12);
    }
}
