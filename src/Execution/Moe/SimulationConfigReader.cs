using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Planning.Execution.Moe;

/// <summary>
/// Reads the simulator's JSON configurations (models and hardware), from the embedded defaults or a user file. Every
/// error is a <see cref="PlanningInputException"/> whose field is <c>kind.property</c> (for example
/// <c>hardware.latencySeconds</c>) and whose message names the source and the offending value.
/// </summary>
internal sealed class SimulationConfigReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 8 };

    private readonly JsonElement _root;
    private readonly string _kind;
    private readonly string _source;

    private SimulationConfigReader(JsonElement root, string kind, string source)
    {
        _root = root;
        _kind = kind;
        _source = source;
    }

    /// <summary>
    /// Resolves a configuration by name (an embedded default) or by path (a user file) and reads it.
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="nameOrPath">A name from <paramref name="names"/>, or the path of a JSON file.</param>
    /// <param name="field">The field to blame when the name is unknown and no such file exists (an option name such as <c>--model</c>).</param>
    /// <param name="kind">The configuration kind: <c>model</c> or <c>hardware</c>, the prefix of every field.</param>
    /// <param name="names">The embedded names.</param>
    /// <param name="read">Reads the configuration from JSON text and a source description.</param>
    /// <returns>The configuration.</returns>
    public static T Load<T>(string nameOrPath, string field, string kind, ImmutableArray<string> names, Func<string, string, T> read)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (names.Contains(nameOrPath))
        {
            return read(Embedded($"{nameOrPath}.{kind}.json"), $"embedded {kind} \"{nameOrPath}\"");
        }

        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
        {
            if (!File.Exists(nameOrPath))
            {
                throw new PlanningInputException(field, $"file not found: {nameOrPath}");
            }

            return read(File.ReadAllText(nameOrPath), $"file {nameOrPath}");
        }

        throw new PlanningInputException(field, $"must be one of {string.Join(", ", names)} or a JSON file, got \"{nameOrPath}\"");
    }

    /// <summary>Parses a configuration document and hands a reader to <paramref name="read"/>.</summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="json">The JSON text.</param>
    /// <param name="kind">The configuration kind, the prefix of every field.</param>
    /// <param name="source">Where the text comes from, for messages.</param>
    /// <param name="known">The fields the configuration may have (<c>description</c> and <c>assumptions</c> are always allowed).</param>
    /// <param name="read">Builds the configuration from the reader.</param>
    /// <returns>The configuration.</returns>
    public static T Parse<T>(string json, string kind, string source, ImmutableArray<string> known, Func<SimulationConfigReader, T> read)
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
                kind,
                string.Create(CultureInfo.InvariantCulture, $"malformed JSON in {source} at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException(kind, $"must be a JSON object in {source}, got {root.ValueKind.ToString().ToLowerInvariant()}");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("description" or "assumptions") && !known.Contains(property.Name))
                {
                    throw new PlanningInputException(
                        $"{kind}.{property.Name}",
                        $"is not a field of a {kind} configuration ({source}); expected {string.Join(", ", known)}, description, assumptions");
                }
            }

            var reader = new SimulationConfigReader(root, kind, source);
            reader.CheckNotes();
            return read(reader);
        }
    }

    /// <summary>A required non-empty string.</summary>
    /// <param name="name">The property.</param>
    /// <returns>The value.</returns>
    public string String(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw Bad(name, $"must be a non-empty string, got {Describe(value)}");
    }

    /// <summary>An optional string (already checked to be a string when present); empty when absent.</summary>
    /// <param name="name">The property.</param>
    /// <returns>The value, or an empty string.</returns>
    public string OptionalString(string name) =>
        _root.TryGetProperty(name, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    /// <summary>A required integer (range checks are the configuration's <c>Validate</c>).</summary>
    /// <param name="name">The property.</param>
    /// <returns>The value.</returns>
    public long Integer(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw Bad(name, $"must be an integer, got {Describe(value)}");
    }

    /// <summary>A required number (range checks are the configuration's <c>Validate</c>).</summary>
    /// <param name="name">The property.</param>
    /// <returns>The value.</returns>
    public double Number(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Bad(name, $"must be a finite number, got {Describe(value)}");
    }

    /// <summary>An integer that must fit an <see cref="int"/>.</summary>
    /// <param name="name">The property.</param>
    /// <returns>The value.</returns>
    public int Int32(string name)
    {
        var value = Integer(name);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Bad(name, string.Create(CultureInfo.InvariantCulture, $"must fit a 32-bit integer, got {value}"));
    }

    /// <summary>The exception for a bad value of <paramref name="name"/>, naming the source.</summary>
    /// <param name="name">The property.</param>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The exception.</returns>
    public PlanningInputException Bad(string name, string problem) => new($"{_kind}.{name}", $"{problem} ({_source})");

    private static string Embedded(string resource)
    {
        var assembly = typeof(SimulationConfigReader).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Planning.Execution.Moe.Configs.{resource}")
            ?? throw new InvalidOperationException($"The embedded configuration {resource} is missing from {assembly.GetName().Name}.");
        using var text = new StreamReader(stream);
        return text.ReadToEnd();
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private void CheckNotes()
    {
        if (_root.TryGetProperty("description", out var description) && description.ValueKind != JsonValueKind.String)
        {
            throw Bad("description", $"must be a string, got {Describe(description)}");
        }

        if (_root.TryGetProperty("assumptions", out var assumptions))
        {
            if (assumptions.ValueKind != JsonValueKind.Object)
            {
                throw Bad("assumptions", $"must be an object of strings, got {Describe(assumptions)}");
            }

            foreach (var note in assumptions.EnumerateObject())
            {
                if (note.Value.ValueKind != JsonValueKind.String)
                {
                    throw Bad($"assumptions.{note.Name}", $"must be a string, got {Describe(note.Value)}");
                }
            }
        }
    }

    private JsonElement Required(string name) =>
        _root.TryGetProperty(name, out var value) ? value : throw Bad(name, "is required");
}
