using System.Text.Json;

namespace Planning.Cli.Tests;

/// <summary><c>plan relibra generate | import | plan | simulate</c>: files written, plans with bound and gap, per-policy figures, bad input.</summary>
public sealed class ReLibraCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Plan_GeneratedReplayInBothForms_SameLayoutWithBoundAndGap()
    {
        var jsonl = _dir.File("replay.jsonl");
        var binary = _dir.File("replay.bin");
        string[] shape = ["--ranks", "16", "--ranks-per-node", "4", "--experts-per-rank", "2", "--batches", "1", "--microbatches", "4", "--tokens-per-rank", "256", "--seed", "4"];
        Assert.Equal(0, PlanRunner.Run(["relibra", "generate", "-o", jsonl, .. shape]).ExitCode);
        Assert.Equal(0, PlanRunner.Run(["relibra", "generate", "-o", binary, "--binary", .. shape]).ExitCode);
        Assert.True(new FileInfo(binary).Length < new FileInfo(jsonl).Length);

        var fromJson = PlanRunner.Run("relibra", "plan", "--replay", jsonl, "--heuristic-only", "--format", "json");
        var fromBinary = PlanRunner.Run("relibra", "plan", "--replay", binary, "--heuristic-only", "--format", "json");
        var solved = PlanRunner.Run("relibra", "plan", "--replay", binary, "--time-limit", "1", "--format", "json");

        Assert.Equal((0, 0, 0), (fromJson.ExitCode, fromBinary.ExitCode, solved.ExitCode));
        using var a = JsonDocument.Parse(fromJson.Out);
        using var b = JsonDocument.Parse(fromBinary.Out);
        using var c = JsonDocument.Parse(solved.Out);
        Assert.Equal(a.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetRawText(), b.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetRawText());
        Assert.Equal(32, a.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetArrayLength());
        Assert.Equal(4, a.RootElement.GetProperty("microbatches").GetArrayLength());
        var layer = c.RootElement.GetProperty("layers")[0];
        Assert.True(layer.GetProperty("bound").GetInt64() <= layer.GetProperty("objective").GetInt64());
        Assert.True(layer.GetProperty("objective").GetInt64() <= layer.GetProperty("heuristicObjective").GetInt64());
        Assert.True(layer.GetProperty("heuristicObjective").GetInt64() <= layer.GetProperty("noMoveObjective").GetInt64());
        Assert.Contains(layer.GetProperty("status").GetString(), new[] { "optimal", "feasible" });
    }

    [Fact]
    public void Import_SglangResponses_WritesAReplayThatPlans()
    {
        // 4 ranks on 2 nodes, 8 experts, 2 hidden layers (the first dense), top-2: every token of the 6 responses picks
        // experts (t mod 8, (t + 3) mod 8) in layer 1; zeros in the dense layer.
        var input = _dir.File("responses.jsonl");
        var lines = Enumerable.Range(0, 6).Select(r =>
        {
            var tokens = 3 + r;
            var values = Enumerable.Range(0, tokens).SelectMany(t => new[] { 0, 0, t % 8, (t + 3) % 8 }).ToArray();
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
            }

            return $$$"""{"text":"","meta_info":{"routed_experts":"{{{Convert.ToBase64String(bytes)}}}"}}""";
        });
        File.WriteAllLines(input, lines);
        var replay = _dir.File("replay.jsonl");
        string[] shape = ["--ranks", "4", "--ranks-per-node", "2", "--experts-per-rank", "2", "--hidden-layers", "2", "--first-dense-layers", "1", "--top-k", "2", "--microbatches", "2"];

        var imported = PlanRunner.Run(["relibra", "import", "--input", input, "-o", replay, .. shape]);
        var planned = PlanRunner.Run("relibra", "plan", "--replay", replay, "--heuristic-only", "--format", "json");

        Assert.Equal((0, 0), (imported.ExitCode, planned.ExitCode));
        Assert.Contains("2 microbatch(es) in 1 batch(es), 1 MoE layer(s)", imported.Error, StringComparison.Ordinal);
        var total = File.ReadAllLines(replay).Sum(line =>
        {
            using var microbatch = JsonDocument.Parse(line);
            return microbatch.RootElement.GetProperty("tokensPerRankLayer")[0].EnumerateArray().SelectMany(row => row.EnumerateArray()).Sum(c => c.GetInt64());
        });
        Assert.Equal(2L * Enumerable.Range(3, 6).Sum(), total);
        using var plan = JsonDocument.Parse(planned.Out);
        Assert.Equal(8, plan.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetArrayLength());

        var wrong = _dir.File("wrong.jsonl");
        string[] topFive = ["--ranks", "4", "--ranks-per-node", "2", "--experts-per-rank", "2", "--hidden-layers", "2", "--first-dense-layers", "1", "--top-k", "5"];
        var bad = PlanRunner.Run(["relibra", "import", "--input", input, "-o", wrong, .. topFive]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("line 1: meta_info.routed_experts", bad.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(wrong));
        var badLayout = PlanRunner.Run("relibra", "import", "--input", input, "--ranks", "4", "--ranks-per-node", "3");
        Assert.Equal(2, badLayout.ExitCode);
        Assert.Contains("--ranks-per-node", badLayout.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Previous_StartsTheNextBatchFromTheEarlierLayout()
    {
        var replay = _dir.File("replay.jsonl");
        Assert.Equal(0, PlanRunner.Run("relibra", "generate", "-o", replay, "--ranks", "8", "--ranks-per-node", "4", "--batches", "2", "--microbatches", "2", "--tokens-per-rank", "128", "--top-k", "2").ExitCode);
        var first = PlanRunner.Run("relibra", "plan", "--replay", replay, "--heuristic-only", "--format", "json");
        var previous = _dir.File("plan0.json");
        File.WriteAllText(previous, first.Out);

        var second = PlanRunner.Run("relibra", "plan", "--replay", replay, "--batch", "1", "--previous", previous, "--heuristic-only", "--move-penalty", "1000000000", "--format", "json");

        // With a prohibitive penalty nothing moves: the second batch keeps the first batch's layout.
        Assert.Equal(0, second.ExitCode);
        using var a = JsonDocument.Parse(first.Out);
        using var b = JsonDocument.Parse(second.Out);
        Assert.Equal(a.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetRawText(), b.RootElement.GetProperty("layers")[0].GetProperty("slotExpert").GetRawText());
        Assert.Equal(0, b.RootElement.GetProperty("layers")[0].GetProperty("movedExperts").GetArrayLength());

        File.WriteAllText(previous, "{\"layers\": []}");
        var bad = PlanRunner.Run("relibra", "plan", "--replay", replay, "--previous", previous);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: --previous.layers: must have the replay's 1 layer(s), got 0", bad.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_RlWorkload_ReportsEveryPolicyAgainstMegatronAndIdeal()
    {
        var (code, output, _) = PlanRunner.Run("relibra", "simulate", "--model", "qwen3-235b-a22b", "--workload", "rl", "--nodes", "2", "--batches", "1", "--microbatches", "2", "--tokens-per-rank", "512", "--heuristic-only", "--format", "json");

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        var policies = document.RootElement.GetProperty("policies").EnumerateArray().ToDictionary(p => p.GetProperty("policy").GetString()!);
        Assert.Equal(["megatron", "eplb", "eplb-oracle", "ultraep", "relibra", "ideal"], policies.Keys);
        Assert.Equal(1.0, policies["megatron"].GetProperty("speedupOverMegatron").GetDouble());
        Assert.Equal(0.0, policies["ideal"].GetProperty("overIdealPercent").GetDouble());
        Assert.Equal(16, document.RootElement.GetProperty("ranks").GetInt32());
    }

    [Fact]
    public void Simulate_Table_WritesAPlotAtomically()
    {
        var png = _dir.File("steps.png");

        var (code, output, _) = PlanRunner.Run("relibra", "simulate", "--model", "glm-4.5-air", "--workload", "hot-set", "--nodes", "2", "--batches", "1", "--microbatches", "2", "--tokens-per-rank", "256", "--heuristic-only", "--plot", png);

        Assert.Equal(0, code);
        Assert.Contains("relibra", output, StringComparison.Ordinal);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void Plan_MalformedReplay_ExitsTwoNamingTheLineAndField()
    {
        var path = _dir.File("bad.jsonl");
        File.WriteAllText(path, """{"microbatch":0,"ranks":1}""" + "\n");

        var (code, output, error) = PlanRunner.Run("relibra", "plan", "--replay", path);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("line 1: batch: is required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nodes", "3")]
    [InlineData("--workload", "sideways")]
    [InlineData("--plot", "steps.svg")]
    public void Simulate_BadOption_ExitsTwoNamingIt(string option, string value)
    {
        string[] nodes = option == "--nodes" ? [] : ["--nodes", "2"];

        var (code, output, error) = PlanRunner.Run(["relibra", "simulate", "--model", "qwen3-235b-a22b", "--heuristic-only", .. nodes, option, value]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: " + option + ":", error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_MissingReplay_ExitsTwoNamingTheOption()
    {
        var (code, _, error) = PlanRunner.Run("relibra", "plan", "--replay", _dir.File("none.jsonl"));

        Assert.Equal(2, code);
        Assert.StartsWith("error: --replay: file not found", error.Trim(), StringComparison.Ordinal);
    }
}
