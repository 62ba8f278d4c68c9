using System.Text;
using Planning.Moe.Json;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe.Workloads;

public sealed class MoeWorkloadJsonTests
{
    private const string Case = """{"ranks":2,"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"tokensPerRankLayer":[[[1,2],[3,4]]]}""";

    [Fact]
    public void WriteLines_ThenReadLines_RoundTripsEveryMicrobatch()
    {
        var workload = MoeWorkloadGenerator.Generate(new MoeWorkloadSettings
        {
            Family = MoeWorkloadFamily.Rotating,
            Ranks = 8,
            RanksPerNode = 4,
            RanksPerDomain = 8,
            ExpertGroups = 4,
            Layers = 2,
            TokensPerRank = 256,
            TopK = 4,
            HotExperts = 2,
            RotateEvery = 1,
            Microbatches = 3,
        });
        using var stream = new MemoryStream();

        MoeWorkloadJson.WriteLines(stream, workload.Microbatches);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var read = MoeWorkloadJson.ReadLines(text);

        Assert.Equal(3, text.Count(c => c == '\n'));
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Equal(workload.Microbatches.Select(MoeCaseJson.Serialize).ToArray(), read.Select(MoeCaseJson.Serialize).ToArray());
        Assert.Equal(text, MoeWorkloadJson.SerializeLines(read));
    }

    [Fact]
    public void ReadLines_SkipsBlankLinesAndAcceptsCrLf()
    {
        var read = MoeWorkloadJson.ReadLines($"{Case}\r\n\r\n   \n{Case}\n");

        Assert.Equal(2, read.Length);
        Assert.Equal([4L, 6L], read[1].Layers[0].ExpertLoads.ToArray());
    }

    [Theory]
    [InlineData("""{"ranks":2,"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"tokensPerRankLayer":[[[1,-2],[3,4]]]}""", "line 3: tokensPerRankLayer[0][0][1]", "must be a non-negative integer, got -2")]
    [InlineData("""{"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"tokensPerRankLayer":[]}""", "line 3: ranks", "is required")]
    [InlineData("""{"ranks":2,""", "line 3: input", "malformed JSON")]
    [InlineData("""{"ranks":2,"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":2,"tokensPerRankLayer":[[[1,2],[3,4]]]}""", "line 3: redundantSlotsPerRank", "must match line 1 (1), got 2")]
    [InlineData("""{"ranks":2,"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"expertGroups":2,"tokensPerRankLayer":[[[1,2],[3,4]]]}""", "line 3: expertGroups", "must match line 1 (absent), got 2")]
    [InlineData("""{"ranks":2,"ranksPerDomain":2,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"tokensPerRankLayer":[[[1,2],[3,4]],[[1,2],[3,4]]]}""", "line 3: tokensPerRankLayer", "must have 1 layer(s) like line 1, got 2")]
    [InlineData("""{"ranks":4,"ranksPerDomain":4,"ranksPerNode":2,"expertsPerRank":1,"redundantSlotsPerRank":1,"tokensPerRankLayer":[[[1,2,0,0],[3,4,0,0],[0,0,0,0],[0,0,0,0]]]}""", "line 3: ranks", "must match line 1 (2), got 4")]
    public void ReadLines_BadLine_NamesTheLineAndTheField(string badLine, string field, string problem)
    {
        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadJson.ReadLines($"{Case}\n{Case}\n{badLine}\n{Case}\n"));

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{field}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLines_FirstCaseAfterBlankLines_IsTheLineOthersMustMatch()
    {
        var other = Case.Replace("\"redundantSlotsPerRank\":1", "\"redundantSlotsPerRank\":0", StringComparison.Ordinal);

        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadJson.ReadLines($"\n\n{Case}\n{other}\n"));

        Assert.Equal("line 4: redundantSlotsPerRank", ex.Field);
        Assert.Contains("must match line 3 (1), got 0", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    public void ReadLines_NoCase_NamesTheInput(string text)
    {
        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadJson.ReadLines(text));

        Assert.Equal("input", ex.Field);
    }

    [Fact]
    public void ReadLines_FromReader_ReadsTheSame()
    {
        using var reader = new StringReader($"{Case}\n{Case}");

        Assert.Equal(2, MoeWorkloadJson.ReadLines(reader).Length);
    }
}
