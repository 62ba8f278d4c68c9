using System.Runtime.CompilerServices;

namespace Planning.Cli.Tests.Adapters;

/// <summary>
/// <c>plan moe export</c> on the hand-checked small plan whose golden files live with the library's tests
/// (tests/Planning.Execution.Tests/Adapters/Golden, see its README.md for the arithmetic).
/// </summary>
public sealed class MoeExportCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string Golden(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "Planning.Execution.Tests", "Adapters", "Golden", file);

    [Theory]
    [InlineData("sglang", "small.sglang.json")]
    [InlineData("trtllm", "small.trtllm.yaml")]
    [InlineData("deepseek", "small.deepseek.json")]
    [InlineData("vllm-ascend", "small.vllm-ascend.json")]
    public void Export_SmallPlan_WritesTheGoldenFile(string format, string golden)
    {
        var path = _dir.File(golden);

        var (code, output, error) = PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--case", Golden("small-case.json"), "--format", format, "-o", path);

        Assert.True(code == 0, error);
        Assert.Equal(string.Empty, output);
        Assert.Equal(File.ReadAllText(Golden(golden)), File.ReadAllText(path));
    }

    [Fact]
    public void Export_Sglang_ReportsTheRedundantExpertsAndTheProjectionOnStderr()
    {
        var (code, output, error) = PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--case", Golden("small-case.json"), "--format", "sglang");

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(Golden("small.sglang.json")), output);
        Assert.Contains("4 ranks x 3 slots = 12 physical slots for 8 logical experts, 2 padded", error, StringComparison.Ordinal);
        Assert.Contains("--ep-num-redundant-experts 4", error, StringComparison.Ordinal);
        Assert.Contains("layer 0: plan imbalance 1.156250, projected (sglang static dispatch) 1.265625, cost +0.109375, padded slots 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_DeepSeek_ReportsTheEvenSplitProjection()
    {
        var (code, _, error) = PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--case", Golden("small-case.json"), "--format", "deepseek");

        Assert.True(code == 0, error);
        Assert.Contains("layer 0: plan imbalance 1.156250, projected (even split over replicas) 1.078125, cost -0.078125, padded slots 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_WithoutCase_WritesTheFileAndSaysThereIsNoProjection()
    {
        var (code, output, error) = PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--format", "sglang");

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(Golden("small.sglang.json")), output);
        Assert.Contains("export: no --case: no projection", error, StringComparison.Ordinal);
        Assert.DoesNotContain("layer 0:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_PlacementWithoutQuota_ExitsTwoNamingThePlanField()
    {
        var plan = _dir.File("plan.json");
        File.WriteAllText(plan, """{ "layers": [ { "rankLoads": [1], "placement": [ { "expert": 0, "rank": 0 } ] } ] }""");

        var (code, _, error) = PlanRunner.Run("moe", "export", "--plan", plan, "--format", "sglang");

        Assert.Equal(2, code);
        Assert.Contains("plan.layers[0].placement[0].quota: must be a non-negative integer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_WithoutCaseOrRankLoads_ExitsTwoNamingRankLoads()
    {
        var plan = _dir.File("plan.json");
        File.WriteAllText(plan, """{ "layers": [ { "placement": [ { "expert": 0, "rank": 0, "quota": 1 } ] } ] }""");

        var (code, _, error) = PlanRunner.Run("moe", "export", "--plan", plan, "--format", "sglang");

        Assert.Equal(2, code);
        Assert.Contains("plan.layers[0].rankLoads: is required without --case", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--format", "megatron" }, "--format: must be one of sglang, trtllm, deepseek, vllm-ascend")]
    [InlineData(new[] { "--format", "sglang", "--slots-per-rank", "2" }, "plan.layers[0].placement: puts 3 instances on rank 1, more than its 2 slots")]
    [InlineData(new[] { "--format", "sglang", "--slots-per-rank", "0" }, "--slots-per-rank: must be at least 1")]
    public void Export_BadInput_ExitsTwoNamingTheFieldAndWritesNothing(string[] extra, string expected)
    {
        var path = _dir.File("out.json");

        var (code, output, error) = PlanRunner.Run([.. new[] { "moe", "export", "--plan", Golden("small-plan.json"), "--case", Golden("small-case.json"), "-o", path }, .. extra]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Export_PlanOfAnotherCase_ExitsTwoNamingThePlacement()
    {
        var other = _dir.File("other-case.json");
        File.WriteAllText(other, File.ReadAllText(Golden("small-case.json")).Replace("[15,22,", "[16,22,", StringComparison.Ordinal));

        var (code, _, error) = PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--case", other, "--format", "trtllm");

        Assert.Equal(2, code);
        Assert.Contains("plan.layers[0].placement: quotas of expert 0 add up to 52, the case routes 53 tokens", error, StringComparison.Ordinal);
    }
}
