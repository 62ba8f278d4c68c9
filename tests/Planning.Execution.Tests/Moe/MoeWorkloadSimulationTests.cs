using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Moe;
using Planning.Execution.Moe.Strategies;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Execution.Tests.Moe;

/// <summary>Policies over a workload of microbatches: the ideal bounds every policy, determinism, the references, only the policies asked for run.</summary>
public sealed class MoeWorkloadSimulationTests
{
    private static readonly MoeSimulationOptions Fixed = new() { PlannerSecondsPerLayer = 20e-6 };

    /// <summary>Small generated workloads: 4 or 8 ranks, any node and domain sizes that divide them, 1..3 experts and 0..2 redundant slots per rank, 1..4 microbatches, zipf, hot-set or rotating.</summary>
    /// <returns>Workload settings and the hardware to run them on.</returns>
    public static Arbitrary<(MoeWorkloadSettings Settings, string Hardware)> Workloads() =>
        (from ranksLog in Gen.Choose(2, 3)
         from nodeLog in Gen.Choose(0, ranksLog)
         from domainLog in Gen.Choose(nodeLog, ranksLog)
         from expertsPerRank in Gen.Choose(1, 3)
         from redundant in Gen.Choose(0, 2)
         from tokensPerRank in Gen.Choose(64, 512)
         from topK in Gen.Choose(1, 2)
         from imbalancePercent in Gen.Choose(100, 300)
         from microbatches in Gen.Choose(1, 4)
         from layers in Gen.Choose(1, 2)
         from family in Gen.Elements(MoeWorkloadFamily.Zipf, MoeWorkloadFamily.HotSet, MoeWorkloadFamily.Rotating)
         from hardware in Gen.Elements("h800", "nvl72")
         from seed in Gen.Choose(0, 1_000_000)
         let ranks = 1 << ranksLog
         select (new MoeWorkloadSettings
         {
             Family = family,
             Ranks = ranks,
             RanksPerNode = 1 << nodeLog,
             RanksPerDomain = 1 << domainLog,
             ExpertsPerRank = expertsPerRank,
             RedundantSlotsPerRank = redundant,
             TokensPerRank = tokensPerRank,
             TopK = topK,
             Layers = layers,
             Microbatches = microbatches,
             HotExperts = Math.Min(2, (ranks * expertsPerRank) - 1),
             RotateEvery = 2,

             // With top-k, the master imbalance can reach at most ranks / k (k hot experts on k ranks); stay below it.
             TargetImbalance = Math.Max(1.0, Math.Min(imbalancePercent / 100.0, 0.45 * ranks / topK)),
             Seed = seed,
         }, hardware))
        .ToArbitrary();

    [Property(MaxTest = 60, Arbitrary = [typeof(MoeWorkloadSimulationTests)])]
    public bool Run_GeneratedWorkloads_IdealIsNeverSlowerThanAnyPolicy((MoeWorkloadSettings Settings, string Hardware) input)
    {
        var (workload, model) = Generate(input.Settings);
        var result = MoeWorkloadSimulation.Run(workload, MoeDeploymentStrategies.Default.Names, model, On(input.Settings, input.Hardware), Fixed);

        foreach (var policy in result.Policies)
        {
            Assert.True(result.Ideal.MeanStepSeconds <= policy.MeanStepSeconds, $"{policy.Policy}: {policy.MeanStepSeconds} < ideal {result.Ideal.MeanStepSeconds}");
            Assert.True(policy.RatioToIdeal <= 1.0, $"{policy.Policy}: ratio to ideal {policy.RatioToIdeal}");
            for (var m = 0; m < result.Microbatches; m++)
            {
                Assert.True(result.Ideal.StepSeconds[m] <= policy.StepSeconds[m], $"{policy.Policy}, microbatch {m}: {policy.StepSeconds[m]} < ideal {result.Ideal.StepSeconds[m]}");
            }

            Assert.True(policy.MeanImbalance >= 1.0);
        }

        return true;
    }

    [Fact]
    public void Run_PerfectlyUniformLoads_NoneEqualsIdeal()
    {
        // 8 ranks, 2 experts each, no redundant slots, domains of 4: every source routes 8 tokens to each expert.
        var rows = Enumerable.Range(0, 8).Select(_ => Enumerable.Repeat(8, 16).ToArray()).ToArray();
        var microbatch = MoeCase.Create(8, 4, 2, 2, 0, null, [new LayerTokens(rows)]);
        var model = new MoeModelConfig { Name = "uniform", Experts = 16, TopK = 2, Hidden = 512, ExpertIntermediate = 256, ExpertsPerRank = 2 };

        var result = MoeWorkloadSimulation.Run([microbatch, microbatch], ["none", "ultraep", "ideal"], model, ClusterGraph.Build(new ClusterShape(8, 2, 4), HardwareSpec.Load("h800")), Fixed);

        Assert.Equal(result.Ideal.MeanStepSeconds, result["none"].MeanStepSeconds);
        Assert.Equal(1.0, result["none"].RatioToIdeal);
        Assert.Equal(1.0, result["none"].MeanImbalance);
        Assert.Equal(0, result["ultraep"].BytesSynced);
        Assert.Equal(0, result.IdealAllToAllFromPlans);
    }

    [Fact]
    public void Run_SameInput_SameFigures()
    {
        var settings = new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 4, RanksPerDomain = 8, Microbatches = 5, TokensPerRank = 512, Family = MoeWorkloadFamily.Rotating, RotateEvery = 2, HotExperts = 4, Seed = 7 };
        var (workload, model) = Generate(settings);
        var hardware = On(settings, "h800");

        var first = MoeWorkloadSimulation.Run(workload, MoeDeploymentStrategies.Default.Names, model, hardware, Fixed);
        var second = MoeWorkloadSimulation.Run(workload, MoeDeploymentStrategies.Default.Names, model, hardware, Fixed);

        Assert.Equal(first.Policies.Length, second.Policies.Length);
        for (var i = 0; i < first.Policies.Length; i++)
        {
            var (a, b) = (first.Policies[i], second.Policies[i]);
            Assert.Equal(a.Policy, b.Policy);
            Assert.Equal(a.StepSeconds.ToArray(), b.StepSeconds.ToArray());
            Assert.Equal(a.SampleRankLoads.ToArray(), b.SampleRankLoads.ToArray());
            Assert.Equal((a.MeanImbalance, a.BytesSynced, a.MeanReplicas, a.MeanTime), (b.MeanImbalance, b.BytesSynced, b.MeanReplicas, b.MeanTime));
        }
    }

    [Fact]
    public void Run_MeasuredPlannerTime_ChargesTheMedianSolveToEveryUltraEpLayer()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, Microbatches = 3, Layers = 2, TokensPerRank = 256, Seed = 3 };
        var (workload, model) = Generate(settings);

        // Every timestamp is 1 us after the previous one, so every timed solve takes exactly 1 us.
        var options = new MoeSimulationOptions { Clock = new SteppingClock(), WarmupDuration = TimeSpan.Zero, TimedSolves = 2 };
        var result = MoeWorkloadSimulation.Run(workload, ["ultraep", "eplb"], model, On(settings, "nvl72"), options);

        Assert.True(result.PlannerTimeMeasured);
        Assert.Equal(1e-6, result.PlannerSecondsPerLayer, 1e-12);
        Assert.Equal(2 * 1e-6, result["ultraep"].MeanTime.PlannerSeconds, 1e-12);
        Assert.Equal(0, result["eplb"].MeanTime.PlannerSeconds);
    }

    [Fact]
    public void Run_RotatingHotSpot_UltraEpAheadOfEplbAndBothAheadOfNone()
    {
        var settings = new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 4, RanksPerDomain = 16, Microbatches = 8, TokensPerRank = 1024, Family = MoeWorkloadFamily.Rotating, RotateEvery = 3, HotExperts = 4, Seed = 5 };
        var (workload, model) = Generate(settings);

        var result = MoeWorkloadSimulation.Run(workload, ["none", "eplb", "eplb-oracle", "ultraep"], model, On(settings, "nvl72"), Fixed);

        Assert.Equal(["none", "eplb", "eplb-oracle", "ultraep"], result.Policies.Select(p => p.Policy).ToArray());
        Assert.True(result["ultraep"].MeanStepSeconds < result["eplb"].MeanStepSeconds);
        Assert.True(result["eplb"].MeanStepSeconds < result["none"].MeanStepSeconds);
        Assert.True(result["ultraep"].MeanImbalance < result["eplb"].MeanImbalance);
        Assert.Equal(1.0, result["none"].RatioToNone);
        Assert.Equal(0, result["none"].BytesSynced);
        Assert.True(result["ultraep"].BytesSynced > 0);
    }

    [Fact]
    public void Run_HotDomainsWithSmallDomains_ReorderingBalancesDomainsAndChargesItsMoves()
    {
        // 16 ranks in domains of 4, zipf at 3.0: replicas cannot leave a domain, so ultraep keeps the hot domain's
        // excess; reordering between batches (every 4 microbatches) removes most of it and pays for the moves once.
        var settings = new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 4, RanksPerDomain = 4, Microbatches = 8, TokensPerRank = 1024, TargetImbalance = 3.0, Seed = 11 };
        var (workload, model) = Generate(settings);
        var options = Fixed with { ReorderEvery = 4 };

        var result = MoeWorkloadSimulation.Run(workload, ["ultraep", "ultraep-reorder"], model, On(settings, "h800"), options);

        var (plain, reordered) = (result["ultraep"], result["ultraep-reorder"]);
        Assert.True(reordered.MeanImbalance < plain.MeanImbalance - 0.05, $"{reordered.MeanImbalance} vs {plain.MeanImbalance}");
        Assert.True(reordered.MeanStepSeconds < plain.MeanStepSeconds);

        // The first batch's layout is free; the reordering before microbatch 4 is charged, fully exposed, to it alone.
        var stateBytes = model.ExpertStateBytes(MoeStepPhase.Training);
        Assert.Equal(3L * 1024 * 512 * 14, stateBytes);
        Assert.True(reordered.BytesSynced >= 2 * stateBytes, $"{reordered.BytesSynced} bytes synced");
        Assert.True(reordered.MeanTime.ExposedWeightSyncSeconds > 0);
    }

    [Fact]
    public void Run_RoutingReplay_ReordersForTheComingBatchNotThePreviousOne()
    {
        // The hot set moves every 4 microbatches, exactly at the batch boundaries: from history the second batch's
        // layout is balanced for the old hot set; from replay it is balanced for the new one.
        var settings = new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 4, RanksPerDomain = 4, Microbatches = 8, TokensPerRank = 1024, Family = MoeWorkloadFamily.Rotating, RotateEvery = 4, HotExperts = 2, TargetImbalance = 2.0, Seed = 4 };
        var (workload, model) = Generate(settings);
        var hardware = On(settings, "h800");

        var history = MoeWorkloadSimulation.Run(workload, ["ultraep-reorder"], model, hardware, Fixed with { ReorderEvery = 4 });
        var replay = MoeWorkloadSimulation.Run(workload, ["ultraep-reorder"], model, hardware, Fixed with { ReorderEvery = 4, ReorderFromReplay = true });

        Assert.True(replay["ultraep-reorder"].MeanImbalance < history["ultraep-reorder"].MeanImbalance, $"{replay["ultraep-reorder"].MeanImbalance} vs {history["ultraep-reorder"].MeanImbalance}");
    }

    [Fact]
    public void Run_OneDomain_ReorderingChangesNothing()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, Microbatches = 6, TokensPerRank = 512, Seed = 2 };
        var (workload, model) = Generate(settings);

        var result = MoeWorkloadSimulation.Run(workload, ["ultraep", "ultraep-reorder"], model, On(settings, "nvl72"), Fixed with { ReorderEvery = 2 });

        Assert.Equal(result["ultraep"].StepSeconds.ToArray(), result["ultraep-reorder"].StepSeconds.ToArray());
        Assert.Equal(result["ultraep"].BytesSynced, result["ultraep-reorder"].BytesSynced);
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(MoeWorkloadSimulationTests)])]
    public bool Run_OnePolicyAsked_SameFiguresAsInTheFullRunAndAnIdealNoFaster((MoeWorkloadSettings Settings, string Hardware) input)
    {
        var (workload, model) = Generate(input.Settings);
        var hardware = On(input.Settings, input.Hardware);
        var full = MoeWorkloadSimulation.Run(workload, MoeDeploymentStrategies.Default.Names, model, hardware, Fixed);

        foreach (var name in MoeDeploymentStrategies.Default.Names)
        {
            var alone = MoeWorkloadSimulation.Run(workload, [name], model, hardware, Fixed);

            Assert.Equal([name], alone.Policies.Select(p => p.Policy).ToArray());
            Assert.Equal(full.None.StepSeconds.ToArray(), alone.None.StepSeconds.ToArray());
            Assert.Equal(full.InitialImbalance, alone.InitialImbalance);
            if (name != "ideal")
            {
                // A policy's own figures do not depend on which others ran; only its ratio to the ideal may.
                var (a, b) = (full[name], alone[name]);
                Assert.Equal(a.StepSeconds.ToArray(), b.StepSeconds.ToArray());
                Assert.Equal((a.MeanImbalance, a.BytesSynced, a.MeanReplicas, a.MeanTime, a.RatioToNone), (b.MeanImbalance, b.BytesSynced, b.MeanReplicas, b.MeanTime, b.RatioToNone));
            }

            // The ideal is defined against the policies that ran: fewer can only take away a faster all-to-all.
            Assert.True(alone.Ideal.MeanStepSeconds >= full.Ideal.MeanStepSeconds, $"{name}: ideal {alone.Ideal.MeanStepSeconds} < {full.Ideal.MeanStepSeconds}");
            Assert.True(alone.IdealAllToAllFromPlans <= full.IdealAllToAllFromPlans);
            if (full.IdealAllToAllFromPlans == 0)
            {
                Assert.Equal(full.Ideal.StepSeconds.ToArray(), alone.Ideal.StepSeconds.ToArray());
            }
        }

        return true;
    }

    [Theory]
    [InlineData("eplb")]
    [InlineData("ultraep")]
    [InlineData("ultraep-reorder")]
    [InlineData("ideal")]
    public void Run_OnePolicyAsked_BuildsAndPlansOnlyItAndTheReferences(string asked)
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 4, Microbatches = 3, Layers = 2, TokensPerRank = 256, Seed = 6 };
        var (workload, model) = Generate(settings);
        var counting = new CountingRegistry();

        var result = MoeWorkloadSimulation.Run(workload.Microbatches, [asked], model, On(settings, "h800"), Fixed with { ReorderEvery = 2 }, counting.Registry);

        // none and ideal are the references every result reports against; nothing else is built, nothing else plans.
        string[] built = [.. new[] { "none", asked, "ideal" }.Distinct()];
        Assert.Equal(built.Order().ToArray(), counting.Built.Order().ToArray());
        Assert.Equal([asked], result.Policies.Select(p => p.Policy).ToArray());
        var layers = settings.Microbatches * settings.Layers;
        Assert.Equal(layers, counting.Plans["none"]);
        Assert.Equal(asked == "ideal" ? 1 : 2, counting.Plans.Count);
        if (asked != "ideal")
        {
            // Fixed planner time: each layer is planned once, untimed.
            Assert.Equal(layers, counting.Plans[asked]);
        }
    }

    [Fact]
    public void Run_NothingPlansOnTheCriticalPath_NothingIsTimed()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, Microbatches = 2, TokensPerRank = 256, Seed = 3 };
        var (workload, model) = Generate(settings);
        var clock = new SteppingClock();

        var result = MoeWorkloadSimulation.Run(workload, ["none", "eplb", "eplb-oracle", "ideal"], model, On(settings, "nvl72"), new MoeSimulationOptions { Clock = clock });

        Assert.Equal(0, clock.Timestamps);
        Assert.False(result.PlannerTimeMeasured);
        Assert.Equal(0, result.PlannerSecondsPerLayer);
        Assert.All(result.Policies, p => Assert.Equal(0, p.MeanTime.PlannerSeconds));
    }

    [Fact]
    public void Run_ReorderWithoutUltraEp_TimesItsOwnSolves()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 4, Microbatches = 3, Layers = 2, TokensPerRank = 256, Seed = 3 };
        var (workload, model) = Generate(settings);

        // Every timestamp is 1 us after the previous one, so every timed solve takes exactly 1 us.
        var options = new MoeSimulationOptions { Clock = new SteppingClock(), WarmupDuration = TimeSpan.Zero, TimedSolves = 2 };
        var result = MoeWorkloadSimulation.Run(workload, ["ultraep-reorder"], model, On(settings, "h800"), options);

        Assert.True(result.PlannerTimeMeasured);
        Assert.Equal(1e-6, result.PlannerSecondsPerLayer, 1e-12);
        Assert.Equal(2 * 1e-6, result["ultraep-reorder"].MeanTime.PlannerSeconds, 1e-12);
        Assert.Equal(0, result.None.MeanTime.PlannerSeconds);
    }

    [Fact]
    public void Run_WorkloadOfAnotherModel_NamesTheField()
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, TokensPerRank = 64 };
        var (workload, _) = Generate(settings);

        var error = Assert.Throws<PlanningInputException>(() => MoeWorkloadSimulation.Run(workload, ["none"], MoeModelConfig.Load("deepseek-v3"), On(settings, "h800"), Fixed));

        Assert.Equal("microbatches[0]", error.Field);
    }

    [Theory]
    [InlineData(16, 4, 8, "microbatches[0].ranks", "must be the cluster's 16 devices, got 8")]
    [InlineData(8, 2, 8, "microbatches[0].ranksPerNode", "must be the cluster's 2 devices per node, got 4")]
    [InlineData(8, 4, 4, "microbatches[0].ranksPerDomain", "must be the cluster's 4 devices per scale-up domain, got 8")]
    public void Run_WorkloadOfAnotherShapeThanTheCluster_NamesTheField(int devices, int perNode, int perDomain, string field, string problem)
    {
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 4, RanksPerDomain = 8, TokensPerRank = 64 };
        var (workload, model) = Generate(settings);
        var cluster = ClusterGraph.Build(new ClusterShape(devices, perNode, perDomain), HardwareSpec.Load("h800"));

        var error = Assert.Throws<PlanningInputException>(() => MoeWorkloadSimulation.Run(workload, ["none"], model, cluster, Fixed));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PoliciesPlanOnTheSimulatorsCluster_ResultNamesItsHardware()
    {
        // Masters only on 8 ranks in domains of 4, nodes of 2: the topology the policies plan on and the figures the
        // simulator times with come from one cluster, whose hardware the result reports.
        var settings = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 2, RanksPerDomain = 4, Microbatches = 2, TokensPerRank = 128, Seed = 9 };
        var (workload, model) = Generate(settings);
        var cluster = On(settings, "nvl72");

        var result = MoeWorkloadSimulation.Run(workload, ["none"], model, cluster, Fixed);

        Assert.Same(cluster.Hardware, result.Hardware);
        Assert.Equal((8, 2, 4), (result.Ranks, result.RanksPerNode, result.RanksPerDomain));
    }

    /// <summary>The cluster of a workload's shape on embedded hardware.</summary>
    private static ClusterGraph On(MoeWorkloadSettings settings, string hardware) =>
        ClusterGraph.Build(new ClusterShape(settings.Ranks, settings.RanksPerNode, settings.RanksPerDomain), HardwareSpec.Load(hardware));

    private static (MoeWorkload Workload, MoeModelConfig Model) Generate(MoeWorkloadSettings settings)
    {
        var workload = MoeWorkloadGenerator.Generate(settings);
        var model = new MoeModelConfig
        {
            Name = "small",
            Experts = settings.Ranks * settings.ExpertsPerRank,
            TopK = settings.TopK,
            Hidden = 1024,
            ExpertIntermediate = 512,
            ExpertsPerRank = settings.ExpertsPerRank,
        };
        return (workload, model);
    }

    /// <summary>A clock whose every timestamp is 1 microsecond after the previous one.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        public long Timestamps { get; private set; }

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => ++Timestamps;
    }

    /// <summary>The default strategies, each built through a counter and planning through a counting planner.</summary>
    private sealed class CountingRegistry
    {
        public CountingRegistry()
        {
            Registry = new MoeDeploymentStrategies(
            [
                ("none", (_, _) => Build(new NoBalancingStrategy(() => Count("none", new NoBalancingPolicy())))),
                ("eplb", (o, _) => Build(new EplbStrategy(o.EplbWindow, () => Count("eplb", new EplbPolicy())))),
                ("eplb-oracle", (_, _) => Build(new EplbOracleStrategy(() => Count("eplb-oracle", new EplbPolicy())))),
                ("ultraep", (o, m) => Build(new UltraEpStrategy(() => Count("ultraep", new UltraEpPolicy(o.UltraEp with { ExpertBytes = m.ExpertBytes }))))),
                ("ultraep-reorder", (o, m) => Build(new UltraEpReorderStrategy(() => Count("ultraep-reorder", new UltraEpPolicy(o.UltraEp with { ExpertBytes = m.ExpertBytes })), o.ReorderEvery, o.ReorderWindow, o.ReorderFromReplay, o.Reordering, m.ExpertStateBytes(o.Phase)))),
                ("ideal", (_, _) => Build(new IdealStrategy())),
            ]);
        }

        public MoeDeploymentStrategies Registry { get; }

        public List<string> Built { get; } = [];

        public Dictionary<string, int> Plans { get; } = [];

        private IMoeDeploymentStrategy Build(IMoeDeploymentStrategy strategy)
        {
            Built.Add(strategy.Name);
            return strategy;
        }

        private CountingPlanner Count(string name, IBalancingPolicy planner)
        {
            Plans.TryAdd(name, 0);
            return new CountingPlanner(planner, () => Plans[name]++);
        }
    }

    private sealed class CountingPlanner(IBalancingPolicy inner, Action planned) : IBalancingPolicy
    {
        public string Name => inner.Name;

        public bool IsRealTime => inner.IsRealTime;

        public bool ReroutesTokens => inner.ReroutesTokens;

        public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
        {
            planned();
            return inner.Plan(problem, cancellationToken);
        }
    }
}
