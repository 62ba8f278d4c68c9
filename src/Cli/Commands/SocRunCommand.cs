using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Planning.Execution.Soc;
using Planning.Execution.Soc.Runtime;
using Planning.Rollout;
using Planning.Soc;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan soc run</c>: the real executor on this machine. It calibrates the ONNX Runtime lanes, then runs a workload's
/// reactive requests alone, its proactive requests alone, and the whole workload under the FCFS baseline and under
/// Agent.xpu, and prints measured reactive latencies (p50, p95) and proactive throughput per case.
/// </summary>
internal static class SocRunCommand
{
    public static Command Create(ConsoleIo io)
    {
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", LlmSpec.Names)} (default llama-3.2-3b)", DefaultValueFactory = _ => LlmSpec.Names[0] };
        var soc = new Option<string?>("--soc") { Description = "The SoC: an embedded name or a hardware JSON file (default: the embedded core-ultra-5-125h)" };
        var workload = new Option<string?>("--workload") { Description = "The requests (REQUESTS.jsonl, see docs/contracts.md); default: generated (--reactive-per-minute, --proactive-per-minute, --seed)" };
        var duration = new Option<double>("--duration")
        {
            Description = "Seconds (of the SoC's time) each case runs at least, then until every request is done, at most twice as long; a generated workload's arrivals span it (default 120)",
            DefaultValueFactory = _ => 120,
        };
        var reactive = new Option<double>("--reactive-per-minute") { Description = "Generated workload: reactive arrivals per minute, Poisson, Azure conversation lengths (default 5)", DefaultValueFactory = _ => 5 };
        var proactive = new Option<double>("--proactive-per-minute") { Description = "Generated workload: proactive arrivals per minute, Poisson, Azure code lengths (default 6)", DefaultValueFactory = _ => 6 };
        var baseline = new Option<string>("--baseline") { Description = "The FCFS baseline run under the same load: openvino | llamacpp (default openvino)", DefaultValueFactory = _ => "openvino" };
        var timeScale = new Option<double>("--time-scale") { Description = "Wall ms per SoC ms: a kernel predicted at p ms runs p x scale ms (default 1)", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the four cases, interleaved; the target's ratios pool them (default 1)", DefaultValueFactory = _ => 1 };
        var format = CommonOptions.Format();
        var seed = CommonOptions.Seed();
        var command = new Command("run", "Run Agent.xpu's scheduler on real ONNX Runtime lanes: reactive latency alone, under load with FCFS and with Agent.xpu; proactive throughput")
        {
            model, soc, workload, duration, reactive, proactive, baseline, timeScale, rounds, format, seed,
        };
        command.SetAction(parse =>
        {
            var seconds = parse.GetValue(duration);
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 3600)
            {
                throw new PlanningInputException("--duration", Invariant($"must be more than 0 and at most 3600 seconds, got {seconds}"));
            }

            var baselineName = parse.GetValue(baseline)!;
            if (baselineName is not ("openvino" or "llamacpp"))
            {
                throw new PlanningInputException("--baseline", $"must be openvino or llamacpp, got \"{baselineName}\"");
            }

            var scale = parse.GetValue(timeScale);
            if (!double.IsFinite(scale) || scale <= 0 || scale > 100)
            {
                throw new PlanningInputException("--time-scale", Invariant($"must be more than 0 and at most 100, got {scale}"));
            }

            var roundCount = parse.GetValue(rounds);
            if (roundCount is < 1 or > 100)
            {
                throw new PlanningInputException("--rounds", Invariant($"must be 1 to 100, got {roundCount}"));
            }

            var spec = Named("--soc", () => parse.GetValue(soc) is { } given ? SocSpec.Load(given) : SocSpec.Default);
            var cost = SocCostModel.For(spec, Named("--model", () => LlmSpec.Get(parse.GetValue(model)!)));
            var (requests, source) = Workload(parse.GetValue(workload), parse.GetValue(reactive), parse.GetValue(proactive), seconds, parse.GetValue(seed));
            // A file that lacks a kind is the file's fault; a generated workload that lacks one is too short or too sparse.
            Named(parse.GetValue(workload) is null ? "--duration" : "--workload", () =>
            {
                SocRuntimeBenchmark.CheckWorkload(requests);
                return requests;
            });
            var settings = new SocRuntimeBenchmarkOptions { Baseline = baselineName, DurationMs = seconds * 1000, Rounds = roundCount };

            io.Error.WriteLine("run: calibrating the lanes' chunk models");
            using var executor = new SocRuntimeExecutor(SocRuntimeOptions.Default with { TimeScale = scale });
            var report = SocRuntimeBenchmark.Measure(executor, cost, requests, source, settings, new Progress(io));
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => SocRuntimeJson.Write(writer, report));
            }
            else
            {
                WriteTable(io, report);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The workload: the file named, or one generated from the Azure traces the tool carries over the duration.</summary>
    private static (ImmutableArray<SocRequest> Requests, string Source) Workload(string? path, double reactivePerMinute, double proactivePerMinute, double seconds, int seed)
    {
        if (path is not null)
        {
            return (SocWorkloadJson.Parse(CommonOptions.ReadInput("--workload", path)), Path.GetFileName(path));
        }

        var options = new SocWorkloadOptions { ReactivePerMinute = reactivePerMinute, ProactivePerMinute = proactivePerMinute, DurationMinutes = seconds / 60, Seed = seed };
        try
        {
            options.Validate();
        }
        catch (PlanningInputException error) when (error.Field is "reactivePerMinute" or "proactivePerMinute")
        {
            throw new PlanningInputException(error.Field == "reactivePerMinute" ? "--reactive-per-minute" : "--proactive-per-minute", error.Problem);
        }

        var requests = SocWorkloadGenerator.Generate(
            options, RolloutGenerateCommand.LoadAzure(null, AzureTraceKind.Conversation), RolloutGenerateCommand.LoadAzure(null, AzureTraceKind.Code));
        return (requests, "generated: " + SocWorkloadGenerator.Describe(options) + " (Azure conv / code lengths)");
    }

    private static void WriteTable(ConsoleIo io, SocRuntimeReport report)
    {
        io.Out.WriteLine(Invariant($"{report.Model} on real ONNX Runtime lanes (CPU execution provider), time scale {report.TimeScale:0.##}; {report.Workload}"));
        var calibration = new Table();
        calibration.AddColumns("lane", "threads", "chunk model", "fixed (ms)", "per row (us)", "checks (target ms: measured ms)", "max error");
        foreach (var c in report.Calibrations)
        {
            var budget = report.Options.Lanes.First(l => l.Lane == c.Lane);
            calibration.AddRow(
                SocSpec.Name(c.Lane),
                Invariant($"{budget.IntraOpThreads} intra / {budget.InterOpThreads} inter"),
                c.Shape.ToString(),
                Invariant($"{c.FixedMs:0.00}"),
                Invariant($"{c.MsPerRow * 1000:0.0}"),
                string.Join(", ", c.Checks.Select(k => Invariant($"{k.TargetMs:0}: {k.MeasuredMs:0.0}"))),
                Invariant($"{c.MaxAbsError:P1}"));
        }

        io.Tables.Write(calibration);
        var cases = new Table();
        cases.AddColumns("case", "round", "policy", "reactive p50 (ms)", "reactive p95 (ms)", "reactive done", "proactive tokens/s", "proactive done", "runs (aborted)", "elapsed (s)");
        foreach (var c in report.Cases)
        {
            var r = c.Result;
            cases.AddRow(
                c.Name,
                Invariant($"{c.Round + 1}"),
                c.Policy,
                Number(c.ReactiveP50Ms),
                Number(c.ReactiveP95Ms),
                Invariant($"{r.Count(SocRequestKind.Reactive) - r.Unfinished(SocRequestKind.Reactive)}/{r.Count(SocRequestKind.Reactive)}"),
                Invariant($"{c.ProactiveTokensPerSecond:0.0}"),
                Invariant($"{r.Count(SocRequestKind.Proactive) - r.Unfinished(SocRequestKind.Proactive)}/{r.Count(SocRequestKind.Proactive)}"),
                Invariant($"{r.Timeline.Length} ({r.Timeline.Count(run => run.Aborted)})"),
                Invariant($"{r.ElapsedMs / 1000:0.0}"));
        }

        io.Tables.Write(cases);
        io.Out.WriteLine(Invariant(
            $"target{(report.Settings.Rounds > 1 ? $" (pooled over {report.Settings.Rounds} rounds)" : string.Empty)}: {report.Settings.Policy} reactive p95 under load / alone = {Ratio(report.ReactiveP95Ratio)} (at most 1.5), proactive throughput under load / alone = {Ratio(report.ProactiveThroughputRatio)} (at least 0.7): {(report.MeetsTarget ? "met" : "missed")}"));
    }

    /// <summary>Runs a library call whose bad-input errors name a bare field (<c>model</c>, <c>soc</c>) as the option instead.</summary>
    private static T Named<T>(string option, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (PlanningInputException error) when (!error.Field.StartsWith('-'))
        {
            throw new PlanningInputException(option, error.Field is "model" or "soc" or "workload" ? error.Problem : $"{error.Field}: {error.Problem}");
        }
    }

    private static string Number(double? value) => value is { } v ? Invariant($"{v:0}") : "-";

    private static string Ratio(double? value) => value is { } v ? Invariant($"{v:0.00}") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Prints each case's name on stderr as it starts (the cases take the duration each).</summary>
    private sealed class Progress(ConsoleIo io) : IProgress<string>
    {
        public void Report(string value) => io.Error.WriteLine($"run: {value}");
    }
}
