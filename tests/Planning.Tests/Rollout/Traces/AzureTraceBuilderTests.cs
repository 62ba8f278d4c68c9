using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class AzureTraceBuilderTests
{
    private const string Csv = """
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46.6805900,374,44
        2023-11-16 18:15:50.9951690,396,109
        2023-11-16 18:15:51.4940000,879,34
        2023-11-16 18:15:52.0000000,2000,600

        2023-11-16 18:15:53.0000000,91,7
        """;

    [Fact]
    public void Load_TempFile_DrawsOnlyMeasuredLengths()
    {
        var path = Path.Combine(Path.GetTempPath(), $"azure-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, Csv);
        try
        {
            var builder = AzureTraceBuilder.Load(path);

            var trace = builder.Build(new RolloutTraceGeneratorOptions { Prompts = 20, SamplesPerPrompt = 4, Seed = 3 });

            Assert.Equal([91, 374, 396, 879, 2000], builder.ContextTokens.ToArray());
            Assert.Equal([7, 34, 44, 109, 600], builder.GeneratedTokens.ToArray());
            Assert.Equal(80, trace.Count);
            Assert.All(trace.Trajectories, t =>
            {
                Assert.Contains(t.PromptTokens, builder.ContextTokens);
                Assert.All(t.OutputTokens, o => Assert.Contains(o, builder.GeneratedTokens));
            });

            // Quantile draws cover the distribution, not one value.
            Assert.True(trace.Trajectories.SelectMany(t => t.OutputTokens).Distinct().Count() >= 4);
            Assert.True(trace.Trajectories.Select(t => t.PromptTokens).Distinct().Count() >= 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Build_SameSeed_SameTrace()
    {
        var builder = AzureTraceBuilder.Read(new StringReader(Csv), "small.csv");
        var options = new RolloutTraceGeneratorOptions { Prompts = 5, SamplesPerPrompt = 3, Seed = 8 };

        Assert.Equal(RolloutTraceJson.Serialize(builder.Build(options)), RolloutTraceJson.Serialize(builder.Build(options)));
    }

    [Theory]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\nx,10,5\nx,10\n", "small.csv:3")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\nx,10,5\nx,10,-5\n", "small.csv:3")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\nx,10,5\n\nx,ten,5\n", "small.csv:4")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\nx,0,5\n", "small.csv:2")]
    [InlineData("TIMESTAMP,Context,Generated\nx,10,5\n", "small.csv:1")]
    [InlineData("", "small.csv:1")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n", "small.csv")]
    public void Read_BadCsv_NamesFileAndLine(string csv, string field)
    {
        var ex = Assert.Throws<PlanningInputException>(() => AzureTraceBuilder.Read(new StringReader(csv), "small.csv"));

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.csv");

        Assert.Equal(path, Assert.Throws<PlanningInputException>(() => AzureTraceBuilder.Load(path)).Field);
    }

    public static TheoryData<RolloutTraceFamily, AzureTraceKind> FamiliesAndKinds()
    {
        var data = new TheoryData<RolloutTraceFamily, AzureTraceKind>();
        foreach (var family in Enum.GetValues<RolloutTraceFamily>())
        {
            data.Add(family, AzureTraceKind.Conversation);
            data.Add(family, AzureTraceKind.Code);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FamiliesAndKinds))]
    public void Build_EveryFamilyWithAzureLengths_DeterministicBySeed_TheFamilysStructure(RolloutTraceFamily family, AzureTraceKind kind)
    {
        // Every named family (mixed included) with Azure-drawn prompt and turn lengths: the same seed gives the same trace,
        // another seed another; only measured lengths appear; the family's groups are kept.
        var builder = AzureTraceBuilder.Load(RepositoryData.File("azure-llm-2023", AzureTraceBuilder.FileName(kind)));
        var options = RolloutTraceGeneratorOptions.ForFamily(family) with { Prompts = 8, SamplesPerPrompt = 4, Seed = 5 };

        var a = builder.Build(options);
        var b = builder.Build(options);
        var c = builder.Build(options with { Seed = 6 });

        Assert.Equal(RolloutTraceJson.Serialize(a), RolloutTraceJson.Serialize(b));
        Assert.NotEqual(RolloutTraceJson.Serialize(a), RolloutTraceJson.Serialize(c));
        Assert.Equal(8, a.Groups().Length);
        var contexts = builder.ContextTokens.ToHashSet();
        var generated = builder.GeneratedTokens.ToHashSet();
        Assert.All(a.Trajectories, t =>
        {
            Assert.Contains(t.PromptTokens, contexts);
            Assert.All(t.OutputTokens.Take(t.Turns - 1), o => Assert.Contains(o, generated));
        });
    }

    [Fact]
    public void Build_RepositoryConversationData_HasAzureMarginals()
    {
        var builder = AzureTraceBuilder.Load(RepositoryData.File("azure-llm-2023", AzureTraceBuilder.FileName(AzureTraceKind.Conversation)));
        var trace = builder.Build(RolloutTraceGeneratorOptions.ForFamily(RolloutTraceFamily.LongTail));
        var turns = trace.Trajectories.SelectMany(t => t.OutputTokens).Order().ToArray();

        // The conversation trace's generated tokens have median 129 and maximum 1000 (19,366 rows).
        Assert.Equal(19_366, builder.GeneratedTokens.Length);
        Assert.InRange(turns[turns.Length / 2], 60, 300);
        Assert.True(turns[^1] <= 1000);
    }
}
