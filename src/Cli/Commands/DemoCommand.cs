using System.CommandLine;
using System.Globalization;
using Planning.Embeddings;
using Planning.Execution.Moe;
using Planning.Execution.Moe.ReLibra;
using Planning.Execution.Rollout;
using Planning.Execution.Soc;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.ReLibra;
using Planning.Moe.Workloads;
using Planning.Provers.Selection;
using Planning.Provers.Smt;
using Planning.Rollout;
using Planning.Soc;
using Planning.Solving;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan demo</c>: the main job on embedded defaults, with no arguments and no files.</summary>
internal static class DemoCommand
{
    /// <summary>The simulated summary: DeepSeek-V3, Zipf skew of 2.0, a few microbatches, these policies.</summary>
    private const int SimulatedMicrobatches = 4;

    private static readonly string[] SimulatedPolicies = ["none", "eplb", "ultraep", "ultraep-reorder", "ideal"];

    /// <summary>The embedded training clusters the simulated summary runs on: an 8-GPU NVLink domain, then a 72-GPU one.</summary>
    private static readonly string[] SimulatedHardware = ["h800", "nvl72"];

    /// <summary>The rollout section's policies; heddle first, the ratios are against the next two.</summary>
    private static readonly string[] RolloutDemoPolicies = ["heddle", "slime", "verl"];

    /// <summary>The SoC section's policies; agentxpu first, the ratios are against openvino, the next.</summary>
    private static readonly string[] SocDemoPolicies = ["agentxpu", "openvino", "llamacpp", "serial"];

    public static Command Create(ConsoleIo io)
    {
        // 4 s per exact solve keeps the whole demo under about 20 s (two exact policies, then the simulation).
        var timeLimit = CommonOptions.TimeLimit(4);
        var seed = CommonOptions.Seed();
        var command = new Command("demo", "Generate an EP64 MoE case, compare every balancing policy, and simulate UltraEP's step time") { timeLimit, seed };
        command.SetAction(parse =>
        {
            var settings = new MoeWorkloadSettings { Seed = parse.GetValue(seed) };
            var solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed) }.Validate();
            var moeCase = MoeCaseGenerator.Generate(settings);
            io.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"MoE balancing: EP{settings.Ranks}, {moeCase.Experts} experts ({settings.ExpertsPerRank} masters + {settings.RedundantSlotsPerRank} redundant slots per rank), top-{settings.TopK}, {settings.TokensPerRank} tokens per rank, target imbalance {settings.TargetImbalance:0.00}, seed {settings.Seed}"));

            var table = new Table();
            table.AddColumns("policy", "imbalance", "lower bound", "replicas", "solve time (median)", "solver");
            var plans = new Dictionary<string, BalancePlan>();
            foreach (var name in BalancingPolicies.Names)
            {
                io.Error.WriteLine($"demo: running {name} ...");
                var plan = MoeBalancer.Balance(moeCase, BalancingPolicies.Create(name, solver));
                plans[name] = plan;
                var layer = plan.Layers[0];
                table.AddRow(
                    name,
                    layer.Imbalance.ToString("0.0000", CultureInfo.InvariantCulture),
                    layer.LowerBound.ToString("0.0000", CultureInfo.InvariantCulture),
                    layer.Replicas.ToString(CultureInfo.InvariantCulture),
                    Microseconds(plan.Timing.MedianMicroseconds),
                    Format.Solver(layer.Solve));
            }

            io.Tables.Write(table);
            WriteUltraEp(io, plans["none"], plans["ultraep"], parse.GetValue(seed));
            WriteFormalization(io);
            WriteRollout(io, parse.GetValue(seed));
            WriteSoc(io, parse.GetValue(seed));
            WriteReLibra(io, parse.GetValue(seed));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The ReLibra section: one RL training batch of DeepSeek-V3's experts on 4 h800 nodes (32 ranks, 4 microbatches of
    /// an RL-like routing replay), each policy's forward + backward step time against Megatron-style (no balancing) and
    /// the force-balanced ideal. ReLibra's reordering by its heuristic, so the section is the same on every machine.
    /// </summary>
    private static void WriteReLibra(ConsoleIo io, int seed)
    {
        const int Nodes = 4;
        io.Error.WriteLine("demo: simulating an RL training batch under megatron, eplb-oracle, ultraep and relibra ...");
        var model = MoeModelConfig.Load("deepseek-v3", "model");
        var hardware = HardwareSpec.Load("h800");
        var replay = ReLibraCommands.GenerateReplay(model, hardware, "rl", Nodes, batches: 1, microbatches: 4, layers: 1, tokensPerRank: 4096, imbalance: 2.0, seed);
        var options = new ReLibraSimulationOptions
        {
            Planner = new ReLibraOptions { Reordering = new ExpertReorderingOptions { UseSolver = false } },
        };
        var result = ReLibraTrainingSimulation.Run(replay, ["eplb-oracle", "ultraep", "relibra"], model, ReLibraCommands.ClusterFor(replay.Shape, hardware), options);
        io.Out.WriteLine();
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"ReLibra: {result.Model} on {result.Nodes} {result.Hardware} nodes ({result.Ranks} ranks), one batch of {result.Microbatches} microbatches of an RL-like routing replay, initial imbalance {result.InitialImbalance:0.00}"));
        var table = new Table();
        table.AddColumns("policy", "step (ms)", "x megatron", "over ideal", "bytes moved (MB)");
        foreach (var outcome in (IEnumerable<ReLibraPolicyOutcome>)[result.Megatron, .. result.Policies.Where(p => p.Policy is not ("megatron" or "ideal")), result.Ideal])
        {
            table.AddRow(
                outcome.Policy,
                (outcome.StepSeconds * 1000).ToString("0.0", CultureInfo.InvariantCulture),
                (result.Megatron.StepSeconds / outcome.StepSeconds).ToString("0.00", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{result.OverIdealPercent(outcome):0.0} %"),
                (outcome.BytesMoved / 1e6).ToString("0.0", CultureInfo.InvariantCulture));
        }

        io.Tables.Write(table);
    }

    /// <summary>The UltraEP section: the case balanced by <c>ultraep</c>, then a short step simulation on both embedded machines.</summary>
    private static void WriteUltraEp(ConsoleIo io, BalancePlan none, BalancePlan ultraEp, int seed)
    {
        var layer = ultraEp.Layers[0];
        io.Out.WriteLine();
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"UltraEP: imbalance {none.Layers[0].Imbalance:0.0000} -> {layer.Imbalance:0.0000} (lower bound {layer.LowerBound:0.0000}), {layer.Replicas} replicas, median solve {Microseconds(ultraEp.Timing.MedianMicroseconds)} per layer"));

        var model = MoeModelConfig.Load("deepseek-v3");
        var table = new Table();
        table.AddColumns("hardware", "NVLink domain", "none", "eplb", "ultraep", "ultraep vs none", "ultraep imbalance", "ultraep-reorder");
        foreach (var name in SimulatedHardware)
        {
            io.Error.WriteLine($"demo: simulating {model.Name} on {name} ...");
            var deployment = MoeDeployment.For(model, HardwareSpec.Load(name));
            var workload = MoeWorkloadGenerator.Generate(deployment.WorkloadSettings(MoeWorkloadFamily.Zipf, 2.0, SimulatedMicrobatches, seed));
            var result = MoeWorkloadSimulation.Run(workload, SimulatedPolicies, model, deployment.Cluster, new MoeSimulationOptions { TimedSolves = 3, WarmupDuration = TimeSpan.FromMilliseconds(50), ReorderEvery = 2 });
            table.AddRow(
                name,
                string.Create(CultureInfo.InvariantCulture, $"{result.RanksPerDomain} GPUs"),
                Percent(result["none"].RatioToIdeal),
                Percent(result["eplb"].RatioToIdeal),
                Percent(result["ultraep"].RatioToIdeal),
                string.Create(CultureInfo.InvariantCulture, $"{result["ultraep"].RatioToNone:0.00}x"),
                result["ultraep"].MeanImbalance.ToString("0.0000", CultureInfo.InvariantCulture),
                Percent(result["ultraep-reorder"].RatioToIdeal));
        }

        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Simulated training step, {model.Name} (EP{model.Ranks}), zipf imbalance 2.0, {SimulatedMicrobatches} microbatches: throughput as % of the force-balanced ideal; ultraep-reorder also moves masters across domains every 2 microbatches (moves charged)"));
        io.Tables.Write(table);
    }

    /// <summary>
    /// The autoformalization section: five candidate formalizations of one problem, as an LLM might give them, clustered
    /// by proven equivalence and scored for semantic consistency. Candidates 0, 1 and 3 formalize the same problem
    /// (1 renames and reorders; 3 concludes y = 4, equivalent under the hypotheses); 2 reads the problem over ℕ, where
    /// subtraction truncates; 4 drops a hypothesis.
    /// </summary>
    private static void WriteFormalization(ConsoleIo io)
    {
        const string Informal = "Real numbers x and y satisfy x + y = 10 and x - y = 2. Show that x = 6.";
        string[] candidates =
        [
            "theorem c0 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
            "theorem c1 (a b : ℝ) (h₀ : a - b = 2) (h₁ : b + a = 10) : a = 6 := by",
            "theorem c2 (x y : ℕ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
            "theorem c3 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : y = 4 := by",
            "theorem c4 (x y : ℝ) (h₀ : x + y = 10) : x = 6 := by",
        ];
        io.Out.WriteLine();
        io.Out.WriteLine("Autoformalization: " + Informal);
        for (int i = 0; i < candidates.Length; i++)
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i}: {candidates[i].Replace(" := by", "", StringComparison.Ordinal)}"));
        }

        io.Error.WriteLine("demo: loading the MiniLM embedder and checking equivalences with Z3 ...");
        using var embedder = new MiniLmEmbedder();
        var selector = new CandidateSelector(static () => new Z3InProcessBackend(), embedder, new RuleInformalizer(), SelectionOptions.Default with { Workers = 2 });
        SelectionResult result = selector.Select(Informal, candidates);
        FormalSelectCommand.WriteTable(io, result);
    }

    /// <summary>
    /// The rollout section: a small skewed agentic-RL rollout step (8 prompts x 16 samples, an 8B-class model on 16 H100s)
    /// under heddle and the step-centric baselines, on the rollout simulator: slime (SGLang's cache-aware router) and verl
    /// at the tensor-parallel degree of their public recipes, and tuned by hand (each at its best uniform degree, marked *);
    /// every ratio names the variant it is against.
    /// </summary>
    private static void WriteRollout(ConsoleIo io, int seed)
    {
        const int Gpus = 16;
        io.Error.WriteLine("demo: simulating a rollout step under heddle, slime and verl (the baselines at every uniform degree too) ...");
        var setup = RolloutSetup.Prepare(new RolloutRequest(null, "skewed", 8, 16, seed, null));
        var cost = RolloutSetup.CostModel("8b", "model", kind: InferenceCostModels.Default);
        var options = new RolloutSimulationOptions { RecordTurns = false };
        var outcomes = RolloutDemoPolicies.Select(p => RolloutSetup.Simulate(setup, cost, Gpus, p, HeddleMechanisms.All, options)).ToList();

        // The baselines tuned by hand: each at every uniform degree the trace allows, keeping its best. The rule's
        // degree is one choice of many, and a user tuning slime or verl would try them all.
        var degrees = EqualTensorParallel.FixableDegrees(setup.Trace, Gpus, cost);
        foreach (var baseline in RolloutDemoPolicies.Skip(1))
        {
            outcomes.Add(degrees
                .Select(d => RolloutSetup.Simulate(setup, cost, Gpus, baseline, HeddleMechanisms.All, options with { EqualTensorParallelDegree = d }))
                .MaxBy(o => o.Result.TokensPerSecond)!);
        }

        io.Out.WriteLine();
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Rollout: {setup.Describe()}, {cost.ModelName} on {Gpus} GPUs; heddle's predictor fitted on {setup.TrainingSource}"));
        var table = new Table();
        table.AddColumns("policy", "makespan (s)", "tokens/s", "makespan / lower bound", "instances");
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var r = outcome.Result;
            table.AddRow(
                i < RolloutDemoPolicies.Length ? r.Policy : r.Policy + "*",
                r.MakespanSeconds.ToString("0.00", CultureInfo.InvariantCulture),
                r.TokensPerSecond.ToString("0", CultureInfo.InvariantCulture),
                (r.MakespanSeconds / outcome.LowerBound.Seconds).ToString("0.000", CultureInfo.InvariantCulture),
                RolloutSimulateCommand.DescribeDegrees(r.InstanceDegrees));
        }

        io.Tables.Write(table);
        var heddle = outcomes[0].Result.TokensPerSecond;
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"heddle throughput: {heddle / outcomes[1].Result.TokensPerSecond:0.00}x slime (SGLang cache-aware router, recipe degree), {heddle / outcomes[2].Result.TokensPerSecond:0.00}x verl (recipe degree) (lower bound {outcomes[0].LowerBound.Seconds:0.00} s, {InferenceCostModels.Name(InferenceCostModels.Default)} cost model)"));
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"against the baselines tuned by hand (*: each at its best uniform degree): {heddle / outcomes[3].Result.TokensPerSecond:0.00}x slime*, {heddle / outcomes[4].Result.TokensPerSecond:0.00}x verl*"));
    }

    /// <summary>
    /// The SoC section: two minutes of an on-device agent's requests (3 reactive and 6 proactive a minute, Azure
    /// conversation and code lengths) served by Llama-3.2-3B on the embedded Core Ultra SoC under every policy.
    /// </summary>
    private static void WriteSoc(ConsoleIo io, int seed)
    {
        io.Error.WriteLine("demo: simulating SoC serving under agentxpu, openvino, llamacpp and serial ...");
        var options = new SocWorkloadOptions { ReactivePerMinute = 3, ProactivePerMinute = 6, DurationMinutes = 2, Seed = seed };
        var requests = SocWorkloadGenerator.Generate(
            options,
            RolloutGenerateCommand.LoadAzure(null, AzureTraceKind.Conversation),
            RolloutGenerateCommand.LoadAzure(null, AzureTraceKind.Code));
        var simulator = new SocSimulator(SocSpec.Default, LlmSpec.Get(LlmSpec.Names[0]), new SocSimulationOptions { RecordTimeline = false });
        var results = SocDemoPolicies.Select(p => simulator.Simulate(requests, SocSchedulerOptions.For(p))).ToList();

        io.Out.WriteLine();
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"SoC serving: {requests.Length} requests ({SocWorkloadGenerator.Describe(options)}), {simulator.Model.Name} on {SocSpec.Default.Hardware.Name}"));
        var table = new Table();
        table.AddColumns("policy", "reactive p50 (ms)", "reactive p95 (ms)", "proactive tokens/s", "lane busy", "settings");
        foreach (var r in results)
        {
            table.AddRow(
                r.Policy,
                SocSimulateCommand.Number(r.Reactive.P50LatencyMs),
                SocSimulateCommand.Number(r.Reactive.P95LatencyMs),
                SocSimulateCommand.Number(r.Proactive.TokensPerSecond, "0.00"),
                SocSimulateCommand.LaneBusy(r),
                r.Settings);
        }

        io.Tables.Write(table);
        var agent = results[0];
        var openVino = results[1];
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"agentxpu against openvino: reactive p50 {(1 - (agent.Reactive.P50LatencyMs / openVino.Reactive.P50LatencyMs)) * 100:0.0}% lower, proactive throughput {agent.Proactive.TokensPerSecond / openVino.Proactive.TokensPerSecond:0.00}x"));
    }

    private static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio * 100:0.0}%");

    private static string Microseconds(double microseconds) => microseconds >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1e6:0.000} s")
        : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.0} us");
}
