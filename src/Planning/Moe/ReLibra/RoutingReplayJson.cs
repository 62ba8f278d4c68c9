using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Planning.Moe.Json;

namespace Planning.Moe.ReLibra;

/// <summary>
/// Reads and writes a routing replay as JSON Lines: one microbatch a line, each line the case shape of
/// <c>plan moe balance</c> (<see cref="MoeCaseJson"/>) plus two fields, <c>batch</c> and <c>microbatch</c> (non-negative
/// integers: batches from 0, each batch's microbatches from 0, in file order). Errors name the line and the field, as in
/// <c>line 3: microbatch: must be 2 ..., got 5</c>.
/// </summary>
public static partial class RoutingReplayJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 };

    /// <summary>Parses JSON Lines text; blank lines are skipped.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="PlanningInputException">A line is malformed or out of order; the field is prefixed with <c>line N: </c>.</exception>
    public static RoutingReplay ReadLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return ReadLines(reader);
    }

    /// <summary>Reads JSON Lines until the end of the reader; blank lines are skipped.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="PlanningInputException">A line is malformed or out of order; the field is prefixed with <c>line N: </c>.</exception>
    public static RoutingReplay ReadLines(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var microbatches = new List<ReplayMicrobatch>();
        var lines = new List<int>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var (batch, microbatch) = ReadNumbering(line);
                microbatches.Add(new ReplayMicrobatch(batch, microbatch, MoeCaseJson.Parse(line)));
            }
            catch (PlanningInputException ex)
            {
                throw new PlanningInputException(Line(number, ex.Field), ex.Problem);
            }

            lines.Add(number);
        }

        if (microbatches.Count == 0)
        {
            throw new PlanningInputException("replay", "must hold at least one microbatch (one JSON object a line), got none");
        }

        try
        {
            return RoutingReplay.Create(microbatches);
        }
        catch (PlanningInputException ex) when (IndexedField().Match(ex.Field) is { Success: true } match)
        {
            var index = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            throw new PlanningInputException(Line(lines[index], match.Groups[2].Value), ex.Problem);
        }
    }

    /// <summary>Writes the replay, one compact JSON object per line, each line ended by <c>\n</c>.</summary>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="replay">The replay.</param>
    public static void WriteLines(Stream stream, RoutingReplay replay)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(replay);
        foreach (var microbatch in replay.Microbatches)
        {
            // The numbering first, then the case's own fields in the same object (the case's text less its opening brace).
            var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"batch\":{microbatch.Batch},\"microbatch\":{microbatch.Microbatch},"));
            var body = Encoding.UTF8.GetBytes(MoeCaseJson.Serialize(microbatch.Case));
            stream.Write(head);
            stream.Write(body, 1, body.Length - 1);
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Serialises the replay to JSON Lines text.</summary>
    /// <param name="replay">The replay.</param>
    /// <returns>One JSON object per microbatch, each line ended by <c>\n</c>.</returns>
    public static string SerializeLines(RoutingReplay replay)
    {
        using var stream = new MemoryStream();
        WriteLines(stream, replay);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static (int Batch, int Microbatch) ReadNumbering(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException("input", string.Create(CultureInfo.InvariantCulture, $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException("input", "must be a JSON object");
            }

            return (NonNegative(root, "batch"), NonNegative(root, "microbatch"));
        }
    }

    private static int NonNegative(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var element))
        {
            throw new PlanningInputException(field, "is required");
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) && value >= 0
            ? value
            : throw new PlanningInputException(field, $"must be a non-negative integer, got {Truncate(element.GetRawText())}");
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");

    /// <summary>A field of a line of a JSON Lines input, as errors name it: <c>line 3: microbatch</c>.</summary>
    internal static string Line(int line, string field) => string.Create(CultureInfo.InvariantCulture, $"line {line}: {field}");

    [GeneratedRegex(@"^microbatches\[(\d+)\]\.?(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexedField();
}
