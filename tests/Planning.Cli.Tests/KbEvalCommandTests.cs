using System.Text.Json;
using Planning.Embeddings;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;

namespace Planning.Cli.Tests;

public sealed class KbEvalCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Eval_SmallGeneratedSet_ReportsWhatTheLibraryRanks()
    {
        // A small labelled set in a MiniLM base; the oracle ranks the same queries through the library directly.
        EvaluationSet set = SyntheticExperienceSet.Generate(7, 8, 6);
        string database = _dir.File("kb.db");
        string queries = _dir.File("queries.jsonl");
        using (var writer = new StreamWriter(queries))
        {
            LabelledQueryJson.Write(writer, set.Queries);
        }

        var expected = new Dictionary<string, (double Recall, double Mrr)>();
        using (var embedder = new MiniLmEmbedder())
        {
            using var kb = KnowledgeBase.Open(database, embedder);
            kb.Ingest(set.Experiences);
            foreach (RetrievalMode mode in new[] { RetrievalMode.Bm25, RetrievalMode.Dense, RetrievalMode.Fusion })
            {
                RetrievalEvaluation five = RetrievalEvaluation.Evaluate(kb, mode, set.Queries, [5])[0];
                expected[five.Retriever] = (five.RecallAtK, five.MrrAtK);
            }
        }

        var (code, output, error) = PlanRunner.Run("kb", "eval", "--db", database, "--queries", queries, "--k", "5,1", "--warmup", "0", "--format", "json");

        Assert.True(code == 0, error);
        using JsonDocument report = JsonDocument.Parse(output);
        JsonElement root = report.RootElement;
        Assert.Equal(set.Experiences.Count, root.GetProperty("experiences").GetInt32());
        Assert.Equal("exact", root.GetProperty("denseIndex").GetString());
        Assert.Equal(8, root.GetProperty("queryCount").GetInt32());
        JsonElement[] quality = [.. root.GetProperty("quality").EnumerateArray()];
        foreach ((string retriever, (double recall, double mrr)) in expected)
        {
            JsonElement row = quality.Single(r => r.GetProperty("retriever").GetString() == retriever && r.GetProperty("variation").GetString() == "all" && r.GetProperty("k").GetInt32() == 5);
            Assert.Equal(Math.Round(recall, 4), row.GetProperty("recall").GetDouble(), 10);
            Assert.Equal(Math.Round(mrr, 4), row.GetProperty("mrr").GetDouble(), 10);
        }

        string[] searches = [.. root.GetProperty("latency").EnumerateArray().Select(l => l.GetProperty("search").GetString()!)];
        Assert.Equal(["bm25", "dense", "fusion-weighted", "plan-stage", "feedback-stage", "fusion-rrf"], searches);
        Assert.All(root.GetProperty("latency").EnumerateArray(), l => Assert.Equal(8, l.GetProperty("searches").GetInt32()));
        Assert.False(root.TryGetProperty("ivfRecallAt10", out _));

        // The table names each variation's row in brackets, which Spectre's markup must not read as a tag.
        var (tableCode, table, tableError) = PlanRunner.Run("kb", "eval", "--db", database, "--queries", queries, "--k", "5", "--warmup", "0");
        Assert.True(tableCode == 0, tableError);
        string variation = quality.First(r => r.GetProperty("variation").GetString() != "all").GetProperty("variation").GetString()!;
        Assert.Contains($"[{variation}]", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--k", "0", "error: --k: ")]
    [InlineData("--k", "5,x", "error: --k: ")]
    [InlineData("--warmup", "-1", "error: --warmup: ")]
    [InlineData("--limit", "0", "error: --limit: ")]
    [InlineData("--exact-dense-limit", "-5", "error: --exact-dense-limit: ")]
    [InlineData("--bm25-weight", "1.5", "error: --bm25-weight: ")]
    public void Eval_BadOption_ExitsTwoNamingIt(string option, string value, string message)
    {
        string database = _dir.File("kb.db");
        File.WriteAllText(database, "");
        string queries = _dir.File("queries.jsonl");
        File.WriteAllText(queries, "{\"id\":\"q\",\"query\":\"find a flight\",\"relevant\":[1]}\n");

        var (code, output, error) = PlanRunner.Run("kb", "eval", "--db", database, "--queries", queries, option, value);

        Assert.Equal(2, code);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void Eval_MissingDatabase_ExitsTwoAndCreatesNothing()
    {
        string database = _dir.File("absent.db");
        string queries = _dir.File("queries.jsonl");
        File.WriteAllText(queries, "{\"id\":\"q\",\"query\":\"x\",\"relevant\":[1]}\n");

        var (code, _, error) = PlanRunner.Run("kb", "eval", "--db", database, "--queries", queries);

        Assert.Equal(2, code);
        Assert.StartsWith("error: --db: file not found", error, StringComparison.Ordinal);
        Assert.False(File.Exists(database));
    }

    [Fact]
    public void Eval_BadQueriesFile_ExitsTwoNamingTheLine()
    {
        string database = _dir.File("kb.db");
        File.WriteAllText(database, "");
        string queries = _dir.File("queries.jsonl");
        File.WriteAllText(queries, "{\"id\":\"q\",\"query\":\"x\",\"relevant\":[1]}\n{\"id\":\"r\",\"query\":\"y\",\"relevant\":[-2]}\n");

        var (code, _, error) = PlanRunner.Run("kb", "eval", "--db", database, "--queries", queries);

        Assert.Equal(2, code);
        Assert.StartsWith("error: queries.jsonl line 2: relevant[0]: ", error, StringComparison.Ordinal);
    }
}
