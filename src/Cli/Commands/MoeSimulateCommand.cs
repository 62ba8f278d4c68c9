using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.Moe;
using Planning.Graph;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;
using ScottPlot;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan moe simulate</c>: balancing policies over a generated workload on the MoE step simulator.</summary>
internal static class MoeSimulateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", MoeModelConfig.Names)} or a JSON file (default deepseek-v3)", DefaultValueFactory = _ => "deepseek-v3" };
        var hardware = new Option<string>("--hardware") { Description = $"Hardware: {string.Join(" | ", HardwareSpec.Names.Where(name => HardwareSpec.Load(name).IsHomogeneous))} or a hardware JSON file, one kind of device per node (default h800)", DefaultValueFactory = _ => "h800" };
        var workload = new Option<string>("--workload") { Description = $"Workload family: {string.Join(" | ", MoeWorkloadFamilies.Names)} (default zipf)", DefaultValueFactory = _ => "zipf" };
        var policies = new Option<string>("--policies") { Description = $"Comma-separated policies to run: {string.Join(",", MoeDeploymentStrategies.Default.Names)} (default all; none and ideal, the references, always run)", DefaultValueFactory = _ => string.Join(',', MoeDeploymentStrategies.Default.Names) };
        var microbatches = new Option<int>("--microbatches") { Description = "Microbatches (default 16)", DefaultValueFactory = _ => 16 };
        var imbalance = new Option<double>("--imbalance") { Description = "Target initial imbalance, max/mean master-rank load (default 2.0)", DefaultValueFactory = _ => 2.0 };
        var layers = new Option<int>("--layers") { Description = "MoE layers per microbatch (default 1)", DefaultValueFactory = _ => 1 };
        var tokens = new Option<int>("--tokens-per-rank") { Description = "Tokens per rank per layer (default 8192)", DefaultValueFactory = _ => MoeDeployment.DefaultTokensPerRank };
        var slots = new Option<int>("--redundant-slots") { Description = "Redundant slots per rank (default 2)", DefaultValueFactory = _ => MoeDeployment.DefaultRedundantSlots };
        var phase = new Option<string>("--phase") { Description = "training (forward + backward, default) | prefill", DefaultValueFactory = _ => "training" };
        var window = new Option<int>("--eplb-window") { Description = "Microbatches eplb plans from, as deployed (default 4)", DefaultValueFactory = _ => 4 };
        var reorderEvery = new Option<int>("--reorder-every") { Description = "ultraep-reorder: microbatches per batch; masters are reordered across domains before each batch (default 8)", DefaultValueFactory = _ => 8 };
        var reorderWindow = new Option<int>("--reorder-window") { Description = "ultraep-reorder: the last microbatches before a batch whose loads it reorders from (default 2)", DefaultValueFactory = _ => 2 };
        var replay = new Option<bool>("--reorder-from-replay") { Description = "ultraep-reorder: reorder from the batch's own loads, known in RL training from routing replay (default: from the microbatches before the batch)" };
        var minQuota = new Option<long>("--min-quota") { Description = "UltraEP: fewest tokens a replica may serve (default 0)", DefaultValueFactory = _ => 0 };
        var plannerUs = new Option<double?>("--planner-us") { Description = "UltraEP planner time per layer in microseconds, fixed for reproducible output (default: measured)" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG: per-rank load before (none) and after (ultraep) for one layer, and step time per policy" };
        var format = CommonOptions.Format();
        var seed = CommonOptions.Seed();
        var command = new Command("simulate", "Simulate balancing policies over a workload of microbatches: step time, throughput, ratio to the force-balanced ideal")
        {
            model, hardware, workload, policies, microbatches, imbalance, layers, tokens, slots, phase, window, reorderEvery, reorderWindow, replay, minQuota, plannerUs, plot, format, seed,
        };
        command.SetAction(parse =>
        {
            var chosen = MoeDeploymentStrategies.Default.Parse(parse.GetValue(policies)!, "--policies");
            var family = MoeWorkloadFamilies.TryParse(parse.GetValue(workload), out var parsed)
                ? parsed
                : throw new PlanningInputException("--workload", $"must be one of {string.Join(", ", MoeWorkloadFamilies.Names)}, got \"{parse.GetValue(workload)}\"");
            var stepPhase = parse.GetValue(phase) switch
            {
                "training" => MoeStepPhase.Training,
                "prefill" => MoeStepPhase.Prefill,
                var other => throw new PlanningInputException("--phase", $"must be training or prefill, got \"{other}\""),
            };
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new PlanningInputException("--plot", $"must name a .png file, got \"{plotPath}\"");
            }

            AtLeast("--eplb-window", parse.GetValue(window), 1);
            AtLeast("--reorder-every", parse.GetValue(reorderEvery), 1);
            AtLeast("--reorder-window", parse.GetValue(reorderWindow), 1);
            AtLeast("--min-quota", parse.GetValue(minQuota), 0);
            AtLeast("--redundant-slots", parse.GetValue(slots), 0);
            AtLeast("--tokens-per-rank", parse.GetValue(tokens), 1);
            if (parse.GetValue(plannerUs) is { } fixedUs && (!(fixedUs >= 0) || double.IsInfinity(fixedUs)))
            {
                throw new PlanningInputException("--planner-us", Invariant($"must be a non-negative number of microseconds, got {fixedUs}"));
            }

            var modelConfig = MoeModelConfig.Load(parse.GetValue(model)!, "--model");
            var hardwareSpec = HardwareSpec.Load(parse.GetValue(hardware)!, "--hardware");
            var fixedPlanner = parse.GetValue(plannerUs);
            var options = new MoeSimulationOptions
            {
                Phase = stepPhase,
                EplbWindow = parse.GetValue(window),
                ReorderEvery = parse.GetValue(reorderEvery),
                ReorderWindow = parse.GetValue(reorderWindow),
                ReorderFromReplay = parse.GetValue(replay),
                UltraEp = new UltraEpOptions { MinReplicaQuota = parse.GetValue(minQuota) },
                PlannerSecondsPerLayer = fixedPlanner / 1e6,
                Progress = new LineProgress(io.Error),
            }.Validate();

            var deployment = MoeDeployment.For(modelConfig, hardwareSpec, parse.GetValue(slots), parse.GetValue(tokens));
            var settings = deployment.WorkloadSettings(family, parse.GetValue(imbalance), parse.GetValue(microbatches), parse.GetValue(seed), parse.GetValue(layers));
            var generated = MoeWorkloadGenerator.Generate(settings);
            var result = MoeWorkloadSimulation.Run(generated, chosen, modelConfig, deployment.Cluster, options);

            // Render before printing anything: a failing plot leaves neither a file nor a half-written report.
            var png = plotPath is null ? null : RenderPlot(result, settings);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => WriteJson(writer, result, settings));
            }
            else
            {
                WriteTable(io, result, settings, fixedPlanner is not null);
            }

            if (plotPath is not null)
            {
                CommonOptions.WriteAtomically(plotPath, stream => stream.Write(png));
                io.Error.WriteLine($"simulate: wrote {plotPath}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>A one-line summary of a setting, for tables and plot titles.</summary>
    internal static string Describe(MoeSimulationResult result, MoeWorkloadSettings settings) => string.Create(
        CultureInfo.InvariantCulture,
        $"{result.Model.Name} on {result.Hardware.Name} ({result.Phase.ToString().ToLowerInvariant()}): EP{result.Ranks}, {result.RanksPerDomain} ranks per domain, {result.ExpertsPerRank} masters + {result.RedundantSlotsPerRank} redundant slots per rank, {settings.TokensPerRank} tokens per rank, {MoeWorkloadFamilies.Name(settings.Family)} target imbalance {settings.TargetImbalance:0.00} (without balancing {result.InitialImbalance:0.00}), {result.Microbatches} microbatch(es) x {result.Layers} layer(s), seed {settings.Seed}");

    private static void WriteTable(ConsoleIo io, MoeSimulationResult result, MoeWorkloadSettings settings, bool plannerFixed)
    {
        io.Out.WriteLine(Describe(result, settings));
        var table = new Table();
        table.AddColumns("policy", "step (ms)", "tokens/s", "% of ideal", "x none", "imbalance", "all-to-all (ms)", "compute (ms)", "exposed sync (ms)", "planner (us)", "synced (GB)");
        foreach (var p in result.Policies)
        {
            table.AddRow(
                p.Policy,
                Invariant($"{p.MeanStepSeconds * 1e3:0.000}"),
                Invariant($"{p.TokensPerSecond:0}"),
                Invariant($"{p.RatioToIdeal * 100:0.0}%"),
                Invariant($"{p.RatioToNone:0.000}"),
                Invariant($"{p.MeanImbalance:0.0000}"),
                Invariant($"{p.MeanTime.AllToAllSeconds * 1e3:0.000}"),
                Invariant($"{p.MeanTime.ComputeSeconds * 1e3:0.000}"),
                Invariant($"{p.MeanTime.ExposedWeightSyncSeconds * 1e3:0.000}"),
                Invariant($"{p.MeanTime.PlannerSeconds * 1e6:0.0}"),
                Invariant($"{p.BytesSynced / 1e9:0.00}"));
        }

        io.Tables.Write(table);
        // Without ultraep or ultraep-reorder nothing plans on the critical path, and nothing was timed.
        var planner = result.PlannerTimeMeasured || plannerFixed
            ? Invariant($"UltraEP planner: {result.PlannerSecondsPerLayer * 1e6:0.0} us per layer ({(result.PlannerTimeMeasured ? Invariant($"measured median, p99 {result.PlannerP99SecondsPerLayer * 1e6:0.0} us") : "fixed")})")
            : "UltraEP planner: not run";
        io.Out.WriteLine($"{planner}; eplb plans off the critical path; step = every MoE layer of one microbatch");
    }

    private static void WriteJson(Utf8JsonWriter writer, MoeSimulationResult result, MoeWorkloadSettings settings)
    {
        writer.WriteStartObject();
        writer.WriteString("model", result.Model.Name);
        writer.WriteString("hardware", result.Hardware.Name);
        writer.WriteString("phase", result.Phase.ToString().ToLowerInvariant());
        writer.WriteString("workload", MoeWorkloadFamilies.Name(settings.Family));
        writer.WriteNumber("targetImbalance", settings.TargetImbalance);
        writer.WriteNumber("initialImbalance", result.InitialImbalance);
        writer.WriteNumber("microbatches", result.Microbatches);
        writer.WriteNumber("layers", result.Layers);
        writer.WriteNumber("seed", settings.Seed);
        writer.WriteNumber("ranks", result.Ranks);
        writer.WriteNumber("ranksPerNode", result.RanksPerNode);
        writer.WriteNumber("ranksPerDomain", result.RanksPerDomain);
        writer.WriteNumber("expertsPerRank", result.ExpertsPerRank);
        writer.WriteNumber("redundantSlotsPerRank", result.RedundantSlotsPerRank);
        writer.WriteNumber("tokensPerRank", settings.TokensPerRank);
        writer.WriteNumber("tokensPerStep", result.TokensPerStep);
        writer.WriteStartObject("plannerMicrosecondsPerLayer");
        writer.WriteNumber("median", result.PlannerSecondsPerLayer * 1e6);
        writer.WriteNumber("p99", result.PlannerP99SecondsPerLayer * 1e6);
        writer.WriteBoolean("measured", result.PlannerTimeMeasured);
        writer.WriteEndObject();
        writer.WriteNumber("idealAllToAllFromPlans", result.IdealAllToAllFromPlans);
        writer.WriteStartArray("policies");
        foreach (var p in result.Policies)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", p.Policy);
            writer.WriteNumber("stepSeconds", p.MeanStepSeconds);
            writer.WriteNumber("tokensPerSecond", p.TokensPerSecond);
            writer.WriteNumber("ratioToIdeal", p.RatioToIdeal);
            writer.WriteNumber("ratioToNone", p.RatioToNone);
            writer.WriteNumber("imbalance", p.MeanImbalance);
            writer.WriteNumber("replicas", p.MeanReplicas);
            writer.WriteNumber("bytesSynced", p.BytesSynced);
            writer.WriteStartObject("meanSeconds");
            writer.WriteNumber("dispatch", p.MeanTime.DispatchSeconds);
            writer.WriteNumber("compute", p.MeanTime.ComputeSeconds);
            writer.WriteNumber("combine", p.MeanTime.CombineSeconds);
            writer.WriteNumber("weightSync", p.MeanTime.WeightSyncSeconds);
            writer.WriteNumber("exposedWeightSync", p.MeanTime.ExposedWeightSyncSeconds);
            writer.WriteNumber("planner", p.MeanTime.PlannerSeconds);
            writer.WriteEndObject();
            writer.WriteStartArray("stepSecondsPerMicrobatch");
            foreach (var step in p.StepSeconds)
            {
                writer.WriteNumberValue(step);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Two panels: per-rank load of layer 0 of the last microbatch without balancing and under UltraEP, and the mean step time per policy.</summary>
    private static byte[] RenderPlot(MoeSimulationResult result, MoeWorkloadSettings settings)
    {
        var after = result.Policies.FirstOrDefault(p => p.Policy == "ultraep")
            ?? result.Policies.FirstOrDefault(p => p.Policy is not ("none" or "ideal"))
            ?? result.None;
        var before = result.None;
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);

        var loads = multiplot.GetPlot(0);
        var beforeColor = PolicyBars.Unbalanced;
        var afterColor = PolicyBars.Featured;
        var rankBars = new List<Bar>();
        for (var r = 0; r < before.SampleRankLoads.Length; r++)
        {
            rankBars.Add(new Bar { Position = r - 0.2, Value = before.SampleRankLoads[r], Size = 0.4, FillColor = beforeColor, LineWidth = 0 });
            rankBars.Add(new Bar { Position = r + 0.2, Value = after.SampleRankLoads[r], Size = 0.4, FillColor = afterColor, LineWidth = 0 });
        }

        loads.Add.Bars(rankBars);
        var mean = result.Ideal.SampleRankLoads[0];
        var meanLine = loads.Add.HorizontalLine(mean);
        meanLine.Color = ScottPlot.Colors.Black;
        meanLine.LinePattern = LinePattern.Dashed;
        loads.Legend.ManualItems.Add(new LegendItem { LabelText = Invariant($"none (imbalance {before.SampleRankLoads.Max() / mean:0.00})"), FillColor = beforeColor });
        loads.Legend.ManualItems.Add(new LegendItem { LabelText = Invariant($"{after.Policy} (imbalance {after.SampleRankLoads.Max() / mean:0.00})"), FillColor = afterColor });
        loads.Legend.ManualItems.Add(new LegendItem { LabelText = "mean", LineColor = ScottPlot.Colors.Black, LinePattern = LinePattern.Dashed, LineWidth = 1 });
        loads.ShowLegend(Alignment.UpperRight);
        loads.Title(Invariant($"Per-rank load, layer 0 of microbatch {result.Microbatches}: {result.Model.Name} on {result.Hardware.Name}, EP{result.Ranks}, {MoeWorkloadFamilies.Name(settings.Family)} {settings.TargetImbalance:0.0}"));
        loads.XLabel("rank");
        loads.YLabel("routed tokens computed");
        loads.Axes.Margins(bottom: 0);
        loads.Axes.SetLimitsX(-1, before.SampleRankLoads.Length);

        PolicyBars.Draw(
            multiplot.GetPlot(1),
            [.. result.Policies.Select(p => (p.Policy, p.MeanStepSeconds * 1e3, Invariant($"{p.MeanStepSeconds * 1e3:0.0} ms, {p.RatioToIdeal * 100:0.0}% of ideal"), p.Policy switch
            {
                "ultraep" => afterColor,
                "ideal" => PolicyBars.Ideal,
                "none" => beforeColor,
                _ => PolicyBars.Other,
            }))],
            Invariant($"Mean step time per policy ({result.Phase.ToString().ToLowerInvariant()}, {result.Microbatches} microbatches)"));

        using var image = multiplot.Render(1400, 1000);
        return image.GetImageBytes(ImageFormat.Png);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void AtLeast(string option, long value, long least)
    {
        if (value < least)
        {
            throw new PlanningInputException(option, Invariant($"must be at least {least}, got {value}"));
        }
    }

    /// <summary>Progress lines straight to a writer, on the caller's thread (<see cref="Progress{T}"/> would post them elsewhere).</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
