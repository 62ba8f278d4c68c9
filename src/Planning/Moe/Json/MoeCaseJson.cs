using System.Globalization;
using System.Text.Json;

namespace Planning.Moe.Json;

/// <summary>
/// Reads and writes the MoE case contract (CASE.json of <c>plan moe balance</c>). Reading checks every field and
/// throws <see cref="PlanningInputException"/> naming the field (as a JSON path) and the offending value.
/// </summary>
public static class MoeCaseJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 };

    /// <summary>Parses a case.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The case.</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed or a field is missing, negative, non-integral or of the wrong shape.</exception>
    public static MoeCase Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(
                "input",
                string.Create(CultureInfo.InvariantCulture, $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException("input", $"must be a JSON object, got {Describe(root)}");
            }

            var ranks = RequiredInt(root, "ranks");
            var ranksPerDomain = RequiredInt(root, "ranksPerDomain");
            var ranksPerNode = RequiredInt(root, "ranksPerNode");
            var expertsPerRank = RequiredInt(root, "expertsPerRank");
            var redundant = RequiredInt(root, "redundantSlotsPerRank");
            var groups = OptionalInt(root, "expertGroups");
            var layers = ReadLayers(root, ranks, ranks * Math.Max(expertsPerRank, 0));
            return MoeCase.Create(ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundant, groups, layers);
        }
    }

    /// <summary>Writes a case in the contract's shape.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="moeCase">The case.</param>
    public static void Write(Utf8JsonWriter writer, MoeCase moeCase)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(moeCase);
        writer.WriteStartObject();
        writer.WriteNumber("ranks", moeCase.Ranks);
        writer.WriteNumber("ranksPerDomain", moeCase.RanksPerDomain);
        writer.WriteNumber("ranksPerNode", moeCase.RanksPerNode);
        writer.WriteNumber("expertsPerRank", moeCase.ExpertsPerRank);
        writer.WriteNumber("redundantSlotsPerRank", moeCase.RedundantSlotsPerRank);
        if (moeCase.ExpertGroups is { } groups)
        {
            writer.WriteNumber("expertGroups", groups);
        }

        writer.WriteStartArray("tokensPerRankLayer");
        foreach (var layer in moeCase.Layers)
        {
            writer.WriteStartArray();
            for (var s = 0; s < layer.SourceRanks; s++)
            {
                writer.WriteStartArray();
                foreach (var count in layer.Row(s))
                {
                    writer.WriteNumberValue(count);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Serialises a case to a JSON string.</summary>
    /// <param name="moeCase">The case.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(MoeCase moeCase)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, moeCase);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static List<LayerTokens> ReadLayers(JsonElement root, int ranks, int experts)
    {
        const string field = "tokensPerRankLayer";
        if (!root.TryGetProperty(field, out var layersElement))
        {
            throw new PlanningInputException(field, "is required");
        }

        if (layersElement.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(field, $"must be an array of layers, got {Describe(layersElement)}");
        }

        var layers = new List<LayerTokens>();
        var l = 0;
        foreach (var layerElement in layersElement.EnumerateArray())
        {
            var path = Index(field, l);
            if (layerElement.ValueKind != JsonValueKind.Array)
            {
                throw new PlanningInputException(path, $"must be an array of source ranks, got {Describe(layerElement)}");
            }

            if (layerElement.GetArrayLength() != ranks)
            {
                throw new PlanningInputException(path, $"must have one row per rank ({ranks}), got {layerElement.GetArrayLength()}");
            }

            var rows = new int[ranks][];
            var s = 0;
            foreach (var rowElement in layerElement.EnumerateArray())
            {
                var rowPath = Index(path, s);
                if (rowElement.ValueKind != JsonValueKind.Array)
                {
                    throw new PlanningInputException(rowPath, $"must be an array of token counts, got {Describe(rowElement)}");
                }

                if (rowElement.GetArrayLength() != experts)
                {
                    throw new PlanningInputException(rowPath, $"must have one count per expert (ranks x expertsPerRank = {experts}), got {rowElement.GetArrayLength()}");
                }

                var row = new int[experts];
                var e = 0;
                foreach (var count in rowElement.EnumerateArray())
                {
                    row[e] = NonNegativeInt(count, Index(rowPath, e));
                    e++;
                }

                rows[s++] = row;
            }

            layers.Add(new LayerTokens(rows));
            l++;
        }

        return layers;
    }

    private static int RequiredInt(JsonElement root, string field) =>
        root.TryGetProperty(field, out var element)
            ? NonNegativeInt(element, field)
            : throw new PlanningInputException(field, "is required");

    private static int? OptionalInt(JsonElement root, string field) =>
        root.TryGetProperty(field, out var element) && element.ValueKind != JsonValueKind.Null
            ? NonNegativeInt(element, field)
            : null;

    private static int NonNegativeInt(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value))
        {
            return value >= 0 ? value : throw new PlanningInputException(path, $"must be a non-negative integer, got {value}");
        }

        throw new PlanningInputException(path, $"must be a non-negative integer, got {Describe(element)}");
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(element.GetString() ?? string.Empty)}\"",
        JsonValueKind.Number => Truncate(element.GetRawText()),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
