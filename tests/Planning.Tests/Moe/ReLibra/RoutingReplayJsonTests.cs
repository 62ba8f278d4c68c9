using Planning.Moe.Json;
using Planning.Moe.ReLibra;
using static Planning.Tests.Moe.ReLibra.ReLibraTestData;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>The JSON Lines form of a routing replay: exact text, round trips, malformed lines named by line and field.</summary>
public sealed class RoutingReplayJsonTests
{
    private const string Line0 = """{"batch":0,"microbatch":0,"ranks":1,"ranksPerDomain":1,"ranksPerNode":1,"expertsPerRank":2,"redundantSlotsPerRank":0,"tokensPerRankLayer":[[[3,200]]]}""";
    private const string Line1 = """{"batch":0,"microbatch":1,"ranks":1,"ranksPerDomain":1,"ranksPerNode":1,"expertsPerRank":2,"redundantSlotsPerRank":0,"tokensPerRankLayer":[[[0,7]]]}""";
    private const string Line2 = """{"batch":1,"microbatch":0,"ranks":1,"ranksPerDomain":1,"ranksPerNode":1,"expertsPerRank":2,"redundantSlotsPerRank":0,"tokensPerRankLayer":[[[5,5]]]}""";

    [Fact]
    public void SerializeLines_TwoBatches_WritesTheNumberingThenTheCaseOnEachLine()
    {
        var replay = Replay((0, 0, Case(1, 1, 2, 0, [3, 200])), (0, 1, Case(1, 1, 2, 0, [0, 7])), (1, 0, Case(1, 1, 2, 0, [5, 5])));

        Assert.Equal(Line0 + "\n" + Line1 + "\n" + Line2 + "\n", RoutingReplayJson.SerializeLines(replay));
    }

    [Fact]
    public void ReadLines_ThreeLines_GroupsMicrobatchesIntoBatches()
    {
        var replay = RoutingReplayJson.ReadLines(Line0 + "\n\n" + Line1 + "\n" + Line2 + "\n");

        Assert.Equal(2, replay.Batches.Length);
        Assert.Equal([2, 1], replay.Batches.Select(b => b.Length));
        Assert.Equal([3L, 200L], replay.Batches[0][0].Case.Layers[0].ExpertLoads.ToArray());
        Assert.Equal(new[] { new[] { 3L, 200L }, new[] { 0L, 7L } }, replay.Loads(0, 0).Select(l => l.ToArray()));
    }

    [Fact]
    public void ReadLines_Serialized_RoundTripsEveryCase()
    {
        var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings { Ranks = 4, RanksPerNode = 2, ExpertsPerRank = 2, Layers = 2, Batches = 2, Microbatches = 3, TokensPerRank = 64, TopK = 2, HotExperts = 3, Seed = 5 });

        var read = RoutingReplayJson.ReadLines(RoutingReplayJson.SerializeLines(replay));

        Assert.Equal(replay.Microbatches.Select(m => (m.Batch, m.Microbatch, MoeCaseJson.Serialize(m.Case))), read.Microbatches.Select(m => (m.Batch, m.Microbatch, MoeCaseJson.Serialize(m.Case))));
    }

    [Theory]
    [InlineData("""{"microbatch":0,"ranks":1}""", "line 1: batch", "is required")]
    [InlineData("""{"batch":-1,"microbatch":0}""", "line 1: batch", "must be a non-negative integer, got -1")]
    [InlineData("""{"batch":0,"microbatch":"0"}""", "line 1: microbatch", "must be a non-negative integer, got \"0\"")]
    [InlineData("""{"batch":0,"microbatch":0,"ranks":1,"ranksPerDomain":1,"ranksPerNode":1,"expertsPerRank":2,"redundantSlotsPerRank":0,"tokensPerRankLayer":[[[3,-2]]]}""", "line 1: tokensPerRankLayer[0][0][1]", "must be a non-negative integer, got -2")]
    [InlineData("""{"batch":0,"microbatch":0,""", "line 1: input", "malformed JSON at byte")]
    public void ReadLines_MalformedLine_NamesTheLineAndField(string line, string field, string problem)
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayJson.ReadLines(line));

        Assert.Equal(field, error.Field);
        Assert.StartsWith(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLines_SkippedMicrobatch_NamesTheLineOfTheGap()
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayJson.ReadLines(Line0 + "\n" + Line1.Replace("\"microbatch\":1", "\"microbatch\":2", StringComparison.Ordinal)));

        Assert.Equal("line 2: microbatch", error.Field);
        Assert.StartsWith("must be 1", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLines_FirstBatchNotZero_NamesBatch()
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayJson.ReadLines(Line2));

        Assert.Equal("line 1: batch", error.Field);
    }

    [Fact]
    public void ReadLines_ShapeDiffersFromTheFirst_NamesTheField()
    {
        var other = """{"batch":0,"microbatch":1,"ranks":2,"ranksPerDomain":1,"ranksPerNode":1,"expertsPerRank":1,"redundantSlotsPerRank":0,"tokensPerRankLayer":[[[1,1],[1,1]]]}""";

        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayJson.ReadLines(Line0 + "\n" + other));

        Assert.Equal("line 2: ranks", error.Field);
        Assert.Equal("must match the first microbatch (1), got 2", error.Problem);
    }

    [Fact]
    public void ReadLines_Empty_Throws()
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayJson.ReadLines("\n\n"));

        Assert.Equal("replay", error.Field);
    }
}
