using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Planning.Execution.Soc;
using Planning.Soc;
using ScottPlot;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan soc simulate</c>: a SoC serving workload on the discrete-event SoC simulator under one policy: reactive
/// latency, proactive throughput and per-lane busy time.
/// </summary>
internal static class SocSimulateCommand
{
    /// <summary>The most runs the plot draws (the first ones), so that an hour's simulation still draws in a second.</summary>
    private const int MaxPlottedRuns = 20_000;

    public static Command Create(ConsoleIo io)
    {
        var workload = new Option<string>("--workload") { Description = "The workload, REQUESTS.jsonl (plan soc generate writes one)", Required = true };
        var policy = new Option<string>("--policy") { Description = $"Policy: {string.Join(" | ", SocSchedulerOptions.PolicyNames)} (default agentxpu)", DefaultValueFactory = _ => "agentxpu" };
        var soc = new Option<string?>("--soc") { Description = "The SoC: an embedded name or a hardware JSON file (default: the embedded core-ultra-5-125h)" };
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", LlmSpec.Names)} (default llama-3.2-3b)", DefaultValueFactory = _ => LlmSpec.Names[0] };
        var maxBatchedTokens = new Option<int?>("--max-batched-tokens") { Description = "llamacpp, openvino: tokens per continuous-batching iteration (default: the policy's best setting)" };
        var maxSequences = new Option<int?>("--max-sequences") { Description = "llamacpp, openvino: requests admitted at once (slots, max_num_seqs; default: the policy's best setting)" };
        var ageLimit = new Option<double?>("--age-limit-ms") { Description = "agentxpu: the age limit of proactive requests, ms (default 4000)" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG: each lane's runs over time, coloured by why they ran" };
        var format = CommonOptions.Format();
        var command = new Command("simulate", "Simulate a SoC serving workload under a policy: reactive latency (arrival to last token), proactive throughput, lane use")
        {
            workload, policy, soc, model, maxBatchedTokens, maxSequences, ageLimit, plot, format,
        };
        command.SetAction(parse =>
        {
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new PlanningInputException("--plot", $"must name a .png file, got \"{plotPath}\"");
            }

            var options = Named("--policy", () => SocSchedulerOptions.For(parse.GetValue(policy)));
            if (parse.GetValue(maxBatchedTokens) is { } tokens)
            {
                options = options with { MaxBatchedTokens = tokens };
            }

            if (parse.GetValue(maxSequences) is { } sequences)
            {
                options = options with { MaxSequences = sequences };
            }

            if (parse.GetValue(ageLimit) is { } age)
            {
                options = options with { AgeLimitMs = age };
            }

            try
            {
                options.Validate();
            }
            catch (PlanningInputException error)
            {
                // The options' own checks, named by the command-line option that set the field.
                throw new PlanningInputException(error.Field switch
                {
                    "maxBatchedTokens" => "--max-batched-tokens",
                    "maxSequences" => "--max-sequences",
                    "ageLimitMs" => "--age-limit-ms",
                    var other => other,
                }, error.Problem);
            }

            var spec = Named("--soc", () => parse.GetValue(soc) is { } given ? SocSpec.Load(given) : SocSpec.Default);
            var llm = Named("--model", () => LlmSpec.Get(parse.GetValue(model)!));
            var path = parse.GetValue(workload)!;
            var requests = Named("--workload", () => SocWorkloadJson.Parse(CommonOptions.ReadInput("--workload", path)), keepJsonPaths: true);

            var clock = Stopwatch.StartNew();
            var result = new SocSimulator(spec, llm, new SocSimulationOptions { RecordTimeline = plotPath is not null }).Simulate(requests, options);
            clock.Stop();

            // Render before printing anything: a failing plot leaves neither a file nor a half-written report.
            var png = plotPath is null ? null : RenderPlot(result);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => SocSimulationJson.Write(writer, result, Path.GetFileName(path), spec.Hardware.Name));
            }
            else
            {
                WriteTable(io, result, Path.GetFileName(path), spec.Hardware.Name);
            }

            io.Error.WriteLine(Invariant($"simulate: {result.Policy} on {result.Requests} requests ({result.MakespanMs / 60_000:0.0} simulated minutes) in {clock.Elapsed.TotalSeconds:0.000} s"));
            if (plotPath is not null)
            {
                CommonOptions.WriteAtomically(plotPath, stream => stream.Write(png));
                io.Error.WriteLine($"simulate: wrote {plotPath}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>A table of one result (also the demo's row source).</summary>
    internal static void WriteTable(ConsoleIo io, SocSimulationResult result, string workload, string soc)
    {
        io.Out.WriteLine($"{result.Policy} ({result.Settings}) on {result.Model}, {soc}, {workload}: {result.Requests} requests");
        var table = new Table();
        table.AddColumns("reactive", "p50 latency (ms)", "p95 latency (ms)", "p50 first token (ms)", "proactive", "proactive tokens/s", "lane busy");
        table.AddRow(
            Invariant($"{result.Reactive.Count}"),
            Number(result.Reactive.P50LatencyMs),
            Number(result.Reactive.P95LatencyMs),
            Number(result.Reactive.P50FirstTokenMs),
            Invariant($"{result.Proactive.Count}"),
            Number(result.Proactive.TokensPerSecond, "0.00"),
            LaneBusy(result));
        io.Tables.Write(table);
    }

    /// <summary>Each lane's share of the makespan it ran kernels: <c>npu 41% igpu 63%</c>.</summary>
    internal static string LaneBusy(SocSimulationResult result) => string.Join(
        " ", result.Lanes.Select(l => Invariant($"{SocSpec.Name(l.Lane)} {(result.MakespanMs > 0 ? l.BusyMs / result.MakespanMs : 0):P0}")));

    internal static string Number(double value, string format = "0") => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>Runs a library call whose bad input should be named by the option (or, for a file's content, by its JSON path).</summary>
    private static T Named<T>(string? option, Func<T> call, bool keepJsonPaths = false)
    {
        try
        {
            return call();
        }
        catch (PlanningInputException error) when (option is not null && !keepJsonPaths && !error.Field.StartsWith('-'))
        {
            // A bare name (policy, model, soc) is the option itself; a JSON path inside a file stays in the message.
            throw new PlanningInputException(option, error.Field is "policy" or "model" or "soc" ? error.Problem : $"{error.Field}: {error.Problem}");
        }
    }

    /// <summary>A Gantt chart: one row per lane, each run a bar coloured by the rule that started it.</summary>
    private static byte[] RenderPlot(SocSimulationResult result)
    {
        var plot = new Plot();
        var colors = new Dictionary<SocRunReason, ScottPlot.Color>
        {
            [SocRunReason.Reactive] = new(214, 39, 40),
            [SocRunReason.Aged] = new(255, 127, 14),
            [SocRunReason.Backfill] = new(31, 119, 180),
            [SocRunReason.Fcfs] = new(127, 127, 127),
        };
        var lanes = result.Lanes.Select(l => l.Lane).ToList();
        foreach (var run in result.Timeline.Take(MaxPlottedRuns))
        {
            var row = lanes.IndexOf(run.Lane);
            var rectangle = plot.Add.Rectangle(run.StartMs / 1000, run.EndMs / 1000, row - 0.4, row + 0.4);
            rectangle.FillColor = colors[run.Run.Reason];
            rectangle.LineWidth = 0;
        }

        foreach (var (reason, color) in colors)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = reason.ToString().ToLowerInvariant(), FillColor = color });
        }

        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, lanes.Count).Select(i => (double)i)], [.. lanes.Select(SocSpec.Name)]);
        plot.Axes.SetLimitsY(lanes.Count, -1);
        var shown = result.Timeline.Length > MaxPlottedRuns ? Invariant($" (first {MaxPlottedRuns} of {result.Timeline.Length} runs)") : string.Empty;
        plot.Title(Invariant($"{result.Policy} on {result.Model}: reactive p50 {Number(result.Reactive.P50LatencyMs)} ms, proactive {Number(result.Proactive.TokensPerSecond, "0.00")} tokens/s{shown}"));
        plot.XLabel("time (s)");
        plot.YLabel("lane");
        using var image = plot.GetImage(1600, 400);
        return image.GetImageBytes(ImageFormat.Png);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
