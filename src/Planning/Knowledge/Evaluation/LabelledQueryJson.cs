using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Planning.Knowledge.Evaluation;

/// <summary>
/// The JSON Lines shape of a labelled query set, one <see cref="LabelledQuery"/> per line:
/// <c>{"id": "q0001", "query": "..", "relevant": [12, 845], "variations": ["synonyms", "surface"], "plan": [".."], "summary": ".."}</c>.
/// <c>id</c>, <c>query</c> and <c>relevant</c> (positive experience ids, at least one, no repeats) are required;
/// <c>variations</c>, <c>plan</c> (arrays of strings) and <c>summary</c> are optional; unknown fields are ignored.
/// </summary>
public static class LabelledQueryJson
{
    /// <summary>The writer options of the evaluation files: compact, only what JSON requires escaped (readable text).</summary>
    internal static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads labelled queries, one JSON object per line (blank lines skipped).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">The name for messages, such as the file name.</param>
    /// <returns>The queries in line order.</returns>
    /// <exception cref="PlanningInputException">
    /// A line is not a JSON object, a required field is missing or empty, an id is repeated, or a relevant id is not a
    /// positive integer or is repeated; the field names the line (<c>SOURCE line N: relevant[2]</c>).
    /// </exception>
    public static IReadOnlyList<LabelledQuery> Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var queries = new List<LabelledQuery>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string location = string.Create(CultureInfo.InvariantCulture, $"{sourceName} line {lineNumber}");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new PlanningInputException(location, "not valid JSON: " + e.Message);
            }

            using (document)
            {
                LabelledQuery query = Parse(document.RootElement, location);
                if (!ids.Add(query.Id))
                {
                    throw new PlanningInputException($"{location}: id", $"'{query.Id}' is repeated");
                }

                queries.Add(query);
            }
        }

        return queries;
    }

    /// <summary>Writes labelled queries, one JSON object per line, in the shape <see cref="Read"/> reads.</summary>
    /// <param name="writer">The text writer.</param>
    /// <param name="queries">The queries.</param>
    public static void Write(TextWriter writer, IEnumerable<LabelledQuery> queries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(queries);
        foreach (LabelledQuery query in queries)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, LineOptions))
            {
                json.WriteStartObject();
                json.WriteString("id", query.Id);
                json.WriteString("query", query.Query);
                json.WriteStartArray("relevant");
                foreach (long id in query.Relevant)
                {
                    json.WriteNumberValue(id);
                }

                json.WriteEndArray();
                WriteStrings(json, "variations", query.Variations);
                WriteStrings(json, "plan", query.Plan);
                json.WriteString("summary", query.Summary);
                json.WriteEndObject();
            }

            writer.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            writer.Write('\n');
        }
    }

    private static LabelledQuery Parse(JsonElement element, string location)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PlanningInputException(location, $"expected a JSON object, got {element.ValueKind}");
        }

        string id = RequiredString(element, location, "id");
        string query = RequiredString(element, location, "query");
        if (!element.TryGetProperty("relevant", out JsonElement relevantElement) || relevantElement.ValueKind != JsonValueKind.Array || relevantElement.GetArrayLength() == 0)
        {
            throw new PlanningInputException($"{location}: relevant", "needs an array of at least one experience id");
        }

        var relevant = new List<long>();
        int index = 0;
        foreach (JsonElement item in relevantElement.EnumerateArray())
        {
            string field = string.Create(CultureInfo.InvariantCulture, $"{location}: relevant[{index}]");
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value <= 0)
            {
                throw new PlanningInputException(field, $"'{item.GetRawText()}' is not a positive integer id");
            }

            if (relevant.Contains(value))
            {
                throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"{value} is repeated"));
            }

            relevant.Add(value);
            index++;
        }

        string summary = OptionalString(element, location, "summary") ?? "";
        return new LabelledQuery(id, query, relevant, Strings(element, location, "variations"), Strings(element, location, "plan"), summary);
    }

    private static string RequiredString(JsonElement element, string location, string name) =>
        OptionalString(element, location, name) is { } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new PlanningInputException($"{location}: {name}", "is required and must be a non-empty string");

    private static string? OptionalString(JsonElement element, string location, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new PlanningInputException($"{location}: {name}", $"expected a string, got {value.ValueKind}");
    }

    private static string[] Strings(JsonElement element, string location, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException($"{location}: {name}", $"expected an array of strings, got {value.ValueKind}");
        }

        return [.. value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String
            ? item.GetString()!
            : throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"{location}: {name}[{i}]"), $"expected a string, got {item.ValueKind}"))];
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
