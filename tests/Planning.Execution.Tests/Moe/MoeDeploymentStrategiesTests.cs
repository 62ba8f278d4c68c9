using Planning.Execution.Moe;

namespace Planning.Execution.Tests.Moe;

/// <summary>The registry of the simulator's policies: names, parsing, and a strategy per name.</summary>
public sealed class MoeDeploymentStrategiesTests
{
    [Fact]
    public void Names_Default_EveryPolicyInRunOrder() =>
        Assert.Equal(["none", "eplb", "eplb-oracle", "ultraep", "ultraep-reorder", "ideal"], MoeDeploymentStrategies.Default.Names.ToArray());

    [Fact]
    public void Parse_KnownNames_KeepsOrderAndDropsDuplicates() =>
        Assert.Equal(["ultraep", "none", "ideal"], MoeDeploymentStrategies.Default.Parse(" ultraep,none, ideal,none").ToArray());

    [Theory]
    [InlineData("none,magic")]
    [InlineData("")]
    [InlineData("none,,eplb")]
    public void Parse_UnknownName_NamesTheField(string list)
    {
        var error = Assert.Throws<PlanningInputException>(() => MoeDeploymentStrategies.Default.Parse(list, "--policies"));

        Assert.Equal("--policies", error.Field);
        Assert.Contains("none, eplb, eplb-oracle, ultraep, ultraep-reorder, ideal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EveryName_BuildsTheStrategyOfThatName()
    {
        var model = MoeModelConfig.Load("deepseek-v3");

        foreach (var name in MoeDeploymentStrategies.Default.Names)
        {
            Assert.Equal(name, MoeDeploymentStrategies.Default.Create(name, MoeSimulationOptions.Default, model).Name);
        }
    }

    [Fact]
    public void Create_UnknownName_Throws() =>
        Assert.Throws<KeyNotFoundException>(() => MoeDeploymentStrategies.Default.Create("magic", MoeSimulationOptions.Default, MoeModelConfig.Load("deepseek-v3")));
}
