using System.Text.Json;
using Planning.Soc;

namespace Planning.Cli.Tests;

public sealed class SocMapCommandTests
{
    [Theory]
    [InlineData("llama-3.2-3b")]
    [InlineData("llama-3.1-8b")]
    public void Map_Json_ContractFieldsForEveryKernel(string model)
    {
        var (code, output, error) = PlanRunner.Run("soc", "map", "--model", model, "--prompt-tokens", "1024", "--format", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("optimal", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("makespanMs").GetDouble() >= root.GetProperty("lowerBoundMs").GetDouble());
        Assert.True(root.GetProperty("solveMilliseconds").GetDouble() > 0);
        var expected = SocCostModel.For(SocSpec.Default, LlmSpec.Get(model)).Prefill(1024).Select(k => k.Name).ToArray();
        var assignments = root.GetProperty("assignments").EnumerateArray().ToArray();
        Assert.Equal(expected, assignments.Select(a => a.GetProperty("kernel").GetString()).ToArray());
        Assert.All(assignments, a => Assert.Contains(a.GetProperty("accelerator").GetString(), new[] { "cpu", "igpu", "npu" }));
        Assert.All(assignments.Where(a => a.GetProperty("kernel").GetString()!.StartsWith("attention", StringComparison.Ordinal)), a => Assert.Equal("igpu", a.GetProperty("accelerator").GetString()));
    }

    [Fact]
    public void Map_Table_ReportsStatusMakespanAndBound()
    {
        var (code, output, _) = PlanRunner.Run("soc", "map", "--model", "llama-3.2-3b", "--prompt-tokens", "300");

        Assert.Equal(0, code);
        Assert.Contains("status optimal", output, StringComparison.Ordinal);
        Assert.Contains("lower bound", output, StringComparison.Ordinal);
        Assert.Contains("attention[256:300]/layers[0:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--model", "gpt-9" }, "model: must be one of llama-3.2-3b, llama-3.1-8b")]
    [InlineData(new[] { "--prompt-tokens", "0" }, "--prompt-tokens: must be 1 to 8192, got 0")]
    [InlineData(new[] { "--prompt-tokens", "9000" }, "--prompt-tokens: must be 1 to 8192, got 9000")]
    [InlineData(new[] { "--soc", "h100" }, "soc.devices:")]
    [InlineData(new[] { "--soc", "/nonexistent/soc.json" }, "soc: file not found")]
    [InlineData(new[] { "--time-limit", "0" }, "--time-limit: must be a positive number of seconds")]
    [InlineData(new[] { "--chunk-tokens", "0" }, "--chunk-tokens: must be 1 to 8192, got 0")]
    [InlineData(new[] { "--deadline-ms", "-5" }, "--deadline-ms: must be a positive number of ms")]
    public void Map_BadInput_ExitsTwoNamingTheField(string[] options, string expected)
    {
        var (code, output, error) = PlanRunner.Run(["soc", "map", .. options]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }
}
