using Planning.Execution.Moe;

namespace Planning.Execution.Tests.Moe;

/// <summary>The embedded models, user files, and errors that name the field.</summary>
public sealed class MoeModelConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sim-config-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("deepseek-v3", 256, 8, 7168, 2048, 64)]
    [InlineData("qwen3-235b-a22b", 128, 8, 4096, 1536, 32)]
    [InlineData("glm-4.5-air", 128, 8, 4096, 1408, 32)]
    public void Load_EmbeddedModel_HasThePublishedSizes(string name, int experts, int topK, int hidden, int intermediate, int ranks)
    {
        var model = MoeModelConfig.Load(name);

        Assert.Equal((name, experts, topK, hidden, intermediate, 2, 4, ranks), (model.Name, model.Experts, model.TopK, model.Hidden, model.ExpertIntermediate, model.BytesPerParameter, model.ExpertsPerRank, model.Ranks));
        Assert.NotEmpty(model.Description);
    }

    [Fact]
    public void Model_DeepSeekV3_DerivedSizes()
    {
        var model = MoeModelConfig.Load("deepseek-v3");

        Assert.Equal(3L * 7168 * 2048 * 2, model.ExpertBytes); // 88,080,384 bytes per expert
        Assert.Equal(7168L * 2, model.TokenBytes);
        Assert.Equal(6.0 * 3 * 7168 * 2048, model.FlopsPerRoutedToken(MoeStepPhase.Training));
        Assert.Equal(2.0 * 3 * 7168 * 2048, model.FlopsPerRoutedToken(MoeStepPhase.Prefill));
    }

    [Fact]
    public void Load_UnknownName_NamesTheOptionAndTheChoices()
    {
        var error = Assert.Throws<PlanningInputException>(() => MoeModelConfig.Load("gpt-9", "--model"));

        Assert.Equal("--model", error.Field);
        Assert.Contains("deepseek-v3, qwen3-235b-a22b, glm-4.5-air or a JSON file, got \"gpt-9\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesTheOption()
    {
        var error = Assert.Throws<PlanningInputException>(() => MoeModelConfig.Load(Path.Combine(_dir, "absent.json"), "--model"));

        Assert.Equal("--model", error.Field);
        Assert.Contains("file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UserFile_ReadsIt()
    {
        var path = Path.Combine(_dir, "model.json");
        File.WriteAllText(path, MoeStepSimulatorTests.TinyModelJson);

        var model = MoeModelConfig.Load(path);

        Assert.Equal(("tiny", 4, 1000, 500), (model.Name, model.Experts, model.Hidden, model.ExpertIntermediate));
    }

    [Theory]
    [InlineData("\"hidden\": 1000", "\"hidden\": -1", "model.hidden", "must be a positive integer, got -1")]
    [InlineData("\"hidden\": 1000", "\"hidden\": 1.5", "model.hidden", "must be an integer, got 1.5")]
    [InlineData("\"topK\": 1, ", "", "model.topK", "is required")]
    [InlineData("\"topK\": 1", "\"topK\": 9", "model.topK", "must not exceed experts (4), got 9")]
    [InlineData("\"expertsPerRank\": 1", "\"expertsPerRank\": 3", "model.expertsPerRank", "must divide experts (4), got 3")]
    [InlineData("\"hidden\": 1000", "\"hiden\": 1000", "model.hiden", "is not a field here")]
    [InlineData("\"hidden\": 1000", "\"hidden\": 3000000000", "model.hidden", "must fit a 32-bit integer, got 3000000000")]
    [InlineData("{", "[", "model", "malformed JSON in test.json")]
    [InlineData("\"name\": \"tiny\"", "\"name\": 7", "model.name", "must be a non-empty string, got 7")]
    public void Parse_BadField_NamesTheField(string from, string to, string field, string problem)
    {
        var json = MoeStepSimulatorTests.TinyModelJson.Replace(from, to, StringComparison.Ordinal);

        var error = Assert.Throws<PlanningInputException>(() => MoeModelConfig.Parse(json, "test.json"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("test.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotesAreAllowed()
    {
        var json = MoeStepSimulatorTests.TinyModelJson.Replace("\"name\": \"tiny\"", "\"name\": \"tiny\", \"description\": \"d\", \"assumptions\": { \"hidden\": \"a guess\" }", StringComparison.Ordinal);

        Assert.Equal("d", MoeModelConfig.Parse(json).Description);
    }

    [Theory]
    [InlineData("{ \"hidden\": 7 }", "model.assumptions.hidden", "must be a string, got 7")]
    [InlineData("[]", "model.assumptions", "must be an object of strings, got an array")]
    public void Parse_NoteThatIsNotAString_NamesIt(string notes, string field, string problem)
    {
        var json = MoeStepSimulatorTests.TinyModelJson.Replace("\"name\": \"tiny\"", $"\"name\": \"tiny\", \"assumptions\": {notes}", StringComparison.Ordinal);

        var error = Assert.Throws<PlanningInputException>(() => MoeModelConfig.Parse(json));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
