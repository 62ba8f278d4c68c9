using System.CommandLine;
using System.Globalization;
using Planning.Soc;
using Planning.Solving;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan soc map</c>: Agent.xpu's offline mapping of one prefill's kernels to the SoC's accelerators (CP-SAT on the
/// shared min-max assignment builder), with the checked schedule's makespan and a proven lower bound.
/// </summary>
internal static class SocMapCommand
{
    public static Command Create(ConsoleIo io)
    {
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", LlmSpec.Names)} (default llama-3.2-3b)", DefaultValueFactory = _ => LlmSpec.Names[0] };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt tokens to prefill, 1 to 8192 (default 1024)", DefaultValueFactory = _ => 1024 };
        var soc = new Option<string>("--soc") { Description = "The SoC: core-ultra-5-125h (default) or a hardware JSON file with one cpu, igpu and npu and a sharedDram link", DefaultValueFactory = _ => "core-ultra-5-125h" };
        var chunk = new Option<int>("--chunk-tokens") { Description = $"Prompt tokens per prefill chunk, the NPU's static shape (default {SocCostModel.DefaultChunkTokens})", DefaultValueFactory = _ => SocCostModel.DefaultChunkTokens };
        var timeLimit = CommonOptions.TimeLimit(10);
        var seed = CommonOptions.Seed();
        var workers = new Option<int>("--workers") { Description = "Solver workers (default 1: deterministic for a seed)", DefaultValueFactory = _ => 1 };
        var deadline = new Option<double?>("--deadline-ms") { Description = "A busy-time budget for every accelerator, in ms (default none)" };
        var objective = new Option<string>("--objective") { Description = "What to minimise: makespan (default: list scheduling and local search against the head-tail bound, then CP-SAT's interval model within --time-limit if they do not meet; reports the gap) | bottleneck (the busiest accelerator or the DRAM, proven optimal, with the evaluated schedule of that mapping)", DefaultValueFactory = _ => "makespan" };
        var format = CommonOptions.Format();
        var command = new Command("map", "Map one prefill's kernels to CPU, iGPU and NPU: the makespan, its proven lower bound and gap, and the bottleneck")
        {
            model, prompt, soc, chunk, timeLimit, seed, workers, deadline, objective, format,
        };
        command.SetAction(parse =>
        {
            var llm = LlmSpec.Get(parse.GetValue(model)!);
            var limit = parse.GetValue(timeLimit);
            if (!(limit > 0) || !double.IsFinite(limit))
            {
                throw new PlanningInputException("--time-limit", string.Create(CultureInfo.InvariantCulture, $"must be a positive number of seconds, got {limit}"));
            }

            var workerCount = parse.GetValue(workers);
            if (workerCount < 0)
            {
                throw new PlanningInputException("--workers", string.Create(CultureInfo.InvariantCulture, $"must be 0 (automatic) or positive, got {workerCount}"));
            }

            var tokens = parse.GetValue(prompt);
            if (tokens < 1 || tokens > SocCostModel.MaxContextTokens)
            {
                throw new PlanningInputException("--prompt-tokens", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {SocCostModel.MaxContextTokens}, got {tokens}"));
            }

            var chunkTokens = parse.GetValue(chunk);
            if (chunkTokens < 1 || chunkTokens > SocCostModel.MaxContextTokens)
            {
                throw new PlanningInputException("--chunk-tokens", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {SocCostModel.MaxContextTokens}, got {chunkTokens}"));
            }

            if (parse.GetValue(deadline) is { } budget && !(budget > 0 && double.IsFinite(budget)))
            {
                throw new PlanningInputException("--deadline-ms", string.Create(CultureInfo.InvariantCulture, $"must be a positive number of ms, got {budget}"));
            }

            var goal = parse.GetValue(objective) switch
            {
                "makespan" => SocMappingObjective.Makespan,
                "bottleneck" => SocMappingObjective.Bottleneck,
                var other => throw new PlanningInputException("--objective", $"must be makespan or bottleneck, got \"{other}\""),
            };
            var cost = SocCostModel.For(SocSpec.Load(parse.GetValue(soc)!), llm, chunkTokens);
            var options = new SocMappingOptions
            {
                Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(limit), Seed = parse.GetValue(seed), Workers = workerCount },
                DeadlineMilliseconds = parse.GetValue(deadline),
                Objective = goal,
            };
            var result = SocMapper.Map(cost, tokens, options);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => SocMappingJson.Write(writer, result, cost, tokens));
            }
            else
            {
                WriteTable(io, result, cost, tokens);
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(ConsoleIo io, SocMappingResult result, SocCostModel cost, int tokens)
    {
        io.Out.WriteLine(Invariant($"{cost.Model.Name} on {cost.Soc.Hardware.Name}: prefill of {tokens} tokens in chunks of {cost.ChunkTokens}, {cost.Prefill(tokens).Length} kernels"));
        io.Out.WriteLine(Invariant($"objective {(result.Objective == SocMappingObjective.Makespan ? "makespan" : "bottleneck")}: status {SocMappingJson.Status(result.Status)}; bottleneck (busiest accelerator or DRAM) {Ms(result.BottleneckMilliseconds)}, {SocMappingJson.Status(result.BottleneckStatus)}, bound {result.BottleneckBoundMilliseconds:0.000} ms"));
        io.Out.WriteLine(Invariant($"makespan {Ms(result.MakespanMilliseconds)} (checked schedule), lower bound {result.LowerBoundMilliseconds:0.000} ms (critical path {result.CriticalPathMilliseconds:0.000} ms, DRAM {result.DramMilliseconds:0.000} ms), gap {(result.Gap is { } gap ? Invariant($"{gap:P2}") : "-")}, solved in {result.SolveMilliseconds:0.0} ms"));
        if (!result.InfeasibleConstraints.IsEmpty)
        {
            io.Out.WriteLine($"infeasible: relaxing {string.Join(" or ", result.InfeasibleConstraints)} alone makes it feasible");
        }

        var table = new Table();
        table.AddColumns("accelerator", "kernels", "busy (ms)");
        foreach (var accelerator in cost.Soc.Accelerators)
        {
            table.AddRow(
                SocSpec.Name(accelerator),
                result.Assignments.Count(a => a.Accelerator == accelerator).ToString(CultureInfo.InvariantCulture),
                result.BusyMilliseconds.TryGetValue(accelerator, out var busy) ? Invariant($"{busy:0.000}") : "-");
        }

        io.Tables.Write(table);
        var kernels = new Table();
        kernels.AddColumns("kernel", "accelerator", "start (ms)", "end (ms)");
        foreach (var assignment in result.Assignments)
        {
            // Kernel names hold brackets, which Spectre would read as markup.
            kernels.AddRow(Markup.Escape(assignment.Kernel.Name), SocSpec.Name(assignment.Accelerator), Invariant($"{assignment.StartMilliseconds:0.000}"), Invariant($"{assignment.EndMilliseconds:0.000}"));
        }

        io.Tables.Write(kernels);
    }

    private static string Ms(double? value) => value is { } ms ? Invariant($"{ms:0.000} ms") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
