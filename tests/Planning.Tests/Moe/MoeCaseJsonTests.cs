using Planning.Moe;
using Planning.Moe.Json;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe;

public sealed class MoeCaseJsonTests
{
    [Fact]
    public void Parse_SerializedCase_RoundTrips()
    {
        var original = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, ExpertsPerRank = 2, Layers = 2, TokensPerRank = 100, TopK = 2, ExpertGroups = 4, Seed = 2 });

        var parsed = MoeCaseJson.Parse(MoeCaseJson.Serialize(original));

        Assert.Equal(
            (original.Ranks, original.RanksPerDomain, original.RanksPerNode, original.ExpertsPerRank, original.RedundantSlotsPerRank, original.ExpertGroups),
            (parsed.Ranks, parsed.RanksPerDomain, parsed.RanksPerNode, parsed.ExpertsPerRank, parsed.RedundantSlotsPerRank, parsed.ExpertGroups));
        for (var l = 0; l < original.Layers.Length; l++)
        {
            for (var s = 0; s < original.Ranks; s++)
            {
                Assert.Equal(original.Layers[l].Row(s).ToArray(), parsed.Layers[l].Row(s).ToArray());
            }
        }
    }

    [Fact]
    public void Parse_ExpertGroupsAbsent_DefaultsToNodes()
    {
        var moeCase = MoeCaseJson.Parse("""{ "ranks": 4, "ranksPerDomain": 4, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 0, "tokensPerRankLayer": [ [ [1,2,3,4], [0,0,0,0], [0,0,0,0], [0,0,0,0] ] ] }""");

        Assert.Null(moeCase.ExpertGroups);
        Assert.Equal(2, moeCase.EffectiveExpertGroups);
        Assert.Equal([1L, 2, 3, 4], moeCase.Layers[0].ExpertLoads.ToArray());
    }

    [Theory]
    [InlineData("""{ "ranks": 2.5 }""", "ranks")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1 }""", "tokensPerRankLayer")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, 2], [3, 99999999999] ] ] }""", "tokensPerRankLayer[0][1][1]")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ 7 ] }""", "tokensPerRankLayer[0]")]
    public void Parse_BadField_NamesIt(string json, string field)
    {
        var ex = Assert.Throws<PlanningInputException>(() => MoeCaseJson.Parse(json));

        Assert.Equal(field, ex.Field);
    }
}
