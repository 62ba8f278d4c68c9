using Planning.Knowledge.Evaluation;

namespace Planning.Cli.Tests;

public sealed class KbGenerateCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Generate_Defaults_WritesTheRepositorySet()
    {
        string directory = _dir.File("set");

        var (code, output, error) = PlanRunner.Run("kb", "generate", "--out", directory);

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(PlanRunner.RepositoryData("kb-eval", "experiences.jsonl")), File.ReadAllText(Path.Combine(directory, "experiences.jsonl")));
        Assert.Equal(File.ReadAllText(PlanRunner.RepositoryData("kb-eval", "queries.jsonl")), File.ReadAllText(Path.Combine(directory, "queries.jsonl")));
        Assert.Equal($"wrote 2215 experiences (2215 in the labelled set, 0 more distractors) and 600 queries (seed 19) to {directory}\n", output);
    }

    [Fact]
    public void Generate_Total_WritesTheCorpusAroundTheSet()
    {
        string directory = _dir.File("corpus");

        var (code, output, error) = PlanRunner.Run("kb", "generate", "--out", directory, "--seed", "4", "--queries", "10", "--distractors", "5", "--total", "300");

        Assert.True(code == 0, error);
        using var expected = new StringWriter();
        EvaluationSetFiles.WriteExperiences(expected, SyntheticExperienceSet.Corpus(4, 10, 5, 300));
        Assert.Equal(expected.ToString(), File.ReadAllText(Path.Combine(directory, "experiences.jsonl")));
        Assert.Equal(10, File.ReadAllLines(Path.Combine(directory, "queries.jsonl")).Length);
        Assert.Contains("wrote 300 experiences (", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--queries", "0", "error: --queries: ")]
    [InlineData("--distractors", "-1", "error: --distractors: ")]
    [InlineData("--total", "3", "error: --total: ")]
    public void Generate_BadOption_ExitsTwoWritingNothing(string option, string value, string message)
    {
        string directory = _dir.File("bad");

        var (code, output, error) = PlanRunner.Run("kb", "generate", "--out", directory, option, value);

        Assert.Equal(2, code);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.False(File.Exists(Path.Combine(directory, "experiences.jsonl")));
    }
}
