using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.Adapters.Moe;
using Planning.Moe.Json;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan moe import</c>: an SGLang or DeepSeek placement file as a plan in the <c>plan moe balance --format json</c>
/// shape (quotas from the format's dispatch rule on the case's tokens), for <c>plan moe balance --previous</c> and
/// comparisons.
/// </summary>
internal static class MoeImportCommand
{
    public static Command Create(ConsoleIo io)
    {
        var format = new Option<string>("--format") { Description = $"The file's format: {string.Join(" | ", MoePlacementFormats.ReadableNames)}", Required = true };
        var input = new Option<string>("--input") { Description = "The placement file (SGLang's physical_to_logical_map JSON, or DeepSeek EPLB's phy2log JSON)", Required = true };
        var moeCase = new Option<string>("--case") { Description = "The case (CASE.json): ranks, experts, and the tokens whose dispatch sets the quotas", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the plan JSON here (default: stdout)" };
        var command = new Command("import", "Read a serving system's expert placement file as a plan (plan moe balance --format json shape)")
        {
            format, input, moeCase, output,
        };
        command.SetAction(parse =>
        {
            var formatName = parse.GetValue(format);
            if (!MoePlacementFormats.ReadableNames.Contains(formatName!) || !MoePlacementFormats.TryParse(formatName, out var chosen))
            {
                throw new PlanningInputException("--format", $"must be one of {string.Join(", ", MoePlacementFormats.ReadableNames)}, got \"{formatName}\"");
            }

            var theCase = MoeCaseJson.Parse(CommonOptions.ReadInput("--case", parse.GetValue(moeCase)!));
            var plan = MoePlacementExport.Import(theCase, CommonOptions.ReadInput("--input", parse.GetValue(input)!), chosen);
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                    BalancePlanJson.Write(writer, plan);
                });
            }
            else
            {
                Format.WriteJson(io, writer => BalancePlanJson.Write(writer, plan));
            }

            for (var l = 0; l < plan.Layers.Length; l++)
            {
                var layer = plan.Layers[l];
                io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"layer {l}: {layer.Instances.Length} slots, {layer.Replicas} replicas, imbalance {layer.Imbalance:0.000000} (lower bound {layer.LowerBound:0.000000})"));
            }

            return 0;
        });
        return command;
    }
}
