using Planning.Execution.Moe.Strategies;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary>The force-balanced ideal: the mean on every rank, the uniform spread unless a plan of the run beat it.</summary>
public sealed class IdealStrategyTests
{
    [Fact]
    public void Step_NoPlanBeatsTheUniformSpread_TakesTheUniformSpread()
    {
        IMoeDeploymentStrategy ideal = new IdealStrategy();
        var context = StrategyFixture.Context([40, 2, 4, 2]);
        var tokens = context.Microbatches[0].Layers[0];
        var uniform = context.Simulator.UniformAllToAllSeconds(tokens);

        var step = ideal.Step(ideal.Start(context), new MoeLayerInput(0, 0, tokens, 0, null, uniform * 2));

        Assert.False(step.TookPlannedAllToAll);
        Assert.Equal(context.Simulator.IdealLayerTime(tokens, uniform), step.Time);
        Assert.Equal(1.0, step.Imbalance);
        Assert.Equal([12.0, 12.0, 12.0, 12.0], step.RankLoads.ToArray());
    }

    [Fact]
    public void Step_APlanBeatsTheUniformSpread_TakesThePlansAllToAll()
    {
        IMoeDeploymentStrategy ideal = new IdealStrategy();
        var context = StrategyFixture.Context([40, 2, 4, 2]);
        var tokens = context.Microbatches[0].Layers[0];
        var uniform = context.Simulator.UniformAllToAllSeconds(tokens);

        var step = ideal.Step(ideal.Start(context), new MoeLayerInput(0, 0, tokens, 0, null, uniform / 2));

        Assert.True(step.TookPlannedAllToAll);
        Assert.Equal(context.Simulator.IdealLayerTime(tokens, uniform / 2), step.Time);
        Assert.True(ideal.ComparesWithPlans);
        Assert.Equal(MoePlannerTime.None, ideal.PlannerTime);
    }
}
