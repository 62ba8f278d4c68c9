using System.Collections.Immutable;
using System.Text.Json;

namespace Planning.Moe.Json;

/// <summary>Writes a <see cref="BalancePlan"/> in the output shape of the <c>plan moe balance</c> contract, and reads its placements back.</summary>
public static class BalancePlanJson
{
    /// <summary>
    /// Reads the placement of every layer from a <c>plan moe balance --format json</c> output, for incremental
    /// planning from the previous microbatch's plan.
    /// </summary>
    /// <param name="json">The earlier output.</param>
    /// <returns>Per layer, the instances (expert, rank, quota).</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed or a placement field is missing or not an integer.</exception>
    public static ImmutableArray<ImmutableArray<ExpertInstance>> ReadPlacements(string json) => ReadPlacements(json, "previous");

    /// <summary>Reads the placement of every layer, naming the input <paramref name="field"/> in errors.</summary>
    /// <param name="json">A <c>plan moe balance --format json</c> output.</param>
    /// <param name="field">The input's name in error messages (a CLI option such as <c>--plan</c>), the prefix of every field path.</param>
    /// <returns>Per layer, the instances (expert, rank, quota).</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed or a placement field is missing or not an integer.</exception>
    public static ImmutableArray<ImmutableArray<ExpertInstance>> ReadPlacements(string json, string field)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(field);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(field, $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new PlanningInputException($"{field}.layers", "is required (the output of plan moe balance --format json)");
            }

            var result = ImmutableArray.CreateBuilder<ImmutableArray<ExpertInstance>>();
            var l = 0;
            foreach (var layer in layers.EnumerateArray())
            {
                var path = $"{field}.layers[{l}].placement";
                if (layer.ValueKind != JsonValueKind.Object || !layer.TryGetProperty("placement", out var placement) || placement.ValueKind != JsonValueKind.Array)
                {
                    throw new PlanningInputException(path, "is required");
                }

                var instances = ImmutableArray.CreateBuilder<ExpertInstance>();
                var i = 0;
                foreach (var item in placement.EnumerateArray())
                {
                    instances.Add(new ExpertInstance(Field(item, "expert", $"{path}[{i}]"), Field(item, "rank", $"{path}[{i}]"), Field(item, "quota", $"{path}[{i}]")));
                    i++;
                }

                result.Add(instances.ToImmutable());
                l++;
            }

            return result.ToImmutable();
        }
    }

    private static int Field(JsonElement item, string name, string path) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) && number >= 0
            ? number
            : throw new PlanningInputException($"{path}.{name}", "must be a non-negative integer");

    /// <summary>Writes the plan.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="plan">The plan.</param>
    public static void Write(Utf8JsonWriter writer, BalancePlan plan)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        writer.WriteStartObject();
        writer.WriteString("policy", plan.Policy);
        writer.WriteStartArray("layers");
        foreach (var layer in plan.Layers)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("rankLoads");
            foreach (var load in layer.RankLoads)
            {
                writer.WriteNumberValue(load);
            }

            writer.WriteEndArray();
            writer.WriteNumber("imbalance", Math.Round(layer.Imbalance, 6));
            writer.WriteNumber("lowerBound", Math.Round(layer.LowerBound, 6));
            writer.WriteNumber("replicas", layer.Replicas);
            if (layer.Solve is { } solve)
            {
                writer.WriteStartObject("solver");
                writer.WriteString("status", solve.Status.ToString().ToLowerInvariant());
                if (solve.Objective is { } objective)
                {
                    writer.WriteNumber("objective", objective);
                }

                if (double.IsFinite(solve.BestBound))
                {
                    writer.WriteNumber("bestBound", solve.BestBound);
                }

                if (solve.RelativeGap is { } gap)
                {
                    writer.WriteNumber("relativeGap", Math.Round(gap, 6));
                }

                writer.WriteNumber("wallSeconds", Math.Round(solve.WallTime.TotalSeconds, 6));
                writer.WriteEndObject();
            }

            writer.WriteStartArray("placement");
            foreach (var instance in layer.Instances)
            {
                writer.WriteStartObject();
                writer.WriteNumber("expert", instance.Expert);
                writer.WriteNumber("rank", instance.Rank);
                writer.WriteNumber("quota", instance.Quota);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteExtensions(writer, layer);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("solveMicrosecondsPerLayer");
        writer.WriteNumber("median", Math.Round(plan.Timing.MedianMicroseconds, 3));
        writer.WriteNumber("p99", Math.Round(plan.Timing.P99Microseconds, 3));
        writer.WriteNumber("samples", plan.Timing.Samples);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Fields added to the contract by later policies: reroute table, replica reuse, optimality check.</summary>
    private static void WriteExtensions(Utf8JsonWriter writer, LayerPlan layer)
    {
        if (layer.Reuse is { } reuse)
        {
            writer.WriteStartObject("reuse");
            writer.WriteNumber("reusedReplicas", reuse.ReusedReplicas);
            writer.WriteNumber("newReplicas", reuse.NewReplicas);
            writer.WriteNumber("bytesToMove", reuse.BytesToMove);
            writer.WriteEndObject();
        }

        if (layer.Check is { } check)
        {
            writer.WriteStartObject("quotaPlannerCheck");
            writer.WriteNumber("quotaPlannerMaxLoad", check.HeuristicMaxLoad);
            writer.WriteNumber("exactMaxLoad", check.ExactMaxLoad);
            writer.WriteNumber("bestBound", check.BestBound);
            writer.WriteNumber("lpBound", Math.Round(check.LpBound, 3));
            writer.WriteNumber("imbalanceGapToExact", Math.Round(check.ImbalanceGapToExact, 6));
            writer.WriteNumber("imbalanceGapToBound", Math.Round(check.ImbalanceGapToBound, 6));
            writer.WriteEndObject();
        }

        if (!layer.Routes.IsEmpty)
        {
            writer.WriteStartArray("reroutes");
            foreach (var route in layer.Routes)
            {
                writer.WriteStartObject();
                writer.WriteNumber("source", route.SourceRank);
                writer.WriteNumber("expert", route.Expert);
                writer.WriteNumber("instance", route.Instance);
                writer.WriteNumber("tokens", route.Tokens);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }
}
