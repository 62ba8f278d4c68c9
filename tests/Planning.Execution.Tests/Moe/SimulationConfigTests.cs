using Planning.Execution.Moe;

namespace Planning.Execution.Tests.Moe;

/// <summary>The embedded model and hardware configurations, user files, and errors that name the field.</summary>
public sealed class SimulationConfigTests : IDisposable
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
    public void Load_EmbeddedHardware_HasTheStatedAssumptions()
    {
        var h800 = MoeHardwareConfig.Load("h800");
        var nvl = MoeHardwareConfig.Load("nvl72");

        Assert.Equal((989e12, 0.55, 8, 8, 200e9, 50e9), (h800.Bf16PeakFlops, h800.ComputeEfficiency, h800.RanksPerNode, h800.RanksPerDomain, h800.IntraDomainBytesPerSecond, h800.InterDomainBytesPerSecond));
        Assert.Equal(72, nvl.RanksPerDomain);
        Assert.Equal(h800.Bf16PeakFlops, nvl.Bf16PeakFlops);
        Assert.Equal(200e9, h800.WeightSyncLink.PointToPointBytesPerSecond);
    }

    [Theory]
    [InlineData("deepseek-v3", "h800", 64, 8, 8)]
    [InlineData("deepseek-v3", "nvl72", 64, 8, 64)]
    [InlineData("qwen3-235b-a22b", "nvl72", 32, 8, 32)]
    [InlineData("glm-4.5-air", "h800", 32, 8, 8)]
    public void Deployment_ModelOnHardware_PicksRanksNodeAndDomain(string model, string hardware, int ranks, int node, int domain)
    {
        var deployment = MoeDeployment.For(MoeModelConfig.Load(model), MoeHardwareConfig.Load(hardware));

        Assert.Equal((ranks, node, domain, 4, 2, 8192, 8), (deployment.Ranks, deployment.RanksPerNode, deployment.RanksPerDomain, deployment.ExpertsPerRank, deployment.RedundantSlotsPerRank, deployment.TokensPerRank, deployment.TopK));
    }

    [Fact]
    public void Load_UserFile_ReadsIt()
    {
        var path = Path.Combine(_dir, "machine.json");
        File.WriteAllText(path, MoeStepSimulatorTests.TinyHardwareJson);

        var hardware = MoeHardwareConfig.Load(path);

        Assert.Equal("tiny-machine", hardware.Name);
        Assert.Equal(1e-5, hardware.LatencySeconds);
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
        var error = Assert.Throws<PlanningInputException>(() => MoeHardwareConfig.Load(Path.Combine(_dir, "absent.json"), "--hardware"));

        Assert.Equal("--hardware", error.Field);
        Assert.Contains("file not found", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"hidden\": 1000", "\"hidden\": -1", "model.hidden", "must be a positive integer, got -1")]
    [InlineData("\"hidden\": 1000", "\"hidden\": 1.5", "model.hidden", "must be an integer, got 1.5")]
    [InlineData("\"topK\": 1, ", "", "model.topK", "is required")]
    [InlineData("\"topK\": 1", "\"topK\": 9", "model.topK", "must not exceed experts (4), got 9")]
    [InlineData("\"expertsPerRank\": 1", "\"expertsPerRank\": 3", "model.expertsPerRank", "must divide experts (4), got 3")]
    [InlineData("\"hidden\": 1000", "\"hiden\": 1000", "model.hiden", "is not a field of a model configuration")]
    [InlineData("\"name\": \"tiny\"", "\"name\": 7", "model.name", "must be a non-empty string, got 7")]
    public void ParseModel_BadField_NamesTheField(string from, string to, string field, string problem)
    {
        var json = MoeStepSimulatorTests.TinyModelJson.Replace(from, to, StringComparison.Ordinal);

        var error = Assert.Throws<PlanningInputException>(() => MoeModelConfig.Parse(json, "test.json"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("test.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"latencySeconds\": 1e-5", "\"latencySeconds\": \"fast\"", "hardware.latencySeconds", "must be a finite number, got the string \"fast\"")]
    [InlineData("\"latencySeconds\": 1e-5", "\"latencySeconds\": 0", "hardware.latencySeconds", "must be a positive number, got 0")]
    [InlineData("\"computeEfficiency\": 0.5", "\"computeEfficiency\": 1.5", "hardware.computeEfficiency", "must be a fraction of the peak in (0, 1], got 1.5")]
    [InlineData("\"ranksPerDomain\": 2", "\"ranksPerDomain\": 3", "hardware.ranksPerDomain", "must be a multiple of ranksPerNode (2), got 3")]
    [InlineData("\"interDomainBytesPerSecond\": 1e9", "\"interDomainBytesPerSecond\": -1e9", "hardware.interDomainBytesPerSecond", "must be a positive number")]
    [InlineData("\"weightSyncChunkBytes\": 1000000", "\"weightSyncChunkBytes\": 0", "hardware.weightSyncChunkBytes", "must be a positive number, got 0")]
    [InlineData("\"bf16PeakFlops\": 1e12, ", "", "hardware.bf16PeakFlops", "is required")]
    [InlineData("{", "[", "hardware", "malformed JSON")]
    public void ParseHardware_BadField_NamesTheField(string from, string to, string field, string problem)
    {
        var json = MoeStepSimulatorTests.TinyHardwareJson.Replace(from, to, StringComparison.Ordinal);

        var error = Assert.Throws<PlanningInputException>(() => MoeHardwareConfig.Parse(json));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseModel_NotesAreAllowed()
    {
        var json = MoeStepSimulatorTests.TinyModelJson.Replace("\"name\": \"tiny\"", "\"name\": \"tiny\", \"description\": \"d\", \"assumptions\": { \"hidden\": \"a guess\" }", StringComparison.Ordinal);

        Assert.Equal("d", MoeModelConfig.Parse(json).Description);
    }
}
