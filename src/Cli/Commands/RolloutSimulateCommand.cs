using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Planning.Execution.Rollout;
using Planning.Graph;
using Planning.Rollout;
using ScottPlot;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan rollout simulate</c>: one rollout step of a trace (a TRACE.jsonl file, or one generated from a family) under
/// one policy on the rollout simulator; Heddle's predictor is fitted on a separately generated training trace.
/// </summary>
internal static class RolloutSimulateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var trace = new Option<string?>("--trace") { Description = "The trace (TRACE.jsonl, see docs/contracts.md); or generate one with --family" };
        var family = new Option<string?>("--family") { Description = $"Generate the trace from a family: {string.Join(" | ", RolloutTraceFamilies.Names)}" };
        var prompts = new Option<int>("--prompts") { Description = "Generated trace: prompts (default 64)", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples") { Description = "Generated trace: samples per prompt, the GRPO group (default 16)", DefaultValueFactory = _ => 16 };
        var gpus = new Option<int>("--gpus") { Description = "GPU budget (default 64)", DefaultValueFactory = _ => 64 };
        var policy = new Option<string>("--policy") { Description = $"Policy: {string.Join(" | ", RolloutPolicies.Names)} (default heddle)", DefaultValueFactory = _ => "heddle" };
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", RolloutSetup.ModelNames)} (default 8b)", DefaultValueFactory = _ => "8b" };
        var hardware = new Option<string>("--hardware")
        {
            Description = "Hardware: h100 or a hardware JSON file (nodes of one kind of GPU with nvlink, network and pcie links): the GPU's figures, GPUs per node, KV migration and reload bandwidths (default h100)",
            DefaultValueFactory = _ => "h100",
        };
        var costModel = RolloutSetup.CostModelOption();
        var mechanisms = new Option<string>("--mechanisms") { Description = $"Heddle's mechanisms: comma-separated {string.Join(",", HeddleMechanismNames.Names)}, all or none (default all)", DefaultValueFactory = _ => "all" };
        var trainFamily = new Option<string?>("--train-family") { Description = "Family of the predictor's training trace (default: --family, else longtail)" };
        var learnOnline = new Option<bool>("--learn-online") { Description = "Heddle: the predictor learns from trajectories as they complete (group evidence, refit every 256)" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences in an instance's batch (default 256)", DefaultValueFactory = _ => RolloutSimulationOptions.Default.MaxBatchSize };
        var regroupEvery = new Option<double>("--regroup-every")
        {
            Description = "Heddle with resources: seconds between the resource manager's re-runs, which merge idle instances into the busiest of their node (default 10; 0 turns them off)",
            DefaultValueFactory = _ => HeddleOptions.Default.RegroupEverySeconds,
        };
        var degree = new Option<int>("--degree")
        {
            Description = "Every instance at this tensor-parallel degree instead of the baseline's recipe degree (slime, slime-nocache, verl) or the equal-TP rule (fcfs, heddle without resources); default 0",
        };
        var inPlace = new Option<bool>("--in-place-resharding")
        {
            Description = "A regroup's TP change reshards weights and KV in place ((weights + KV) / bandwidth) instead of a stock engine restart (64 s + weights, KV lost)",
        };
        var maxContext = RolloutSetup.MaxContextOption();
        var plot = new Option<string?>("--plot") { Description = "Write a PNG: per-instance busy timeline (Gantt)" };
        var format = CommonOptions.Format();
        var seed = CommonOptions.Seed();
        var command = new Command("simulate", "Simulate one agentic-RL rollout step under a policy: makespan, tokens/s, p99 queueing, lower bound")
        {
            trace, family, prompts, samples, gpus, policy, model, hardware, costModel, mechanisms, trainFamily, learnOnline, maxBatch, regroupEvery, degree, inPlace, maxContext, plot, format, seed,
        };
        command.SetAction(parse =>
        {
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new PlanningInputException("--plot", $"must name a .png file, got \"{plotPath}\"");
            }

            var policyName = parse.GetValue(policy)!;
            if (!RolloutPolicies.Names.Contains(policyName))
            {
                throw new PlanningInputException("--policy", $"must be one of {string.Join(", ", RolloutPolicies.Names)}, got \"{policyName}\"");
            }

            var request = new RolloutRequest(
                parse.GetValue(trace),
                parse.GetValue(family),
                parse.GetValue(prompts),
                parse.GetValue(samples),
                parse.GetValue(seed),
                parse.GetValue(trainFamily))
            {
                MaxContextTokens = parse.GetValue(maxContext),
            };
            var chosenMechanisms = HeddleMechanismNames.Parse(parse.GetValue(mechanisms), "--mechanisms");
            var spec = RolloutSetup.Hardware(parse.GetValue(hardware)!, "--hardware");
            var costModelKind = InferenceCostModels.Parse(parse.GetValue(costModel), "--cost-model");
            var cost = RolloutSetup.CostModel(parse.GetValue(model)!, "--model", spec, costModelKind);
            var budget = parse.GetValue(gpus);
            if (budget < 1)
            {
                throw new PlanningInputException("--gpus", Invariant($"must be at least 1, got {budget}"));
            }

            var options = new RolloutSimulationOptions
            {
                Hardware = spec,
                MaxBatchSize = parse.GetValue(maxBatch),
                EqualTensorParallelDegree = parse.GetValue(degree),
                TensorParallelChange = parse.GetValue(inPlace) ? TensorParallelChange.InPlace : TensorParallelChange.Stock,
                RecordTurns = false,
            };
            if (options.MaxBatchSize < 1)
            {
                throw new PlanningInputException("--max-batch", Invariant($"must be at least 1, got {options.MaxBatchSize}"));
            }

            if (options.EqualTensorParallelDegree > 0 && policyName == "heddle" && (chosenMechanisms & HeddleMechanisms.Resources) != 0)
            {
                throw new PlanningInputException("--degree", "applies to the equal-TP layout; heddle's resource manager chooses its own degrees (drop resources from --mechanisms)");
            }

            var regroupSeconds = parse.GetValue(regroupEvery);
            if (!(regroupSeconds >= 0) || double.IsInfinity(regroupSeconds))
            {
                throw new PlanningInputException("--regroup-every", Invariant($"must be a finite number of seconds, 0 or more, got {regroupSeconds}"));
            }

            var setup = RolloutSetup.Prepare(request);
            var clock = Stopwatch.StartNew();
            RolloutSimulationReport outcome;
            try
            {
                outcome = RolloutSetup.Simulate(setup, cost, budget, policyName, chosenMechanisms, options, parse.GetValue(learnOnline), regroupSeconds);
            }
            catch (PlanningInputException error) when (error.Field == "equalTensorParallelDegree")
            {
                // The options' and the layout rule's own checks (0 or a degree the model offers within the budget, holding the
                // longest trajectory), named by the option.
                throw new PlanningInputException("--degree", error.Problem);
            }

            clock.Stop();

            // Render before printing anything: a failing plot leaves neither a file nor a half-written report.
            var png = plotPath is null ? null : RenderPlot(outcome, setup);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => RolloutSimulationJson.Write(writer, outcome));
            }
            else
            {
                WriteTable(io, outcome, setup, costModelKind);
            }

            var timed = outcome.Mechanisms is null ? "simulation" : "predictor fit and simulation";
            io.Error.WriteLine(Invariant($"simulate: {outcome.Result.Policy} on {setup.Trace.Length} trajectories in {clock.Elapsed.TotalSeconds:0.000} s ({timed})"));
            if (plotPath is not null)
            {
                CommonOptions.WriteAtomically(plotPath, stream => stream.Write(png));
                io.Error.WriteLine($"simulate: wrote {plotPath}");
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(ConsoleIo io, RolloutSimulationReport outcome, RolloutSetupResult setup, InferenceCostModelKind costModel)
    {
        var r = outcome.Result;
        io.Out.WriteLine(Invariant($"{r.Policy} on {r.Model}, {r.Gpus} GPUs, {setup.Describe()}; cost model {InferenceCostModels.Name(costModel)}"));
        var table = new Table();
        table.AddColumns("makespan (s)", "tokens/s", "trajectories", "p99 queue (s)", "lower bound (s)", "makespan / bound", "instances");
        table.AddRow(
            Invariant($"{r.MakespanSeconds:0.00}"),
            Invariant($"{r.TokensPerSecond:0}"),
            Invariant($"{r.TrajectoriesCompleted}"),
            Invariant($"{r.P99QueueSeconds:0.00}"),
            Invariant($"{outcome.LowerBound.Seconds:0.00}"),
            Invariant($"{r.MakespanSeconds / outcome.LowerBound.Seconds:0.000}"),
            DescribeDegrees(r.InstanceDegrees));
        io.Tables.Write(table);
        var c = r.Counters;
        io.Out.WriteLine(Invariant(
            $"generated {c.GeneratedTokens} tokens, prefilled {c.PrefillTokens}; re-prefills {c.Reprefills}, migrations {c.Migrations} (+{c.MigrationFallbacks} fell back to re-prefill), preemptions {c.Preemptions}, evictions {c.Evictions}, regroups {c.Regroups} ({c.ReloadSeconds:0.00} s of reload); peak KV use {r.Instances.Max(i => (double)i.PeakKvTokens / i.KvCapacityTokens):P1} of an instance"));
        if (outcome.Predictor is { } predictor)
        {
            io.Out.WriteLine("predictor on this (held-out) trace, remaining output tokens after k completed turns: " + string.Join(
                "; ", predictor.Checkpoints.Select(p => Invariant($"k={p.CompletedTurns}: Spearman {p.SpearmanCorrelation:0.00}, top-10% recall {p.TailRecall:0.00} ({p.Trajectories} running)"))));
        }
    }

    /// <summary>Instance degrees grouped, largest first: <c>2xTP4 + 28xTP2</c>.</summary>
    internal static string DescribeDegrees(ImmutableArray<int> degrees) =>
        string.Join(" + ", degrees.GroupBy(d => d).OrderByDescending(g => g.Key).Select(g => Invariant($"{g.Count()}xTP{g.Key}")));

    /// <summary>A Gantt chart: one row per instance, its busy intervals as bars shaded by the peak batch, and the lower bound.</summary>
    private static byte[] RenderPlot(RolloutSimulationReport outcome, RolloutSetupResult setup)
    {
        var r = outcome.Result;
        var plot = new Plot();
        var maxBatch = Math.Max(1, r.Instances.SelectMany(i => i.Timeline).Select(s => s.PeakBatch).DefaultIfEmpty(1).Max());
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (var i = 0; i < r.Instances.Length; i++)
        {
            foreach (var segment in r.Instances[i].Timeline)
            {
                var rectangle = plot.Add.Rectangle(segment.StartSeconds, segment.EndSeconds, i - 0.4, i + 0.4);
                rectangle.FillColor = colormap.GetColor(segment.PeakBatch / (double)maxBatch);
                rectangle.LineWidth = 0;
            }
        }

        var bound = plot.Add.VerticalLine(outcome.LowerBound.Seconds);
        bound.Color = ScottPlot.Colors.Red;
        bound.LinePattern = LinePattern.Dashed;
        bound.LegendText = Invariant($"lower bound {outcome.LowerBound.Seconds:0.0} s");
        var makespan = plot.Add.VerticalLine(r.MakespanSeconds);
        makespan.Color = ScottPlot.Colors.Black;
        makespan.LegendText = Invariant($"makespan {r.MakespanSeconds:0.0} s");
        plot.ShowLegend(Alignment.LowerRight);
        var positions = Enumerable.Range(0, r.Instances.Length).Select(i => (double)i).ToArray();
        var labels = r.Instances.Select((inst, i) => Invariant($"{i} TP{inst.TensorParallel}")).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.SetLimitsY(r.Instances.Length, -1);
        plot.Axes.SetLimitsX(0, r.MakespanSeconds * 1.02);
        plot.Title(Invariant($"{r.Policy} on {r.Model}, {r.Gpus} GPUs, {setup.Describe()}: {r.TokensPerSecond:0} tokens/s (shade: peak batch, up to {maxBatch})"));
        plot.XLabel("time (s)");
        plot.YLabel("instance");
        using var image = plot.GetImage(1600, Math.Max(400, 40 + (18 * r.Instances.Length)));
        return image.GetImageBytes(ImageFormat.Png);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where the trace comes from: a file, or a family to generate; and the predictor's training family.</summary>
internal sealed record RolloutRequest(string? TracePath, string? Family, int Prompts, int Samples, int Seed, string? TrainFamily)
{
    /// <summary>The rollout's maximum context (<c>--max-context</c>); 0 for the family's, or for a trace file <see cref="RolloutSetup.DefaultMaxContextTokens"/>.</summary>
    public long MaxContextTokens { get; init; }
}

/// <summary>A trace ready to simulate, with the training trace Heddle's planner will be fitted on.</summary>
internal sealed record RolloutSetupResult(
    ImmutableArray<Trajectory> Trace, string Source, int Seed, RolloutTraceFamily TrainFamily, ImmutableArray<Trajectory> TrainingTrace, string TrainingSource)
{
    /// <summary>
    /// The rollout's configured maximum context (what the engines are started with): the layouts are sized for it, never
    /// for the trace's own longest trajectory, which no real system knows before the rollout.
    /// </summary>
    public long MaxContextTokens { get; init; } = RolloutSetup.DefaultMaxContextTokens;

    /// <summary>The options with this rollout's maximum context, unless they configure one.</summary>
    public RolloutSimulationOptions Configure(RolloutSimulationOptions options) =>
        options.MaxContextTokens > 0 ? options : options with { MaxContextTokens = MaxContextTokens };

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Source} ({Trace.Length} trajectories, {Trace.Sum(t => t.TotalOutputTokens)} output tokens)");
}

/// <summary>
/// The command line's side of <c>rollout simulate</c> and the demo: parsing, and loading or generating the trace and
/// Heddle's training trace (the library's convention, <see cref="HeddlePlanner.GenerateTrainingTrace"/>); the library
/// fits Heddle, simulates and writes the report.
/// </summary>
internal static class RolloutSetup
{
    /// <summary>The maximum context of a rollout read from a trace file when <c>--max-context</c> is not given: the trace generator's default.</summary>
    public static readonly long DefaultMaxContextTokens = new RolloutTraceGeneratorOptions().MaxContextTokens;

    public static ImmutableArray<string> ModelNames => CalibratedCostModel.ModelNames;

    /// <summary><c>--max-context</c>: the rollout's configured maximum context, which layouts are sized for.</summary>
    public static Option<long> MaxContextOption() => new("--max-context")
    {
        Description = $"The rollout's maximum context in tokens (the engines' max_model_len), which every layout's KV cache is sized for; a longer trajectory is an error (default: the family's cap, or {DefaultMaxContextTokens} for a trace file)",
    };

    /// <summary>
    /// A hardware description the rollout simulator can run on: an embedded name or a JSON file (unknown names and
    /// missing files name <paramref name="field"/>, a bad figure in a file its JSON path), whose nodes hold one kind of
    /// GPU with NVLink, network and PCIe links (else an error naming <paramref name="field"/>).
    /// </summary>
    public static HardwareSpec Hardware(string nameOrPath, string field)
    {
        var spec = HardwareSpec.Load(nameOrPath, field);
        try
        {
            InferenceHardware.From(spec);
            _ = (RolloutSimulationOptions.Default with { Hardware = spec }).Validate();
        }
        catch (PlanningInputException error)
        {
            throw new PlanningInputException(field, $"hardware \"{spec.Name}\" cannot run rollout instances ({error.Message})");
        }

        return spec;
    }

    /// <summary>
    /// <c>--cost-model</c>: which inference cost model the simulator and planners run on (<see cref="InferenceCostModels"/>,
    /// the one map from name to model; default <c>modern</c>).
    /// </summary>
    public static Option<string> CostModelOption() => new("--cost-model")
    {
        Description = "Inference cost model: modern (today's engines, fitted to NIM and vLLM measurements; the default) | splitwise (fitted to Splitwise's 2023 measurements, the sensitivity check)",
        DefaultValueFactory = _ => InferenceCostModels.Name(InferenceCostModels.Default),
    };

    /// <summary>
    /// The cost model (<paramref name="kind"/>, default <see cref="InferenceCostModels.Default"/>) of a model class on a
    /// hardware description (default: the embedded h100); a model whose weights and least KV cache fit no degree of the
    /// GPU is an error naming <paramref name="field"/> (the message names the GPU too).
    /// </summary>
    public static IInferenceCostModel CostModel(string name, string field, HardwareSpec? hardware = null, InferenceCostModelKind? kind = null)
    {
        if (!ModelNames.Contains(name))
        {
            throw new PlanningInputException(field, $"must be one of {string.Join(", ", ModelNames)}, got \"{name}\"");
        }

        try
        {
            return InferenceCostModels.ForModel(kind ?? InferenceCostModels.Default, name, hardware is null ? null : InferenceHardware.From(hardware));
        }
        catch (PlanningInputException error) when (error.Field == "model")
        {
            throw new PlanningInputException(field, error.Problem);
        }
    }

    /// <summary>Reads or generates the trace; generates the training trace (another seed) Heddle's planner will be fitted on.</summary>
    public static RolloutSetupResult Prepare(RolloutRequest request)
    {
        RolloutTraceFamily? family = null;
        if (request.Family is { } familyName)
        {
            family = RolloutTraceFamilies.TryParse(familyName, out var parsed)
                ? parsed
                : throw new PlanningInputException("--family", $"must be one of {string.Join(", ", RolloutTraceFamilies.Names)}, got \"{familyName}\"");
        }

        var trainFamily = family ?? RolloutTraceFamily.LongTail;
        if (request.TrainFamily is { } trainName)
        {
            trainFamily = RolloutTraceFamilies.TryParse(trainName, out var parsedTrain)
                ? parsedTrain
                : throw new PlanningInputException("--train-family", $"must be one of {string.Join(", ", RolloutTraceFamilies.Names)}, got \"{trainName}\"");
        }

        ImmutableArray<Trajectory> trace;
        string source;
        if (request.TracePath is { } path)
        {
            if (family is not null)
            {
                throw new PlanningInputException("--family", "must not be given with --trace (one trace source)");
            }

            trace = RolloutTraceJson.Parse(CommonOptions.ReadInput("--trace", path)).Trajectories;
            source = Path.GetFileName(path);
        }
        else
        {
            if (family is not { } chosen)
            {
                throw new PlanningInputException("--trace", "is required unless --family generates a trace");
            }

            AtLeast("--prompts", request.Prompts, 1);
            AtLeast("--samples", request.Samples, 1);
            trace = RolloutTraceGenerator.Generate(chosen, request.Prompts, request.Samples, request.Seed).Trajectories;
            source = RolloutTraceGenerator.Describe(chosen, request.Prompts, request.Samples, request.Seed);
        }

        if (request.MaxContextTokens < 0)
        {
            throw new PlanningInputException("--max-context", string.Create(CultureInfo.InvariantCulture, $"must be positive (or 0 for the default), got {request.MaxContextTokens}"));
        }

        var maxContext = request.MaxContextTokens > 0 ? request.MaxContextTokens
            : family is { } generated ? RolloutTraceGeneratorOptions.ForFamily(generated).MaxContextTokens
            : DefaultMaxContextTokens;
        var training = HeddlePlanner.GenerateTrainingTrace(trainFamily, request.Seed).Trajectories;
        return new RolloutSetupResult(trace, source, request.Seed, trainFamily, training, HeddlePlanner.DescribeTrainingTrace(trainFamily, request.Seed))
        {
            MaxContextTokens = maxContext,
        };
    }

    /// <summary>
    /// Simulates one policy and reports it; for heddle, fits the planner on the training trace first
    /// (<see cref="HeddleOptions.Default"/> but for the mechanisms, online learning and regroup interval given).
    /// </summary>
    public static RolloutSimulationReport Simulate(
        RolloutSetupResult setup, IInferenceCostModel cost, int gpus, string policyName, HeddleMechanisms mechanisms, RolloutSimulationOptions options, bool learnOnline = false, double? regroupEverySeconds = null)
    {
        HeddlePlanner? planner = null;
        IRolloutPolicy policy;
        if (policyName == "heddle")
        {
            planner = HeddlePlanner.Fit(setup.TrainingTrace, HeddleOptions.Default with
            {
                Mechanisms = mechanisms,
                LearnOnline = learnOnline,
                RegroupEverySeconds = regroupEverySeconds ?? HeddleOptions.Default.RegroupEverySeconds,
            });
            policy = new HeddleRolloutPolicy(planner);
        }
        else
        {
            policy = RolloutPolicies.Create(policyName, field: "--policy");
        }

        // The predictor's held-out quality is measured before the rollout, so that online learning does not leak into it.
        var evaluation = planner?.EvaluatePredictor(new RolloutTrace(setup.Trace));
        var result = new RolloutSimulator(cost, setup.Configure(options)).Simulate(setup.Trace, gpus, policy);
        return new RolloutSimulationReport(result, RolloutLowerBound.Compute(setup.Trace, gpus, cost), setup.Source, setup.Seed)
        {
            Mechanisms = planner?.Mechanisms,
            PredictorTrainedOn = planner is null ? null : setup.TrainingSource,
            Predictor = evaluation,
        };
    }

    private static void AtLeast(string option, int value, int least)
    {
        if (value < least)
        {
            throw new PlanningInputException(option, string.Create(CultureInfo.InvariantCulture, $"must be at least {least}, got {value}"));
        }
    }
}
