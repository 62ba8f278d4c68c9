using System.Text.Json;
using Planning.Moe;
using Planning.Moe.Json;
using Planning.Moe.Workloads;

namespace Planning.Cli.Tests;

public sealed class MoeBalanceCommandTests : IDisposable
{
    private readonly PlanRunner.TempDir _dir = new();
    private readonly string _casePath;
    private readonly MoeCase _case;

    public MoeBalanceCommandTests()
    {
        _case = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, ExpertsPerRank = 2, RedundantSlotsPerRank = 1, Layers = 2, TokensPerRank = 256, TopK = 2, TargetImbalance = 2.0, Seed = 5,
        });
        _casePath = _dir.File("case.json");
        File.WriteAllText(_casePath, MoeCaseJson.Serialize(_case));
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("eplb")]
    [InlineData("exact")]
    [InlineData("ultraep")]
    [InlineData("ultraep-exact")]
    public void Balance_JsonFormat_FollowsContract(string policy)
    {
        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", policy, "--format", "json", "--time-limit", "2", "--repeats", "3");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(policy, root.GetProperty("policy").GetString());
        var layers = root.GetProperty("layers");
        Assert.Equal(_case.Layers.Length, layers.GetArrayLength());
        for (var l = 0; l < _case.Layers.Length; l++)
        {
            var layer = layers[l];
            var rankLoads = layer.GetProperty("rankLoads").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(_case.Ranks, rankLoads.Length);
            var imbalance = layer.GetProperty("imbalance").GetDouble();
            Assert.Equal(rankLoads.Max() / rankLoads.Average(), imbalance, 5);
            Assert.True(layer.GetProperty("lowerBound").GetDouble() <= imbalance + 1e-6);
            var placement = layer.GetProperty("placement").EnumerateArray()
                .Select(p => (Expert: p.GetProperty("expert").GetInt32(), Rank: p.GetProperty("rank").GetInt32(), Quota: p.GetProperty("quota").GetInt64()))
                .ToArray();
            Assert.Equal(placement.Length - _case.Experts, layer.GetProperty("replicas").GetInt32());
            var loads = _case.Layers[l].ExpertLoads;
            for (var e = 0; e < _case.Experts; e++)
            {
                Assert.Equal(loads[e], placement.Where(p => p.Expert == e).Sum(p => p.Quota));
            }
        }

        var timing = root.GetProperty("solveMicrosecondsPerLayer");
        Assert.True(timing.GetProperty("median").GetDouble() > 0);
        Assert.True(timing.GetProperty("p99").GetDouble() >= timing.GetProperty("median").GetDouble());
    }

    [Fact]
    public void Balance_UltraEp_RerouteTableAddsUpPerSourceExpertAndInstance()
    {
        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "ultraep", "--format", "json", "--repeats", "1");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        for (var l = 0; l < _case.Layers.Length; l++)
        {
            var layer = json.RootElement.GetProperty("layers")[l];
            var quotas = layer.GetProperty("placement").EnumerateArray().Select(p => p.GetProperty("quota").GetInt64()).ToArray();
            var routes = layer.GetProperty("reroutes").EnumerateArray()
                .Select(r => (Source: r.GetProperty("source").GetInt32(), Expert: r.GetProperty("expert").GetInt32(), Instance: r.GetProperty("instance").GetInt32(), Tokens: r.GetProperty("tokens").GetInt64()))
                .ToArray();
            for (var i = 0; i < quotas.Length; i++)
            {
                Assert.Equal(quotas[i], routes.Where(r => r.Instance == i).Sum(r => r.Tokens));
            }

            for (var s = 0; s < _case.Ranks; s++)
            {
                for (var e = 0; e < _case.Experts; e++)
                {
                    Assert.Equal(_case.Layers[l][s, e], routes.Where(r => r.Source == s && r.Expert == e).Sum(r => r.Tokens));
                }
            }
        }
    }

    [Fact]
    public void Balance_UltraEpWithPrevious_ReusesReplicasInPlaceAndReportsBytes()
    {
        var first = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "ultraep", "--format", "json", "--repeats", "1");
        var previousPath = _dir.File("previous.json");
        File.WriteAllText(previousPath, first.Out);

        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "ultraep", "--format", "json", "--repeats", "1", "--previous", previousPath, "--expert-bytes", "1000");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            var reuse = layer.GetProperty("reuse");
            Assert.Equal(layer.GetProperty("replicas").GetInt32(), reuse.GetProperty("reusedReplicas").GetInt32());
            Assert.Equal(0, reuse.GetProperty("newReplicas").GetInt32());
            Assert.Equal(0, reuse.GetProperty("bytesToMove").GetInt64());
        }
    }

    [Fact]
    public void Balance_PreviousWithWrongLayerCount_ExitsTwo()
    {
        var previousPath = _dir.File("previous.json");
        File.WriteAllText(previousPath, """{ "layers": [ { "placement": [] } ] }""");

        var (code, _, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "ultraep", "--previous", previousPath);

        Assert.Equal(2, code);
        Assert.Contains("previous.layers: must have the case's 2 layers, got 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_UltraEpExact_ReportsTheQuotaPlannersGap()
    {
        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "ultraep-exact", "--format", "json", "--time-limit", "2");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var check = json.RootElement.GetProperty("layers")[0].GetProperty("quotaPlannerCheck");
        Assert.True(check.GetProperty("exactMaxLoad").GetInt64() <= check.GetProperty("quotaPlannerMaxLoad").GetInt64());
        Assert.True(check.GetProperty("imbalanceGapToBound").GetDouble() >= 0);
    }

    [Fact]
    public void Balance_RealTimePolicy_TimesAtLeastTwentySolvesPerLayer()
    {
        var (code, output, _) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "eplb", "--format", "json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(20 * _case.Layers.Length, json.RootElement.GetProperty("solveMicrosecondsPerLayer").GetProperty("samples").GetInt32());
    }

    [Fact]
    public void Balance_TableFormat_PrintsOneRowPerLayer()
    {
        var (code, output, _) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--policy", "eplb");

        Assert.Equal(0, code);
        Assert.Contains("policy eplb", output, StringComparison.Ordinal);
        Assert.Contains("solve time per layer", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split('\n').Count(line => line.StartsWith("│ 0 ", StringComparison.Ordinal) || line.StartsWith("│ 1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Balance_History_PlacesFromHistoryAndServesCaseLoads()
    {
        var history = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, ExpertsPerRank = 2, RedundantSlotsPerRank = 1, Layers = 2, TokensPerRank = 256, TopK = 2, TargetImbalance = 2.0, Seed = 99,
        });
        var historyPath = _dir.File("history.json");
        File.WriteAllText(historyPath, MoeCaseJson.Serialize(history));

        var (code, output, error) = PlanRunner.Run("moe", "balance", "--input", _casePath, "--history", historyPath, "--policy", "eplb", "--format", "json", "--repeats", "1");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var placement = json.RootElement.GetProperty("layers")[0].GetProperty("placement").EnumerateArray().ToArray();
        var expected = new EplbPolicy().Plan(new MoeLayerProblem(MoeTopology.From(_case), _case.Layers[0].ExpertLoads, history.Layers[0].ExpertLoads));
        Assert.Equal(expected.Instances.Select(i => (i.Expert, i.Rank, i.Quota)), placement.Select(p => (p.GetProperty("expert").GetInt32(), p.GetProperty("rank").GetInt32(), p.GetProperty("quota").GetInt64())));
    }
}
