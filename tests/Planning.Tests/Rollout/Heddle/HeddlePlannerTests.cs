using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class HeddlePlannerTests
{
    private static Trajectory Make(int index, int prompt, int[] outputs, string? group = null) =>
        new($"t{index}", group ?? $"g{index}", prompt, [.. outputs], [.. outputs.Skip(1).Select(_ => 5)], [.. outputs.Skip(1).Select(_ => 0.2)]);

    [Fact]
    public void Fit_TrainingTrace_TheTrainedPredictorAndItsCalibration()
    {
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 8, 4, 21).Trajectories;

        var planner = HeddlePlanner.Fit(training);

        var expected = ProgressiveRemainingWorkPredictor.Train(training);
        var fitted = Assert.IsType<ProgressiveRemainingWorkPredictor>(planner.Predictor);
        Assert.Equal(expected.Coefficients.ToArray(), fitted.Coefficients.ToArray());
        Assert.Equal(256, fitted.Options.RefitEvery);
        Assert.Equal(HeddleCalibration.Measure(training, expected), planner.Calibration);
        Assert.Equal(HeddleMechanisms.All, planner.Mechanisms);
        Assert.Equal("heddle", planner.Name);
    }

    [Fact]
    public void GenerateTrainingTrace_Seed_TheSeedPlus7919At64By16AndItsName()
    {
        var trace = HeddlePlanner.GenerateTrainingTrace(RolloutTraceFamily.Agentic, 2);

        Assert.Equal(
            RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(RolloutTraceFamily.Agentic, 64, 16, 7921)),
            RolloutTraceJson.Serialize(trace));
        Assert.Equal("agentic 64x16 seed 7921", HeddlePlanner.DescribeTrainingTrace(RolloutTraceFamily.Agentic, 2));
    }

    [Fact]
    public void InitialWorkItems_GrpoSiblingsWithEqualPredictions_NumberedToInterleaveGroups()
    {
        Trajectory[] trace = [.. Enumerable.Range(0, 6).Select(i => Make(i, 10 + i, [20], $"g{i / 2}"))];
        var planner = new HeddlePlanner(
            new ConstantPredictor(100), calibration: new HeddleCalibration { ObservationTokensPerOutputToken = 0.5, ToolSecondsPerOutputToken = 0.01 });

        var items = planner.InitialWorkItems(trace);

        // Rank within the group x 3 groups + the group's index.
        Assert.Equal([0, 3, 1, 4, 2, 5], items.Select(i => i.Trajectory).ToArray());
        Assert.All(items, i => Assert.Equal(100, i.PredictedTokens));
        Assert.Equal(trace.Select(t => t.PromptTokens + 50L).ToArray(), items.Select(i => i.ContextTokens).ToArray());
        Assert.All(items, i => Assert.Equal(1.0, i.PredictedToolSeconds, 12));
    }

    [Fact]
    public void InitialWorkItems_PlacementLogResolution_PredictionsRoundedToTheGeometricGrid()
    {
        var planner = new HeddlePlanner(new ConstantPredictor(100), calibration: new HeddleCalibration { PlacementLogResolution = 1 });

        var items = planner.InitialWorkItems([Make(0, 10, [20])]);

        Assert.Equal(Math.Exp(5), items[0].PredictedTokens, 9);
    }

    /// <summary>Four trajectories of 40 tokens and one of three turns of 150, for the tail cost model on 4 GPUs.</summary>
    private static readonly Trajectory[] FourShortOneStraggler =
    [
        Make(0, 10, [40]),
        Make(1, 11, [40]),
        Make(2, 12, [40]),
        Make(3, 13, [40]),
        Make(4, 14, [150, 150, 150]),
    ];

    [Theory]
    [InlineData(0, new[] { 1, 1, 1, 1 })]
    [InlineData(450, new[] { 4 })]
    public void TryChooseDegrees_ExpectedStragglerFasterAtAHigherDegree_UniformLayoutReplacesTheAnnealedOne(double expectedLongest, int[] expected)
    {
        // The resource manager is held to its TP1 mapping; a straggler of 450 tokens would take 450 x 11 ms alone at TP1
        // but 450 x 5 ms at TP4, where the whole trace is predicted to finish in about 2.4 s: told to expect one, the
        // planner takes the uniform TP4 layout (more than 10 % better on the worse of the two estimates).
        var trace = FourShortOneStraggler;
        var planner = new HeddlePlanner(
            new OraclePredictor(trace),
            new HeddleOptions { Resources = new ResourceManagerOptions { MaxTailFraction = 0, Iterations = 0 } },
            new HeddleCalibration { ExpectedLongestTokens = expectedLongest });

        Assert.True(planner.TryChooseDegrees(trace, trace.Max(t => t.FinalContextTokens), 4, new TailCostModel(), out var degrees));
        Assert.Equal(expected, degrees.ToArray());
    }

    [Fact]
    public void TryChooseDegrees_ResourcesOffOrNoDegreeHoldsTheLongest_LeavesTheLayoutToTheCaller()
    {
        var trace = FourShortOneStraggler;
        var withoutResources = new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.All & ~HeddleMechanisms.Resources });
        var tooSmall = new HeddlePlanner(new OraclePredictor(trace));

        Assert.False(withoutResources.TryChooseDegrees(trace, trace.Max(t => t.FinalContextTokens), 4, new TailCostModel(), out _));
        Assert.False(tooSmall.TryChooseDegrees(trace, trace.Max(t => t.FinalContextTokens), 4, new AffineCostModel(kvPerGpu: 100), out var none));
        Assert.True(none.IsDefault);
    }

    [Fact]
    public void TryPlace_PlacementOn_ThePresortedDpOfTheInitialItems()
    {
        var trace = FourShortOneStraggler;
        var cost = new TailCostModel();
        var planner = new HeddlePlanner(new OraclePredictor(trace));

        Assert.True(planner.TryPlace(trace, [1, 1, 2], cost, out var plan));
        var expected = new PresortedDpPlacement(cost).Place(planner.InitialWorkItems(trace), [1, 1, 2]);
        Assert.Equal(expected.InstanceOf.ToArray(), plan!.InstanceOf.ToArray());
        Assert.False(new HeddlePlanner(new OraclePredictor(trace), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority }).TryPlace(trace, [1, 1, 2], cost, out _));
    }

    [Theory]
    [InlineData(700, 500, 1, true)]
    [InlineData(800, 500, 1, false)]
    [InlineData(0, 5000, 0, true)]
    public void MayStart_StartedFinalContexts_WithinTheFractionOfTheCapacity(long started, long candidate, int count, bool expected)
    {
        // 1,000 KV tokens at the default fraction 1.25: 1,250 tokens of predicted final contexts; an empty instance always starts one.
        var planner = new HeddlePlanner(new ConstantPredictor(1));

        Assert.Equal(expected, planner.MayStart(candidate, started, count, 1000));
        Assert.True(new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { AdmissionKvFraction = 0 }).MayStart(candidate, started, count, 1000));
        Assert.True(new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { Mechanisms = HeddleMechanisms.Placement }).MayStart(candidate, started, count, 1000));
    }

    [Fact]
    public void ShouldPreempt_PriorityMargins_OnlyWithThePriorityMechanism()
    {
        var planner = new HeddlePlanner(new ConstantPredictor(1));
        var fifo = new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { Mechanisms = HeddleMechanisms.None });

        // Default margins: more than 25 % and more than 64 tokens above the running one.
        Assert.True(planner.ShouldPreempt(1000, 700));
        Assert.False(planner.ShouldPreempt(1000, 900));
        Assert.False(planner.ShouldPreempt(100, 50));
        Assert.False(fifo.ShouldPreempt(1000, 700));
        Assert.Equal(1000, planner.Priority(1000));
        Assert.Equal(0, fifo.Priority(1000));
    }

    /// <summary>
    /// Instance 0 runs three trajectories of 4,000 predicted tokens and the one entering a tool call (1,000 tokens, 1,000
    /// of context); instance 1 is empty. Both TP1 of the affine model (1,000,000 KV tokens).
    /// </summary>
    private static HeddleMigrationRequest Loaded(double toolSeconds, long residentOnTarget = 0) => new(
        SourceInstance: 0,
        Instance: 0,
        RemainingTokens: 1000,
        ContextTokens: 1000,
        ToolSeconds: toolSeconds,
        Forecasts: [new(0, 4000, 1000), new(0, 1000, 1000), new(0, 4000, 1000), new(0, 4000, 1000)],
        InstanceTensorParallel: [1, 1],
        InstanceFreeKvTokens: [990_000, 1_000_000],
        InstancePredictedResidentKvTokens: [15_000, residentOnTarget]);

    [Fact]
    public void DecideMigration_LoadedSourceIdleTarget_MovesTheCacheInsideTheToolCallOrReprefills()
    {
        var cost = new AffineCostModel();
        var planner = new HeddlePlanner(new ConstantPredictor(1));

        var hidden = planner.DecideMigration(Loaded(toolSeconds: 10), cost, 25e9);
        var exposed = planner.DecideMigration(Loaded(toolSeconds: 0.001), cost, 25e9);

        Assert.Equal(MigrationKind.MigrateKv, hidden.Kind);
        Assert.Equal(1, hidden.TargetInstance);
        Assert.True(hidden.PredictedGainSeconds > 0);
        Assert.Equal(MigrationKind.Reprefill, exposed.Kind);
        Assert.Equal(cost.PrefillSeconds(1000, 0, 1), exposed.PrefillSeconds, 12);
    }

    [Fact]
    public void DecideMigration_TargetFreeNowButFullOncePredictedContextsGrow_Stays()
    {
        // 999,500 predicted resident tokens plus the mover's growth of 1,000 leave no room for its 1,000 tokens of
        // context, though the target's cache is empty now.
        var planner = new HeddlePlanner(new ConstantPredictor(1));

        var decision = planner.DecideMigration(Loaded(toolSeconds: 10, residentOnTarget: 999_500), new AffineCostModel(), 25e9);
        var without = new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority })
            .DecideMigration(Loaded(toolSeconds: 10), new AffineCostModel(), 25e9);

        Assert.Equal(MigrationKind.Stay, decision.Kind);
        Assert.Equal(0, decision.TargetInstance);
        Assert.Equal(MigrationKind.Stay, without.Kind);
    }

    [Fact]
    public void DecideMigration_ForecastOnAMissingInstance_RejectedNamingIt()
    {
        var request = Loaded(toolSeconds: 10) with { Forecasts = [new(2, 10, 10)] };

        var error = Assert.Throws<PlanningInputException>(() => new HeddlePlanner(new ConstantPredictor(1)).DecideMigration(request, new AffineCostModel(), 25e9));

        Assert.Equal("forecasts[0].instance", error.Field);
    }

    [Theory]
    [InlineData(5_000, false)] // TP2 saves ~41 s of ~102 s: less than the 64 s restart
    [InlineData(20_000, true)] // TP2 saves ~165 s: more than the restart and the re-prefill of 1,000 tokens
    public void PlanRegroup_StockEngineRestart_MergesOnlyWhenTheSavingPaysForIt(int tokens, bool merged)
    {
        RegroupInstance[] instances = [new(1, 0, false, false), new(1, 0, false, true)];
        TrajectoryForecast[] forecasts = [new(0, tokens, 1000)];
        var cost = new AffineCostModel();
        var group = InstanceForecasts.Group(forecasts, 2)[0];
        var saving = InstanceForecasts.BatchSeconds(cost, group, 1) - InstanceForecasts.BatchSeconds(cost, group, 2);
        var restart = TensorParallelChange.Stock.Seconds(cost, 2, 1000, 25e9) + cost.PrefillSeconds(1000, 0, 2);

        var merges = new HeddlePlanner(new ConstantPredictor(1)).PlanRegroup(instances, forecasts, cost, 25e9, TensorParallelChange.Stock);
        var inPlace = new HeddlePlanner(new ConstantPredictor(1)).PlanRegroup(instances, forecasts, cost, 25e9, TensorParallelChange.InPlace);

        Assert.Equal(merged, saving - restart > 0.05 * InstanceForecasts.BatchSeconds(cost, group, 1));
        Assert.Equal(merged ? 1 : 0, merges.Length);
        Assert.Single(inPlace);
    }

    [Fact]
    public void PlanRegroup_IdleInstanceBesideTheBusiestOfItsNode_MergedIntoIt()
    {
        // A lone trajectory of 5,000 tokens on TP1 of the affine model, where TP2 nearly halves an iteration; one idle
        // TP1 on its node, another on the next node.
        RegroupInstance[] instances = [new(1, 0, false, false), new(1, 0, false, true), new(1, 1, false, true)];
        TrajectoryForecast[] forecasts = [new(0, 5000, 1000)];
        var cost = new AffineCostModel();

        var merges = new HeddlePlanner(new ConstantPredictor(1)).PlanRegroup(instances, forecasts, cost, 25e9, TensorParallelChange.InPlace);
        var demanding = new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { RegroupMinimumGain = 1 }).PlanRegroup(instances, forecasts, cost, 25e9, TensorParallelChange.InPlace);
        var noneIdle = new HeddlePlanner(new ConstantPredictor(1)).PlanRegroup([instances[0], instances[0] with { Node = 1 }], forecasts, cost, 25e9, TensorParallelChange.InPlace);

        var merge = Assert.Single(merges);
        Assert.Equal(0, merge.Into);
        Assert.Equal([1], merge.Absorbed.ToArray());
        Assert.Empty(demanding);
        Assert.Empty(noneIdle);
    }

    [Fact]
    public void PredictRemainingTokens_NotFiniteOrNegative_Zero()
    {
        var progress = new TrajectoryProgress(10, 0, 0, 10, 0);

        Assert.Equal(0, new HeddlePlanner(new ConstantPredictor(double.NaN)).PredictRemainingTokens(progress, "g"));
        Assert.Equal(0, new HeddlePlanner(new ConstantPredictor(-3)).PredictRemainingTokens(progress, "g"));
        Assert.Equal(42, new HeddlePlanner(new ConstantPredictor(42)).PredictRemainingTokens(progress, "g"));
        Assert.Equal(10 + 63, new HeddlePlanner(new ConstantPredictor(1), calibration: new HeddleCalibration { ObservationTokensPerOutputToken = 0.25 }).PredictedFinalContext(10, 50));
    }

    [Fact]
    public void LearnsOnline_OnlyWithAProgressivePredictorAndTheOption()
    {
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Balanced, 4, 4, 5).Trajectories;

        Assert.True(HeddlePlanner.Fit(training, HeddleOptions.Default with { LearnOnline = true }).LearnsOnline);
        Assert.False(HeddlePlanner.Fit(training).LearnsOnline);
        Assert.False(new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { LearnOnline = true }).LearnsOnline);
    }

    [Fact]
    public void Name_Ablation_ListsTheMechanisms()
    {
        var planner = new HeddlePlanner(new ConstantPredictor(1), new HeddleOptions { Mechanisms = HeddleMechanisms.Priority | HeddleMechanisms.Migration });

        Assert.Equal("heddle[priority,migration]", planner.Name);
        Assert.Equal(0, planner.RegroupIntervalSeconds);
        Assert.Equal(10, new HeddlePlanner(new ConstantPredictor(1)).RegroupIntervalSeconds);
    }

    [Fact]
    public void Constructor_BadCalibration_RejectedNamingTheField()
    {
        var error = Assert.Throws<PlanningInputException>(() => new HeddlePlanner(new ConstantPredictor(1), calibration: new HeddleCalibration { ExpectedLongestTokens = -1 }));

        Assert.Equal("expectedLongestTokens", error.Field);
    }
}
