using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Planning.Execution.Adapters.Moe;
using Planning.Moe;
using Planning.Moe.Json;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan moe export</c>: a <c>plan moe balance --format json</c> plan as the placement file of a serving system
/// (SGLang, TensorRT-LLM, DeepSeek EPLB, vllm-ascend), with the imbalance that system's own dispatch gives on the case's
/// tokens reported on stderr next to the plan's.
/// </summary>
internal static class MoeExportCommand
{
    public static Command Create(ConsoleIo io)
    {
        var plan = new Option<string>("--plan") { Description = "The plan (the output of plan moe balance --format json)", Required = true };
        var moeCase = new Option<string?>("--case")
        {
            Description = "The case the plan was made for (CASE.json); required for the projection report (the plan JSON does not hold the tokens per source rank and expert that the format's dispatch rule splits) and for the default slots per rank. Without it: the file only, slots from the plan",
        };
        var format = new Option<string>("--format") { Description = $"The file to write: {string.Join(" | ", MoePlacementFormats.Names)}", Required = true };
        var slots = new Option<int?>("--slots-per-rank") { Description = "Physical slots on every rank (default: the case's expertsPerRank + redundantSlotsPerRank)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the file here (default: stdout)" };
        var command = new Command("export", "Write a plan as a serving system's expert placement file, and report the imbalance its dispatch rule projects")
        {
            plan, moeCase, format, slots, output,
        };
        command.SetAction(parse =>
        {
            var formatName = parse.GetValue(format);
            if (!MoePlacementFormats.TryParse(formatName, out var chosen))
            {
                throw new PlanningInputException("--format", $"must be one of {string.Join(", ", MoePlacementFormats.Names)}, got \"{formatName}\"");
            }

            var planText = CommonOptions.ReadInput("--plan", parse.GetValue(plan)!);
            IReadOnlyList<IReadOnlyList<ExpertInstance>> placements = [.. BalancePlanJson.ReadPlacements(planText, "plan").Select(layer => (IReadOnlyList<ExpertInstance>)layer)];
            var result = parse.GetValue(moeCase) is { } casePath
                ? MoePlacementExport.Export(MoeCaseJson.Parse(CommonOptions.ReadInput("--case", casePath)), placements, chosen, parse.GetValue(slots))
                : MoePlacementExport.ExportWithoutCase(PlanRanks(planText), placements, chosen, parse.GetValue(slots));
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(result.Text)));
            }
            else
            {
                io.Out.Write(result.Text);
            }

            foreach (var line in Report(result, parse.GetValue(output)))
            {
                io.Error.WriteLine(line);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The ranks of a plan: the length of its first layer's <c>rankLoads</c>.</summary>
    private static int PlanRanks(string planText)
    {
        using var document = JsonDocument.Parse(planText);
        return document.RootElement.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array && layers.GetArrayLength() > 0
            && layers[0].ValueKind == JsonValueKind.Object && layers[0].TryGetProperty("rankLoads", out var loads) && loads.ValueKind == JsonValueKind.Array && loads.GetArrayLength() > 0
            ? loads.GetArrayLength()
            : throw new PlanningInputException("plan.layers[0].rankLoads", "is required without --case (it gives the number of ranks)");
    }

    /// <summary>The stderr report: the slot shape (and SGLang's option), then one line per layer.</summary>
    internal static IEnumerable<string> Report(MoePlacementExportResult result, string? path)
    {
        var layout = result.Layout;
        var rule = result.Rule == ExpertDispatchRule.SglangStatic ? "sglang static dispatch" : "even split over replicas";
        var target = path is null ? "stdout" : path;
        yield return Invariant($"export: {MoePlacementFormats.Name(result.Format)} to {target}: {layout.Ranks} ranks x {layout.SlotsPerRank} slots = {layout.PhysicalSlots} physical slots for {layout.Experts} logical experts, {layout.PaddedSlots.Sum()} padded");
        if (result.Format == MoePlacementFormat.Sglang)
        {
            yield return Invariant($"export: launch sglang with --ep-num-redundant-experts {layout.RedundantExperts} --init-expert-location FILE --ep-dispatch-algorithm static");
        }

        if (result.Costs.IsEmpty)
        {
            yield return "export: no --case: no projection (the plan JSON does not hold the tokens per source rank and expert that the dispatch rule splits)";
        }

        for (var l = 0; l < result.Costs.Length; l++)
        {
            var cost = result.Costs[l];
            yield return Invariant($"layer {l}: plan imbalance {cost.PlanImbalance:0.000000}, projected ({rule}) {cost.ProjectedImbalance:0.000000}, cost {cost.ImbalanceCost:+0.000000;-0.000000;0.000000}, padded slots {cost.PaddedSlots}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
