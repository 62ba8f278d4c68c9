using System.Text.Json;

namespace Planning.Cli.Tests;

/// <summary><c>plan soc run</c>: the JSON document of a short real run, and bad input.</summary>
public sealed class SocRunCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_SmallWorkload_JsonHasEveryCaseWithTheSimulatorsFieldNames()
    {
        var workload = _dir.File("requests.jsonl");
        File.WriteAllLines(workload,
        [
            """{ "id": "p1", "arrivalMs": 0, "kind": "proactive", "promptTokens": 600, "outputTokens": 4 }""",
            """{ "id": "r1", "arrivalMs": 100, "kind": "reactive", "promptTokens": 200, "outputTokens": 3 }""",
        ]);
        var (code, output, error) = PlanRunner.Run("soc", "run", "--workload", workload, "--duration", "20", "--time-scale", "0.25", "--format", "json");

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("llama-3.2-3b", root.GetProperty("model").GetString());
        Assert.Equal("requests.jsonl", root.GetProperty("workload").GetString());
        Assert.Equal(0.25, root.GetProperty("timeScale").GetDouble());
        Assert.Equal(["cpu", "igpu", "npu"], root.GetProperty("lanes").EnumerateArray().Select(l => l.GetProperty("lane").GetString()));
        Assert.Equal(6, root.GetProperty("calibration").GetArrayLength()); // 3 lanes x 2 chunk models
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(["reactive-alone", "proactive-alone", "openvino", "agentxpu"], cases.Select(c => c.GetProperty("name").GetString()));
        foreach (var c in cases)
        {
            var reactive = c.GetProperty("reactive");
            var proactive = c.GetProperty("proactive");
            var name = c.GetProperty("name").GetString();
            Assert.Equal(name == "proactive-alone" ? 0 : 1, reactive.GetProperty("count").GetInt32());
            Assert.Equal(name == "reactive-alone" ? 0 : 1, proactive.GetProperty("count").GetInt32());
            Assert.Equal(0, reactive.GetProperty("unfinished").GetInt32());
            Assert.Equal(0, proactive.GetProperty("unfinished").GetInt32());
            if (name != "proactive-alone")
            {
                Assert.True(reactive.GetProperty("p50LatencyMs").GetDouble() > 0);
                Assert.True(reactive.GetProperty("p95LatencyMs").GetDouble() >= reactive.GetProperty("p50LatencyMs").GetDouble());
            }

            if (name != "reactive-alone")
            {
                Assert.True(proactive.GetProperty("tokensPerSecond").GetDouble() > 0);
            }
        }

        var target = root.GetProperty("target");
        Assert.True(target.GetProperty("reactiveP95Ratio").GetDouble() > 0);
        Assert.True(target.GetProperty("proactiveThroughputRatio").GetDouble() > 0);
    }

    [Fact]
    public void Run_TwoRounds_CasesInterleavedAndTheTargetPoolsThem()
    {
        var workload = _dir.File("requests.jsonl");
        File.WriteAllLines(workload,
        [
            """{ "id": "p1", "arrivalMs": 0, "kind": "proactive", "promptTokens": 600, "outputTokens": 4 }""",
            """{ "id": "r1", "arrivalMs": 100, "kind": "reactive", "promptTokens": 200, "outputTokens": 3 }""",
        ]);
        var (code, output, error) = PlanRunner.Run("soc", "run", "--workload", workload, "--duration", "20", "--time-scale", "0.25", "--rounds", "2", "--format", "json");

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(
            ["reactive-alone", "proactive-alone", "openvino", "agentxpu", "reactive-alone", "proactive-alone", "openvino", "agentxpu"],
            cases.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], cases.Select(c => c.GetProperty("round").GetInt32()));

        // One reactive request a round: the pooled p95 (nearest rank over two latencies) is the larger one; throughput
        // is the mean of the rounds'.
        double P95(string name) => cases.Where(c => c.GetProperty("name").GetString() == name).Max(c => c.GetProperty("reactive").GetProperty("p95LatencyMs").GetDouble());
        double Throughput(string name) => cases.Where(c => c.GetProperty("name").GetString() == name).Average(c => c.GetProperty("proactive").GetProperty("tokensPerSecond").GetDouble());
        var target = root.GetProperty("target");
        Assert.Equal(2, target.GetProperty("rounds").GetInt32());
        Assert.Equal(P95("agentxpu") / P95("reactive-alone"), target.GetProperty("reactiveP95Ratio").GetDouble(), 9);
        Assert.Equal(Throughput("agentxpu") / Throughput("proactive-alone"), target.GetProperty("proactiveThroughputRatio").GetDouble(), 9);
    }

    [Theory]
    [InlineData("--duration", "0")]
    [InlineData("--baseline", "serial")]
    [InlineData("--time-scale", "-1")]
    [InlineData("--model", "gpt-5")]
    [InlineData("--reactive-per-minute", "45")]
    [InlineData("--proactive-per-minute", "0.5")]
    [InlineData("--rounds", "0")]
    public void Run_BadOption_ExitsTwoNamingIt(string option, string value)
    {
        var (code, output, error) = PlanRunner.Run("soc", "run", option, value);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"error: {option}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WorkloadWithoutReactiveRequests_ExitsTwoNamingTheWorkload()
    {
        var workload = _dir.File("proactive.jsonl");
        File.WriteAllText(workload, """{ "id": "p1", "arrivalMs": 0, "kind": "proactive", "promptTokens": 100, "outputTokens": 2 }""" + "\n");
        var (code, _, error) = PlanRunner.Run("soc", "run", "--workload", workload);

        Assert.Equal(2, code);
        Assert.StartsWith("error: --workload: ", error, StringComparison.Ordinal);
    }
}
