using Planning.Execution.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class BaselineRecipesTests
{
    [Theory]
    [InlineData("slime", "8b", 1)]
    [InlineData("slime", "14b", 1)]
    [InlineData("slime", "32b", 8)]
    [InlineData("verl", "8b", 2)]
    [InlineData("verl", "14b", 4)]
    [InlineData("verl", "32b", 4)]
    [InlineData("verl", "70b", 0)]
    [InlineData("fcfs", "8b", 0)]
    public void Degree_SystemAndModel_TheRecipesDegree(string system, string model, int degree) =>
        Assert.Equal(degree, BaselineRecipes.Degree(system, model));

    [Fact]
    public void Layout_RecipeDegreeHoldsTheTrace_EveryInstanceAtIt()
    {
        // A model named 8b with linear costs: verl's recipe says TP2; 8 GPUs make four TP2 instances.
        var cost = new NamedCost("8b", new LinearCostModel(400, 1, 2, 4, 8));
        var trace = new[] { RolloutTraces.Make(0, 100, [50], [], []) };

        Assert.Equal([2, 2, 2, 2], BaselineRecipes.Layout("verl", trace, 8, cost, RolloutSimulationOptions.Default).ToArray());
    }

    [Fact]
    public void Layout_RecipeDegreeTooSmallForTheLongestTrajectory_RaisedUntilItFits()
    {
        // slime's 8b recipe is TP1 (400 KV tokens); a 700-token trajectory needs TP2 (800 tokens).
        var cost = new NamedCost("8b", new LinearCostModel(400, 1, 2, 4, 8));
        var trace = new[] { RolloutTraces.Make(0, 600, [100], [], []) };

        Assert.Equal([2, 2, 2, 2], BaselineRecipes.Layout("slime", trace, 8, cost, RolloutSimulationOptions.Default).ToArray());
    }

    [Fact]
    public void Layout_DegreeFixedInTheOptions_TheFixedDegree()
    {
        var cost = new NamedCost("8b", new LinearCostModel(400, 1, 2, 4, 8));
        var trace = new[] { RolloutTraces.Make(0, 100, [50], [], []) };

        Assert.Equal([4, 4], BaselineRecipes.Layout("verl", trace, 8, cost, new RolloutSimulationOptions { EqualTensorParallelDegree = 4 }).ToArray());
    }

    /// <summary>Another model's costs under a recipe's model name.</summary>
    private sealed class NamedCost(string name, Planning.Rollout.IInferenceCostModel inner) : Planning.Rollout.IInferenceCostModel
    {
        public string ModelName => name;

        public IReadOnlyList<int> TensorParallelDegrees => inner.TensorParallelDegrees;

        public long KvBytesPerToken => inner.KvBytesPerToken;

        public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) => inner.DecodeIterationSeconds(batchSize, contextTokens, tensorParallel);

        public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => inner.PrefillSeconds(newTokens, cachedTokens, tensorParallel);

        public long KvCapacityTokens(int tensorParallel) => inner.KvCapacityTokens(tensorParallel);
    }
}
