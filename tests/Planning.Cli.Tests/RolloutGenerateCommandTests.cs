using System.CommandLine;
using Planning.Cli.Commands;
using Planning.Rollout;

namespace Planning.Cli.Tests;

public sealed class RolloutGenerateCommandTests
{
    /// <summary>
    /// Runs <c>rollout generate</c> the way <see cref="PlanApp"/> runs every command (exit 2 with one error line for bad
    /// input), under a root built here so the test does not depend on where the command is registered.
    /// </summary>
    private static (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var io = new ConsoleIo(stdout, stderr);
        var root = new RootCommand("test") { new Command("rollout") { RolloutGenerateCommand.Create(io) } };
        var parse = root.Parse(["rollout", "generate", .. args]);
        int code;
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {parse.Errors[0].Message}");
            code = PlanApp.BadInput;
        }
        else
        {
            try
            {
                code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            }
            catch (PlanningInputException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                code = PlanApp.BadInput;
            }
        }

        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Generate_Stdout_IsTheGeneratorsTraceAsJsonLines()
    {
        var (code, output, error) = Run("--family", "skewed", "--prompts", "5", "--samples", "4", "--seed", "9");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var trace = RolloutTraceJson.Parse(output);
        Assert.Equal(20, trace.Count);
        Assert.Equal(RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 5, 4, 9)), output);
    }

    [Fact]
    public void Generate_Defaults_1024TrajectoriesIn64Groups()
    {
        var (code, output, _) = Run();

        var trace = RolloutTraceJson.Parse(output);
        Assert.Equal(0, code);
        Assert.Equal(1024, trace.Count);
        Assert.Equal(64, trace.Groups().Length);
    }

    [Fact]
    public void Generate_Out_WritesTheFileAndASummary()
    {
        using var dir = new PlanRunner.TempDir();
        var path = dir.File("trace.jsonl");

        var (code, output, _) = Run("--family", "balanced", "--prompts", "3", "--samples", "2", "--out", path);

        Assert.Equal(0, code);
        Assert.Contains("wrote 6 trajectories", output, StringComparison.Ordinal);
        Assert.Equal(6, RolloutTraceJson.Parse(File.ReadAllText(path)).Count);
    }

    [Fact]
    public void Generate_AzureWithExplicitData_DrawsTheCsvLengths()
    {
        using var dir = new PlanRunner.TempDir();
        File.WriteAllText(dir.File("AzureLLMInferenceTrace_code.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\nt,300,11\nt,900,13\nt,4000,55\n");

        var (code, output, error) = Run("--azure", "code", "--azure-data", dir.Path, "--prompts", "4", "--samples", "3");

        Assert.True(code == 0, error);
        var trace = RolloutTraceJson.Parse(output);
        Assert.All(trace.Trajectories, t =>
        {
            Assert.Contains(t.PromptTokens, new[] { 300, 900, 4000 });
            Assert.All(t.OutputTokens, o => Assert.Contains(o, new[] { 11, 13, 55 }));
        });
    }

    [Fact]
    public void Generate_AzureWithoutData_DrawsFromTheEmbeddedCopyOfTheRepositoryTrace()
    {
        var (code, output, error) = Run("--azure", "conv", "--prompts", "2", "--samples", "16");
        var (fileCode, fromFile, fileError) = Run("--azure", "conv", "--azure-data", PlanRunner.RepositoryData("azure-llm-2023", "AzureLLMInferenceTrace_conv.csv"), "--prompts", "2", "--samples", "16");

        Assert.True(code == 0, error);
        Assert.True(fileCode == 0, fileError);
        Assert.Equal(32, RolloutTraceJson.Parse(output).Count);
        Assert.Equal(fromFile, output);
    }

    [Theory]
    [InlineData("--family", "--family", "heavy")]
    [InlineData("--prompts", "--prompts", "0")]
    [InlineData("--samples", "--samples", "-3")]
    [InlineData("--prompts", "--prompts", "100000", "--samples", "100")]
    [InlineData("--azure", "--azure", "chat")]
    [InlineData("--azure-data", "--azure", "conv", "--azure-data", "/nonexistent/azure.csv")]
    [InlineData("--azure-data", "--azure-data", "/tmp")]
    public void Generate_BadOption_Exit2NamingIt(string option, params string[] args)
    {
        var (code, output, error) = Run(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"error: {option}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_BadAzureCsv_Exit2NamingFileAndLine()
    {
        using var dir = new PlanRunner.TempDir();
        var csv = dir.File("bad.csv");
        File.WriteAllText(csv, "TIMESTAMP,ContextTokens,GeneratedTokens\nt,300,11\nt,x,13\n");

        var (code, _, error) = Run("--azure", "conv", "--azure-data", csv);

        Assert.Equal(2, code);
        Assert.StartsWith("error: bad.csv:3: ", error, StringComparison.Ordinal);
    }
}
