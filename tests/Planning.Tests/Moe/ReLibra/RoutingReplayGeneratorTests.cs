using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe.ReLibra;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>The RL-like replay generator: determinism, exact token totals, distinct experts per token, shifting hot sets.</summary>
public sealed class RoutingReplayGeneratorTests
{
    /// <summary>Small settings: 1 to 3 nodes of 1 to 4 ranks, 1 to 3 experts per rank, top-k up to the experts.</summary>
    /// <returns>The settings.</returns>
    public static Arbitrary<RoutingReplaySettings> Settings() =>
        (from nodes in Gen.Choose(1, 3)
         from ranksPerNode in Gen.Choose(1, 4)
         from expertsPerRank in Gen.Choose(1, 3)
         let experts = nodes * ranksPerNode * expertsPerRank
         from topK in Gen.Choose(1, Math.Min(4, experts))
         from hot in Gen.Choose(1, experts)
         from tokens in Gen.Choose(1, 300)
         from layers in Gen.Choose(1, 2)
         from microbatches in Gen.Choose(1, 3)
         from median in Gen.Choose(1, 200)
         from share in Gen.Choose(0, 100)
         from seed in Gen.Choose(0, 1000)
         select new RoutingReplaySettings
         {
             Ranks = nodes * ranksPerNode,
             RanksPerNode = ranksPerNode,
             ExpertsPerRank = expertsPerRank,
             Layers = layers,
             Batches = 2,
             Microbatches = microbatches,
             TokensPerRank = tokens,
             TopK = topK,
             HotExperts = hot,
             MedianSequenceLength = median,
             HotShare = share / 100.0,
             Seed = seed,
         }).ToArbitrary();

    [Property(MaxTest = 100, Arbitrary = [typeof(RoutingReplayGeneratorTests)])]
    public bool Generate_AnySettings_EveryRankRoutesTokensTimesTopKWithDistinctExpertsPerToken(RoutingReplaySettings settings)
    {
        var replay = RoutingReplayGenerator.Generate(settings);

        Assert.Equal(settings.Batches * settings.Microbatches, replay.Microbatches.Length);
        foreach (var microbatch in replay.Microbatches)
        {
            foreach (var layer in microbatch.Case.Layers)
            {
                for (var r = 0; r < layer.SourceRanks; r++)
                {
                    var row = layer.Row(r).ToArray();
                    Assert.Equal((long)settings.TokensPerRank * settings.TopK, row.Sum(x => (long)x));
                    Assert.All(row, count => Assert.InRange(count, 0, settings.TokensPerRank));
                }
            }
        }

        return true;
    }

    [Fact]
    public void Generate_SameSeed_SameReplayAndAnotherSeedDiffers()
    {
        var settings = new RoutingReplaySettings { Ranks = 16, RanksPerNode = 8, ExpertsPerRank = 2, Batches = 1, Microbatches = 3, TokensPerRank = 512, Seed = 7 };

        var first = RoutingReplayJson.SerializeLines(RoutingReplayGenerator.Generate(settings));
        var again = RoutingReplayJson.SerializeLines(RoutingReplayGenerator.Generate(settings));
        var other = RoutingReplayJson.SerializeLines(RoutingReplayGenerator.Generate(settings with { Seed = 8 }));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Generate_Defaults_HotSetsShiftAcrossMicrobatchesAndNodesAreImbalanced()
    {
        var replay = RoutingReplayGenerator.Generate(RoutingReplaySettings.Default with { Batches = 1 });

        var loads = replay.Loads(0, 0);
        var hottest = loads.Select(l => Enumerable.Range(0, l.Length).OrderByDescending(e => l[e]).Take(8).ToHashSet()).ToArray();
        var shifted = Enumerable.Range(1, hottest.Length - 1).Count(m => !hottest[m].SetEquals(hottest[m - 1]));
        Assert.True(shifted >= hottest.Length / 2, $"the top 8 changed {shifted} times in {hottest.Length} microbatches");

        // Node imbalance (max / mean node load) of the identity layout, every microbatch above 1.2.
        var nodes = replay.Shape.Nodes;
        var perNode = replay.Shape.Experts / nodes;
        foreach (var l in loads)
        {
            var node = Enumerable.Range(0, nodes).Select(n => l.Skip(n * perNode).Take(perNode).Sum()).ToArray();
            Assert.True(node.Max() / node.Average() > 1.2, $"node imbalance {node.Max() / node.Average():0.000}");
        }
    }

    [Theory]
    [InlineData("ranks-per-node", 3)]
    [InlineData("top-k", 1000)]
    [InlineData("hot-share", -1)]
    public void Generate_BadSetting_NamesTheOption(string field, double value)
    {
        var settings = field switch
        {
            "ranks-per-node" => RoutingReplaySettings.Default with { RanksPerNode = (int)value },
            "top-k" => RoutingReplaySettings.Default with { TopK = (int)value },
            _ => RoutingReplaySettings.Default with { HotShare = value },
        };

        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayGenerator.Generate(settings));

        Assert.Equal(field, error.Field);
    }
}
