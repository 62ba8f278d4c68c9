using System.Text.Json;

namespace Planning.Cli.Tests;

/// <summary><c>plan kb ingest</c> and <c>plan kb search</c> with the real MiniLM embedder.</summary>
public sealed class KbCommandsTests : IDisposable
{
    private const string Experiences = """
        {"task":"Python script fails with ModuleNotFoundError","domain":"coding","plan":["read the traceback","pip install the missing package"],"experience":"install into the active virtual environment","outcome":"success","source":"smolagents"}
        {"task":"Book a table at an Italian restaurant","domain":"web","plan":["search restaurants nearby","confirm the booking"],"experience":"check the opening hours first","outcome":"success"}
        {"task":"Book a table at an Italian restaurant","domain":"web","plan":["search restaurants nearby","confirm the booking"],"experience":"the site was down","outcome":"failure","outcomeReason":"'; DROP TABLE experiences; --"}
        """;

    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Ingest(string jsonl, params string[] extra)
    {
        string input = _dir.File("experiences.jsonl");
        File.WriteAllText(input, jsonl);
        var (code, output, error) = PlanRunner.Run(["kb", "ingest", "--db", _dir.File("kb.db"), "--input", input, .. extra]);
        Assert.True(code == 0, error);
        return output;
    }

    [Fact]
    public void Ingest_ValidFile_PrintsCountAndStores()
    {
        string output = Ingest(Experiences, "--batch-size", "2", "--format", "json");
        using JsonDocument document = JsonDocument.Parse(output);
        Assert.Equal(3, document.RootElement.GetProperty("ingested").GetInt32());
        Assert.Equal(3, document.RootElement.GetProperty("count").GetInt32());
        Assert.True(File.Exists(_dir.File("kb.db")));
        Assert.True(Directory.Exists(_dir.File("kb.db.bm25")));
        Assert.StartsWith("ingested 3 experiences in ", Ingest(Experiences), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_PlanStage_JsonWithContradictionWithheld()
    {
        Ingest(Experiences);
        var (code, output, error) = PlanRunner.Run("kb", "search", "--db", _dir.File("kb.db"), "--query", "Book a table at an Italian restaurant", "--k", "2", "--json");
        Assert.True(code == 0, error);
        using JsonDocument document = JsonDocument.Parse(output);
        Assert.Equal("plan", document.RootElement.GetProperty("stage").GetString());
        JsonElement[] results = [.. document.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal([2L, 1L, 3L], results.Select(static r => r.GetProperty("id").GetInt64()));
        Assert.Equal([false, false, true], results.Select(static r => r.GetProperty("withheld").GetBoolean()));
        Assert.StartsWith("contradicts experience 2 ranked above it: failure where it records success", results[2].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("'; DROP TABLE experiences; --", results[2].GetProperty("experience").GetProperty("outcomeReason").GetString());
    }

    [Fact]
    public void Search_FeedbackStageTable_ListsResults()
    {
        Ingest(Experiences);
        var (code, output, error) = PlanRunner.Run("kb", "search", "--db", _dir.File("kb.db"), "--query", "fix the import error", "--stage", "feedback",
            "--plan-step", "read the traceback", "--plan-step", "pip install the missing package", "--summary", "still failing", "--k", "1");
        Assert.True(code == 0, error);
        Assert.StartsWith("stage feedback: 1 results, 0 withheld", output, StringComparison.Ordinal);
        Assert.Contains("Python script fails with ModuleNotFoundError", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "kb", "search", "--db", "MISSING", "--query", "x" }, "error: --db: file not found")]
    [InlineData(new[] { "kb", "search", "--db", "DB", "--query", "x", "--k", "0" }, "error: --k: must be 1 to 100, got 0")]
    [InlineData(new[] { "kb", "search", "--db", "DB", "--query", "x", "--stage", "later" }, "error: --stage: must be plan, feedback or hybrid, got \"later\"")]
    [InlineData(new[] { "kb", "search", "--db", "DB", "--query", "x", "--summary", "s" }, "error: --summary: applies to --stage feedback only")]
    [InlineData(new[] { "kb", "search", "--db", "DB", "--query", "x", "--stage", "hybrid", "--mode", "sparse" }, "error: --mode: must be fusion, bm25 or dense, got \"sparse\"")]
    [InlineData(new[] { "kb", "ingest", "--db", "DB", "--input", "MISSING" }, "error: --input: file not found")]
    [InlineData(new[] { "kb", "ingest", "--db", "DB", "--input", "INPUT", "--batch-size", "0" }, "error: --batch-size: must be at least 1, got 0")]
    public void Run_BadOption_ExitsTwoNamingIt(string[] args, string expected)
    {
        File.WriteAllText(_dir.File("in.jsonl"), Experiences);
        File.WriteAllText(_dir.File("db"), string.Empty);
        string[] resolved = [.. args.Select(arg => arg switch
        {
            "DB" => _dir.File("db"),
            "INPUT" => _dir.File("in.jsonl"),
            "MISSING" => _dir.File("missing"),
            _ => arg,
        })];
        var (code, output, error) = PlanRunner.Run(resolved);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Ingest_BadLine_ExitsTwoNamingLineAndFieldAndStoresNothing()
    {
        string input = _dir.File("experiences.jsonl");
        File.WriteAllText(input, Experiences + "\n" + """{"task":"t","domain":"d","plan":["a"],"experience":"e","outcome":"maybe"}""" + "\n");
        var (code, output, error) = PlanRunner.Run("kb", "ingest", "--db", _dir.File("kb.db"), "--input", input, "--batch-size", "1");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal("error: experiences.jsonl line 4: outcome: 'maybe' is not one of 'success', 'failure'", error.TrimEnd());
        Assert.False(File.Exists(_dir.File("kb.db")));
    }
}
