using Planning.Moe.Json;

namespace Planning.Cli.Tests;

public sealed class MoeGenerateCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Generate_SameSeed_SameBytes()
    {
        string[] args = ["moe", "generate", "--ranks", "16", "--experts-per-rank", "4", "--ranks-per-node", "8", "--layers", "2", "--tokens-per-rank", "1024", "--imbalance", "1.8", "--seed", "42"];

        var first = PlanRunner.Run([.. args, "--output", _dir.File("a.json")]);
        var second = PlanRunner.Run([.. args, "--output", _dir.File("b.json")]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(File.ReadAllBytes(_dir.File("a.json")), File.ReadAllBytes(_dir.File("b.json")));
    }

    [Fact]
    public void Generate_WritesAValidCaseWithTheRequestedShape()
    {
        var path = _dir.File("case.json");

        var (code, _, error) = PlanRunner.Run("moe", "generate", "--ranks", "16", "--experts-per-rank", "2", "--redundant-slots", "1", "--ranks-per-node", "4", "--ranks-per-domain", "8", "--expert-groups", "8", "--layers", "3", "--tokens-per-rank", "512", "--top-k", "4", "--imbalance", "2.5", "--seed", "3", "--output", path);

        Assert.True(code == 0, error);
        var moeCase = MoeCaseJson.Parse(File.ReadAllText(path));
        Assert.Equal((16, 2, 1, 4, 8, 8, 3), (moeCase.Ranks, moeCase.ExpertsPerRank, moeCase.RedundantSlotsPerRank, moeCase.RanksPerNode, moeCase.RanksPerDomain, moeCase.ExpertGroups!.Value, moeCase.Layers.Length));
        Assert.All(moeCase.Layers, layer => Assert.Equal(16L * 512 * 4, layer.ExpertLoads.Sum()));
        Assert.Contains("initial imbalance", error, StringComparison.Ordinal);
    }
}
