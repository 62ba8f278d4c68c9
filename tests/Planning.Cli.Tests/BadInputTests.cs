namespace Planning.Cli.Tests;

/// <summary>Bad input: exit code 2, one line on stderr naming the field, no stack trace, nothing on stdout.</summary>
public sealed class BadInputTests : IDisposable
{
    private const string Valid = """{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, 2], [3, 4] ] ] }""";

    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("{ \"ranks\": 2, ", "malformed JSON")]
    [InlineData("[1, 2]", "input: must be a JSON object")]
    [InlineData("""{ "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [] }""", "ranks: is required")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": -1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [] }""", "expertsPerRank: must be a non-negative integer, got -1")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 0, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [], [] ] ] }""", "expertsPerRank: must be a positive integer, got 0")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, 2] ] ] }""", "tokensPerRankLayer[0]: must have one row per rank (2), got 1")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, 2], [3] ] ] }""", "tokensPerRankLayer[0][1]: must have one count per expert (ranks x expertsPerRank = 2), got 1")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, 2], [3, 4.5] ] ] }""", "tokensPerRankLayer[0][1][1]: must be a non-negative integer, got 4.5")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, -2], [3, 4] ] ] }""", "tokensPerRankLayer[0][0][1]: must be a non-negative integer, got -2")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [ [ [1, "x"], [3, 4] ] ] }""", "tokensPerRankLayer[0][0][1]: must be a non-negative integer, got the string \"x\"")]
    [InlineData("""{ "ranks": 3, "ranksPerDomain": 3, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "tokensPerRankLayer": [] }""", "ranksPerNode: must divide ranks (3), got 2")]
    [InlineData("""{ "ranks": 2, "ranksPerDomain": 2, "ranksPerNode": 2, "expertsPerRank": 1, "redundantSlotsPerRank": 1, "expertGroups": 3, "tokensPerRankLayer": [ [ [1, 2], [3, 4] ] ] }""", "expertGroups: must be positive and divide the number of experts (2), got 3")]
    public void Balance_BadCase_ExitsTwoWithOneLineNamingTheField(string json, string expected)
    {
        var path = _dir.File("bad.json");
        File.WriteAllText(path, json);

        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", path, "--format", "json");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_UnknownPolicy_ExitsTwo()
    {
        var path = _dir.File("case.json");
        File.WriteAllText(path, Valid);

        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", path, "--policy", "magic");

        Assert.Equal(2, code);
        Assert.Contains("policy: must be one of none, eplb, exact, ultraep, ultraep-exact, got \"magic\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_MissingFile_ExitsTwoNamingTheOption()
    {
        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", _dir.File("absent.json"));

        Assert.Equal(2, code);
        Assert.StartsWith("error: --input: file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_NonNumericOption_ExitsTwo()
    {
        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", "x.json", "--time-limit", "soon");

        Assert.Equal(2, code);
        Assert.Contains("soon", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_NonPositiveTimeLimit_ExitsTwo()
    {
        var path = _dir.File("case.json");
        File.WriteAllText(path, Valid);

        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", path, "--policy", "exact", "--time-limit", "0");

        Assert.Equal(2, code);
        Assert.Contains("timeLimit: must be positive", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_NegativeMinQuota_ExitsTwo()
    {
        var path = _dir.File("case.json");
        File.WriteAllText(path, Valid);

        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", path, "--policy", "ultraep", "--min-quota", "-5");

        Assert.Equal(2, code);
        Assert.Contains("minReplicaQuota: must be non-negative, got -5", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_UnreachableImbalance_ExitsTwoAndWritesNothing()
    {
        var path = _dir.File("out.json");

        var (code, _, error) = PlanRunner.Run("moe", "generate", "--imbalance", "0.5", "--output", path);

        Assert.Equal(2, code);
        Assert.Contains("imbalance: must be a number of at least 1, got 0.5", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
