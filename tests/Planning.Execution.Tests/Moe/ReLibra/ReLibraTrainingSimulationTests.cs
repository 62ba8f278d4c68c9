using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Moe;
using Planning.Execution.Moe.ReLibra;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.ReLibra;

namespace Planning.Execution.Tests.Moe.ReLibra;

/// <summary>The ReLibra training-step simulation: token conservation in both passes, replica gradients charged, determinism.</summary>
public sealed class ReLibraTrainingSimulationTests
{
    private static readonly MoeModelConfig Tiny = new() { Name = "tiny", Experts = 16, TopK = 2, Hidden = 1024, ExpertIntermediate = 512, ExpertsPerRank = 2 };

    private static readonly ReLibraSimulationOptions HeuristicOnly = new() { Planner = new ReLibraOptions { Reordering = new ExpertReorderingOptions { UseSolver = false } } };

    private static RoutingReplay SmallReplay(int seed = 3) => RoutingReplayGenerator.Generate(new RoutingReplaySettings
    {
        Ranks = 8,
        RanksPerNode = 4,
        ExpertsPerRank = 2,
        RedundantSlotsPerRank = 1,
        Layers = 2,
        Batches = 2,
        Microbatches = 3,
        TokensPerRank = 512,
        TopK = 2,
        HotExperts = 3,
        Seed = seed,
    });

    private static ClusterGraph Cluster(int ranks, int perNode) => ClusterGraph.Build(new ClusterShape(ranks, perNode, perNode), HardwareSpec.Load("h800"));

    [Fact]
    public void Run_EveryPolicy_ConservesTokensInBothPasses()
    {
        var replay = SmallReplay();
        var total = replay.Microbatches.Sum(m => m.Case.Layers.Sum(l => l.ExpertLoads.Sum()));

        var result = ReLibraTrainingSimulation.Run(replay, ReLibraTrainingSimulation.Names, Tiny, Cluster(8, 4), HeuristicOnly);

        Assert.Equal(ReLibraTrainingSimulation.Names, result.Policies.Select(p => p.Policy));
        Assert.All(result.Policies, p => Assert.Equal((total, total), (p.ForwardTokens, p.BackwardTokens)));
        Assert.All(result.Policies, p => Assert.True(result.Ideal.ComputeSeconds <= p.ComputeSeconds + 1e-15, p.Policy));
        Assert.Equal(1.0, result.SpeedupOverMegatron(result.Megatron));
        Assert.Equal(0, result.Megatron.BytesMoved);
        Assert.Equal(0, result.Ideal.BytesMoved);
    }

    [Fact]
    public void Run_OneHotExpert_ChargesTheReplicaGradientToTheMasterOverNvlink()
    {
        // One node of two ranks, one master and one redundant slot each; both ranks send 100 tokens to expert 0. UltraEP
        // replicates expert 0 on rank 1 (quota 100) and reroutes rank 1's tokens to it: no token leaves its rank. The
        // replica's weights come from the master and its gradients go back: 3 x 1024 x 512 x 2 bytes each way over
        // NVLink at 200e9 B/s plus the 5 us latency, the fetch fully exposed (the dispatch moves nothing).
        var model = Tiny with { Experts = 2, ExpertsPerRank = 1 };
        var moeCase = MoeCase.Create(2, 2, 2, 1, 1, null, [new LayerTokens([[100, 0], [100, 0]])]);
        var replay = RoutingReplay.Create([new ReplayMicrobatch(0, 0, moeCase)]);

        var result = ReLibraTrainingSimulation.Run(replay, ["ultraep", "megatron"], model, Cluster(2, 2), HeuristicOnly);

        var ultraEp = result.Policies[0];
        const long ExpertBytes = 3L * 1024 * 512 * 2;
        Assert.Equal(ExpertBytes, model.ExpertBytes);
        Assert.Equal(ExpertBytes, ultraEp.ReplicaGradientBytes);
        Assert.Equal(ExpertBytes, ultraEp.ReplicaWeightBytes);
        var oneWay = (ExpertBytes / 200e9) + 5e-6;
        Assert.Equal(2 * oneWay, ultraEp.ReplicaSeconds, 15);
        Assert.Equal(0, ultraEp.AllToAllSeconds);
        Assert.Equal(0, result.Megatron.ReplicaGradientBytes);

        // Compute: 100 tokens on the busiest rank against 200 without balancing, forward and backward (6 x 3 x H x I each).
        var perToken = 6.0 * 3 * 1024 * 512 / (989e12 * 0.55);
        Assert.Equal(100 * perToken, ultraEp.ComputeSeconds, 15);
        Assert.Equal(200 * perToken, result.Megatron.ComputeSeconds, 15);
        Assert.Equal(ultraEp.ComputeSeconds + ultraEp.AllToAllSeconds + ultraEp.ReplicaSeconds, ultraEp.StepSeconds, 15);
    }

    [Fact]
    public void Run_SameHotExpertInTwoMicrobatches_FetchesTheReplicaOnceAndReducesItsGradientsOnce()
    {
        // Two microbatches of one batch, both as in the case above: the replica of expert 0 on rank 1 stays in its slot,
        // so its weights come once and its accumulated gradients go back once, before the optimizer step. Without
        // persistence both are charged per microbatch.
        var model = Tiny with { Experts = 2, ExpertsPerRank = 1 };
        var moeCase = MoeCase.Create(2, 2, 2, 1, 1, null, [new LayerTokens([[100, 0], [100, 0]])]);
        var replay = RoutingReplay.Create([new ReplayMicrobatch(0, 0, moeCase), new ReplayMicrobatch(0, 1, moeCase)]);

        var kept = ReLibraTrainingSimulation.Run(replay, ["ultraep"], model, Cluster(2, 2), HeuristicOnly).Policies[0];
        var perMicrobatch = ReLibraTrainingSimulation.Run(replay, ["ultraep"], model, Cluster(2, 2), HeuristicOnly with { ReplicasPersistInBatch = false }).Policies[0];

        var oneWay = (model.ExpertBytes / 200e9) + 5e-6;
        Assert.Equal((model.ExpertBytes, model.ExpertBytes), (kept.ReplicaWeightBytes, kept.ReplicaGradientBytes));
        Assert.Equal(2 * oneWay, kept.ReplicaSeconds, 15);
        Assert.Equal((2 * model.ExpertBytes, 2 * model.ExpertBytes), (perMicrobatch.ReplicaWeightBytes, perMicrobatch.ReplicaGradientBytes));
        Assert.Equal(4 * oneWay, perMicrobatch.ReplicaSeconds, 15);
        Assert.Equal(kept.ComputeSeconds, perMicrobatch.ComputeSeconds);
    }

    [Fact]
    public void Run_Relibra_ChargesEveryMovedExpertsStateAtTheBoundary()
    {
        var replay = SmallReplay(seed: 9);

        // Unguarded: every batch reorders (guarded, this small replay keeps its layout: the moves do not pay).
        var result = ReLibraTrainingSimulation.Run(replay, ["relibra"], Tiny, Cluster(8, 4), HeuristicOnly with { GuardEachBatch = false });

        // The same plans, recomputed: every layer of every batch reordered from the layout the previous batch left.
        // The penalty: the whole state (3 x 1024 x 512 x 14 bytes), since this replay's batches compute far less than
        // the state exchange of a rank sending all its experts, over 8 NICs of 50e9 B/s, times a node's 4 ranks over the
        // seconds per token (6 x 3 x 1024 x 512 FLOPs at 989e12 x 0.55, plus four 2048-byte token transfers at 50e9 B/s).
        var secondsPerToken = (6.0 * 3 * 1024 * 512 / (989e12 * 0.55)) + (4.0 * 2048 / 50e9);
        var penalty = (long)Math.Ceiling(3.0 * 1024 * 512 * 14 / (8 * 50e9) * (4 / secondsPerToken));
        var simulator = new MoeStepSimulator(Tiny, Cluster(8, 4));
        Assert.Equal(penalty, ReLibraTrainingSimulation.MovePenalty(simulator, replay, 0, overlapTransfers: true));
        Assert.Equal(penalty, ReLibraTrainingSimulation.MovePenalty(simulator, replay, 1, overlapTransfers: false));
        long moved = 0;
        var layouts = Enumerable.Range(0, replay.Layers).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, 16).ToArray()).ToArray();
        for (var b = 0; b < replay.Batches.Length; b++)
        {
            for (var l = 0; l < replay.Layers; l++)
            {
                var plan = ExpertReordering.PlanBatch(replay, b, l, layouts[l], new ExpertReorderingOptions { UseSolver = false, MovePenalty = penalty });
                moved += plan.MovedExperts.Length;
                layouts[l] = plan.SlotExpert;
            }
        }

        Assert.Equal(moved * Tiny.ExpertStateBytes(MoeStepPhase.Training), result.Policies[0].BoundaryBytes);
        Assert.Equal(moved > 0, result.Policies[0].BoundarySeconds > 0);
    }

    [Theory]
    [InlineData(100_000, 2)]
    [InlineData(1_000, 14)]
    public void MovePenalty_Overlapped_PricesTheWeightsAloneWhenTheLeastComputeOutlastsTheState(int tokens, int bytesPerParameter)
    {
        // 8 ranks on 2 nodes, 16 experts, one layer: every rank sends `tokens` to every expert, so every rank computes at
        // least 16 x tokens, forward and backward. The most state a rank sends is its 2 experts' 12 bytes a parameter:
        // 2 x 12 x 3 x 1024 x 512 / 50e9 = 0.75 ms. 100,000 tokens compute 27.8 ms and hide it (the penalty prices the
        // 2 bytes of weights); 1,000 compute 0.28 ms and do not (14 bytes).
        var moeCase = MoeCase.Create(8, 4, 4, 2, 1, null, [new LayerTokens([.. Enumerable.Range(0, 8).Select(_ => Enumerable.Repeat(tokens, 16).ToArray())])]);
        var replay = RoutingReplay.Create([new ReplayMicrobatch(0, 0, moeCase)]);
        var secondsPerToken = (6.0 * 3 * 1024 * 512 / (989e12 * 0.55)) + (4.0 * 2048 / 50e9);

        var penalty = ReLibraTrainingSimulation.MovePenalty(new MoeStepSimulator(Tiny, Cluster(8, 4)), replay, 0, overlapTransfers: true);

        Assert.Equal((long)Math.Ceiling(3.0 * 1024 * 512 * bytesPerParameter / (8 * 50e9) * (4 / secondsPerToken)), penalty);
    }

    [Theory]
    [InlineData(50_000, 1_000)]
    [InlineData(5_000, 100)]
    public void Run_RelibraSwapAcrossNodes_ExposesTheWeightsAndTheStateLongerThanTheCompute(int hot, int cold)
    {
        // Two nodes of one rank, two experts each. Both ranks send `hot` tokens to experts 0 and 1 (node 0) and `cold`
        // to experts 2 and 3: the reordering puts a hot expert on each node, so one expert moves each way. The weights
        // (3 x 1024 x 512 x 2 bytes) cross before the first forward: W / 50e9 + 5 us, each NIC sending one and
        // receiving one. The optimizer state (12 bytes a parameter) streams behind the batch's expert compute, and only
        // the part longer than it is charged; with the transfers exposed, weights and state go together.
        var model = Tiny with { Experts = 4 };
        var moeCase = MoeCase.Create(2, 1, 1, 2, 0, null, [new LayerTokens([[hot, hot, cold, cold], [hot, hot, cold, cold]])]);
        var replay = RoutingReplay.Create([new ReplayMicrobatch(0, 0, moeCase)]);

        var overlapped = ReLibraTrainingSimulation.Run(replay, ["relibra"], model, Cluster(2, 1), HeuristicOnly).Policies[0];
        var exposed = ReLibraTrainingSimulation.Run(replay, ["relibra"], model, Cluster(2, 1), HeuristicOnly with { OverlapTransfers = false }).Policies[0];

        const double Parameters = 3.0 * 1024 * 512;
        Assert.Equal(2 * model.ExpertStateBytes(MoeStepPhase.Training), overlapped.BoundaryBytes);
        Assert.Equal(2 * model.ExpertStateBytes(MoeStepPhase.Training), exposed.BoundaryBytes);

        // Each rank computes one hot and one cold expert's tokens, forward and backward.
        var perToken = 6.0 * 3 * 1024 * 512 / (989e12 * 0.55);
        Assert.Equal(2 * (hot + cold) * perToken, overlapped.ComputeSeconds, 15);
        var weights = (2 * Parameters / 50e9) + 5e-6;
        var state = (12 * Parameters / 50e9) + 5e-6;
        Assert.Equal(weights + Math.Max(0, state - overlapped.ComputeSeconds), overlapped.BoundarySeconds, 15);
        Assert.Equal((14 * Parameters / 50e9) + 5e-6, exposed.BoundarySeconds, 15);
        Assert.Equal(hot > 20_000, state < overlapped.ComputeSeconds);
    }

    [Fact]
    public void Run_EvictedReplica_SendsItsGradientsDuringTheForwardWhenOverlapped()
    {
        // One node of two ranks, experts 0 and 1 on rank 0, 2 and 3 on rank 1, one redundant slot each. Microbatch 0:
        // both ranks send 100 tokens to expert 0, so rank 1 holds a replica of it; microbatch 1: to expert 1, whose
        // replica takes rank 1's slot, evicting expert 0's, whose gradients go to rank 0 first. Every transfer is one
        // expert's bytes over NVLink (oneWay). Exposed: fetch, fetch and eviction, and the batch end's flush of expert
        // 1's gradients: 4 oneWay. Overlapped: the eviction's gradients (rank 1 to 0) go with the fetch (rank 0 to 1) in
        // one full-duplex exchange, so 3 oneWay.
        var model = Tiny with { Experts = 4 };
        var first = MoeCase.Create(2, 2, 2, 2, 1, null, [new LayerTokens([[100, 0, 0, 0], [100, 0, 0, 0]])]);
        var second = MoeCase.Create(2, 2, 2, 2, 1, null, [new LayerTokens([[0, 100, 0, 0], [0, 100, 0, 0]])]);
        var replay = RoutingReplay.Create([new ReplayMicrobatch(0, 0, first), new ReplayMicrobatch(0, 1, second)]);

        var overlapped = ReLibraTrainingSimulation.Run(replay, ["ultraep"], model, Cluster(2, 2), HeuristicOnly).Policies[0];
        var exposed = ReLibraTrainingSimulation.Run(replay, ["ultraep"], model, Cluster(2, 2), HeuristicOnly with { OverlapTransfers = false }).Policies[0];

        var oneWay = (model.ExpertBytes / 200e9) + 5e-6;
        Assert.Equal((2 * model.ExpertBytes, 2 * model.ExpertBytes), (exposed.ReplicaWeightBytes, exposed.ReplicaGradientBytes));
        Assert.Equal(4 * oneWay, exposed.ReplicaSeconds, 15);
        Assert.Equal(3 * oneWay, overlapped.ReplicaSeconds, 15);
        Assert.Equal(exposed with { ReplicaSeconds = 0, StepSeconds = 0 }, overlapped with { ReplicaSeconds = 0, StepSeconds = 0 });
    }

    [Fact]
    public void Run_OverlappedTransfers_SamePlansForTheBaselinesAndNeverSlower()
    {
        // Only ReLibra's move penalty reads the option: every other policy makes the same plans, moves the same bytes
        // and computes the same, and overlapping can only hide time.
        var replay = SmallReplay(seed: 5);
        string[] policies = ["eplb", "eplb-oracle", "ultraep"];

        var overlapped = ReLibraTrainingSimulation.Run(replay, policies, Tiny, Cluster(8, 4), HeuristicOnly);
        var exposed = ReLibraTrainingSimulation.Run(replay, policies, Tiny, Cluster(8, 4), HeuristicOnly with { OverlapTransfers = false });

        foreach (var (on, off) in overlapped.Policies.Zip(exposed.Policies))
        {
            Assert.Equal((off.ComputeSeconds, off.AllToAllSeconds, off.BytesMoved, off.BoundaryBytes), (on.ComputeSeconds, on.AllToAllSeconds, on.BytesMoved, on.BoundaryBytes));
            Assert.True(on.ReplicaSeconds <= off.ReplicaSeconds, on.Policy);
            Assert.True(on.BoundarySeconds <= off.BoundarySeconds, on.Policy);
        }

        Assert.True(exposed.Policies[0].BoundarySeconds > 0);
    }

    [Property(MaxTest = 25)]
    public Property Run_GuardedRelibraOnOneBatch_NeverSlowerThanMegatronUltraEpOrItselfUnguarded() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Elements(64, 512, 4096).ToArbitrary(),
            (seed, tokensPerRank) =>
            {
                // One batch: the guard's candidates include megatron's configuration (identity layout, no replicas),
                // ultraep's (identity layout, replicas) and the unguarded one (reordered, replicas).
                var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings
                {
                    Ranks = 8,
                    RanksPerNode = 4,
                    ExpertsPerRank = 2,
                    RedundantSlotsPerRank = 1,
                    Layers = 1,
                    Batches = 1,
                    Microbatches = 3,
                    TokensPerRank = tokensPerRank,
                    TopK = 2,
                    HotExperts = 3,
                    Seed = seed,
                });

                var guarded = ReLibraTrainingSimulation.Run(replay, ["relibra", "ultraep"], Tiny, Cluster(8, 4), HeuristicOnly);
                var unguarded = ReLibraTrainingSimulation.Run(replay, ["relibra"], Tiny, Cluster(8, 4), HeuristicOnly with { GuardEachBatch = false });

                var relibra = guarded.Policies[0].StepSeconds;
                Assert.True(relibra <= guarded.Megatron.StepSeconds + 1e-12, $"megatron {guarded.Megatron.StepSeconds}, relibra {relibra}");
                Assert.True(relibra <= guarded.Policies[1].StepSeconds + 1e-12, $"ultraep {guarded.Policies[1].StepSeconds}, relibra {relibra}");
                Assert.True(relibra <= unguarded.Policies[0].StepSeconds + 1e-12, $"unguarded {unguarded.Policies[0].StepSeconds}, relibra {relibra}");
                return true;
            });

    [Fact]
    public void Run_Twice_SameFigures()
    {
        var replay = SmallReplay();
        var options = new ReLibraSimulationOptions();

        var first = ReLibraTrainingSimulation.Run(replay, ReLibraTrainingSimulation.Names, Tiny, Cluster(8, 4), options);
        var second = ReLibraTrainingSimulation.Run(replay, ReLibraTrainingSimulation.Names, Tiny, Cluster(8, 4), options);

        Assert.Equal(first.Policies.ToArray(), second.Policies.ToArray());
    }

    [Fact]
    public void Run_ReplayOfAnotherModel_NamesTheField()
    {
        var error = Assert.Throws<PlanningInputException>(() => ReLibraTrainingSimulation.Run(SmallReplay(), ["relibra"], Tiny with { Experts = 32 }, Cluster(8, 4), HeuristicOnly));

        Assert.Equal("replay.expertsPerRank", error.Field);
    }

    [Fact]
    public void Run_UnknownPolicy_NamesPolicies()
    {
        var error = Assert.Throws<PlanningInputException>(() => ReLibraTrainingSimulation.Run(SmallReplay(), ["relibra,fastest"], Tiny, Cluster(8, 4), HeuristicOnly));

        Assert.Equal("policies", error.Field);
        Assert.Contains("\"fastest\"", error.Problem, StringComparison.Ordinal);
    }
}
