using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Planning.Rollout;

/// <summary>
/// Reads and writes the rollout trace of docs/contracts.md, <c>TRACE.jsonl</c>: one trajectory a line,
/// <c>{ "id": "t1", "group": "g1", "promptTokens": 7570, "outputTokens": [399,65,57], "observationTokens": [23,942], "toolSeconds": [0.8,1.2] }</c>.
/// Errors name the field as <c>trace[L].field</c>, where L is the 0-based index of the line in the file (blank lines,
/// which are skipped, still count), so <c>trace[3].outputTokens[2]</c> is the third turn of the fourth line.
/// </summary>
public static class RolloutTraceJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 };

    /// <summary>Reads a trace until the end of the reader; blank lines are skipped.</summary>
    /// <param name="reader">The JSONL text.</param>
    /// <returns>The trace; at least one trajectory.</returns>
    /// <exception cref="PlanningInputException">A line is malformed JSON or has a bad field (named <c>trace[L].field</c>), an id repeats, or the trace is empty.</exception>
    public static RolloutTrace Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var trajectories = new List<Trajectory>();
        var lines = new List<int>();
        var index = -1;
        while (reader.ReadLine() is { } line)
        {
            index++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            trajectories.Add(ParseLine(line, index));
            lines.Add(index);
        }

        if (trajectories.Count == 0)
        {
            throw new PlanningInputException("trace", "must hold at least one trajectory (one JSON object a line), got none");
        }

        // RolloutTrace names duplicates by position in the list; re-check here so the error names the line instead.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < trajectories.Count; i++)
        {
            if (!seen.TryAdd(trajectories[i].Id, lines[i]))
            {
                throw new PlanningInputException(
                    Field(lines[i], "id"),
                    string.Create(CultureInfo.InvariantCulture, $"must be unique, but \"{trajectories[i].Id}\" is also trace[{seen[trajectories[i].Id]}].id"));
            }
        }

        return new RolloutTrace(trajectories);
    }

    /// <summary>Parses JSONL text (see <see cref="Read(TextReader)"/>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="PlanningInputException">As <see cref="Read(TextReader)"/>.</exception>
    public static RolloutTrace Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader);
    }

    /// <summary>Writes the trace, one compact JSON object a line, each line ended by <c>\n</c>.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="trace">The trace.</param>
    public static void Write(TextWriter writer, RolloutTrace trace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trace);
        foreach (var trajectory in trace.Trajectories)
        {
            writer.Write(SerializeLine(trajectory));
            writer.Write('\n');
        }
    }

    /// <summary>Serialises the trace to JSONL text.</summary>
    /// <param name="trace">The trace.</param>
    /// <returns>One JSON object a line, each ended by <c>\n</c>.</returns>
    public static string Serialize(RolloutTrace trace)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, trace);
        return writer.ToString();
    }

    /// <summary>Serialises one trajectory as a compact JSON object (no line end).</summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <returns>The JSON text.</returns>
    public static string SerializeLine(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("id", trajectory.Id);
            json.WriteString("group", trajectory.Group);
            json.WriteNumber("promptTokens", trajectory.PromptTokens);
            json.WriteStartArray("outputTokens");
            foreach (var tokens in trajectory.OutputTokens)
            {
                json.WriteNumberValue(tokens);
            }

            json.WriteEndArray();
            json.WriteStartArray("observationTokens");
            foreach (var tokens in trajectory.ObservationTokens)
            {
                json.WriteNumberValue(tokens);
            }

            json.WriteEndArray();
            json.WriteStartArray("toolSeconds");
            foreach (var seconds in trajectory.ToolSeconds)
            {
                // The writer emits the shortest text that round-trips the double exactly.
                json.WriteNumberValue(seconds);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static Trajectory ParseLine(string line, int index)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(
                string.Create(CultureInfo.InvariantCulture, $"trace[{index}]"),
                string.Create(CultureInfo.InvariantCulture, $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1} of line {index + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            var prefix = string.Create(CultureInfo.InvariantCulture, $"trace[{index}]");
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException(prefix, $"must be a JSON object, got {Describe(root)}");
            }

            var id = RequiredString(root, "id", index);
            var group = RequiredString(root, "group", index);
            var prompt = ReadInt(Required(root, "promptTokens", index), Field(index, "promptTokens"));
            var outputs = ReadIntArray(Required(root, "outputTokens", index), Field(index, "outputTokens"));
            var observations = ReadIntArray(Required(root, "observationTokens", index), Field(index, "observationTokens"));
            var tools = ReadDoubleArray(Required(root, "toolSeconds", index), Field(index, "toolSeconds"));
            return new Trajectory(id, group, prompt, outputs, observations, tools, prefix);
        }
    }

    private static JsonElement Required(JsonElement root, string name, int index) =>
        root.TryGetProperty(name, out var value) ? value : throw new PlanningInputException(Field(index, name), "is required");

    private static string RequiredString(JsonElement root, string name, int index)
    {
        var value = Required(root, name, index);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new PlanningInputException(Field(index, name), $"must be a string, got {Describe(value)}");
    }

    private static int ReadInt(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new PlanningInputException(field, $"must be an integer, got {Describe(value)}");

    private static ImmutableArray<int> ReadIntArray(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(field, $"must be an array of integers, got {Describe(value)}");
        }

        var builder = ImmutableArray.CreateBuilder<int>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            builder.Add(ReadInt(item, string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]")));
            i++;
        }

        return builder.MoveToImmutable();
    }

    private static ImmutableArray<double> ReadDoubleArray(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(field, $"must be an array of numbers, got {Describe(value)}");
        }

        var builder = ImmutableArray.CreateBuilder<double>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemField = string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]");
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                throw new PlanningInputException(itemField, $"must be a finite number of seconds, got {Describe(item)}");
            }

            builder.Add(number);
            i++;
        }

        return builder.MoveToImmutable();
    }

    private static string Field(int index, string name) => string.Create(CultureInfo.InvariantCulture, $"trace[{index}].{name}");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };
}
