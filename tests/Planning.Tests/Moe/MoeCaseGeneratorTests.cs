using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe;

public sealed class MoeCaseGeneratorTests
{
    [Theory]
    [InlineData(1.5)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(4.0)]
    public void Generate_TargetImbalance_IsReachedWithinOnePercent(double target)
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { TargetImbalance = target, Seed = 11 });
        var topology = MoeTopology.From(moeCase);

        var initial = new NoBalancingPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads)).Imbalance;

        Assert.InRange(initial, target * 0.99, target * 1.01);
    }

    [Fact]
    public void Generate_EveryRow_RoutesTopKTimesTokensWithNoExpertAboveTokens()
    {
        var settings = new MoeWorkloadSettings { Ranks = 16, ExpertsPerRank = 4, RanksPerNode = 8, RanksPerDomain = 16, TokensPerRank = 1000, TopK = 6, TargetImbalance = 2.5, Seed = 4 };

        var moeCase = MoeCaseGenerator.Generate(settings);

        for (var s = 0; s < settings.Ranks; s++)
        {
            var row = moeCase.Layers[0].Row(s).ToArray();
            Assert.Equal(settings.TokensPerRank * settings.TopK, row.Sum());
            Assert.All(row, count => Assert.InRange(count, 0, settings.TokensPerRank));
        }
    }

    [Fact]
    public void Generate_SameSeed_SameCase_DifferentSeed_DifferentCase()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 8, RanksPerDomain = 8, Layers = 2, Seed = 3 };

        var a = MoeCaseGenerator.Generate(settings);
        var b = MoeCaseGenerator.Generate(settings);
        var c = MoeCaseGenerator.Generate(settings with { Seed = 4 });

        Assert.Equal(a.Layers[1].ExpertLoads.ToArray(), b.Layers[1].ExpertLoads.ToArray());
        Assert.NotEqual(a.Layers[1].ExpertLoads.ToArray(), c.Layers[1].ExpertLoads.ToArray());
    }

    [Fact]
    public void Generate_ImbalanceBeyondReach_NamesTheField()
    {
        // 2 ranks x 1 expert with top-2: every token visits both experts, so the imbalance is always 1.
        var ex = Assert.Throws<PlanningInputException>(() => MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 2, RanksPerNode = 2, RanksPerDomain = 2, ExpertsPerRank = 1, TopK = 2, TargetImbalance = 1.5 }));

        Assert.Equal("imbalance", ex.Field);
    }

    [Fact]
    public void Apportion_CapsSharesAndKeepsTheTotal()
    {
        var counts = Planning.Moe.Workloads.WorkloadRouting.Apportion([100, 1, 1, 1], 30, 10);

        Assert.Equal(30, counts.Sum());
        // 100 is capped at 10; the other 20 split three ways: 6.67 each, the first two remainders rounded up.
        Assert.Equal([10, 7, 7, 6], counts);
    }
}
