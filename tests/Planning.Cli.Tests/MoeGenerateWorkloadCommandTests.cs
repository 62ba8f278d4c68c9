using Planning.Moe;
using Planning.Moe.Json;
using Planning.Moe.Workloads;

namespace Planning.Cli.Tests;

/// <summary><c>plan moe generate --family ... --microbatches ...</c>.</summary>
public sealed class MoeGenerateWorkloadCommandTests : IDisposable
{
    private static readonly string[] Small = ["moe", "generate", "--ranks", "16", "--experts-per-rank", "4", "--ranks-per-node", "8", "--tokens-per-rank", "512", "--seed", "5"];

    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("zipf")]
    [InlineData("hot-set")]
    [InlineData("hot-rank")]
    [InlineData("rotating")]
    [InlineData("burst")]
    [InlineData("zero-load-rank")]
    public void Generate_FamilyAndMicrobatches_WritesReadableJsonLines(string family)
    {
        var path = _dir.File("workload.jsonl");

        var (code, output, error) = PlanRunner.Run([.. Small, "--layers", "2", "--family", family, "--microbatches", "5", "--hot-experts", "3", "--rotate-every", "2", "--drift", "0.1", "--output", path]);

        Assert.True(code == 0, error);
        Assert.Equal(string.Empty, output);
        var cases = MoeWorkloadJson.ReadLines(File.ReadAllText(path));
        Assert.Equal(5, cases.Length);
        Assert.All(cases, c => Assert.Equal((16, 64, 2), (c.Ranks, c.Experts, c.Layers.Length)));
        Assert.All(cases, c => Assert.All(c.Layers, layer => Assert.Equal(16L * 512 * 8, layer.ExpertLoads.Sum())));
        Assert.Contains($"wrote {path}: {family}, 5 microbatches of 16 ranks, 64 experts, 2 layer(s), initial imbalance min ", error, StringComparison.Ordinal);
        Assert.Equal(
            MoeWorkloadJson.SerializeLines(MoeWorkloadGenerator.Generate(new MoeWorkloadSettings
            {
                Family = MoeWorkloadFamilies.Parse(family),
                Ranks = 16,
                RanksPerDomain = 16,
                TokensPerRank = 512,
                Layers = 2,
                Microbatches = 5,
                HotExperts = 3,
                RotateEvery = 2,
                Drift = 0.1,
                Seed = 5,
            }).Microbatches),
            File.ReadAllText(path));
    }

    [Fact]
    public void Generate_NoFamily_WritesExactlyTheOneCaseGeneratorsCase()
    {
        var implicitPath = _dir.File("implicit.json");
        var explicitPath = _dir.File("explicit.json");

        var first = PlanRunner.Run([.. Small, "--layers", "2", "--imbalance", "1.8", "--output", implicitPath]);
        var second = PlanRunner.Run([.. Small, "--layers", "2", "--imbalance", "1.8", "--family", "zipf", "--microbatches", "1", "--output", explicitPath]);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        var expected = MoeCaseJson.Serialize(MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 16, RanksPerDomain = 16, TokensPerRank = 512, Layers = 2, TargetImbalance = 1.8, Seed = 5 }));
        Assert.Equal(expected, File.ReadAllText(implicitPath));
        Assert.Equal(File.ReadAllBytes(implicitPath), File.ReadAllBytes(explicitPath));
        Assert.StartsWith($"wrote {implicitPath}: 16 ranks, 64 experts, 2 layer(s), initial imbalance ", first.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_OneMicrobatchOfAnotherFamily_WritesAPlainCaseAndNamesTheFamily()
    {
        var path = _dir.File("case.json");

        var (code, _, error) = PlanRunner.Run([.. Small, "--family", "hot-rank", "--output", path]);

        Assert.True(code == 0, error);
        var moeCase = MoeCaseJson.Parse(File.ReadAllText(path));
        Assert.Equal(16, moeCase.Ranks);
        Assert.StartsWith($"wrote {path}: hot-rank, 16 ranks", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_MicrobatchesToStdout_WritesOneCaseALine()
    {
        var (code, output, error) = PlanRunner.Run([.. Small, "--family", "rotating", "--microbatches", "3"]);

        Assert.True(code == 0, error);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(3, MoeWorkloadJson.ReadLines(output).Length);
    }

    [Fact]
    public void Generate_SameSeed_SameJsonLinesBytes()
    {
        string[] args = [.. Small, "--family", "burst", "--microbatches", "4"];

        var first = PlanRunner.Run([.. args, "--output", _dir.File("a.jsonl")]);
        var second = PlanRunner.Run([.. args, "--output", _dir.File("b.jsonl")]);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(File.ReadAllBytes(_dir.File("a.jsonl")), File.ReadAllBytes(_dir.File("b.jsonl")));
    }

    [Fact]
    public void Generate_UnknownFamily_ExitsTwoWithOneLineNamingTheOption()
    {
        var path = _dir.File("never.json");

        var (code, output, error) = PlanRunner.Run([.. Small, "--family", "magic", "--output", path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: --family: must be one of zipf, hot-set, hot-rank, rotating, burst, zero-load-rank, got \"magic\"", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData("--microbatches", "0", "microbatches: must be a positive integer, got 0")]
    [InlineData("--hot-experts", "0", "hot-experts: must be at least 1")]
    [InlineData("--rotate-every", "0", "rotate-every: must be a positive integer, got 0")]
    [InlineData("--drift", "-1", "drift: must be a non-negative number, got -1")]
    [InlineData("--burst-probability", "2", "burst-probability: must be a number from 0 to 1, got 2")]
    public void Generate_BadWorkloadSetting_ExitsTwoNamingTheField(string option, string value, string expected)
    {
        var path = _dir.File("never.jsonl");

        var (code, output, error) = PlanRunner.Run([.. Small, "--family", "rotating", option, value, "--output", path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
