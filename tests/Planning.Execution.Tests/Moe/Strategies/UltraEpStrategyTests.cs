using Planning.Execution.Moe.Strategies;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary><c>ultraep</c>: incremental on the current loads, relay sync charged, replicas in place reused.</summary>
public sealed class UltraEpStrategyTests
{
    [Fact]
    public void Problem_AfterAStep_CarriesThePreviousPlan()
    {
        IMoeDeploymentStrategy strategy = new UltraEpStrategy(() => new UltraEpPolicy());
        var context = StrategyFixture.Context([40, 2, 4, 2], [40, 2, 4, 2]);
        var state = strategy.Start(context);

        Assert.Null(strategy.Problem(state, 0, 0, context.Microbatches[0].Layers[0]).Previous);
        strategy.Step(state, new MoeLayerInput(0, 0, context.Microbatches[0].Layers[0], 0, null, double.PositiveInfinity));
        var problem = strategy.Problem(state, 1, 0, context.Microbatches[1].Layers[0]);

        Assert.Equal(state.Previous(0)!.Value.ToArray(), problem.Previous!.Value.ToArray());
        Assert.Null(problem.PlacementLoads);
    }

    [Fact]
    public void Step_SameLoadsTwice_SyncsTheNewReplicaOnlyOnce()
    {
        IMoeDeploymentStrategy strategy = new UltraEpStrategy(() => new UltraEpPolicy());
        var context = StrategyFixture.Context([40, 2, 4, 2], [40, 2, 4, 2]);
        var state = strategy.Start(context);

        var first = strategy.Step(state, new MoeLayerInput(0, 0, context.Microbatches[0].Layers[0], 0, null, double.PositiveInfinity));
        var second = strategy.Step(state, new MoeLayerInput(1, 0, context.Microbatches[1].Layers[0], 0, null, double.PositiveInfinity));

        // The hot expert's replica is new the first time: its weights (3e6 bytes per copy) move by the relay schedule, charged.
        Assert.True(first.Replicas > 0);
        Assert.Equal(first.Replicas * 3_000_000L, first.BytesSynced);
        Assert.True(first.Time.WeightSyncSeconds > 0);
        Assert.Equal(0, second.BytesSynced);
        Assert.Equal(0, second.Time.WeightSyncSeconds);
        Assert.Equal(first.Imbalance, second.Imbalance);
    }

    [Fact]
    public void Decisions_UltraEp_PlansOnTheCriticalPathAndReroutes()
    {
        IMoeDeploymentStrategy strategy = new UltraEpStrategy(() => new UltraEpPolicy());

        Assert.Equal((MoePlannerTime.OnCriticalPath, true, true, MoeWeightSyncCharge.ExposedRelay), (strategy.PlannerTime, strategy.Incremental, strategy.ReroutesTokens, strategy.WeightSync));
    }
}
