using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Execution.Tests.Rollout;

/// <summary>Heddle with the trained progressive predictor and the calibrated cost model, as the command line runs it.</summary>
public sealed class HeddleRolloutPolicyTests
{
    private static RolloutSimulationResult Run(HeddleMechanisms mechanisms, bool online, out Trajectory[] trace)
    {
        trace = [.. RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 6, 8, 5).Trajectories];
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 16, 8, 99).Trajectories;
        var predictor = ProgressiveRemainingWorkPredictor.Train(training, new ProgressivePredictorOptions { RefitEvery = 16 });
        var policy = new HeddleRolloutPolicy(new HeddlePlanner(
            predictor, new HeddleOptions { Mechanisms = mechanisms, LearnOnline = online }, new HeddleCalibration { ToolSecondsPerOutputToken = 0.001 }));
        return new RolloutSimulator(CalibratedCostModel.ForModel("8b")).Simulate(trace, 8, policy);
    }

    [Theory]
    [InlineData(HeddleMechanisms.All, false)]
    [InlineData(HeddleMechanisms.All, true)]
    [InlineData(HeddleMechanisms.Priority | HeddleMechanisms.Migration, true)]
    [InlineData(HeddleMechanisms.Placement | HeddleMechanisms.Resources, false)]
    public void Simulate_TrainedPredictor_CompletesEveryTokenAboveTheBoundDeterministically(HeddleMechanisms mechanisms, bool online)
    {
        var first = Run(mechanisms, online, out var trace);
        var second = Run(mechanisms, online, out _);

        Assert.Equal(trace.Length, first.TrajectoriesCompleted);
        Assert.Equal(trace.Select(t => t.TotalOutputTokens).ToArray(), first.GeneratedTokens.ToArray());
        Assert.True(first.MakespanSeconds >= RolloutLowerBound.Compute(trace, 8, CalibratedCostModel.ForModel("8b")).Seconds);
        Assert.All(first.Instances, i => Assert.True(i.PeakKvTokens <= i.KvCapacityTokens));
        Assert.Equal(first.MakespanSeconds, second.MakespanSeconds);
        Assert.Equal(first.Counters, second.Counters);
        Assert.Equal(first.InstanceDegrees.ToArray(), second.InstanceDegrees.ToArray());
    }

    /// <summary>Four trajectories of 40 tokens and one of three turns of 150, for the tail cost model on 4 GPUs.</summary>
    private static readonly Trajectory[] FourShortOneStraggler =
    [
        RolloutTraces.Make(0, 10, [40], [], []),
        RolloutTraces.Make(1, 11, [40], [], []),
        RolloutTraces.Make(2, 12, [40], [], []),
        RolloutTraces.Make(3, 13, [40], [], []),
        RolloutTraces.Make(4, 14, [150, 150, 150], [5, 5], [0.2, 0.2]),
    ];

    [Fact]
    public void Regroup_IdleGpusBesideAStraggler_MergedIntoItsInstanceAndTheRolloutEndsSooner()
    {
        // Four short trajectories and one long one on 4 GPUs, where TP1 has the best throughput but a lone sequence runs
        // faster at a higher degree: once the short ones are done, the re-runs give idle instances' GPUs to the
        // straggler's (the initial mapping is held to the throughput-best degree). An engine that reshards in place: a
        // stock restart's 64 s would cost more than the straggler's whole tail here.
        var trace = FourShortOneStraggler;
        var cost = new TailCostModel();
        RolloutSimulationResult Simulate(double every) => new RolloutSimulator(cost, new RolloutSimulationOptions { TensorParallelChange = TensorParallelChange.InPlace }).Simulate(
            trace, 4, new HeddleRolloutPolicy(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions
            {
                RegroupEverySeconds = every,
                Resources = new ResourceManagerOptions { MaxTailFraction = 0, Iterations = 0 }, // the initial layout: TP1 only
            })));

        var regrouped = Simulate(0.1);
        var fixedLayout = Simulate(0);

        Assert.Equal(fixedLayout.InstanceDegrees.ToArray(), regrouped.InstanceDegrees.ToArray());
        Assert.Equal(0, fixedLayout.Counters.Regroups);
        Assert.True(regrouped.Counters.Regroups >= 1);
        Assert.Contains(regrouped.Instances, i => i.TensorParallel > regrouped.InstanceDegrees.Max() && !i.Retired);
        Assert.True(regrouped.MakespanSeconds < fixedLayout.MakespanSeconds * 0.8, $"{regrouped.MakespanSeconds} vs {fixedLayout.MakespanSeconds}");
        Assert.Equal(fixedLayout.TotalOutputTokens, regrouped.GeneratedTokens.Sum());
    }

    public static Arbitrary<(ImmutableArray<Trajectory> Trace, int Gpus, int MaxBatch, double Fraction)> ObservationFreeCases() =>
        (from trace in RolloutTraces.Small()
         from gpus in Gen.Choose(1, 2)
         from batch in Gen.Choose(1, 4)
         from fraction in Gen.Elements(1.0, 1.25)
         select (trace.Select(t => new Trajectory(t.Id, t.Group, t.PromptTokens, t.OutputTokens, [.. t.ObservationTokens.Select(_ => 0)], t.ToolSeconds)).ToImmutableArray(), gpus, batch, fraction)).ToArbitrary();

    [Property(MaxTest = 100, Arbitrary = [typeof(HeddleRolloutPolicyTests)])]
    public void MayStart_ExactPredictions_StartedTrajectoriesWithinTheAdmissionFraction(ValueTuple<ImmutableArray<Trajectory>, int, int, double> generated)
    {
        // With exact predictions and no observations a trajectory's predicted final context is its true one, so the
        // trajectories started on an instance (first turn admitted, last turn not finished) never need more KV than the
        // fraction of its cache, unless one runs alone; at fraction 1 no cache is ever evicted.
        var (trace, gpus, batch, fraction) = generated;
        var cost = new LinearCostModel(kvTokensPerGpu: 400);
        var result = new RolloutSimulator(cost, new RolloutSimulationOptions { MaxBatchSize = batch }).Simulate(
            trace, gpus, new HeddleRolloutPolicy(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority, AdmissionKvFraction = fraction })));

        if (fraction == 1)
        {
            Assert.Equal(0, result.Counters.Evictions);
            Assert.Equal(0, result.Counters.Reprefills);
        }

        var lives = result.Turns.GroupBy(r => r.Trajectory).Select(g => (
            Trajectory: g.Key,
            Instance: g.First(r => r.Turn == 0).Instance,
            Start: g.First(r => r.Turn == 0).AdmittedSeconds,
            End: g.Max(r => r.FinishedSeconds))).ToArray();
        foreach (var life in lives)
        {
            var alongside = lives.Where(o => o.Trajectory != life.Trajectory && o.Instance == life.Instance && o.Start <= life.Start && o.End > life.Start).ToArray();
            var demand = alongside.Append(life).Sum(o => trace[o.Trajectory].FinalContextTokens);
            Assert.True(
                alongside.Length == 0 || demand <= fraction * cost.KvCapacityTokens(result.InstanceDegrees[life.Instance]),
                $"trajectory {life.Trajectory} started at {life.Start} beside {alongside.Length} others: {demand} KV tokens");
        }
    }

    [Fact]
    public void MayStart_LongContextsOnASmallCache_NoEvictionsWhereStepCentricAdmissionThrashes()
    {
        // Six trajectories of final context 190 on one GPU of 400 KV tokens: admitting whatever fits the memory of the
        // moment starts five, whose caches then evict each other across the tool calls; trajectory-level admission
        // starts two at a time and keeps their caches.
        Trajectory[] trace = [.. Enumerable.Range(0, 6).Select(i => RolloutTraces.Make(i, 30 + i, [40, 40, 40], [20, 20], [1.0, 1.0]))];
        var cost = new LinearCostModel(kvTokensPerGpu: 400);
        RolloutSimulationResult Simulate(double fraction) => new RolloutSimulator(cost).Simulate(
            trace, 1, new HeddleRolloutPolicy(new HeddlePlanner(
                new OraclePredictor(trace),
                new HeddleOptions { Mechanisms = HeddleMechanisms.Priority, AdmissionKvFraction = fraction },
                new HeddleCalibration { ObservationTokensPerOutputToken = 40.0 / 120 })));

        var admitted = Simulate(1);
        var unrestricted = Simulate(0);

        Assert.Equal(0, admitted.Counters.Evictions);
        Assert.Equal(0, admitted.Counters.Reprefills);
        Assert.True(unrestricted.Counters.Evictions > 0);
        Assert.True(admitted.Counters.PrefillTokens < unrestricted.Counters.PrefillTokens);
        Assert.Equal(trace.Sum(t => t.TotalOutputTokens), admitted.GeneratedTokens.Sum());
        var firstStarts = admitted.Turns.Where(r => r.Turn == 0).Select(r => r.AdmittedSeconds).Order().ToArray();
        Assert.Equal(0, firstStarts[1]);
        Assert.True(firstStarts[2] > 0, "a third trajectory started while two were running");
    }

    [Theory]
    [InlineData(HeddleMechanisms.All)]
    [InlineData(HeddleMechanisms.Priority | HeddleMechanisms.Placement)]
    public void ChooseDegrees_WithAndWithoutResources_ThePlannersLayoutElseEqualTensorParallel(HeddleMechanisms mechanisms)
    {
        // With the resource manager the planner's (straggler-robust) layout; without it the baselines' equal-TP rule.
        var trace = FourShortOneStraggler;
        var cost = new TailCostModel();
        var planner = new HeddlePlanner(
            new OraclePredictor(trace),
            new HeddleOptions { Mechanisms = mechanisms, Resources = new ResourceManagerOptions { MaxTailFraction = 0, Iterations = 0 } },
            new HeddleCalibration { ExpectedLongestTokens = 450 });

        var degrees = new HeddleRolloutPolicy(planner).ChooseDegrees(trace, 4, cost, RolloutSimulationOptions.Default);

        Assert.Equal((mechanisms & HeddleMechanisms.Resources) != 0 ? [4] : EqualTensorParallel.Layout(trace, 4, cost, RolloutSimulationOptions.Default).ToArray(), degrees.ToArray());
    }

    [Fact]
    public void ChooseDegrees_MaxContextConfigured_SameLayoutWhateverTheTraceGoesOnToGenerate()
    {
        // Two rollouts with the same prompts whose trajectories go on to generate different amounts: with the rollout's
        // maximum context configured, heddle's layout and the equal-TP rule cannot tell them apart (what they will
        // generate is the future), though the longest final contexts differ.
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 6, 8, 5).Trajectories;
        var longer = trace.Select(t => new Trajectory(t.Id, t.Group, t.PromptTokens, [.. t.OutputTokens.Select(o => o * 3)], t.ObservationTokens, t.ToolSeconds)).ToImmutableArray();
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 16, 8, 99).Trajectories;
        var cost = CalibratedCostModel.ForModel("8b");
        var options = new RolloutSimulationOptions { MaxContextTokens = 200_000 };
        Assert.NotEqual(trace.Max(t => t.FinalContextTokens), longer.Max(t => t.FinalContextTokens));
        HeddleRolloutPolicy Heddle() => new(HeddlePlanner.Fit(training, new HeddleOptions()));

        Assert.Equal(Heddle().ChooseDegrees(trace, 16, cost, options).ToArray(), Heddle().ChooseDegrees(longer, 16, cost, options).ToArray());
        Assert.Equal(EqualTensorParallel.FixableDegrees(trace, 16, cost, options).ToArray(), EqualTensorParallel.FixableDegrees(longer, 16, cost, options).ToArray());
    }

    [Fact]
    public void Simulate_TrajectoryLongerThanTheMaximumContext_NamesTheTrajectory()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 2, 4, 5).Trajectories;
        var longest = trace.Select((t, i) => (t.FinalContextTokens, i)).Max();
        var simulator = new RolloutSimulator(CalibratedCostModel.ForModel("8b"), new RolloutSimulationOptions { MaxContextTokens = longest.FinalContextTokens - 1 });

        var error = Assert.Throws<PlanningInputException>(() => simulator.Simulate(trace, 8, new VerlRolloutPolicy()));

        Assert.Equal($"trace[{longest.i}]", error.Field);
        Assert.Contains("maximum context", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_NoMechanisms_SameScheduleAsVerl()
    {
        // Both at the equal-TP rule's degree (verl alone would run at its recipe's).
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, 4, 8, 2).Trajectories;
        var cost = CalibratedCostModel.ForModel("8b");
        var degree = EqualTensorParallel.Degree(trace, 8, cost, RolloutSimulationOptions.Default);
        var simulator = new RolloutSimulator(cost, new RolloutSimulationOptions { EqualTensorParallelDegree = degree });

        var heddle = simulator.Simulate(trace, 8, new HeddleRolloutPolicy(HeddlePlanner.Fit(trace, new HeddleOptions { Mechanisms = HeddleMechanisms.None })));
        var verl = simulator.Simulate(trace, 8, new VerlRolloutPolicy());

        Assert.Equal("heddle[none]", heddle.Policy);
        Assert.Equal(verl.MakespanSeconds, heddle.MakespanSeconds);
        Assert.Equal(verl.Turns.ToArray(), heddle.Turns.ToArray());
    }

    [Fact]
    public void Start_Placement_EachTrajectoryRunsOnTheInstanceThePlanAssignsIt()
    {
        // The adapter annotates the placement on the cluster beside the layout and routes by what it reads back: each
        // trajectory's first turn runs on the instance the planner's placement chose.
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 6, 8, 5).Trajectories;
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 16, 8, 99).Trajectories;
        var planner = HeddlePlanner.Fit(training, new HeddleOptions { Mechanisms = HeddleMechanisms.Placement });
        var cost = CalibratedCostModel.ForModel("8b");

        var result = new RolloutSimulator(cost).Simulate(trace, 8, new HeddleRolloutPolicy(planner));

        Assert.True(planner.TryPlace(trace, result.InstanceDegrees, cost, out var plan));
        Assert.True(result.InstanceDegrees.Length > 1, "a layout of one instance would not test the routing");
        for (var t = 0; t < trace.Length; t++)
        {
            Assert.Equal(plan!.InstanceOf[t], result.Turns.Single(r => r.Trajectory == t && r.Turn == 0).Instance);
        }
    }

    /// <summary>An iteration of 2 ms + 8 ms / TP + 1 ms per sequence: TP1 has the most tokens per GPU, a lone sequence is fastest at TP4.</summary>
    private sealed class TailCostModel : IInferenceCostModel
    {
        public string ModelName => "tail";

        public IReadOnlyList<int> TensorParallelDegrees { get; } = [1, 2, 4];

        public long KvBytesPerToken => 1000;

        public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) => 0.002 + (0.008 / tensorParallel) + (0.001 * batchSize);

        public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => 0.0001 * newTokens / tensorParallel;

        public long KvCapacityTokens(int tensorParallel) => 2000L * tensorParallel;
    }
}
