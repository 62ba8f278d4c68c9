using System.Text.Json;

namespace Planning.Cli.Tests.Adapters;

public sealed class MoeImportCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Golden(string file) => MoeExportCommandTests.Golden(file);

    [Theory]
    [InlineData("sglang", "small.sglang.json", new long[] { 81, 55, 58, 62 })]
    [InlineData("deepseek", "small.deepseek.json", new long[] { 69, 60, 64, 63 })]
    public void Import_GoldenFile_WritesAPlanWithTheFormatsDispatchQuotas(string format, string golden, long[] rankLoads)
    {
        var (code, output, error) = PlanRunner.Run("moe", "import", "--format", format, "--input", Golden(golden), "--case", Golden("small-case.json"));

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var layer = Assert.Single(json.RootElement.GetProperty("layers").EnumerateArray());
        Assert.Equal("import:" + format, json.RootElement.GetProperty("policy").GetString());
        Assert.Equal(rankLoads, layer.GetProperty("rankLoads").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0, 1, 5, 1, 2, 3, 1, 4, 5, 0, 6, 7], layer.GetProperty("placement").EnumerateArray().Select(p => p.GetProperty("expert").GetInt32()));
        Assert.Equal(4, layer.GetProperty("replicas").GetInt32());
    }

    [Fact]
    public void ExportThenImport_SmallPlan_FeedsBalancePrevious()
    {
        var file = _dir.File("placement.json");
        var plan = _dir.File("imported.json");
        Assert.Equal(0, PlanRunner.Run("moe", "export", "--plan", Golden("small-plan.json"), "--case", Golden("small-case.json"), "--format", "sglang", "-o", file).ExitCode);

        var (code, _, error) = PlanRunner.Run("moe", "import", "--format", "sglang", "--input", file, "--case", Golden("small-case.json"), "-o", plan);
        Assert.True(code == 0, error);
        var (balanceCode, balanced, balanceError) = PlanRunner.Run("moe", "balance", "--input", Golden("small-case.json"), "--policy", "ultraep", "--previous", plan, "--format", "json", "--repeats", "1");

        Assert.True(balanceCode == 0, balanceError);
        using var json = JsonDocument.Parse(balanced);
        Assert.True(json.RootElement.GetProperty("layers")[0].TryGetProperty("reuse", out _));
    }

    [Theory]
    [InlineData("trtllm", "{}", "--format: must be one of sglang, deepseek")]
    [InlineData("sglang", "{\"physical_to_logical_map\": [[0,1,2,3,4,5,6,0,0,1,2,3]]}", "physical_to_logical_map[0]: gives logical expert 7 no physical slot")]
    [InlineData("sglang", "{\"physical_to_logical_map\": [[0,1,2,3,4,5,6,7,0,1]]}", "physical_to_logical_map[0]: has 10 physical slots, which is not a positive multiple of the 4 ranks")]
    [InlineData("sglang", "{\"physical_to_logical_map\": [[0,1,2,3,4,5,6,7], [0,1,2,3,4,5,6,7]]}", "physical_to_logical_map: has 2 layers, the case has 1")]
    [InlineData("deepseek", "{\"phy2log\": [[0,1,2,3,4,5,6,7]], \"logcnt\": [[1,1,1,1,1,1,1,2]]}", "logcnt[0][7]: is 2, phy2log gives expert 7 1 slots")]
    public void Import_BadFile_ExitsTwoNamingTheField(string format, string text, string expected)
    {
        var input = _dir.File("in.json");
        var plan = _dir.File("plan.json");
        File.WriteAllText(input, text);

        var (code, output, error) = PlanRunner.Run("moe", "import", "--format", format, "--input", input, "--case", Golden("small-case.json"), "-o", plan);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(plan));
    }
}
