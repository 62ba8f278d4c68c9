using System.Collections.Immutable;
using FsCheck;
using FsCheck.Xunit;
using Planning.Execution.Rollout;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class RolloutSimulatorTests
{
    private static readonly LinearCostModel Cost = new();

    private static readonly HardwareSpec H100 = HardwareSpec.Load("h100");

    /// <summary>The embedded h100 with one link class's bandwidth changed.</summary>
    private static HardwareSpec WithLink(LinkClass linkClass, double bytesPerSecond) =>
        H100 with { Links = H100.Links.SetItem(linkClass, H100.Link(linkClass) with { BytesPerSecond = bytesPerSecond }) };

    private static RolloutSimulationResult Simulate(RolloutCase c)
    {
        // Regroups every 0.25 s with no least gain, so that the resource manager's re-runs merge instances in these short
        // rollouts; tool calls predicted by a predictor fitted on the trace itself (its median misses most calls, so
        // transfers both hide in calls and outlast them); a restart of 0.05 s, so that restarts happen here too.
        var options = new HeddleOptions { Mechanisms = (HeddleMechanisms)c.Mechanisms, RegroupEverySeconds = 0.25, RegroupMinimumGain = 0 };
        var policy = RolloutPolicies.Create(c.Policy, new HeddlePlanner(new OraclePredictor(c.Trace), options, toolPredictor: ToolDurationPredictor.Fit(c.Trace)));
        var change = c.InPlaceResharding ? TensorParallelChange.InPlace : new TensorParallelChange { RestartSeconds = 0.05 };
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { MaxBatchSize = c.MaxBatch, TensorParallelChange = change });
        return simulator.Simulate(c.Trace, c.Gpus, policy);
    }

    /// <summary>The closed form on one instance at batch 1: prefill (prompt, or the observation on the cached context), then (outputs - 1) decode iterations at growing context, then the tool.</summary>
    private static double SingleTrajectoryMakespan(Trajectory t, int degree)
    {
        var time = 0.0;
        long context = t.PromptTokens;
        for (var turn = 0; turn < t.Turns; turn++)
        {
            // The first token comes with the prefill; with nothing to prefill (an empty observation on the cache) a decode iteration yields it.
            var observation = turn == 0 ? t.PromptTokens : t.ObservationTokens[turn - 1];
            time += observation > 0 ? Cost.PrefillSeconds(observation, context - observation, degree) : Cost.DecodeIterationSeconds(1, context, degree);
            for (var j = 1; j < t.OutputTokens[turn]; j++)
            {
                time += Cost.DecodeIterationSeconds(1, context + j, degree);
            }

            context += t.OutputTokens[turn];
            if (turn < t.Turns - 1)
            {
                time += t.ToolSeconds[turn];
                context += t.ObservationTokens[turn];
            }
        }

        return time;
    }

    [Theory]
    [InlineData("fcfs")]
    [InlineData("slime")]
    [InlineData("verl")]
    [InlineData("heddle")]
    public void Simulate_OneTrajectoryOneInstance_MakespanIsTheClosedForm(string policy)
    {
        var t = RolloutTraces.Make(0, 50, [20, 7, 13], [11, 0], [0.5, 1.25]);
        var result = new RolloutSimulator(Cost).Simulate([t], 1, RolloutPolicies.Create(policy, new HeddlePlanner(new OraclePredictor([t]))));

        Assert.Equal(SingleTrajectoryMakespan(t, 1), result.MakespanSeconds, 12);
        Assert.Equal(40, result.TotalOutputTokens);
        Assert.Equal(40 / result.MakespanSeconds, result.TokensPerSecond, 9);
        Assert.Equal(0, result.Counters.Reprefills);
        Assert.Equal(50 + 11 + 0, result.Counters.PrefillTokens);
        Assert.Equal(0.0, result.P99QueueSeconds);
    }

    [Fact]
    public void Simulate_OneTurnAtTensorParallel2_MakespanIsTheClosedForm()
    {
        var t = RolloutTraces.Make(0, 100, [64], [], []);
        var result = new RolloutSimulator(Cost).Simulate([t], 2, new FcfsRolloutPolicy());

        Assert.Equal([2], result.InstanceDegrees.ToArray());
        Assert.Equal(SingleTrajectoryMakespan(t, 2), result.MakespanSeconds, 12);
    }

    [Fact]
    public void Simulate_TwoTrajectoriesSharingABatch_MakespanIsTheHandComputedSum()
    {
        // Both admitted at t = 0: one iteration prefilling both (each yields its first token), then batch-2 iterations
        // until the shorter ends after 3 tokens, then batch 1 for the longer one's last 2 tokens.
        var a = RolloutTraces.Make(0, 10, [3], [], []);
        var b = RolloutTraces.Make(1, 20, [5], [], []);
        var result = new RolloutSimulator(Cost).Simulate([a, b], 1, new FcfsRolloutPolicy());

        var expected = Cost.PrefillSeconds(10, 0, 1) + Cost.PrefillSeconds(20, 0, 1)
            + Cost.DecodeIterationSeconds(2, 11 + 21, 1) + Cost.DecodeIterationSeconds(2, 12 + 22, 1)
            + Cost.DecodeIterationSeconds(1, 23, 1) + Cost.DecodeIterationSeconds(1, 24, 1);
        Assert.Equal(expected, result.MakespanSeconds, 12);
        Assert.Equal(Cost.PrefillSeconds(10, 0, 1) + Cost.PrefillSeconds(20, 0, 1) + Cost.DecodeIterationSeconds(2, 32, 1) + Cost.DecodeIterationSeconds(2, 34, 1), result.CompletionSeconds[0], 12);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(RolloutArbitraries)])]
    public void Simulate_SmallTraces_ConservesTokensAndHonoursToolsAndMemory(RolloutCase c)
    {
        var result = Simulate(c);

        Assert.Equal(c.Trace.Length, result.TrajectoriesCompleted);
        Assert.Equal(c.Trace.Select(t => t.TotalOutputTokens).ToArray(), result.GeneratedTokens.ToArray());
        Assert.Equal(c.Trace.Sum(t => t.TotalOutputTokens), result.Counters.GeneratedTokens);
        Assert.Equal(result.CompletionSeconds.Max(), result.MakespanSeconds);

        // Every turn exactly once, with all its tokens; the next turn ready exactly when the tool call ends (or, when its
        // cache was migrating, when the later of the call and the transfer ends), never admitted before.
        var transferEnds = result.Migrations.ToDictionary(m => (m.Trajectory, m.AfterTurn), m => m.EndSeconds);
        var turns = result.Turns.GroupBy(r => r.Trajectory).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Turn).ToArray());
        for (var i = 0; i < c.Trace.Length; i++)
        {
            var t = c.Trace[i];
            var records = turns[i];
            Assert.Equal(Enumerable.Range(0, t.Turns).ToArray(), records.Select(r => r.Turn).ToArray());
            Assert.Equal(t.OutputTokens.ToArray(), records.Select(r => r.GeneratedTokens).ToArray());
            Assert.Equal(0.0, records[0].ReadySeconds);
            for (var k = 0; k < t.Turns; k++)
            {
                Assert.True(records[k].AdmittedSeconds >= records[k].ReadySeconds);
                Assert.True(records[k].FinishedSeconds > records[k].AdmittedSeconds || t.OutputTokens[k] == 1);
                if (k > 0)
                {
                    var toolEnd = records[k - 1].FinishedSeconds + t.ToolSeconds[k - 1];
                    Assert.Equal(transferEnds.TryGetValue((i, k - 1), out var arrived) ? Math.Max(toolEnd, arrived) : toolEnd, records[k].ReadySeconds);
                }
            }

            Assert.Equal(records[^1].FinishedSeconds, result.CompletionSeconds[i]);
        }

        // No instance ever held more KV than its capacity.
        Assert.All(result.Instances, inst => Assert.True(inst.PeakKvTokens <= inst.KvCapacityTokens, $"peak {inst.PeakKvTokens} > {inst.KvCapacityTokens}"));

        // Migrations start as the tool call does and take at least their bytes over the link (shared links only slow
        // them); the next turn runs where the cache went, once both the call and the transfer are done.
        foreach (var m in result.Migrations)
        {
            var before = turns[m.Trajectory][m.AfterTurn];
            var after = turns[m.Trajectory][m.AfterTurn + 1];
            Assert.Equal(before.FinishedSeconds, m.StartSeconds);
            Assert.True(m.EndSeconds - m.StartSeconds >= (m.Tokens * (double)Cost.KvBytesPerToken / 25e9) * (1 - 1e-9));
            Assert.Equal(after.ReadySeconds, Math.Max(m.ToolEndSeconds, m.EndSeconds));
            Assert.Equal(m.ToInstance, after.Instance);
        }

        // No schedule beats the lower bound.
        var bound = RolloutLowerBound.Compute(c.Trace, c.Gpus, Cost);
        Assert.True(result.MakespanSeconds >= bound.Seconds * (1 - 1e-9), $"makespan {result.MakespanSeconds} < bound {bound.Seconds}");
        // Regroups move GPUs between instances, never add any: the active instances' degrees stay within the budget.
        Assert.True(result.Instances.Where(i => !i.Retired).Sum(i => i.TensorParallel) <= c.Gpus);
    }

    [Theory]
    [InlineData("fcfs")]
    [InlineData("slime")]
    [InlineData("verl")]
    [InlineData("heddle")]
    public void Simulate_LongContextsOnASmallCache_NotBelowTheBoundsContextTerm(string policy)
    {
        // Eight trajectories of 250-257 tokens on one GPU of 400 KV tokens: at most one runs at a time with another's
        // prompt, so iterations carry few tokens of context each and the context term of the bound (c) dominates; a
        // one-token prompt keeps term (b)'s batch-only rate high.
        Trajectory[] trace = [.. Enumerable.Range(0, 8).Select(i => RolloutTraces.Make(i, 150 + i, [100], [], [])), RolloutTraces.Make(8, 1, [2], [], [])];
        var bound = RolloutLowerBound.Compute(trace, 1, Cost);

        var result = new RolloutSimulator(Cost).Simulate(trace, 1, RolloutPolicies.Create(policy, new HeddlePlanner(new OraclePredictor(trace))));

        Assert.True(bound.ContextThroughputSeconds > Math.Max(bound.CriticalPathSeconds, bound.ThroughputSeconds), $"{bound}");
        Assert.True(result.MakespanSeconds >= bound.Seconds, $"makespan {result.MakespanSeconds} < bound {bound.Seconds}");
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(RolloutArbitraries)])]
    public void Simulate_SameInputTwice_SameResult(RolloutCase c)
    {
        var first = Simulate(c);
        var second = Simulate(c);

        Assert.Equal(first.MakespanSeconds, second.MakespanSeconds);
        Assert.Equal(first.Counters, second.Counters);
        Assert.Equal(first.Turns.ToArray(), second.Turns.ToArray());
        Assert.Equal(first.Migrations.ToArray(), second.Migrations.ToArray());
        Assert.Equal(first.Instances.SelectMany(i => i.Timeline).ToArray(), second.Instances.SelectMany(i => i.Timeline).ToArray());
    }

    [Fact]
    public void Simulate_PriorityOnOneSlot_AdmitsLongestPredictedFirst()
    {
        int[] outputs = [5, 40, 12, 25, 3];
        var trace = outputs.Select((o, i) => RolloutTraces.Make(i, 10 + i, [o], [], [])).ToImmutableArray();
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { MaxBatchSize = 1 });

        var heddle = simulator.Simulate(trace, 1, new HeddleRolloutPolicy(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority })));
        var fifo = simulator.Simulate(trace, 1, new HeddleRolloutPolicy(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.None })));

        Assert.Equal([1, 3, 2, 0, 4], heddle.Turns.OrderBy(r => r.AdmittedSeconds).Select(r => r.Trajectory).ToArray());
        Assert.Equal([0, 1, 2, 3, 4], fifo.Turns.OrderBy(r => r.AdmittedSeconds).Select(r => r.Trajectory).ToArray());
    }

    [Fact]
    public void Simulate_LongTurnReturnsFromTool_PreemptsTheShortestRunning()
    {
        // t0 has a short first turn, a tool call, then a long second turn; t1 and t2 fill the single slot meanwhile.
        var trace = ImmutableArray.Create(
            RolloutTraces.Make(0, 10, [2, 300], [0], [0.01]),
            RolloutTraces.Make(1, 11, [60], [], []),
            RolloutTraces.Make(2, 12, [20], [], []));
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { MaxBatchSize = 1 });

        var result = simulator.Simulate(trace, 1, new HeddleRolloutPolicy(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority })));

        Assert.True(result.Counters.Preemptions >= 1);
        var second = result.Turns.Single(r => r.Trajectory == 0 && r.Turn == 1);
        Assert.True(second.AdmittedSeconds < result.CompletionSeconds[1], "the long turn preempted the running one");
        Assert.Equal(trace.Sum(t => t.TotalOutputTokens), result.Counters.GeneratedTokens);
    }

    [Fact]
    public void Simulate_ImbalancedInstances_MigratesKvInsideTheToolCall()
    {
        // Sticky round-robin puts the two long multi-turn trajectories (0, 2) on instance 0 and two short ones on 1.
        var trace = ImmutableArray.Create(
            RolloutTraces.Make(0, 10, [40, 40, 40], [5, 5], [2.0, 2.0]),
            RolloutTraces.Make(1, 11, [5], [], []),
            RolloutTraces.Make(2, 12, [40, 40, 40], [5, 5], [2.0, 2.0]),
            RolloutTraces.Make(3, 13, [5], [], []));
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { EqualTensorParallelBatchTarget = 1 });

        // The tool calls (2 s each) are predicted from a training trace whose calls take 2 s, as Heddle.Fit does.
        var planner = new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Migration }, toolPredictor: ToolDurationPredictor.Fit(trace));
        var result = simulator.Simulate(trace, 2, new HeddleRolloutPolicy(planner));

        Assert.Equal([1, 1], result.InstanceDegrees.ToArray());
        Assert.NotEmpty(result.Migrations);
        foreach (var m in result.Migrations)
        {
            Assert.Equal(0, m.FromInstance);
            Assert.Equal(1, m.ToInstance);
            Assert.True(m.EndSeconds <= m.ToolEndSeconds);
        }

        Assert.Equal(0, result.Counters.Reprefills);
    }

    [Fact]
    public void Simulate_EmptyTrace_RejectedNamingTheTrace()
    {
        var error = Assert.Throws<PlanningInputException>(() => new RolloutSimulator(Cost).Simulate([], 1, new FcfsRolloutPolicy()));

        Assert.Equal("trace", error.Field);
    }

    [Fact]
    public void Simulate_FewerGpusThanTheSmallestDegree_RejectedNamingGpus()
    {
        var cost = new LinearCostModel(400, 2, 4);
        var t = RolloutTraces.Make(0, 10, [5], [], []);

        var error = Assert.Throws<PlanningInputException>(() => new RolloutSimulator(cost).Simulate([t], 1, new SlimeRolloutPolicy()));

        Assert.Equal("gpus", error.Field);
    }

    [Fact]
    public void Simulate_TrajectoryLargerThanEveryKvCache_RejectedNamingIt()
    {
        var small = RolloutTraces.Make(0, 10, [5], [], []);
        var large = RolloutTraces.Make(1, 300, [200], [], []);

        var error = Assert.Throws<PlanningInputException>(() => new RolloutSimulator(Cost).Simulate([small, large], 1, new VerlRolloutPolicy()));

        Assert.Equal("trace[1]", error.Field);
    }

    [Fact]
    public void Simulate_DuplicateIds_RejectedNamingTheId()
    {
        var t = RolloutTraces.Make(0, 10, [5], [], []);

        var error = Assert.Throws<PlanningInputException>(() => new RolloutSimulator(Cost).Simulate([t, t], 1, new FcfsRolloutPolicy()));

        Assert.Equal("trace[1].id", error.Field);
    }

    [Fact]
    public void Constructor_NonPositiveBatch_RejectedNamingTheOption()
    {
        var error = Assert.Throws<PlanningInputException>(() => new RolloutSimulator(Cost, new RolloutSimulationOptions { MaxBatchSize = 0 }));

        Assert.Equal("maxBatchSize", error.Field);
    }

    [Theory]
    [InlineData(true, new[] { 0, 2, 1 })]
    [InlineData(false, new[] { 0, 1, 2 })]
    public void Simulate_PrioritiesChangeOnCompletion_WaitingTurnsReKeyed(bool rekeys, int[] admissionOrder)
    {
        // One instance, batch 1, three one-turn trajectories ready at 0 with keys 3 > 2 > 1. When trajectory 0
        // completes, trajectory 2's key becomes 5: a re-keying simulator admits it before 1; otherwise the keys of
        // enqueue time hold.
        var trace = Enumerable.Range(0, 3).Select(i => RolloutTraces.Make(i, 10, [5], [], [])).ToArray();
        var simulator = new RolloutSimulator(new LinearCostModel(400, 1), new RolloutSimulationOptions { MaxBatchSize = 1 });

        var result = simulator.Simulate(trace, 1, new ChangingKeysPolicy(rekeys));

        Assert.Equal(admissionOrder, result.Turns.OrderBy(r => r.AdmittedSeconds).Select(r => r.Trajectory).ToArray());
    }

    [Fact]
    public void Simulate_RegroupIntoBusyInstance_NewDegreeFromTheNextBoundaryAfterTheReload()
    {
        // Layout TP1 + TP1; the one trajectory runs on instance 0; at t = 0.5 s the idle instance 1 is merged into it.
        // Oracle: the iterations as a loop, switching to TP2 (after the reload stall) at the first boundary at or after 0.5 s.
        var t = RolloutTraces.Make(0, 10, [200], [], []);
        // Host memory over a 1 MB/s PCIe link, so that the reload shows; an engine that reshards in place.
        var options = new RolloutSimulationOptions { Hardware = WithLink(LinkClass.Pcie, 1e6), TensorParallelChange = TensorParallelChange.InPlace };
        var policy = new MergingPolicy([1, 1], routeTo: _ => 0, interval: 0.5, merge: new InstanceMerge(0, [1]));

        var result = new RolloutSimulator(Cost, options).Simulate([t], 2, policy);

        var reload = (210.0 * Cost.KvBytesPerToken) / (2 * 1e6);
        var time = Cost.PrefillSeconds(10, 0, 1);
        var degree = 1;
        for (var j = 1; j < 200; j++)
        {
            if (degree == 1 && time >= 0.5)
            {
                degree = 2;
                time += reload;
            }

            time += Cost.DecodeIterationSeconds(1, 10 + j, degree);
        }

        Assert.Equal(2, degree);
        Assert.Equal(time, result.MakespanSeconds, 12);
        Assert.Equal(1, result.Counters.Regroups);
        Assert.Equal(reload, result.Counters.ReloadSeconds, 12);
        Assert.Equal([1, 1], result.InstanceDegrees.ToArray());
        Assert.Equal((2, 800L, false), (result.Instances[0].TensorParallel, result.Instances[0].KvCapacityTokens, result.Instances[0].Retired));
        Assert.True(result.Instances[1].Retired);
    }

    [Fact]
    public void Simulate_RegroupOfAStockEngine_RestartAndReprefillChargedInTheMakespan()
    {
        // The same merge with the default TP change, a stock engine's restart: at the first boundary at or after 0.5 s
        // (before iteration j) the instance stalls 64 s (the linear model's weights weigh nothing), then prefills the
        // running turn's context of 10 + j tokens again at TP2, and decodes on at TP2.
        var t = RolloutTraces.Make(0, 10, [200], [], []);
        var policy = new MergingPolicy([1, 1], routeTo: _ => 0, interval: 0.5, merge: new InstanceMerge(0, [1]));

        var result = new RolloutSimulator(Cost).Simulate([t], 2, policy);

        var time = Cost.PrefillSeconds(10, 0, 1);
        var degree = 1;
        var stall = 0.0;
        for (var j = 1; j < 200; j++)
        {
            if (degree == 1 && time >= 0.5)
            {
                degree = 2;
                stall = TensorParallelChange.StockRestartSeconds + Cost.PrefillSeconds(10 + j, 0, 2);
                time += stall;
            }

            time += Cost.DecodeIterationSeconds(1, 10 + j, degree);
        }

        Assert.True(stall > 64);
        Assert.Equal(time, result.MakespanSeconds, 9);
        Assert.Equal(stall, result.Counters.ReloadSeconds, 9);
        Assert.True(result.MakespanSeconds > 64 + SingleTrajectoryMakespan(t, 2));
    }

    [Fact]
    public void Simulate_TurnRoutedToRetiredInstance_RunsOnTheAbsorbingOne()
    {
        // Trajectory 1's cache is dropped at its 1 s tool call, so instance 1 is idle and merged into 0 meanwhile; its
        // next turn, routed to 1, runs (re-prefilled) on 0.
        var a = RolloutTraces.Make(0, 10, [100], [], []);
        var b = RolloutTraces.Make(1, 20, [1, 5], [3], [1.0]);
        var policy = new MergingPolicy([1, 1], routeTo: r => r == 0 ? 0 : 1, interval: 0.2, merge: new InstanceMerge(0, [1]), onlyWhenIdle: 1, dropCaches: true);

        var result = new RolloutSimulator(Cost).Simulate([a, b], 2, policy);

        Assert.Equal(1, result.Counters.Regroups);
        Assert.Equal([1, 0], result.Turns.Where(r => r.Trajectory == 1).OrderBy(r => r.Turn).Select(r => r.Instance).ToArray());
        Assert.Equal(1, result.Counters.Reprefills);
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1 }, new[] { 1, 2 })] // 1 + 1 + 1 = 3 is not a degree
    [InlineData(new[] { 1, 1 }, new[] { 0 })] // an instance cannot absorb itself
    public void Simulate_InvalidMerge_Throws(int[] layout, int[] absorbed)
    {
        var t = RolloutTraces.Make(0, 10, [200], [], []);
        var policy = new MergingPolicy([.. layout], routeTo: _ => 0, interval: 0.1, merge: new InstanceMerge(0, [.. absorbed]));

        Assert.Throws<InvalidOperationException>(() => new RolloutSimulator(Cost).Simulate([t], layout.Sum(), policy));
    }

    [Fact]
    public void Simulate_MergeAcrossNodes_Throws()
    {
        var t = RolloutTraces.Make(0, 10, [200], [], []);
        var policy = new MergingPolicy([1, 1], routeTo: _ => 0, interval: 0.1, merge: new InstanceMerge(0, [1]));

        // Nodes of one GPU each: the two instances' GPUs lie in two nodes of the cluster graph.
        var oneGpuNodes = H100 with { Devices = [H100.Devices[0] with { Count = 1 }], DevicesPerDomain = 1 };

        var error = Assert.Throws<InvalidOperationException>(() => new RolloutSimulator(Cost, new RolloutSimulationOptions { Hardware = oneGpuNodes }).Simulate([t], 2, policy));
        Assert.Contains("one node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_MergeInsideANodeOfTheDefaultHardware_Made()
    {
        // The same merge on h100's 8-GPU nodes: GPUs 0 and 1 share node 0, so it is made.
        var t = RolloutTraces.Make(0, 10, [200], [], []);
        var policy = new MergingPolicy([1, 1], routeTo: _ => 0, interval: 0.1, merge: new InstanceMerge(0, [1]));

        var result = new RolloutSimulator(Cost).Simulate([t], 2, policy);

        Assert.Equal(1, result.Counters.Regroups);
    }

    [Fact]
    public void Simulate_SlowerNetwork_MigrationTakesLongerAndTheTurnWaitsWhenLongerThanTheTool()
    {
        // Worked case: trajectory 0 runs on instance 0 (prompt 100, 50 tokens), then a 2 s tool call, during which the
        // policy moves its 150 cached tokens (150,000 bytes at 1,000 bytes a token) to instance 1 over the network link.
        // At 25e9 B/s the transfer takes 6 us; at 1e5 B/s 1.5 s (still inside the tool call); at 5e4 B/s 3 s, a second
        // past the call's return, so the next turn waits for its cache and the makespan grows by exactly that second.
        var t = RolloutTraces.Make(0, 100, [50, 10], [5], [2.0]);
        RolloutSimulationResult Run(double networkBytesPerSecond) =>
            new RolloutSimulator(Cost, new RolloutSimulationOptions { Hardware = WithLink(LinkClass.Network, networkBytesPerSecond) })
                .Simulate([t], 2, new MigratingPolicy());

        var fast = Run(25e9);
        var slow = Run(1e5);
        var tooSlow = Run(5e4);

        var fastMove = Assert.Single(fast.Migrations);
        var slowMove = Assert.Single(slow.Migrations);
        var lateMove = Assert.Single(tooSlow.Migrations);
        Assert.Equal(150, slowMove.Tokens);
        Assert.Equal(150 * 1000 / 25e9, fastMove.EndSeconds - fastMove.StartSeconds, 12);
        Assert.Equal(150 * 1000 / 1e5, slowMove.EndSeconds - slowMove.StartSeconds, 9);
        Assert.Equal(150 * 1000 / 5e4, lateMove.EndSeconds - lateMove.StartSeconds, 9);
        Assert.True(slowMove.EndSeconds <= slowMove.ToolEndSeconds);
        Assert.Equal(fast.MakespanSeconds, slow.MakespanSeconds, 12);
        Assert.Equal(lateMove.EndSeconds, tooSlow.Turns.Single(turn => turn.Turn == 1).ReadySeconds, 12);
        Assert.Equal(slow.MakespanSeconds + 1.0, tooSlow.MakespanSeconds, 9);
        Assert.Equal(0, tooSlow.Counters.Reprefills);
        Assert.All(new[] { fast, slow, tooSlow }, r => Assert.Equal(1, r.Turns.Single(turn => turn.Turn == 1).Instance));
    }

    [Fact]
    public void Simulate_TwoMigrationsOnOneLink_EachTakesTwiceAsLongBytesConserved()
    {
        // Two identical trajectories finish their first turn together on instance 0 and both move their 150-token caches
        // to instance 1 at once over 1e5 B/s links: each gets half the link, 3 s instead of 1.5 s alone, and the link
        // carries the 300,000 bytes at its full rate.
        var a = RolloutTraces.Make(0, 100, [50, 10], [5], [4.0]);
        var b = RolloutTraces.Make(1, 100, [50, 10], [5], [4.0]);
        var options = new RolloutSimulationOptions { Hardware = WithLink(LinkClass.Network, 1e5) };

        var alone = new RolloutSimulator(Cost, options).Simulate([a], 2, new MigratingPolicy());
        var shared = new RolloutSimulator(Cost, options).Simulate([a, b], 2, new MigratingPolicy());

        var single = Assert.Single(alone.Migrations);
        Assert.Equal(1.5, single.EndSeconds - single.StartSeconds, 9);
        Assert.Equal(2, shared.Migrations.Length);
        Assert.All(shared.Migrations, m => Assert.Equal(3.0, m.EndSeconds - m.StartSeconds, 9));
        Assert.Equal(shared.Migrations[0].StartSeconds, shared.Migrations[1].StartSeconds);
        Assert.Equal(shared.Migrations.Sum(m => m.Tokens * 1000.0), 1e5 * (shared.Migrations[0].EndSeconds - shared.Migrations[0].StartSeconds), 6);
    }

    [Fact]
    public void OnToolCall_ActualAndPredictedToolTimesDiffer_PolicyNeverSeesTheActual()
    {
        // The trace's calls take 7.25 s and 0.125 s; nothing a policy receives at a call, nor the state it reads, holds
        // them: the unfinished trajectory's future cannot be read, and what is readable is prompt and progress.
        var t = RolloutTraces.Make(0, 100, [50, 10, 20], [5, 6], [7.25, 0.125]);
        var policy = new NoOracleRecordingPolicy();

        var result = new RolloutSimulator(Cost).Simulate([t], 1, policy);

        Assert.Equal(2, policy.Calls.Count);
        Assert.All(policy.Calls, seen => Assert.DoesNotContain(7.25, seen));
        Assert.All(policy.Calls, seen => Assert.DoesNotContain(0.125, seen));
        Assert.Equal(2, policy.FutureRefused);
        Assert.Equal(1, result.TrajectoriesCompleted);
        Assert.Equal(t, policy.CompletedSeen);
    }

    [Fact]
    public void Simulate_HeddlePredictsALongerToolCall_MigratesAndTheTurnWaitsForItsCache()
    {
        // As the imbalanced case above, but the calls return after 1 ms while Heddle's predictor, fitted on a training
        // trace whose calls take 2 s, expects 2 s: a transfer of about 0.5 s (50 tokens) at 1e5 B/s looks hidden, so it migrates (an oracle
        // would not), and the next turn becomes ready when the cache arrives, after the call has returned.
        var trace = ImmutableArray.Create(
            RolloutTraces.Make(0, 10, [40, 40, 40], [5, 5], [0.001, 0.001]),
            RolloutTraces.Make(1, 11, [5], [], []),
            RolloutTraces.Make(2, 12, [40, 40, 40], [5, 5], [0.001, 0.001]),
            RolloutTraces.Make(3, 13, [5], [], []));
        ImmutableArray<Trajectory> training = [.. trace.Select(t => new Trajectory(t.Id, t.Group, t.PromptTokens, t.OutputTokens, t.ObservationTokens, [.. t.ToolSeconds.Select(_ => 2.0)]))];
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { EqualTensorParallelBatchTarget = 1, Hardware = WithLink(LinkClass.Network, 1e5) });
        var planner = new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Migration }, toolPredictor: ToolDurationPredictor.Fit(training));

        var result = simulator.Simulate(trace, 2, new HeddleRolloutPolicy(planner));

        Assert.NotEmpty(result.Migrations);
        foreach (var m in result.Migrations)
        {
            Assert.True(m.EndSeconds > m.ToolEndSeconds, "the actual call returned before the cache arrived");
            var next = result.Turns.Single(r => r.Trajectory == m.Trajectory && r.Turn == m.AfterTurn + 1);
            Assert.Equal(m.EndSeconds, next.ReadySeconds, 12);
        }
    }

    [Fact]
    public void Simulate_SlimeCacheAwareOnMultiTurnTrajectories_LaterTurnsReturnToTheirCache()
    {
        // Four 3-turn trajectories of four groups on two TP1 instances (the linear model has no recipe: the equal-TP rule
        // with a batch target of 1 gives TP1). The load never differs by more than 64, so every later turn matches its
        // own earlier request and returns to the instance holding its cache: no re-prefill.
        var trace = Enumerable.Range(0, 4).Select(i => RolloutTraces.Make(i * 4, 20 + i, [10, 10, 10], [5, 5], [0.5, 0.5])).ToArray();
        var simulator = new RolloutSimulator(Cost, new RolloutSimulationOptions { EqualTensorParallelBatchTarget = 1 });

        var result = simulator.Simulate(trace, 2, RolloutPolicies.Create("slime"));

        Assert.Equal("slime", result.Policy);
        Assert.Equal(0, result.Counters.Reprefills);
        Assert.All(result.Turns.GroupBy(r => r.Trajectory), g => Assert.Single(g.Select(r => r.Instance).Distinct()));
    }

    [Fact]
    public void Simulate_PolicyReadsTheClusterAndTheLayoutFromTheState()
    {
        // A 2+1 layout on 3 GPUs of h100: the plan graph assigns instance 0 to GPUs 0 and 1, instance 1 to GPU 2, all in
        // node 0, and the bandwidths are h100's network and PCIe links.
        var t = RolloutTraces.Make(0, 10, [5], [], []);
        var policy = new RecordingPolicy([2, 1]);

        new RolloutSimulator(Cost).Simulate([t], 3, policy);

        var state = policy.State;
        Assert.NotNull(state);
        Assert.Equal(3, state.Cluster.Devices.Length);
        Assert.Equal([[0, 1], [2]], InstanceLayout.DevicesOfInstances(state.Plan).Select(d => d.ToArray()).ToArray());
        Assert.Equal((0, 0), (state.NodeOf(0), state.NodeOf(1)));
        Assert.Equal((25e9, 25e9), (state.MigrationBytesPerSecond, state.ReloadBytesPerSecond));
    }

    [Fact]
    public void Simulate_InstanceSpanningTwoNodes_HasNoNode()
    {
        // Layout 4+4+4 on 12 GPUs with 8 GPUs a node: instance 1 spans GPUs 4-7 (node 0), instance 2 spans GPUs 8-11 (node 1);
        // a layout 6+4 puts instance 1 on GPUs 6-9, across nodes 0 and 1.
        var t = RolloutTraces.Make(0, 10, [5], [], []);
        var cost = new LinearCostModel(400, 1, 2, 4, 6);
        var within = new RecordingPolicy([4, 4, 4]);
        var across = new RecordingPolicy([6, 4]);

        new RolloutSimulator(cost).Simulate([t], 12, within);
        new RolloutSimulator(cost).Simulate([t], 12, across);

        Assert.Equal([0, 0, 1], Enumerable.Range(0, 3).Select(within.State!.NodeOf).ToArray());
        Assert.Equal([0, -1], Enumerable.Range(0, 2).Select(across.State!.NodeOf).ToArray());
    }

    [Fact]
    public void Options_BadHardware_NameTheField()
    {
        var noNetwork = H100 with { Links = H100.Links.Remove(LinkClass.Network) };
        var noPcie = H100 with { Links = H100.Links.Remove(LinkClass.Pcie) };

        Assert.Equal("hardware", Assert.Throws<PlanningInputException>(() => new RolloutSimulationOptions { Hardware = null! }.Validate()).Field);
        Assert.Equal("hardware.links.network", Assert.Throws<PlanningInputException>(() => new RolloutSimulationOptions { Hardware = noNetwork }.Validate()).Field);
        Assert.Equal("hardware.links.pcie", Assert.Throws<PlanningInputException>(() => new RolloutSimulationOptions { Hardware = noPcie }.Validate()).Field);
        Assert.Equal("hardware.links.pcie.bytesPerSecond", Assert.Throws<PlanningInputException>(() => new RolloutSimulationOptions { Hardware = WithLink(LinkClass.Pcie, 0) }.Validate()).Field);
    }

    [Fact]
    public void Options_Default_IsTheEmbeddedH100()
    {
        var hardware = RolloutSimulationOptions.Default.Hardware;

        Assert.Equal("h100", hardware.Name);
        Assert.Equal(8, hardware.DevicesPerNode);
        Assert.Equal((25e9, 25e9), (hardware.Link(LinkClass.Network).BytesPerSecond, hardware.Link(LinkClass.Pcie).BytesPerSecond));
    }

    [Fact]
    public async Task Simulate_PolicyThatNeverStartsATrajectoryWithRegroupTimer_ReportsTheStall()
    {
        // The regroup timer alone must not keep a stalled simulation running: it ends with the stall error (the
        // timeout only turns a regression, a simulation ticking forever, into a failure instead of a hung test run).
        var t = RolloutTraces.Make(0, 10, [200], [], []);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Task.Run(() => new RolloutSimulator(Cost).Simulate([t], 1, new NeverStartsPolicy())).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("stalled with 1 trajectories unfinished", error.Message, StringComparison.Ordinal);
    }

    /// <summary>One TP1 instance; never lets a trajectory start; asks for regroups every second (and never merges).</summary>
    private sealed class NeverStartsPolicy : IRolloutPolicy
    {
        public string Name => "never-starts";

        public double RegroupIntervalSeconds => 1;

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => [1];

        public void Start(IRolloutState state)
        {
        }

        public int Route(IRolloutState state, int trajectory) => 0;

        public double Priority(IRolloutState state, int trajectory) => 0;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

        public bool MayStart(IRolloutState state, int instance, int trajectory) => false;

        public void OnCompleted(IRolloutState state, int trajectory)
        {
        }
    }

    /// <summary>A fixed layout and routing; at its regroup calls it asks for one merge (once, when the absorbed instance is idle if told); optionally drops every cache at tool calls.</summary>
    private sealed class MergingPolicy(ImmutableArray<int> layout, Func<int, int> routeTo, double interval, InstanceMerge merge, int onlyWhenIdle = -1, bool dropCaches = false) : IRolloutPolicy
    {
        private bool _merged;

        public string Name => "merging";

        public double RegroupIntervalSeconds => interval;

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => layout;

        public void Start(IRolloutState state)
        {
        }

        public int Route(IRolloutState state, int trajectory) => routeTo(trajectory);

        public double Priority(IRolloutState state, int trajectory) => 0;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) =>
            dropCaches ? new ToolCallDecision(ToolCallAction.Reprefill, 0) : ToolCallDecision.Stay;

        public void OnCompleted(IRolloutState state, int trajectory)
        {
        }

        public IReadOnlyList<InstanceMerge> Regroup(IRolloutState state)
        {
            if (_merged || (onlyWhenIdle >= 0 && !state.IsIdle(onlyWhenIdle)))
            {
                return [];
            }

            _merged = true;
            return [merge];
        }
    }

    /// <summary>Routes to instance 0, never preempts; keys 3, 2, 1, and 5 for trajectory 2 once trajectory 0 is done.</summary>
    private sealed class ChangingKeysPolicy(bool rekeys) : IRolloutPolicy
    {
        private bool _firstDone;

        public string Name => "changing-keys";

        public bool PrioritiesChangeOnCompletion => rekeys;

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => [1];

        public void Start(IRolloutState state)
        {
        }

        public int Route(IRolloutState state, int trajectory) => 0;

        public double Priority(IRolloutState state, int trajectory) => trajectory == 2 && _firstDone ? 5 : 3 - trajectory;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

        public void OnCompleted(IRolloutState state, int trajectory) => _firstDone |= trajectory == 0;
    }

    /// <summary>A 1+1 layout; trajectory 0 starts on instance 0 and moves its KV cache to instance 1 at its first tool call.</summary>
    private sealed class MigratingPolicy : IRolloutPolicy
    {
        public string Name => "migrating";

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => [1, 1];

        public void Start(IRolloutState state)
        {
        }

        public int Route(IRolloutState state, int trajectory) => state.HasStarted(trajectory) ? 1 : 0;

        public double Priority(IRolloutState state, int trajectory) => 0;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => new(ToolCallAction.MigrateKv, 1);

        public void OnCompleted(IRolloutState state, int trajectory)
        {
        }
    }

    /// <summary>
    /// One TP1 instance; at each tool call records every number it can read about the trajectory (progress, cache,
    /// prompt) and tries to read its future, which must be refused until it has finished.
    /// </summary>
    private sealed class NoOracleRecordingPolicy : IRolloutPolicy
    {
        public List<double[]> Calls { get; } = [];

        public int FutureRefused { get; private set; }

        public Trajectory? CompletedSeen { get; private set; }

        public string Name => "no-oracle";

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => [1];

        public void Start(IRolloutState state)
        {
        }

        public int Route(IRolloutState state, int trajectory) => 0;

        public double Priority(IRolloutState state, int trajectory) => 0;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory)
        {
            var p = state.Progress(trajectory);
            var prompt = state.Prompts[trajectory];
            Calls.Add([state.Now, p.PromptTokens, p.CompletedTurns, p.GeneratedTokens, p.ContextTokens, p.LastTurnOutputTokens, state.CachedTokens(trajectory), state.CachedOn(trajectory), prompt.PromptTokens, state.TransfersInFlight(0)]);
            try
            {
                state.Completed(trajectory);
            }
            catch (InvalidOperationException)
            {
                FutureRefused++;
            }

            return ToolCallDecision.Stay;
        }

        public void OnCompleted(IRolloutState state, int trajectory) => CompletedSeen = state.Completed(trajectory);
    }

    /// <summary>A fixed layout, everything on instance 0; keeps the state it was started with.</summary>
    private sealed class RecordingPolicy(ImmutableArray<int> layout) : IRolloutPolicy
    {
        public string Name => "recording";

        public IRolloutState? State { get; private set; }

        public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) => layout;

        public void Start(IRolloutState state) => State = state;

        public int Route(IRolloutState state, int trajectory) => 0;

        public double Priority(IRolloutState state, int trajectory) => 0;

        public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

        public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

        public void OnCompleted(IRolloutState state, int trajectory)
        {
        }
    }
}
