using System.Collections.Immutable;
using Planning.Execution.Moe;
using Planning.Execution.WeightSync;
using Planning.Graph;
using Planning.Moe;

namespace Planning.Execution.Tests.Moe;

/// <summary>The step simulator's arithmetic on a case small enough to compute by hand.</summary>
public sealed class MoeStepSimulatorTests
{
    // The tiny model and machine, chosen so that every figure is a round number:
    //   a routed token carries hidden x 2 = 1000 x 2 = 2000 bytes;
    //   intra-domain 2e9 B/s -> 1 us per token, inter-domain 1e9 B/s -> 2 us per token, 10 us latency per phase;
    //   training FLOPs per routed token 6 x 3 x 1000 x 500 = 9e6 at 1e12 x 0.5 = 5e11 FLOP/s -> 18 us per token;
    //   prefill 2 x 3 x 1000 x 500 = 3e6 -> 6 us per token;
    //   one expert's weights 3 x 1000 x 500 x 2 = 3e6 bytes = 3 chunks of 1e6 bytes, each 10 us + 1e6 / 2e9 = 510 us.
    internal const string TinyModelJson = """
        { "name": "tiny", "experts": 4, "topK": 1, "hidden": 1000, "expertIntermediate": 500, "bytesPerParameter": 2, "expertsPerRank": 1 }
        """;

    internal const string TinyHardwareJson = """
        { "name": "tiny-machine",
          "devices": [ { "name": "tiny GPU", "kind": "gpu", "count": 2, "peakFlops": 1e12, "computeEfficiency": 0.5, "memoryBytes": 1e9, "memoryBytesPerSecond": 1e11 } ],
          "devicesPerDomain": 2,
          "links": { "nvlink": { "bytesPerSecond": 2e9, "latencySeconds": 1e-5, "chunkBytes": 1000000 },
                     "network": { "bytesPerSecond": 1e9, "latencySeconds": 1e-5, "chunkBytes": 1000000 } } }
        """;

    private const double Precision = 1e-15;

    // 4 ranks, one master each (expert e on rank e), 1 redundant slot; domains {0, 1} and {2, 3}.
    //   source 0 routes [10, 0, 0, 0]
    //   source 1 routes [10, 2, 0, 0]
    //   source 2 routes [ 0, 0, 4, 0]
    //   source 3 routes [20, 0, 0, 2]   -> loads e0 = 40, e1 = 2, e2 = 4, e3 = 2; 48 in all, mean 12 per rank.
    private static readonly int[][] Rows = [[10, 0, 0, 0], [10, 2, 0, 0], [0, 0, 4, 0], [20, 0, 0, 2]];

    private static readonly ExpertInstance[] Masters = [new(0, 0, 40), new(1, 1, 2), new(2, 2, 4), new(3, 3, 2)];

    // A replica of expert 0 on rank 1 (same domain as its master), the 40 tokens split 20 / 20: rank loads 20, 22, 4, 2.
    private static readonly ExpertInstance[] Replicated = [new(0, 0, 20), new(1, 1, 2), new(2, 2, 4), new(3, 3, 2), new(0, 1, 20)];

    [Fact]
    public void LayerTime_MastersOnly_MatchesHandArithmetic()
    {
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Training);
        var execution = MoeStepSimulator.Execute(tokens, LayerPlan.Create(topology, Masters, 1.0));

        var time = simulator.LayerTime(execution);

        // Traffic: source 1 -> rank 0, 10 tokens intra (10 us); source 3 -> rank 0, 20 tokens inter (40 us).
        // Rank 0 receives 10 intra and 20 inter: max(10 us, 40 us) = 40 us; rank 3 sends 20 inter: 40 us.
        // One phase: 40 + 10 latency = 50 us; training runs dispatch and combine twice each: 100 us each.
        // Compute: rank 0 serves all 40 tokens of expert 0: 40 x 18 us = 720 us. Total 100 + 720 + 100 = 920 us.
        Assert.Equal(50e-6, simulator.AllToAllSeconds(execution), Precision);
        Assert.Equal(100e-6, time.DispatchSeconds, Precision);
        Assert.Equal(720e-6, time.ComputeSeconds, Precision);
        Assert.Equal(100e-6, time.CombineSeconds, Precision);
        Assert.Equal(0, time.ExposedWeightSyncSeconds);
        Assert.Equal(920e-6, time.TotalSeconds, Precision);
    }

    [Fact]
    public void LayerTime_Prefill_RunsOneDispatchAndCombineAndAThirdOfTheFlops()
    {
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Prefill);
        var execution = MoeStepSimulator.Execute(tokens, LayerPlan.Create(topology, Masters, 1.0));

        var time = simulator.LayerTime(execution);

        // 50 us dispatch + 40 x 6 us compute + 50 us combine = 340 us.
        Assert.Equal(1, simulator.AllToAllPasses);
        Assert.Equal(340e-6, time.TotalSeconds, Precision);
    }

    [Fact]
    public void LayerTime_WithAReplicaAndItsWeightSync_MatchesHandArithmetic()
    {
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Training);
        var plan = LayerPlan.Create(topology, Replicated, 1.0);
        var execution = MoeStepSimulator.Execute(tokens, plan);
        var transfers = simulator.NewReplicaTransfers(plan, null, topology);
        var sync = simulator.PlanWeightSync(transfers);

        var time = simulator.LayerTime(execution, sync!.PredictedSeconds, plannerSeconds: 7e-6);

        // Dispatcher: expert 0's instance on rank 0 keeps source 0's 10 tokens, the one on rank 1 source 1's 10; source 3's
        // 20 fill rank 0's remaining 10, then rank 1's 10 (both inter). Rank 3 sends 20 inter: 40 us; phase 50 us.
        // Compute: rank 1 serves 20 + 2 = 22 tokens: 22 x 18 = 396 us.
        // Weight sync: the replica on rank 1 is new; 3 chunks of 510 us over one link, one after another: 1530 us,
        // of which the first 50 us overlap the forward dispatch: 1480 us exposed. Planner 7 us.
        // Total: 100 + 396 + 100 + 1480 + 7 = 2083 us.
        Assert.Equal(10, execution.Traffic[3, 0]);
        Assert.Equal(10, execution.Traffic[3, 1]);
        var transfer = Assert.Single(transfers);
        Assert.Equal((0, 0, 3_000_000L), (transfer.Expert, transfer.SourceRank, transfer.Bytes));
        Assert.Equal([1], transfer.Receivers.ToArray());
        Assert.Equal(1530e-6, time.WeightSyncSeconds, Precision);
        Assert.Equal(1480e-6, time.ExposedWeightSyncSeconds, Precision);
        Assert.Equal(396e-6, time.ComputeSeconds, Precision);
        Assert.Equal(2083e-6, time.TotalSeconds, Precision);
    }

    [Fact]
    public void NewReplicaTransfers_ReplicaAlreadyInPlace_NeedsNoTransfer()
    {
        var (simulator, topology, _) = Tiny(MoeStepPhase.Training);
        var plan = LayerPlan.Create(topology, Replicated, 1.0);

        var transfers = simulator.NewReplicaTransfers(plan, Replicated, topology);

        Assert.Empty(transfers);
        Assert.Null(simulator.PlanWeightSync(transfers));
    }

    [Fact]
    public void Execute_PlanWithRoutes_FollowsTheRerouteTable()
    {
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Training);

        // Instead of the dispatcher's split, all 20 tokens of source 3 go to the replica on rank 1 (instance 4) and
        // source 1's 10 go to the master on rank 0 (instance 0).
        ImmutableArray<TokenRoute> routes =
        [
            new(0, 0, 0, 10), new(1, 0, 0, 10), new(3, 0, 4, 20),
            new(1, 1, 1, 2), new(2, 2, 2, 4), new(3, 3, 3, 2),
        ];
        var plan = LayerPlan.Create(topology, Replicated, 1.0).WithRoutes(routes);

        var execution = MoeStepSimulator.Execute(tokens, plan);

        // Rank 3 still sends 20 inter (40 us), rank 1 receives them (40 us); rank 0 receives 10 intra (10 us).
        Assert.Equal(20, execution.Traffic[3, 1]);
        Assert.Equal(0, execution.Traffic[3, 0]);
        Assert.Equal(10, execution.Traffic[1, 0]);
        Assert.Equal(50e-6, simulator.AllToAllSeconds(execution), Precision);
    }

    [Fact]
    public void Execute_RoutesThatDoNotAddUp_Throws()
    {
        var (_, topology, tokens) = Tiny(MoeStepPhase.Training);
        ImmutableArray<TokenRoute> routes = [new(0, 0, 0, 10), new(1, 0, 0, 10), new(3, 0, 4, 19), new(1, 1, 1, 2), new(2, 2, 2, 4), new(3, 3, 3, 2)];
        var plan = LayerPlan.Create(topology, Replicated, 1.0).WithRoutes(routes);

        var error = Assert.Throws<MoeDispatchException>(() => MoeStepSimulator.Execute(tokens, plan));

        Assert.Equal(0, error.Expert);
    }

    [Fact]
    public void IdealLayerTime_UniformSpread_MatchesHandArithmetic()
    {
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Training);

        var uniform = simulator.UniformAllToAllSeconds(tokens);
        var ideal = simulator.IdealLayerTime(tokens, uniform);

        // Sources route 10, 12, 4, 22 tokens and send a quarter to every rank: 2.5, 3, 1, 5.5 per rank.
        // Source 3 sends 5.5 intra (to rank 2) and 11 inter (to ranks 0, 1): 11 x 2 us = 22 us, the slowest of all
        // (rank 0 receives 3 intra and 1 + 5.5 = 6.5 inter: 13 us; rank 2 receives 5.5 intra and 5.5 inter: 11 us).
        // Phase: 22 + 10 = 32 us. Compute: the mean, 48 / 4 = 12 tokens x 18 us = 216 us. Total 64 + 216 + 64 = 344 us.
        Assert.Equal(32e-6, uniform, Precision);
        Assert.Equal(216e-6, ideal.ComputeSeconds, Precision);
        Assert.Equal(0, ideal.PlannerSeconds);
        Assert.Equal(344e-6, ideal.TotalSeconds, Precision);
    }

    [Fact]
    public void LayerTime_PerfectlyUniformLoads_EqualsTheIdeal()
    {
        // 8 ranks, 2 experts each, domains of 4: every source routes 8 tokens to each of the 16 experts.
        var rows = Enumerable.Range(0, 8).Select(_ => Enumerable.Repeat(8, 16).ToArray()).ToArray();
        var moeCase = MoeCase.Create(8, 4, 2, 2, 2, null, [new LayerTokens(rows)]);
        var topology = MoeTopology.From(moeCase);
        var model = new MoeModelConfig { Name = "uniform", Experts = 16, TopK = 2, Hidden = 512, ExpertIntermediate = 256, ExpertsPerRank = 2 };
        var simulator = new MoeStepSimulator(model, ClusterGraph.Build(new ClusterShape(8, 2, 4), HardwareSpec.Load("h800")));
        var tokens = moeCase.Layers[0];
        var plan = new NoBalancingPolicy().Plan(new MoeLayerProblem(topology, tokens.ExpertLoads));

        var none = simulator.LayerTime(MoeStepSimulator.Execute(tokens, plan));
        var ideal = simulator.IdealLayerTime(tokens, simulator.UniformAllToAllSeconds(tokens));

        Assert.Equal(ideal, none);
    }

    [Fact]
    public void Constructor_H800_ReadsTheSpecsFigures()
    {
        var hardware = HardwareSpec.Load("h800");
        var simulator = new MoeStepSimulator(MoeModelConfig.Load("deepseek-v3"), hardware.Build(64));

        // 989e12 x 0.55 per rank; weight sync over h800's NVLink: 200e9 B/s per direction, 5 us, 4 MiB chunks.
        Assert.Equal(989e12 * 0.55, simulator.SustainedFlops);
        Assert.Equal(hardware.Devices[0].SustainedFlops, simulator.SustainedFlops);
        Assert.Equal(new LinkModel(200e9, 200e9, 5e-6, 4L << 20), simulator.WeightSyncLink);
        Assert.Equal(LinkModel.From(hardware.Link(LinkClass.NvLink)), simulator.WeightSyncLink);
        Assert.Equal(64, simulator.Ranks);
    }

    [Fact]
    public void AllToAllSeconds_HalfTheNetworkBandwidth_DoublesTheInterDomainPart()
    {
        // The worked masters-only layer: rank 0 receives 10 tokens intra (10 us) and 20 inter (40 us), rank 3 sends 20
        // inter; phase 40 + 10 us latency. At half the network bandwidth the inter part doubles to 80 us, the intra
        // part (10 us) and the latency stay: 90 us.
        var (simulator, topology, tokens) = Tiny(MoeStepPhase.Training);
        var halved = HardwareSpec.Parse(TinyHardwareJson.Replace("\"bytesPerSecond\": 1e9", "\"bytesPerSecond\": 0.5e9", StringComparison.Ordinal));
        var slower = new MoeStepSimulator(simulator.Model, ClusterGraph.Build(new ClusterShape(4, 2, 2), halved));
        var execution = MoeStepSimulator.Execute(tokens, LayerPlan.Create(topology, Masters, 1.0));

        var (before, after) = (simulator.AllToAllSeconds(execution), slower.AllToAllSeconds(execution));

        Assert.Equal(50e-6, before, Precision);
        Assert.Equal(90e-6, after, Precision);
        Assert.Equal(2 * (before - 10e-6), after - 10e-6, Precision);
    }

    [Fact]
    public void AllToAllSeconds_LinkClassesOfDifferentLatency_PaysTheSlowestLinkUsed()
    {
        // Network messages cost 30 us, NVLink ones 10 us: a phase whose bytes stay inside the domains pays 10 us.
        var (simulator, topology, _) = Tiny(MoeStepPhase.Training);
        var spec = HardwareSpec.Parse(TinyHardwareJson.Replace("\"bytesPerSecond\": 1e9, \"latencySeconds\": 1e-5", "\"bytesPerSecond\": 1e9, \"latencySeconds\": 3e-5", StringComparison.Ordinal));
        var timed = new MoeStepSimulator(simulator.Model, ClusterGraph.Build(new ClusterShape(4, 2, 2), spec));

        // Source 1 sends 10 tokens to expert 0 on rank 0 (intra); source 3 sends 2 to expert 2 on rank 2 (intra).
        var intraOnly = new LayerTokens([[0, 0, 0, 0], [10, 0, 0, 0], [0, 0, 0, 0], [0, 0, 2, 0]]);
        var intra = MoeStepSimulator.Execute(intraOnly, LayerPlan.Create(topology, [new(0, 0, 10), new(1, 1, 0), new(2, 2, 2), new(3, 3, 0)], 1.0));

        // 10 tokens x 1 us over NVLink + 10 us; the worked layer's 40 us over the network + 30 us.
        Assert.Equal(20e-6, timed.AllToAllSeconds(intra), Precision);
        var (_, _, tokens) = Tiny(MoeStepPhase.Training);
        Assert.Equal(70e-6, timed.AllToAllSeconds(MoeStepSimulator.Execute(tokens, LayerPlan.Create(topology, Masters, 1.0))), Precision);
    }

    [Fact]
    public void UniformAllToAllSeconds_SharedMedium_SerialisesEverythingSent()
    {
        // One 4-device domain on one shared memory of 2e9 B/s: the uniform spread sends 7.5 + 9 + 3 + 16.5 = 36 tokens
        // off their source rank, 2000 bytes each, one after another: 36 us, plus 10 us.
        var spec = HardwareSpec.Parse("""
            { "name": "soc", "devices": [ { "name": "npu", "kind": "npu", "count": 4, "peakFlops": 1e12, "computeEfficiency": 0.5, "memoryBytes": 1e9, "memoryBytesPerSecond": 2e9 } ],
              "links": { "sharedDram": { "bytesPerSecond": 2e9, "latencySeconds": 1e-5, "shared": true } } }
            """);
        var simulator = new MoeStepSimulator(MoeModelConfig.Parse(TinyModelJson), ClusterGraph.Build(new ClusterShape(4, 4, 4), spec));

        Assert.Equal(46e-6, simulator.UniformAllToAllSeconds(new LayerTokens(Rows)), Precision);
    }

    [Fact]
    public void Constructor_RanksOfUnlikeRates_ThrowsNamingTheDevices()
    {
        var spec = HardwareSpec.Parse("""
            { "name": "mixed", "devices": [
                { "name": "fast", "kind": "gpu", "peakFlops": 2e12, "memoryBytes": 1e9, "memoryBytesPerSecond": 1e11 },
                { "name": "slow", "kind": "gpu", "peakFlops": 1e12, "memoryBytes": 1e9, "memoryBytesPerSecond": 1e11 } ],
              "links": { "nvlink": { "bytesPerSecond": 2e9, "latencySeconds": 1e-5 } } }
            """);

        var error = Assert.Throws<PlanningInputException>(() => new MoeStepSimulator(MoeModelConfig.Parse(TinyModelJson), ClusterGraph.Build(new ClusterShape(2, 2, 2), spec)));

        Assert.Equal("hardware.devices", error.Field);
        Assert.Contains("rank 0 sustains 2E+12 FLOP/s and rank 1 1E+12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ClusterWithoutFigures_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new MoeStepSimulator(MoeModelConfig.Parse(TinyModelJson), ClusterGraph.Build(new ClusterShape(4, 2, 2))));

        Assert.Equal("cluster", error.ParamName);
    }

    [Fact]
    public void AllToAllSeconds_LayerOfAnotherSize_Throws()
    {
        var (simulator, _, _) = Tiny(MoeStepPhase.Training);
        var eight = MoeCase.Create(8, 2, 2, 1, 0, null, [new LayerTokens([.. Enumerable.Range(0, 8).Select(_ => new int[8])])]);

        Assert.Throws<ArgumentException>(() => simulator.UniformAllToAllSeconds(eight.Layers[0]));
    }

    /// <summary>The tiny machine laid out as 4 ranks in nodes and domains of 2.</summary>
    /// <returns>The cluster.</returns>
    internal static ClusterGraph TinyCluster() => ClusterGraph.Build(new ClusterShape(4, 2, 2), HardwareSpec.Parse(TinyHardwareJson));

    private static (MoeStepSimulator Simulator, MoeTopology Topology, LayerTokens Tokens) Tiny(MoeStepPhase phase)
    {
        var moeCase = MoeCase.Create(4, 2, 2, 1, 1, null, [new LayerTokens(Rows)]);
        var cluster = TinyCluster();
        var simulator = new MoeStepSimulator(MoeModelConfig.Parse(TinyModelJson), cluster, phase);
        return (simulator, MoeTopology.From(cluster, moeCase.ExpertsPerRank, moeCase.RedundantSlotsPerRank), moeCase.Layers[0]);
    }
}
