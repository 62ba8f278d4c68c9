using System.Text.Json;

namespace Planning.Cli.Tests;

/// <summary><c>plan moe simulate</c>: table, JSON, the plot, and bad names.</summary>
public sealed class MoeSimulateCommandTests : IDisposable
{
    private static readonly string[] Policies = ["none", "eplb", "eplb-oracle", "ultraep", "ultraep-reorder", "ideal"];

    // EP32 (128 experts), two microbatches and a fixed planner time keep each run short and its output reproducible.
    private static readonly string[] Small = ["moe", "simulate", "--model", "glm-4.5-air", "--microbatches", "2", "--planner-us", "50"];

    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Simulate_Table_HasEveryPolicy()
    {
        var (code, output, error) = PlanRunner.Run(Small);

        Assert.True(code == 0, error);
        Assert.Contains("glm-4.5-air on h800 (training): EP32", output, StringComparison.Ordinal);
        foreach (var policy in Policies)
        {
            Assert.Contains($"│ {policy} ", output, StringComparison.Ordinal);
        }

        Assert.Contains("UltraEP planner: 50.0 us per layer (fixed)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_Json_OneDocumentWithEveryPolicy()
    {
        var (code, output, error) = PlanRunner.Run([.. Small, "--hardware", "nvl72", "--workload", "rotating", "--format", "json"]);

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("nvl72", root.GetProperty("hardware").GetString());
        Assert.Equal("rotating", root.GetProperty("workload").GetString());
        Assert.Equal(32, root.GetProperty("ranksPerDomain").GetInt32());
        var policies = root.GetProperty("policies").EnumerateArray().ToArray();
        Assert.Equal(Policies, policies.Select(p => p.GetProperty("policy").GetString()).ToArray());
        var ideal = policies.Single(p => p.GetProperty("policy").GetString() == "ideal");
        Assert.Equal(1.0, ideal.GetProperty("ratioToIdeal").GetDouble());
        Assert.All(policies, p => Assert.True(p.GetProperty("ratioToIdeal").GetDouble() <= 1.0));
        Assert.All(policies, p => Assert.Equal(2, p.GetProperty("stepSecondsPerMicrobatch").GetArrayLength()));
    }

    [Fact]
    public void Simulate_SameSeedAndFixedPlannerTime_SameJson()
    {
        string[] args = [.. Small, "--policies", "none,ultraep,ideal", "--seed", "5", "--format", "json"];

        var first = PlanRunner.Run(args);
        var second = PlanRunner.Run(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void Simulate_NoUltraEpAsked_ListsOnlyTheAskedAndTimesNoPlanner()
    {
        // The planner time measured, not fixed: nothing plans on the critical path, so nothing is timed.
        var (code, output, error) = PlanRunner.Run("moe", "simulate", "--model", "glm-4.5-air", "--microbatches", "2", "--policies", "eplb");

        Assert.True(code == 0, error);
        Assert.Contains("│ eplb ", output, StringComparison.Ordinal);
        foreach (var other in Policies.Where(p => p != "eplb"))
        {
            Assert.DoesNotContain($"│ {other} ", output, StringComparison.Ordinal);
        }

        Assert.Contains("UltraEP planner: not run;", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_Plot_WritesAPng()
    {
        var path = _dir.File("sim.png");

        var (code, _, error) = PlanRunner.Run([.. Small, "--policies", "none,eplb,ultraep,ideal", "--plot", path]);

        Assert.True(code == 0, error);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData("--model", "gpt-9", "--model: must be one of deepseek-v3, qwen3-235b-a22b, glm-4.5-air or a JSON file, got \"gpt-9\"")]
    [InlineData("--hardware", "tpu", "--hardware: must be one of h800, nvl72, h100, core-ultra-5-125h or a JSON file, got \"tpu\"")]
    [InlineData("--hardware", "absent.json", "--hardware: file not found: absent.json")]
    [InlineData("--hardware", "core-ultra-5-125h", "hardware.devices: must be one kind of device for an expert-parallel deployment")]
    [InlineData("--workload", "chaos", "--workload: must be one of zipf, hot-set, hot-rank, rotating, burst, zero-load-rank, got \"chaos\"")]
    [InlineData("--policies", "none,magic", "--policies: must be a comma-separated list of none, eplb, eplb-oracle, ultraep, ultraep-reorder, ideal, got \"magic\"")]
    [InlineData("--phase", "decode", "--phase: must be training or prefill, got \"decode\"")]
    [InlineData("--imbalance", "0.5", "imbalance: must be a number of at least 1, got 0.5")]
    [InlineData("--plot", "sim.svg", "--plot: must name a .png file")]
    [InlineData("--eplb-window", "0", "--eplb-window: must be at least 1, got 0")]
    [InlineData("--reorder-every", "0", "--reorder-every: must be at least 1, got 0")]
    [InlineData("--reorder-window", "-1", "--reorder-window: must be at least 1, got -1")]
    [InlineData("--planner-us", "-3", "--planner-us: must be a non-negative number of microseconds, got -3")]
    [InlineData("--microbatches", "0", "microbatches: must be a positive integer, got 0")]
    public void Simulate_BadInput_ExitsTwoWithOneLineAndWritesNothing(string option, string value, string expected)
    {
        var plot = _dir.File("sim.png");
        string[] args = option == "--plot" ? [.. Small, option, _dir.File(value)] : [.. With(option, value), "--plot", plot];

        var (code, output, error) = PlanRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var lines = error.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Simulate_HardwareFile_IsRead()
    {
        var path = _dir.File("machine.json");
        File.WriteAllText(path, """
            { "name": "fat-nvlink",
              "devices": [ { "name": "B200", "kind": "gpu", "count": 4, "peakFlops": 2.25e15, "computeEfficiency": 0.5, "memoryBytes": 192e9, "memoryBytesPerSecond": 8e12 } ],
              "devicesPerDomain": 72,
              "links": { "nvlink": { "bytesPerSecond": 900e9, "latencySeconds": 3e-6 }, "network": { "bytesPerSecond": 100e9, "latencySeconds": 3e-6 } } }
            """);

        var (code, output, error) = PlanRunner.Run([.. Small, "--hardware", path, "--format", "json"]);

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("fat-nvlink", document.RootElement.GetProperty("hardware").GetString());
        Assert.Equal(4, document.RootElement.GetProperty("ranksPerNode").GetInt32());

        // EP32 on 4-GPU nodes in a 72-GPU domain: the largest multiple of 4 that divides 32 and fits, 32.
        Assert.Equal(32, document.RootElement.GetProperty("ranksPerDomain").GetInt32());
    }

    [Fact]
    public void Simulate_BadHardwareFile_NamesTheField()
    {
        var path = _dir.File("machine.json");
        File.WriteAllText(path, """
            { "name": "x",
              "devices": [ { "name": "gpu", "kind": "gpu", "count": 4, "peakFlops": -1, "computeEfficiency": 0.5, "memoryBytes": 80e9, "memoryBytesPerSecond": 3e12 } ],
              "links": { "nvlink": { "bytesPerSecond": 900e9, "latencySeconds": 3e-6 }, "network": { "bytesPerSecond": 100e9, "latencySeconds": 3e-6 } } }
            """);

        var (code, output, error) = PlanRunner.Run([.. Small, "--hardware", path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: hardware.devices[0].peakFlops: must be a positive number, got -1", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    /// <summary>The small arguments with <paramref name="option"/> set to <paramref name="value"/> (replaced when already there).</summary>
    private static string[] With(string option, string value)
    {
        var index = Array.IndexOf(Small, option);
        if (index < 0)
        {
            return [.. Small, option, value];
        }

        var args = (string[])Small.Clone();
        args[index + 1] = value;
        return args;
    }

    [Fact]
    public void Help_HardwareOption_ListsOnlyHardwareAnExpertParallelDeploymentAccepts()
    {
        var (code, output, _) = PlanRunner.Run("moe", "simulate", "--help");

        Assert.Equal(0, code);
        Assert.Contains("h800 | nvl72 | h100 or a hardware JSON file", output, StringComparison.Ordinal);
        Assert.DoesNotContain("core-ultra-5-125h", output, StringComparison.Ordinal);
    }
}
