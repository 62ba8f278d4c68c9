using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Planning.Knowledge;

/// <summary>
/// The JSON shape of an <see cref="Experience"/> and its validation. Fields: <c>task</c>, <c>domain</c>,
/// <c>plan</c> (an array of step strings), <c>experience</c> and <c>outcome</c> (<c>"success"</c> or
/// <c>"failure"</c>) are required; <c>difficulty</c>, <c>suggestions</c>, <c>outcomeReason</c>, <c>source</c> (the
/// source framework) and <c>links</c> (an array of strings) are optional (absent or null); <c>id</c> is written by
/// <see cref="Write"/> and ignored when read, as is every unknown field.
/// </summary>
/// <remarks>
/// Validation: required strings must not be empty or only white space; every string is at most its
/// <see cref="ExperienceLimits"/> size; <c>plan</c> has 1 to <see cref="ExperienceLimits.MaxSteps"/> steps and
/// <c>links</c> at most <see cref="ExperienceLimits.MaxLinks"/>; no string holds a control character (U+0000-U+001F,
/// U+007F-U+009F) except tab, line feed and carriage return in the free-text fields (task, plan steps, experience,
/// suggestions, outcomeReason), nor an unpaired surrogate; JSONL bytes must be valid UTF-8. Every error is a
/// <see cref="PlanningInputException"/> whose field names the location (such as <c>input.jsonl line 12</c>) and the
/// field (such as <c>plan[3]</c>).
/// </remarks>
public static class ExperienceJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>Reads one experience from a JSON object.</summary>
    /// <param name="element">The object.</param>
    /// <param name="location">Where it comes from, the prefix of every error's field (such as <c>experiences[3]</c>).</param>
    /// <returns>The experience, with <see cref="Experience.Id"/> 0.</returns>
    /// <exception cref="PlanningInputException">A field is missing, of the wrong type, too large or holds a forbidden character.</exception>
    public static Experience Parse(JsonElement element, string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PlanningInputException(location.Length == 0 ? "experience" : location, $"expected a JSON object, got {Describe(element.ValueKind)}");
        }

        string task = RequiredString(element, location, "task");
        string domain = RequiredString(element, location, "domain");
        string? difficulty = OptionalString(element, location, "difficulty");
        IReadOnlyList<string> plan = StringArray(element, location, "plan", required: true);
        string experience = RequiredString(element, location, "experience");
        string? suggestions = OptionalString(element, location, "suggestions");
        string outcomeText = RequiredString(element, location, "outcome");
        ExperienceOutcome outcome = outcomeText switch
        {
            "success" => ExperienceOutcome.Success,
            "failure" => ExperienceOutcome.Failure,
            _ => throw new PlanningInputException(Field(location, "outcome"), $"'{Shorten(outcomeText)}' is not one of 'success', 'failure'"),
        };
        string? outcomeReason = OptionalString(element, location, "outcomeReason");
        string? source = OptionalString(element, location, "source");
        IReadOnlyList<string> links = StringArray(element, location, "links", required: false);
        var parsed = new Experience(0, task, domain, difficulty, plan, experience, suggestions, outcome, outcomeReason, source, links);
        Validate(parsed, location);
        return parsed;
    }

    /// <summary>
    /// Reads JSON Lines text: one experience object per line; blank lines are skipped. Lines are read lazily, so a
    /// caller may stop early; each error names the line (<c>SOURCE line N: field</c>).
    /// </summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">The name for messages, such as the file name.</param>
    /// <returns>The experiences in line order.</returns>
    /// <exception cref="PlanningInputException">A line is not JSON, too long, or not a valid experience.</exception>
    public static IEnumerable<Experience> ReadJsonl(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ReadLines(reader, sourceName);
    }

    /// <summary>
    /// Reads JSON Lines bytes (UTF-8, an optional byte order mark): as <see cref="ReadJsonl(TextReader, string)"/>, and a
    /// line that is not valid UTF-8 is rejected (a text reader would replace such bytes silently).
    /// </summary>
    /// <param name="stream">The bytes.</param>
    /// <param name="sourceName">The name for messages, such as the file name.</param>
    /// <returns>The experiences in line order.</returns>
    /// <exception cref="PlanningInputException">A line is not valid UTF-8, not JSON, too long, or not a valid experience.</exception>
    public static IEnumerable<Experience> ReadJsonl(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ReadByteLines(stream, sourceName);
    }

    /// <summary>Writes an experience as one JSON object with the field names <see cref="Parse"/> reads, and <c>id</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="experience">The experience.</param>
    public static void Write(Utf8JsonWriter writer, Experience experience)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(experience);
        writer.WriteStartObject();
        writer.WriteNumber("id", experience.Id);
        writer.WriteString("task", experience.Task);
        writer.WriteString("domain", experience.Domain);
        writer.WriteString("difficulty", experience.Difficulty);
        writer.WriteStartArray("plan");
        foreach (string step in experience.Plan)
        {
            writer.WriteStringValue(step);
        }

        writer.WriteEndArray();
        writer.WriteString("experience", experience.ExperienceText);
        writer.WriteString("suggestions", experience.Suggestions);
        writer.WriteString("outcome", OutcomeName(experience.Outcome));
        writer.WriteString("outcomeReason", experience.OutcomeReason);
        writer.WriteString("source", experience.SourceFramework);
        writer.WriteStartArray("links");
        foreach (string link in experience.Links)
        {
            writer.WriteStringValue(link);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The JSON name of an outcome: <c>success</c> or <c>failure</c>.</summary>
    internal static string OutcomeName(ExperienceOutcome outcome) => outcome switch
    {
        ExperienceOutcome.Success => "success",
        ExperienceOutcome.Failure => "failure",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not an outcome"),
    };

    /// <summary>
    /// Checks every rule of the remarks on an experience built in code (the store calls it for each record of a batch).
    /// </summary>
    /// <exception cref="PlanningInputException">The first field that breaks a rule.</exception>
    internal static void Validate(Experience experience, string location)
    {
        ArgumentNullException.ThrowIfNull(experience);
        CheckText(location, "task", experience.Task, ExperienceLimits.MaxTaskChars, required: true, freeText: true);
        CheckText(location, "domain", experience.Domain, ExperienceLimits.MaxDomainChars, required: true, freeText: false);
        CheckText(location, "difficulty", experience.Difficulty, ExperienceLimits.MaxDifficultyChars, required: false, freeText: false);
        if (experience.Plan is null || experience.Plan.Count == 0)
        {
            throw new PlanningInputException(Field(location, "plan"), "needs at least one step");
        }

        if (experience.Plan.Count > ExperienceLimits.MaxSteps)
        {
            throw new PlanningInputException(Field(location, "plan"), string.Create(CultureInfo.InvariantCulture, $"{experience.Plan.Count} steps, more than the limit of {ExperienceLimits.MaxSteps}"));
        }

        for (int i = 0; i < experience.Plan.Count; i++)
        {
            CheckText(location, string.Create(CultureInfo.InvariantCulture, $"plan[{i}]"), experience.Plan[i], ExperienceLimits.MaxStepChars, required: true, freeText: true);
        }

        CheckText(location, "experience", experience.ExperienceText, ExperienceLimits.MaxExperienceChars, required: true, freeText: true);
        CheckText(location, "suggestions", experience.Suggestions, ExperienceLimits.MaxSuggestionsChars, required: false, freeText: true);
        if (!Enum.IsDefined(experience.Outcome))
        {
            throw new PlanningInputException(Field(location, "outcome"), string.Create(CultureInfo.InvariantCulture, $"{(int)experience.Outcome} is not one of 'success', 'failure'"));
        }

        CheckText(location, "outcomeReason", experience.OutcomeReason, ExperienceLimits.MaxOutcomeReasonChars, required: false, freeText: true);
        CheckText(location, "source", experience.SourceFramework, ExperienceLimits.MaxSourceChars, required: false, freeText: false);
        if (experience.Links is null)
        {
            throw new PlanningInputException(Field(location, "links"), "is null (use an empty list)");
        }

        if (experience.Links.Count > ExperienceLimits.MaxLinks)
        {
            throw new PlanningInputException(Field(location, "links"), string.Create(CultureInfo.InvariantCulture, $"{experience.Links.Count} links, more than the limit of {ExperienceLimits.MaxLinks}"));
        }

        for (int i = 0; i < experience.Links.Count; i++)
        {
            CheckText(location, string.Create(CultureInfo.InvariantCulture, $"links[{i}]"), experience.Links[i], ExperienceLimits.MaxLinkChars, required: true, freeText: false);
        }
    }

    /// <summary>The field of an error: <c>LOCATION: NAME</c>, or the name alone for an empty location.</summary>
    internal static string Field(string location, string name) => location.Length == 0 ? name : $"{location}: {name}";

    private static IEnumerable<Experience> ReadLines(TextReader reader, string sourceName)
    {
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string location = LineLocation(sourceName, lineNumber);
            int bytes;
            try
            {
                bytes = Encoding.UTF8.GetByteCount(line);
            }
            catch (EncoderFallbackException)
            {
                bytes = line.Length * 3;
            }

            if (bytes > ExperienceLimits.MaxLineBytes)
            {
                throw new PlanningInputException(location, string.Create(CultureInfo.InvariantCulture, $"the line has more than {ExperienceLimits.MaxLineBytes} bytes"));
            }

            yield return ParseLine(line, location);
        }
    }

    private static Experience ParseLine(string line, string location)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(location, string.Create(CultureInfo.InvariantCulture, $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            return Parse(document.RootElement, location);
        }
    }

    private static Experience ParseLine(ReadOnlyMemory<byte> line, string location)
    {
        if (!Utf8.IsValid(line.Span))
        {
            int valid = Utf8ValidPrefix(line.Span);
            throw new PlanningInputException(location, string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 (byte {valid + 1} of the line)"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(location, string.Create(CultureInfo.InvariantCulture, $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            return Parse(document.RootElement, location);
        }
    }

    private static int Utf8ValidPrefix(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length)
        {
            OperationStatus status = System.Text.Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed);
            if (status != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }

    private static IEnumerable<Experience> ReadByteLines(Stream stream, string sourceName)
    {
        byte[] buffer = new byte[64 * 1024];
        var line = new ArrayBufferWriter<byte>();
        int lineNumber = 0;
        bool first = true;
        bool tooLong = false;
        while (true)
        {
            int read = stream.Read(buffer, 0, buffer.Length);
            int start = 0;
            if (first && read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
            {
                start = 3;
            }

            first = first && read == 0;
            if (read == 0)
            {
                if (line.WrittenCount > 0 || tooLong)
                {
                    lineNumber++;
                    Experience? last = FinishLine(line, ref tooLong, sourceName, lineNumber);
                    if (last is not null)
                    {
                        yield return last;
                    }
                }

                yield break;
            }

            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int end = newline < 0 ? read : newline;
                if (!tooLong)
                {
                    if (line.WrittenCount + (end - start) > ExperienceLimits.MaxLineBytes)
                    {
                        tooLong = true;
                        line.Clear();
                    }
                    else
                    {
                        line.Write(buffer.AsSpan(start, end - start));
                    }
                }

                if (newline < 0)
                {
                    break;
                }

                lineNumber++;
                Experience? experience = FinishLine(line, ref tooLong, sourceName, lineNumber);
                if (experience is not null)
                {
                    yield return experience;
                }

                start = newline + 1;
            }
        }
    }

    private static Experience? FinishLine(ArrayBufferWriter<byte> line, ref bool tooLong, string sourceName, int lineNumber)
    {
        string location = LineLocation(sourceName, lineNumber);
        if (tooLong)
        {
            throw new PlanningInputException(location, string.Create(CultureInfo.InvariantCulture, $"the line has more than {ExperienceLimits.MaxLineBytes} bytes"));
        }

        ReadOnlyMemory<byte> bytes = line.WrittenMemory;
        if (bytes.Length > 0 && bytes.Span[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        Experience? experience = null;
        if (!IsBlank(bytes.Span))
        {
            // The document is parsed from a copy so that clearing the buffer cannot touch it.
            experience = ParseLine(bytes.ToArray(), location);
        }

        line.Clear();
        return experience;
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private static string LineLocation(string sourceName, int lineNumber) =>
        string.Create(CultureInfo.InvariantCulture, $"{sourceName} line {lineNumber}");

    private static string RequiredString(JsonElement element, string location, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new PlanningInputException(Field(location, name), "is required");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new PlanningInputException(Field(location, name), $"expected a string, got {Describe(value.ValueKind)}");
        }

        return GetString(value, location, name);
    }

    private static string? OptionalString(JsonElement element, string location, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new PlanningInputException(Field(location, name), $"expected a string or null, got {Describe(value.ValueKind)}");
        }

        return GetString(value, location, name);
    }

    private static string GetString(JsonElement value, string location, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate (\ud800) cannot be transcoded.
            throw new PlanningInputException(Field(location, name), "holds an unpaired surrogate (invalid Unicode)");
        }
    }

    private static List<string> StringArray(JsonElement element, string location, string name, bool required)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                throw new PlanningInputException(Field(location, name), "is required");
            }

            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PlanningInputException(Field(location, name), $"expected an array of strings, got {Describe(value.ValueKind)}");
        }

        int limit = name == "plan" ? ExperienceLimits.MaxSteps : ExperienceLimits.MaxLinks;
        int count = value.GetArrayLength();
        if (count > limit)
        {
            throw new PlanningInputException(Field(location, name), string.Create(CultureInfo.InvariantCulture, $"{count} entries, more than the limit of {limit}"));
        }

        var items = new List<string>(count);
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            string itemName = string.Create(CultureInfo.InvariantCulture, $"{name}[{index}]");
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new PlanningInputException(Field(location, itemName), $"expected a string, got {Describe(item.ValueKind)}");
            }

            items.Add(GetString(item, location, itemName));
            index++;
        }

        return items;
    }

    private static void CheckText(string location, string name, string? text, int maxChars, bool required, bool freeText)
    {
        if (text is null)
        {
            if (required)
            {
                throw new PlanningInputException(Field(location, name), "is required");
            }

            return;
        }

        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw new PlanningInputException(Field(location, name), "is empty");
        }

        if (text.Length > maxChars)
        {
            throw new PlanningInputException(Field(location, name), string.Create(CultureInfo.InvariantCulture, $"{text.Length} characters, more than the limit of {maxChars}"));
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new PlanningInputException(Field(location, name), string.Create(CultureInfo.InvariantCulture, $"holds an unpaired surrogate U+{(int)c:X4} at character {i} (invalid Unicode)"));
            }

            bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
            bool allowed = freeText && c is '\t' or '\n' or '\r';
            if (control && !allowed)
            {
                throw new PlanningInputException(Field(location, name), string.Create(CultureInfo.InvariantCulture, $"holds the control character U+{(int)c:X4} at character {i}"));
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
