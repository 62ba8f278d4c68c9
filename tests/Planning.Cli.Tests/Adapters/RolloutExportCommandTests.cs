using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Planning.Cli.Tests.Adapters;

/// <summary>
/// <c>plan rollout export</c> on a six-trajectory trace (Golden/small-trace.jsonl): the golden files pin the output for
/// seed 1; the shape checks say what makes them right (contiguous GPUs per instance, headers that index the worker list,
/// one server per request id).
/// </summary>
public sealed class RolloutExportCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Golden(string file, [CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden", file);

    [Theory]
    [InlineData("sglang-router")]
    [InlineData("verl")]
    public void Export_SmallTrace_WritesTheGoldenFile(string format)
    {
        var path = _dir.File("out.json");

        // The golden files were checked under the splitwise cost model; the test pins that model.
        var (code, _, error) = PlanRunner.Run("rollout", "export", "--trace", Golden("small-trace.jsonl"), "--gpus", "8", "--format", format, "--cost-model", "splitwise", "-o", path);

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(Golden($"small-trace.{format}.json")), File.ReadAllText(path));
        Assert.Contains("the map is the initial placement", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_DefaultCostModel_IsModern_PredictsAShorterMakespanThanSplitwise()
    {
        // Today's engines (modern, the default) decode faster than the 2023 engine of the Splitwise fit at every batch,
        // so the placement's predicted makespan of the same trace is shorter.
        var standard = _dir.File("standard.json");
        var modern = _dir.File("modern.json");
        var splitwise = _dir.File("splitwise.json");
        foreach (var (path, extra) in new (string Path, string[] Extra)[] { (standard, []), (modern, ["--cost-model", "modern"]), (splitwise, ["--cost-model", "splitwise"]) })
        {
            var (code, _, error) = PlanRunner.Run([.. new[] { "rollout", "export", "--trace", Golden("small-trace.jsonl"), "--gpus", "8", "--format", "verl", "-o", path }, .. extra]);
            Assert.True(code == 0, error);
        }

        Assert.Equal(File.ReadAllText(modern), File.ReadAllText(standard));
        using var fast = JsonDocument.Parse(File.ReadAllText(modern));
        using var slow = JsonDocument.Parse(File.ReadAllText(splitwise));
        Assert.True(fast.RootElement.GetProperty("predictedMakespanSeconds").GetDouble() < slow.RootElement.GetProperty("predictedMakespanSeconds").GetDouble());
    }

    [Fact]
    public void Export_SglangRouter_PinsEveryTrajectoryToAWorkerOfTheList()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Golden("small-trace.sglang-router.json")));
        var root = json.RootElement;
        var instances = root.GetProperty("instances").EnumerateArray().ToArray();
        var urls = root.GetProperty("router").GetProperty("workerUrls").EnumerateArray().Select(u => u.GetString()).ToArray();

        Assert.Equal("consistent_hashing", root.GetProperty("router").GetProperty("policy").GetString());
        Assert.True(root.GetProperty("initialPlacementOnly").GetBoolean());
        Assert.Equal(instances.Select(i => i.GetProperty("url").GetString()), urls);

        // The instances take the GPUs in order, each as many as its degree, without gaps or overlaps.
        var devices = instances.SelectMany(i => i.GetProperty("devices").EnumerateArray().Select(d => d.GetInt32())).ToArray();
        Assert.Equal(Enumerable.Range(0, devices.Length), devices);
        Assert.All(instances, i => Assert.Equal(i.GetProperty("tensorParallel").GetInt32(), i.GetProperty("devices").GetArrayLength()));
        Assert.True(devices.Length <= 8);

        var trajectories = root.GetProperty("trajectories").EnumerateArray().ToArray();
        Assert.Equal(["t1", "t2", "t3", "t4", "t5", "t6"], trajectories.Select(t => t.GetProperty("id").GetString()));
        foreach (var trajectory in trajectories)
        {
            var worker = trajectory.GetProperty("worker").GetInt32();
            Assert.InRange(worker, 0, urls.Length - 1);
            Assert.Equal(worker.ToString(System.Globalization.CultureInfo.InvariantCulture), trajectory.GetProperty("headers").GetProperty("X-SMG-Target-Worker").GetString());
        }

        Assert.Equal(instances.Select(i => i.GetProperty("trajectories").GetInt32()), instances.Select(i => trajectories.Count(t => t.GetProperty("worker").GetInt32() == i.GetProperty("instance").GetInt32())));
    }

    [Fact]
    public void Export_Verl_MapsEveryRequestIdToTheSameServerAsTheSglangHeader()
    {
        using var verl = JsonDocument.Parse(File.ReadAllText(Golden("small-trace.verl.json")));
        using var sglang = JsonDocument.Parse(File.ReadAllText(Golden("small-trace.sglang-router.json")));

        var map = verl.RootElement.GetProperty("requestIdToServer").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

        Assert.Equal(6, map.Count);
        foreach (var trajectory in sglang.RootElement.GetProperty("trajectories").EnumerateArray())
        {
            Assert.Equal(trajectory.GetProperty("worker").GetInt32(), map[trajectory.GetProperty("id").GetString()!]);
        }
    }

    [Theory]
    [InlineData(new[] { "--format", "nginx" }, "--format: must be one of sglang-router, verl")]
    [InlineData(new[] { "--format", "verl", "--policy", "slime" }, "--policy: must be heddle")]
    [InlineData(new[] { "--format", "verl", "--gpus", "0" }, "--gpus: must be at least 1")]
    [InlineData(new[] { "--format", "verl", "--base-port", "70000" }, "--base-port: must be a port in 1..65535")]
    public void Export_BadInput_ExitsTwoNamingTheFieldAndWritesNothing(string[] extra, string expected)
    {
        var path = _dir.File("out.json");

        var (code, output, error) = PlanRunner.Run([.. new[] { "rollout", "export", "--trace", Golden("small-trace.jsonl"), "-o", path }, .. extra]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
