using System.Globalization;
using System.Text.Json;
using Planning.Execution.Soc;
using Planning.Soc;

namespace Planning.Cli.Tests;

public sealed class SocSimulateCommandTests : IDisposable
{
    private static readonly SocRequest[] Workload =
    [
        new("r1", 0, SocRequestKind.Reactive, 600, 12),
        new("p1", 100, SocRequestKind.Proactive, 1500, 6),
        new("p2", 900, SocRequestKind.Proactive, 300, 20),
        new("r2", 2500, SocRequestKind.Reactive, 90, 30),
    ];

    private readonly PlanRunner.TempDir _dir = new();

    public SocSimulateCommandTests()
    {
        File.WriteAllText(_dir.File("requests.jsonl"), SocWorkloadJson.Serialize(Workload));
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("agentxpu", "llama-3.2-3b")]
    [InlineData("openvino", "llama-3.1-8b")]
    [InlineData("llamacpp", "llama-3.2-3b")]
    [InlineData("serial", "llama-3.1-8b")]
    public void Simulate_Json_IsTheSimulatorsResult(string policy, string model)
    {
        var (code, output, error) = PlanRunner.Run("soc", "simulate", "--workload", _dir.File("requests.jsonl"), "--policy", policy, "--model", model, "--format", "json");

        Assert.True(code == 0, error);
        var expected = new SocSimulator(SocSpec.Default, LlmSpec.Get(model)).Simulate(Workload, SocSchedulerOptions.For(policy));
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(policy, root.GetProperty("policy").GetString());
        Assert.Equal(model, root.GetProperty("model").GetString());
        Assert.Equal(2, root.GetProperty("reactive").GetProperty("count").GetInt32());
        Assert.Equal(2, root.GetProperty("proactive").GetProperty("count").GetInt32());
        Assert.Equal(Math.Round(expected.Reactive.P50LatencyMs, 3), root.GetProperty("reactive").GetProperty("p50LatencyMs").GetDouble());
        Assert.Equal(Math.Round(expected.Reactive.P95LatencyMs, 3), root.GetProperty("reactive").GetProperty("p95LatencyMs").GetDouble());
        Assert.Equal(Math.Round(expected.Proactive.TokensPerSecond, 3), root.GetProperty("proactive").GetProperty("tokensPerSecond").GetDouble());
        Assert.Equal(26, root.GetProperty("proactive").GetProperty("outputTokens").GetInt64());
        Assert.Contains("simulate: " + policy, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_Table_PrintsTheFigures()
    {
        var (code, output, error) = PlanRunner.Run("soc", "simulate", "--workload", _dir.File("requests.jsonl"));

        Assert.True(code == 0, error);
        var expected = new SocSimulator(SocSpec.Default, LlmSpec.Llama32_3B).Simulate(Workload, SocSchedulerOptions.For(SocPolicy.AgentXpu));
        Assert.StartsWith("agentxpu (", output, StringComparison.Ordinal);
        Assert.Contains(expected.Reactive.P50LatencyMs.ToString("0", CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        Assert.Contains("npu ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_Plot_WritesAPng()
    {
        var path = _dir.File("soc.png");

        var (code, _, error) = PlanRunner.Run("soc", "simulate", "--workload", _dir.File("requests.jsonl"), "--plot", path);

        Assert.True(code == 0, error);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public void Simulate_BadLine_ExitsTwoNamingLineFieldAndValue()
    {
        var path = _dir.File("bad.jsonl");
        File.WriteAllText(path, SocWorkloadJson.SerializeLine(Workload[0]) + "\n{\"id\":\"x\",\"arrivalMs\":5,\"kind\":\"reactive\",\"promptTokens\":0,\"outputTokens\":3}\n");

        var (code, output, error) = PlanRunner.Run("soc", "simulate", "--workload", path, "--format", "json");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal("error: requests[1].promptTokens: must be an integer from 1 to 131072 (line 2), got 0", error.TrimEnd());
    }

    [Theory]
    [InlineData("--policy", "vllm", "error: --policy: must be one of agentxpu, llamacpp, openvino, serial, got \"vllm\"")]
    [InlineData("--model", "gpt-9", "error: --model: ")]
    [InlineData("--soc", "absent.json", "error: --soc: ")]
    [InlineData("--max-sequences", "0", "error: --max-sequences: must be at least 1, got 0")]
    [InlineData("--plot", "soc.svg", "error: --plot: must name a .png file")]
    public void Simulate_BadOption_ExitsTwoNamingIt(string option, string value, string message)
    {
        var (code, output, error) = PlanRunner.Run("soc", "simulate", "--workload", _dir.File("requests.jsonl"), option, value);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_MissingWorkload_ExitsTwoNamingTheOption()
    {
        var (code, _, error) = PlanRunner.Run("soc", "simulate", "--workload", _dir.File("absent.jsonl"));

        Assert.Equal(2, code);
        Assert.StartsWith("error: --workload: file not found", error, StringComparison.Ordinal);
    }
}
