using System.Text.Json;

namespace Planning.Cli.Tests;

/// <summary><c>plan moe sync</c>: programs and manifest of a hand-computed plan, and bad input that writes nothing.</summary>
public sealed class MoeSyncCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// 4 ranks, 4 experts (expert e's master is rank e); the plan adds expert 0 on ranks 1, 2, 3 and expert 3 on rank 2.
    /// Only the rank count (rankLoads) and the placement matter to the command.
    /// </summary>
    private string WritePlan(string name, string extraPlacement)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, $$"""
            {"policy":"ultraep","layers":[{"rankLoads":[1,1,1,1],"imbalance":1,"lowerBound":1,"replicas":8,"placement":[
              {"expert":0,"rank":0,"quota":1},{"expert":1,"rank":1,"quota":1},{"expert":2,"rank":2,"quota":1},{"expert":3,"rank":3,"quota":1}{{extraPlacement}}]}]}
            """);
        return path;
    }

    [Fact]
    public void Sync_HandComputedPlan_WritesGroupedProgramsAndPrediction()
    {
        var plan = WritePlan("plan.json", """,{"expert":0,"rank":1,"quota":1},{"expert":0,"rank":2,"quota":1},{"expert":0,"rank":3,"quota":1},{"expert":3,"rank":2,"quota":1}""");
        var outDir = _dir.File("programs");

        // A 50 B/s link with 1 s per chunk and 100-byte chunks: a chunk takes 3 s. Expert 0 (200 bytes, 2 chunks) to
        // 3 receivers: direct 6 x 3 = 18 s; one relay 15 s; relays 1 and 2 (rank 3 behind relay 1) 12 s: relay.
        // Expert 3 to rank 2: 2 chunks back to back, 6 s, direct. Interleaved by their start times alone:
        //   0->1 c0 [0,3]  3->2 c0 [0,3]  0->2 c0 [3,6]  1->3 c0 [3,6]  3->2 c1 [6,9]  0->1 c1 [6,9]  0->2 c1 [9,12]
        //   1->3 c1 [9,12]  -> 12 s. Groups = chunk + depth: the relay's forwards one group after its receives.
        var (code, output, error) = PlanRunner.Run(
            "moe", "sync", "--plan", plan, "--expert-bytes", "200", "--chunk-bytes", "100", "--bytes-per-second", "50", "--latency-us", "1000000", "--out", outDir);

        Assert.True(code == 0, error);
        Assert.Contains("4 ranks, 2 expert transfers, 3 groups, 800 bytes, predicted 12.000000 s", output, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Equal(4, root.GetProperty("ranks").GetInt32());
        Assert.Equal(3, root.GetProperty("groups").GetInt32());
        Assert.Equal(4, root.GetProperty("expertsPerLayer").GetInt32());
        Assert.Equal(800, root.GetProperty("totalBytes").GetInt64());
        Assert.Equal(12.0, root.GetProperty("predictedSeconds").GetDouble());
        Assert.Equal(50.0, root.GetProperty("link").GetProperty("inboundBytesPerSecond").GetDouble());
        Assert.Equal(1.0, root.GetProperty("link").GetProperty("latencySeconds").GetDouble());
        Assert.Equal(
            """[{"layer":0,"expert":0,"source":0,"receivers":[1,2,3],"mode":"relay","relays":[1,2],"predictedSeconds":12},{"layer":0,"expert":3,"source":3,"receivers":[2],"mode":"direct","relays":[],"predictedSeconds":6}]""",
            root.GetProperty("transfers").GetRawText());
        Assert.Equal("""["rank-0.json","rank-1.json","rank-2.json","rank-3.json"]""", root.GetProperty("programs").GetRawText());

        static string Op(string op, int peer, int expert, int chunk) =>
            $$"""{"op":"{{op}}","peer":{{peer}},"layer":0,"expert":{{expert}},"chunk":{{chunk}},"offset":{{chunk * 100}},"bytes":100}""";
        string[] expected =
        [
            $"[[{Op("send", 1, 0, 0)},{Op("send", 2, 0, 0)}],[{Op("send", 1, 0, 1)},{Op("send", 2, 0, 1)}],[]]",
            $"[[{Op("recv", 0, 0, 0)}],[{Op("send", 3, 0, 0)},{Op("recv", 0, 0, 1)}],[{Op("send", 3, 0, 1)}]]",
            $"[[{Op("recv", 3, 3, 0)},{Op("recv", 0, 0, 0)}],[{Op("recv", 3, 3, 1)},{Op("recv", 0, 0, 1)}],[]]",
            $"[[{Op("send", 2, 3, 0)}],[{Op("recv", 1, 0, 0)},{Op("send", 2, 3, 1)}],[{Op("recv", 1, 0, 1)}]]",
        ];
        for (var rank = 0; rank < 4; rank++)
        {
            using var program = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, $"rank-{rank}.json")));
            Assert.Equal(rank, program.RootElement.GetProperty("rank").GetInt32());
            Assert.Equal(expected[rank], program.RootElement.GetProperty("groups").GetRawText());
        }
    }

    [Fact]
    public void Sync_PreviousPlanHoldsTheReplicas_WritesEmptyProgramsAndReplacesTheDirectory()
    {
        var plan = WritePlan("plan.json", """,{"expert":0,"rank":1,"quota":1}""");
        var outDir = _dir.File("programs");
        Assert.Equal(0, PlanRunner.Run("moe", "sync", "--plan", plan, "--expert-bytes", "200", "--out", outDir).ExitCode);
        Assert.Contains("\"groups\":[[{", File.ReadAllText(Path.Combine(outDir, "rank-1.json")), StringComparison.Ordinal);

        var (code, output, error) = PlanRunner.Run("moe", "sync", "--plan", plan, "--previous", plan, "--expert-bytes", "200", "--out", outDir);

        Assert.True(code == 0, error);
        Assert.Contains("0 expert transfers, 1 groups, 0 bytes, predicted 0.000000 s", output, StringComparison.Ordinal);
        Assert.Equal("""{"rank":1,"groups":[[]]}""", File.ReadAllText(Path.Combine(outDir, "rank-1.json")).TrimEnd());
        Assert.Equal(["manifest.json", "rank-0.json", "rank-1.json", "rank-2.json", "rank-3.json"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path), p => p.Contains("programs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--expert-bytes", "0", "--expert-bytes")]
    [InlineData("--chunk-bytes", "-1", "--chunk-bytes")]
    [InlineData("--bytes-per-second", "0", "--bytes-per-second")]
    [InlineData("--latency-us", "NaN", "--latency-us")]
    [InlineData("--hardware", "no-such-machine", "--hardware")]
    public void Sync_BadOption_ExitsTwoNamingItAndWritesNothing(string option, string value, string field)
    {
        var plan = WritePlan("plan.json", """,{"expert":0,"rank":1,"quota":1}""");
        var outDir = _dir.File("programs");
        string[] args = ["moe", "sync", "--plan", plan, "--expert-bytes", "200", "--out", outDir];
        args = option == "--expert-bytes" ? [.. args[..5], value, .. args[6..]] : [.. args, option, value];

        var (code, _, error) = PlanRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Contains(field, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Sync_ExpertsThatDoNotDivideOverTheRanks_ExitsTwoNamingThePlacement()
    {
        var plan = WritePlan("plan.json", """,{"expert":4,"rank":1,"quota":1}""");

        var (code, _, error) = PlanRunner.Run("moe", "sync", "--plan", plan, "--expert-bytes", "200", "--out", _dir.File("programs"));

        Assert.Equal(2, code);
        Assert.Contains("plan.layers[0].placement: places experts 0 to 4: 5 experts do not divide over 4 ranks", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("programs")));
    }

    [Fact]
    public void Sync_OutIsADirectoryOfOtherFiles_ExitsTwoAndLeavesItAlone()
    {
        var plan = WritePlan("plan.json", """,{"expert":0,"rank":1,"quota":1}""");
        var outDir = _dir.File("mine");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "keep");

        var (code, _, error) = PlanRunner.Run("moe", "sync", "--plan", plan, "--expert-bytes", "200", "--out", outDir);

        Assert.Equal(2, code);
        Assert.Contains("--out", error, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }
}
