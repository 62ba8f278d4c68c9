using Planning.Execution.Soc;
using Planning.Rollout;

namespace Planning.Cli.Tests;

public sealed class SocGenerateCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Generate_Stdout_IsTheGeneratorsWorkloadOnTheRepositoryTraces()
    {
        var (code, output, error) = PlanRunner.Run("soc", "generate", "--reactive-per-minute", "4", "--proactive-per-minute", "6", "--minutes", "5", "--seed", "3");

        Assert.True(code == 0, error);
        var expected = SocWorkloadGenerator.Generate(
            new SocWorkloadOptions { ReactivePerMinute = 4, ProactivePerMinute = 6, DurationMinutes = 5, Seed = 3 },
            AzureTraceBuilder.Load(PlanRunner.RepositoryData("azure-llm-2023", "AzureLLMInferenceTrace_conv.csv")),
            AzureTraceBuilder.Load(PlanRunner.RepositoryData("azure-llm-2023", "AzureLLMInferenceTrace_code.csv")));
        Assert.Equal(SocWorkloadJson.Serialize(expected), output);
        Assert.NotEmpty(expected);
    }

    [Fact]
    public void Generate_OutFile_WritesTheWorkloadAndOneSummaryLine()
    {
        var path = _dir.File("requests.jsonl");

        var (code, output, error) = PlanRunner.Run("soc", "generate", "--minutes", "3", "-o", path);

        Assert.True(code == 0, error);
        var requests = SocWorkloadJson.Parse(File.ReadAllText(path));
        Assert.StartsWith($"wrote {requests.Length} requests (", output, StringComparison.Ordinal);
        Assert.Single(output.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--reactive-per-minute", "40", "error: --reactive-per-minute: ")]
    [InlineData("--proactive-per-minute", "-1", "error: --proactive-per-minute: ")]
    [InlineData("--minutes", "0", "error: --minutes: ")]
    [InlineData("--azure-data", "/no/such/dir", "error: --azure-data: ")]
    public void Generate_BadOption_ExitsTwoNamingIt(string option, string value, string message)
    {
        var path = _dir.File("bad.jsonl");

        var (code, output, error) = PlanRunner.Run("soc", "generate", option, value, "-o", path);

        Assert.Equal(2, code);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.False(File.Exists(path));
    }
}
