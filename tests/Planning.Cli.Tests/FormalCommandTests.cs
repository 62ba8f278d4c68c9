using System.Text.Json;

namespace Planning.Cli.Tests;

public sealed class FormalCommandTests
{
    private const string SumAndDifference = "theorem a (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by";

    [Fact]
    public void Equiv_RenamedAndReordered_IsEquivalentInTheContractShape()
    {
        var (code, output, error) = PlanRunner.Run(
            "formal", "equiv", "--a", SumAndDifference, "--b", "theorem b (u v : ℝ) (h : u - v = 2) (h' : u + v = 10) : u = 6", "--format", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("equivalent", json.RootElement.GetProperty("verdict").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("reason").GetString()));
        Assert.True(json.RootElement.GetProperty("milliseconds").GetDouble() >= 0);
    }

    [Fact]
    public void Equiv_TwoTrueTheoremsOfDifferentProblems_AreNotEquivalentWithACounterexample()
    {
        var (code, output, error) = PlanRunner.Run(
            "formal", "equiv", "--a", "theorem a (x : ℝ) (h : x = 2) : x ^ 2 = 4", "--b", "theorem b (x : ℝ) (h : x = 3) : x ^ 2 = 9", "--format", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("not-equivalent", json.RootElement.GetProperty("verdict").GetString());
        string x = json.RootElement.GetProperty("counterexample").GetProperty("x").GetString()!;
        Assert.Contains(x, new[] { "2", "3" });
    }

    [Fact]
    public void Equiv_UnsupportedConstruct_IsUnknownNotAnError()
    {
        var (code, output, error) = PlanRunner.Run(
            "formal", "equiv", "--a", "theorem a (n : ℕ) (h : (Nat.digits 10 n).sum = 2) : (Nat.digits 10 n).sum = 2", "--b", SumAndDifference, "--format", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("unknown", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("unsupported: Nat.digits", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Equiv_MalformedStatement_ExitsTwoNamingTheOptionAndPosition()
    {
        var (code, output, error) = PlanRunner.Run("formal", "equiv", "--a", SumAndDifference, "--b", "theorem b (x : ℝ) (h : x = ) : x = 1");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--b: line 1, column 28: expected a term but found ')'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equiv_ProcessBackendWithoutZ3_ExitsOneWithOneLineNamingTheExecutable()
    {
        var (code, output, error) = PlanRunner.Run(
            "formal", "equiv", "--a", SumAndDifference, "--b", SumAndDifference, "--backend", "process", "--z3", "/nonexistent/bin/z3");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: the Z3 executable '/nonexistent/bin/z3' could not be started", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void MiniF2F_ProcessBackendWithoutZ3InAWorker_ExitsOneWithOneLineNotAStackTrace()
    {
        var (code, output, error) = PlanRunner.Run(
            "formal", "minif2f", "--data", PlanRunner.RepositoryData("minif2f", "minif2f.jsonl"), "--limit", "2", "--workers", "2",
            "--backend", "process", "--z3", "/nonexistent/bin/z3", "--format", "json");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: the Z3 executable '/nonexistent/bin/z3' could not be started", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equiv_EmptyZ3Executable_ExitsTwoNamingTheOption()
    {
        var (code, _, error) = PlanRunner.Run("formal", "equiv", "--a", SumAndDifference, "--b", SumAndDifference, "--backend", "process", "--z3", " ");

        Assert.Equal(2, code);
        Assert.Contains("--z3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equiv_NonPositiveTimeLimit_ExitsTwo()
    {
        var (code, _, error) = PlanRunner.Run("formal", "equiv", "--a", SumAndDifference, "--b", SumAndDifference, "--time-limit", "0");

        Assert.Equal(2, code);
        Assert.Contains("--time-limit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_Candidates_ClustersProvenEquivalentOnesAndSelectsFromTheBigCluster()
    {
        using var dir = new PlanRunner.TempDir();
        var input = dir.File("candidates.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new
        {
            informal = "Real numbers x and y satisfy x + y = 10 and x - y = 2. Show that x = 6.",
            candidates = new[]
            {
                SumAndDifference,
                "theorem b (x y : ℕ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
                "theorem c (p q : ℝ) (h₁ : p - q = 2) (h₀ : p + q = 10) : p = 6 := by",
                "theorem d (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = ) : x = 6 := by",
            },
        }));

        var (code, output, error) = PlanRunner.Run("formal", "select", "--input", input, "--format", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        int[][] clusters = [.. root.GetProperty("clusters").EnumerateArray().Select(static c => c.EnumerateArray().Select(static i => i.GetInt32()).ToArray())];
        Assert.Equal([[0, 2], [1], [3]], clusters);
        Assert.Contains(root.GetProperty("selected").GetInt32(), new[] { 0, 2 });
        var scores = root.GetProperty("scores").EnumerateArray().ToArray();
        Assert.Equal(4, scores.Length);
        Assert.Equal(0.5, scores[0].GetProperty("symbolic").GetDouble(), 6);
        Assert.Equal(0.25, scores[1].GetProperty("symbolic").GetDouble(), 6);
        Assert.InRange(scores[0].GetProperty("semantic").GetDouble(), -1, 1);
        Assert.Equal(JsonValueKind.Null, scores[3].GetProperty("combined").ValueKind);
        Assert.Contains("expected a term", scores[3].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"candidates\": [\"theorem t : 1 = 1\"]}", "informal: expected a non-empty string")]
    [InlineData("{\"informal\": \"x\", \"candidates\": []}", "candidates: expected a non-empty array")]
    [InlineData("{\"informal\": \"x\", \"candidates\": [\"theorem t : 1 = 1\", 7]}", "candidates[1]: expected a string, got number")]
    [InlineData("{\"informal\": ", "--input: malformed JSON")]
    public void Select_BadInput_ExitsTwoNamingTheField(string json, string message)
    {
        using var dir = new PlanRunner.TempDir();
        var input = dir.File("candidates.json");
        File.WriteAllText(input, json);

        var (code, output, error) = PlanRunner.Run("formal", "select", "--input", input);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_AlphaOutsideTheUnitInterval_ExitsTwo()
    {
        using var dir = new PlanRunner.TempDir();
        var input = dir.File("candidates.json");
        File.WriteAllText(input, "{\"informal\": \"x\", \"candidates\": [\"theorem t : 1 = 1\"]}");

        var (code, _, error) = PlanRunner.Run("formal", "select", "--input", input, "--alpha", "1.5");

        Assert.Equal(2, code);
        Assert.Contains("--alpha", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MiniF2F_SmallFile_ReportsRatesFamiliesAndTheMutationBenchmark()
    {
        using var dir = new PlanRunner.TempDir();
        var data = dir.File("minif2f.jsonl");
        File.WriteAllLines(data,
        [
            Line("mathd_algebra_24", "theorem mathd_algebra_24 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by"),
            Line("amc12a_2015_p10", "theorem amc12a_2015_p10 (x y : ℤ) (h₀ : 0 < y) (h₁ : y < x) (h₂ : x + y + x * y = 80) : x = 26 := by"),
            Line("mathd_algebra_x", "theorem mathd_algebra_x (n : ℕ) (h : n < 3) : Complex.I ^ (4 * n) = 1 := by"), // parses, does not translate
            Line("imo_bad", "theorem imo_bad (x : ℝ) (h : x = ) : x = 1 := by"),
        ]);

        var (code, output, error) = PlanRunner.Run("formal", "minif2f", "--data", data, "--format", "json", "--time-limit", "2");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("total").GetInt32());
        Assert.Equal(3, root.GetProperty("parsed").GetInt32());
        Assert.Equal(2, root.GetProperty("translated").GetInt32());
        var benchmark = root.GetProperty("mutationBenchmark");
        Assert.Equal(2, benchmark.GetProperty("statements").GetInt32());
        Assert.Equal(2, benchmark.GetProperty("selfProven").GetInt32());
        Assert.Equal(0, benchmark.GetProperty("falseEquivalents").GetInt32());
        Assert.Contains(root.GetProperty("families").EnumerateArray(), static f => f.GetProperty("family").GetString() == "mathd_algebra");
    }

    [Fact]
    public void MiniF2F_NoDataOption_ReadsTheEmbeddedCopyOfTheRepositoryFile()
    {
        var (code, output, error) = PlanRunner.Run("formal", "minif2f", "--limit", "1", "--format", "json", "--workers", "1");
        var (fileCode, fromFile, fileError) = PlanRunner.Run(
            "formal", "minif2f", "--data", PlanRunner.RepositoryData("minif2f", "minif2f.jsonl"), "--limit", "1", "--format", "json", "--workers", "1");

        Assert.True(code == 0, error);
        Assert.True(fileCode == 0, fileError);
        using var embedded = JsonDocument.Parse(output);
        using var file = JsonDocument.Parse(fromFile);
        Assert.Equal(488, embedded.RootElement.GetProperty("total").GetInt32());
        foreach (var field in new[] { "total", "parsed", "translated", "families", "unsupported" })
        {
            Assert.Equal(file.RootElement.GetProperty(field).GetRawText(), embedded.RootElement.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public void MiniF2F_MissingDataFile_ExitsTwoNamingTheOption()
    {
        var (code, output, error) = PlanRunner.Run("formal", "minif2f", "--data", "/nonexistent/minif2f.jsonl");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--data: file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Peers_TwoSmallFiles_CountsVerdictsAndListsEveryDifferingPair()
    {
        using var dir = new PlanRunner.TempDir();
        var ours = dir.File("ours.jsonl");
        var theirs = dir.File("theirs.jsonl");
        File.WriteAllLines(ours,
        [
            Line("p1", "theorem p1 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by"),
            Line("p2", "theorem p2 (b : ℕ) (h₀ : b * b = 49) : b = 7 := by"),
        ]);
        File.WriteAllLines(theirs,
        [
            Line("p1", "theorem p1 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by"),
            Line("p2", "theorem p2 (b : ℤ) (h₀ : 0 ≤ b) (h₁ : b * b = 49) : b = 7 := by"),
        ]);

        var (code, output, error) = PlanRunner.Run("formal", "peers", "--data", ours, "--peer", theirs, "--format", "json", "--workers", "1");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("problems").GetInt32());
        Assert.Equal(1, root.GetProperty("identicalText").GetInt32());
        Assert.Equal(1, root.GetProperty("differing").GetInt32());
        Assert.Equal(1, root.GetProperty("verdicts").GetProperty("equivalent").GetInt32());
        var pair = Assert.Single(root.GetProperty("pairs").EnumerateArray());
        Assert.Equal("p2", pair.GetProperty("name").GetString());
        Assert.Equal("equivalent", pair.GetProperty("verdict").GetString());
        Assert.False(pair.GetProperty("sameParse").GetBoolean()); // ℕ against ℤ with 0 ≤ b: a review candidate
    }

    [Fact]
    public void Peers_MissingPeerFile_ExitsTwoNamingTheOption()
    {
        var (code, _, error) = PlanRunner.Run("formal", "peers", "--peer", "/nonexistent/peer.jsonl");

        Assert.Equal(2, code);
        Assert.Contains("--peer", error, StringComparison.Ordinal);
    }

    private static string Line(string name, string statement) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["split"] = "test", ["informal_prefix"] = "", ["formal_statement"] = statement });
}
