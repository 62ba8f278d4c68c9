using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Planning.Execution.Soc;

/// <summary>
/// Reads and writes the SoC serving workload of docs/contracts.md, <c>REQUESTS.jsonl</c>: one request a line,
/// <c>{ "id": "r1", "arrivalMs": 1200, "kind": "reactive", "promptTokens": 420, "outputTokens": 80 }</c>. Errors name
/// the field as <c>requests[L].field</c>, where L is the 0-based index of the line in the file (blank lines, which are
/// skipped, still count), and the message gives the 1-based line number and the bad value.
/// </summary>
public static class SocWorkloadJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 };

    /// <summary>Reads a workload until the end of the reader; blank lines are skipped.</summary>
    /// <param name="reader">The JSONL text.</param>
    /// <returns>The requests in file order; at least one, ids unique.</returns>
    /// <exception cref="PlanningInputException">A line is malformed or has a bad field (named <c>requests[L].field</c>), an id repeats, or there is no request.</exception>
    public static ImmutableArray<SocRequest> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var requests = ImmutableArray.CreateBuilder<SocRequest>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = -1;
        while (reader.ReadLine() is { } line)
        {
            index++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var request = ParseLine(line, index);
            if (!seen.TryAdd(request.Id, index))
            {
                throw new PlanningInputException(
                    Field(index, "id"),
                    Invariant($"must be unique (line {index + 1}), but \"{request.Id}\" is also requests[{seen[request.Id]}].id"));
            }

            requests.Add(request);
        }

        if (requests.Count == 0)
        {
            throw new PlanningInputException("requests", "must hold at least one request (one JSON object a line), got none");
        }

        return requests.ToImmutable();
    }

    /// <summary>Parses JSONL text (see <see cref="Read(TextReader)"/>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The requests in file order.</returns>
    /// <exception cref="PlanningInputException">As <see cref="Read(TextReader)"/>.</exception>
    public static ImmutableArray<SocRequest> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader);
    }

    /// <summary>Writes requests, one compact JSON object a line, each line ended by <c>\n</c>.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="requests">The requests.</param>
    public static void Write(TextWriter writer, IEnumerable<SocRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(requests);
        foreach (var request in requests)
        {
            writer.Write(SerializeLine(request));
            writer.Write('\n');
        }
    }

    /// <summary>Serialises requests to JSONL text.</summary>
    /// <param name="requests">The requests.</param>
    /// <returns>One JSON object a line, each ended by <c>\n</c>.</returns>
    public static string Serialize(IEnumerable<SocRequest> requests)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, requests);
        return writer.ToString();
    }

    /// <summary>Serialises one request as a compact JSON object (no line end).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The JSON text.</returns>
    public static string SerializeLine(SocRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("id", request.Id);

            // The writer emits the shortest text that round-trips the double exactly.
            json.WriteNumber("arrivalMs", request.ArrivalMs);
            json.WriteString("kind", SocRequest.KindName(request.Kind));
            json.WriteNumber("promptTokens", request.PromptTokens);
            json.WriteNumber("outputTokens", request.OutputTokens);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static SocRequest ParseLine(string line, int index)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(
                Invariant($"requests[{index}]"),
                Invariant($"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1} of line {index + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException(Invariant($"requests[{index}]"), Invariant($"line {index + 1} must be a JSON object, got {Describe(root)}"));
            }

            var id = Required(root, "id", index);
            if (id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
            {
                throw new PlanningInputException(Field(index, "id"), Invariant($"must be a non-empty string (line {index + 1}), got {Describe(id)}"));
            }

            var arrival = Required(root, "arrivalMs", index);
            if (arrival.ValueKind != JsonValueKind.Number || !arrival.TryGetDouble(out var arrivalMs) || !double.IsFinite(arrivalMs) || arrivalMs < 0)
            {
                throw new PlanningInputException(Field(index, "arrivalMs"), Invariant($"must be a finite number at least 0 (line {index + 1}), got {Describe(arrival)}"));
            }

            var kindValue = Required(root, "kind", index);
            var kind = kindValue.ValueKind == JsonValueKind.String
                ? kindValue.GetString() switch
                {
                    "reactive" => SocRequestKind.Reactive,
                    "proactive" => SocRequestKind.Proactive,
                    _ => (SocRequestKind?)null,
                }
                : null;
            if (kind is null)
            {
                throw new PlanningInputException(Field(index, "kind"), Invariant($"must be \"reactive\" or \"proactive\" (line {index + 1}), got {Describe(kindValue)}"));
            }

            var prompt = Tokens(Required(root, "promptTokens", index), index, "promptTokens");
            var output = Tokens(Required(root, "outputTokens", index), index, "outputTokens");
            return new SocRequest(id.GetString()!, arrivalMs, kind.Value, prompt, output);
        }
    }

    private static int Tokens(JsonElement value, int index, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number is >= 1 and <= SocRequest.MaxTokens
            ? number
            : throw new PlanningInputException(Field(index, name), Invariant($"must be an integer from 1 to {SocRequest.MaxTokens} (line {index + 1}), got {Describe(value)}"));

    private static JsonElement Required(JsonElement root, string name, int index) =>
        root.TryGetProperty(name, out var value) ? value : throw new PlanningInputException(Field(index, name), Invariant($"is required (line {index + 1})"));

    private static string Field(int index, string name) => Invariant($"requests[{index}].{name}");

    /// <summary>A short description of a JSON value for an error message: its text, cut at 40 characters.</summary>
    private static string Describe(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.Undefined ? "nothing" : value.GetRawText();
        return text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
