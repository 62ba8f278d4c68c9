using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Planning.Execution.Adapters.Moe;

/// <summary>
/// Writes a slot layout in each serving system's file shape, and reads SGLang's and DeepSeek's back. Shapes follow
/// the files that load them: sglang <c>python/sglang/srt/eplb/expert_location.py</c>
/// (<c>compute_initial_expert_location_metadata</c> reads <c>physical_to_logical_map</c>), deepseek-ai/EPLB
/// <c>eplb.py</c> (<c>rebalance_experts</c> returns <c>phy2log</c>, <c>log2phy</c>, <c>logcnt</c>), TensorRT-LLM
/// <c>examples/ep_load_balancer/README.md</c> (the <c>moe_load_balancer</c> YAML), vllm-ascend's expert load balancer
/// (<c>_expert_file_to_tensor</c> reads <c>moe_layer_count</c> and <c>layer_list[].device_list[].device_expert</c>).
/// </summary>
public static class MoePlacementFiles
{
    /// <summary>The file text of a layout in a format (JSON compact except for one layer a line; YAML in flow lists).</summary>
    /// <param name="layout">The layout.</param>
    /// <param name="format">The format.</param>
    /// <returns>The text, ending with a newline.</returns>
    public static string Write(ExpertSlotLayout layout, MoePlacementFormat format)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var text = new StringBuilder();
        switch (format)
        {
            case MoePlacementFormat.Sglang:
                text.Append("{\n  \"physical_to_logical_map\": ");
                Rows(text, layout.PhysicalToLogical.Select(row => Row(row)), "  ");
                text.Append("\n}\n");
                break;
            case MoePlacementFormat.DeepSeek:
                WriteDeepSeek(text, layout);
                break;
            case MoePlacementFormat.TrtLlm:
                text.Append(CultureInfo.InvariantCulture, $"num_slots: {layout.PhysicalSlots}\n");
                text.Append("initial_global_assignments:\n");
                for (var l = 0; l < layout.Layers; l++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  {l}: {Row(layout.PhysicalToLogical[l])}\n");
                }

                text.Append("layer_updates_per_iter: 0\n");
                break;
            case MoePlacementFormat.VllmAscend:
                WriteVllmAscend(text, layout);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown placement format");
        }

        return text.ToString();
    }

    private static void WriteDeepSeek(StringBuilder text, ExpertSlotLayout layout)
    {
        var all = Enumerable.Range(0, layout.Layers).Select(layout.LogicalToAllPhysical).ToArray();
        var width = all.Max(layer => layer.Max(slots => slots.Length));
        text.Append("{\n  \"phy2log\": ");
        Rows(text, layout.PhysicalToLogical.Select(row => Row(row)), "  ");
        text.Append(",\n  \"log2phy\": ");
        Rows(text, all.Select(layer => "[" + string.Join(", ", layer.Select(slots => Row(slots.Concat(Enumerable.Repeat(-1, width - slots.Length))))) + "]"), "  ");
        text.Append(",\n  \"logcnt\": ");
        Rows(text, all.Select(layer => Row(layer.Select(slots => slots.Length))), "  ");
        text.Append("\n}\n");
    }

    private static void WriteVllmAscend(StringBuilder text, ExpertSlotLayout layout)
    {
        text.Append(CultureInfo.InvariantCulture, $"{{\n  \"moe_layer_count\": {layout.Layers},\n  \"layer_list\": [\n");
        for (var l = 0; l < layout.Layers; l++)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {{\n      \"layer_id\": {l},\n      \"device_count\": {layout.Ranks},\n      \"device_list\": [\n");
            for (var r = 0; r < layout.Ranks; r++)
            {
                var experts = layout.PhysicalToLogical[l].Skip(r * layout.SlotsPerRank).Take(layout.SlotsPerRank);
                text.Append(CultureInfo.InvariantCulture, $"        {{ \"device_id\": {r}, \"device_expert\": {Row(experts)} }}{(r + 1 < layout.Ranks ? "," : string.Empty)}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"      ]\n    }}{(l + 1 < layout.Layers ? "," : string.Empty)}\n");
        }

        text.Append("  ]\n}\n");
    }

    private static string Row(IEnumerable<int> values) => "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    private static void Rows(StringBuilder text, IEnumerable<string> rows, string indent)
    {
        text.Append("[\n").Append(indent).Append("  ");
        text.AppendJoin(",\n" + indent + "  ", rows);
        text.Append('\n').Append(indent).Append(']');
    }

    /// <summary>
    /// Reads a layout from an SGLang (<c>physical_to_logical_map</c>) or DeepSeek (<c>phy2log</c>, with
    /// <c>log2phy</c> and <c>logcnt</c> checked against it when present) JSON file.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="format"><see cref="MoePlacementFormat.Sglang"/> or <see cref="MoePlacementFormat.DeepSeek"/>.</param>
    /// <param name="ranks">The expert-parallel size (from the case).</param>
    /// <param name="experts">The number of logical experts (from the case).</param>
    /// <returns>The layout.</returns>
    /// <exception cref="PlanningInputException">The file is malformed or breaks a rule; the field names the entry.</exception>
    public static ExpertSlotLayout Read(string json, MoePlacementFormat format, int ranks, int experts)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (format is not (MoePlacementFormat.Sglang or MoePlacementFormat.DeepSeek))
        {
            throw new PlanningInputException("--format", $"{MoePlacementFormats.Name(format)} cannot be read; one of {string.Join(", ", MoePlacementFormats.ReadableNames)}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException("--input", $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}");
        }

        using (document)
        {
            var root = document.RootElement;
            var key = format == MoePlacementFormat.Sglang ? "physical_to_logical_map" : "phy2log";
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(key, out var map))
            {
                throw new PlanningInputException(key, "is required");
            }

            var layout = ExpertSlotLayout.Create(ranks, experts, Matrix(map, key), key);
            if (format == MoePlacementFormat.DeepSeek)
            {
                CheckDeepSeek(root, layout);
            }

            return layout;
        }
    }

    private static void CheckDeepSeek(JsonElement root, ExpertSlotLayout layout)
    {
        var all = Enumerable.Range(0, layout.Layers).Select(layout.LogicalToAllPhysical).ToArray();
        if (root.TryGetProperty("logcnt", out var logcnt))
        {
            var counts = Matrix(logcnt, "logcnt");
            for (var l = 0; l < layout.Layers; l++)
            {
                for (var e = 0; e < layout.Experts; e++)
                {
                    var given = l < counts.Count && e < counts[l].Count ? counts[l][e] : -1;
                    if (given != all[l][e].Length)
                    {
                        throw new PlanningInputException($"logcnt[{l}][{e}]", $"is {given}, phy2log gives expert {e} {all[l][e].Length} slots");
                    }
                }
            }
        }

        if (root.TryGetProperty("log2phy", out var log2phy))
        {
            for (var l = 0; l < layout.Layers; l++)
            {
                for (var e = 0; e < layout.Experts; e++)
                {
                    var path = $"log2phy[{l}][{e}]";
                    var row = log2phy.ValueKind == JsonValueKind.Array && l < log2phy.GetArrayLength() && log2phy[l].ValueKind == JsonValueKind.Array && e < log2phy[l].GetArrayLength()
                        ? Integers(log2phy[l][e], path)
                        : throw new PlanningInputException(path, "is missing");
                    var slots = row.Where(s => s != -1).Order().ToArray();
                    if (!slots.SequenceEqual(all[l][e]))
                    {
                        throw new PlanningInputException(path, $"lists slots [{string.Join(", ", slots)}], phy2log puts expert {e} in [{string.Join(", ", all[l][e])}]");
                    }
                }
            }
        }
    }

    private static List<IReadOnlyList<int>> Matrix(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(field, "must be an array of layers");
        }

        var rows = new List<IReadOnlyList<int>>();
        var l = 0;
        foreach (var row in element.EnumerateArray())
        {
            rows.Add(Integers(row, $"{field}[{l}]"));
            l++;
        }

        return rows;
    }

    private static ImmutableArray<int> Integers(JsonElement row, string field)
    {
        if (row.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(field, "must be an array of integers");
        }

        var values = ImmutableArray.CreateBuilder<int>();
        var i = 0;
        foreach (var item in row.EnumerateArray())
        {
            values.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var value) ? value : throw new PlanningInputException($"{field}[{i}]", "must be an integer"));
            i++;
        }

        return values.ToImmutable();
    }
}
