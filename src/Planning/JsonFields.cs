using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Planning;

/// <summary>
/// Reads one JSON object of a configuration file field by field, so that every error names the field by its path
/// (<c>hardware.links.nvlink.bytesPerSecond</c>, <c>hardware.devices[1].kind</c>) and the offending value. Unknown
/// fields are errors too: a misspelt figure must not silently fall back to a default.
/// </summary>
internal sealed class JsonFields
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 };

    private readonly JsonElement _object;

    private JsonFields(JsonElement value, string path, string source)
    {
        _object = value;
        Path = path;
        Source = source;
    }

    /// <summary>The JSON path of this object, the prefix of every field it names.</summary>
    public string Path { get; }

    /// <summary>Where the text comes from (an embedded name or a file), for messages.</summary>
    public string Source { get; }

    /// <summary>Parses <paramref name="json"/> and reads its root object with <paramref name="read"/>.</summary>
    /// <typeparam name="T">What is read.</typeparam>
    /// <param name="json">The JSON text.</param>
    /// <param name="path">The root's path, such as <c>hardware</c>.</param>
    /// <param name="source">Where the text comes from, for messages.</param>
    /// <param name="read">Reads the root object.</param>
    /// <returns>What <paramref name="read"/> returns.</returns>
    /// <exception cref="PlanningInputException">The text is not JSON, or the root is not an object.</exception>
    public static T Read<T>(string json, string path, string source, Func<JsonFields, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(read);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException(
                path,
                string.Create(CultureInfo.InvariantCulture, $"malformed JSON in {source} at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }

        using (document)
        {
            return read(Of(document.RootElement, path, source));
        }
    }

    /// <summary>Throws for every field of this object that is not in <paramref name="known"/>.</summary>
    /// <param name="known">The fields this object may have.</param>
    /// <returns>This reader.</returns>
    /// <exception cref="PlanningInputException">A field is unknown.</exception>
    public JsonFields OnlyFields(params ReadOnlySpan<string> known)
    {
        var names = known.ToArray();
        foreach (var property in _object.EnumerateObject())
        {
            if (System.Array.IndexOf(names, property.Name) < 0)
            {
                throw new PlanningInputException($"{Path}.{property.Name}", $"is not a field here ({Source}); expected {string.Join(", ", names)}");
            }
        }

        return this;
    }

    /// <summary>Whether the object has <paramref name="name"/>.</summary>
    /// <param name="name">The field.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Has(string name) => _object.TryGetProperty(name, out _);

    /// <summary>A required non-empty string.</summary>
    /// <param name="name">The field.</param>
    /// <returns>The value.</returns>
    public string String(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw Bad(name, $"must be a non-empty string, got {Describe(value)}");
    }

    /// <summary>An optional string; <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <param name="fallback">The value when absent.</param>
    /// <returns>The value.</returns>
    public string String(string name, string fallback) =>
        _object.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? fallback : throw Bad(name, $"must be a string, got {Describe(value)}")
            : fallback;

    /// <summary>A required finite number.</summary>
    /// <param name="name">The field.</param>
    /// <returns>The value.</returns>
    public double Number(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Bad(name, $"must be a finite number, got {Describe(value)}");
    }

    /// <summary>An optional finite number; <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <param name="fallback">The value when absent.</param>
    /// <returns>The value.</returns>
    public double Number(string name, double fallback) => Has(name) ? Number(name) : fallback;

    /// <summary>A required integer.</summary>
    /// <param name="name">The field.</param>
    /// <returns>The value.</returns>
    public long Integer(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw Bad(name, $"must be an integer, got {Describe(value)}");
    }

    /// <summary>An optional integer; <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <param name="fallback">The value when absent.</param>
    /// <returns>The value.</returns>
    public long Integer(string name, long fallback) => Has(name) ? Integer(name) : fallback;

    /// <summary>A required integer that fits an <see cref="int"/>.</summary>
    /// <param name="name">The field.</param>
    /// <returns>The value.</returns>
    public int Int32(string name)
    {
        var value = Integer(name);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Bad(name, string.Create(CultureInfo.InvariantCulture, $"must fit a 32-bit integer, got {value}"));
    }

    /// <summary>An optional integer that fits an <see cref="int"/>; <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <param name="fallback">The value when absent.</param>
    /// <returns>The value.</returns>
    public int Int32(string name, int fallback)
    {
        var value = Integer(name, fallback);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Bad(name, string.Create(CultureInfo.InvariantCulture, $"must fit a 32-bit integer, got {value}"));
    }

    /// <summary>An optional Boolean; <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <param name="fallback">The value when absent.</param>
    /// <returns>The value.</returns>
    public bool Boolean(string name, bool fallback)
    {
        if (!_object.TryGetProperty(name, out var value))
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(name, $"must be true or false, got {Describe(value)}"),
        };
    }

    /// <summary>A required object.</summary>
    /// <param name="name">The field.</param>
    /// <returns>A reader of the object.</returns>
    public JsonFields Object(string name) => Of(Required(name), $"{Path}.{name}", Source);

    /// <summary>An optional object, or <see langword="null"/> when absent.</summary>
    /// <param name="name">The field.</param>
    /// <returns>A reader of the object, or <see langword="null"/>.</returns>
    public JsonFields? OptionalObject(string name) => Has(name) ? Object(name) : null;

    /// <summary>The fields of this object as readers of object values, in document order.</summary>
    /// <returns>Each field's name and a reader of its value (which must be an object).</returns>
    public IEnumerable<(string Name, JsonFields Value)> Objects()
    {
        foreach (var property in _object.EnumerateObject())
        {
            yield return (property.Name, Of(property.Value, $"{Path}.{property.Name}", Source));
        }
    }

    /// <summary>A required non-empty array of objects.</summary>
    /// <param name="name">The field.</param>
    /// <returns>A reader of each element.</returns>
    public ImmutableArray<JsonFields> Array(string name)
    {
        var value = Required(name);
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw Bad(name, $"must be a non-empty array, got {Describe(value)}");
        }

        var elements = ImmutableArray.CreateBuilder<JsonFields>(value.GetArrayLength());
        var i = 0;
        foreach (var element in value.EnumerateArray())
        {
            elements.Add(Of(element, string.Create(CultureInfo.InvariantCulture, $"{Path}.{name}[{i++}]"), Source));
        }

        return elements.MoveToImmutable();
    }

    /// <summary>An optional object of strings (notes such as <c>assumptions</c>); empty when absent.</summary>
    /// <param name="name">The field.</param>
    /// <returns>The notes, in document order.</returns>
    public ImmutableArray<KeyValuePair<string, string>> Notes(string name)
    {
        if (!_object.TryGetProperty(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(name, $"must be an object of strings, got {Describe(value)}");
        }

        var notes = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var property in value.EnumerateObject())
        {
            notes.Add(property.Value.ValueKind == JsonValueKind.String
                ? new KeyValuePair<string, string>(property.Name, property.Value.GetString()!)
                : throw Bad($"{name}.{property.Name}", $"must be a string, got {Describe(property.Value)}"));
        }

        return notes.ToImmutable();
    }

    /// <summary>An error naming a field of this object.</summary>
    /// <param name="name">The field.</param>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The exception to throw.</returns>
    public PlanningInputException Bad(string name, string problem) => new($"{Path}.{name}", $"{problem} ({Source})");

    private static JsonFields Of(JsonElement value, string path, string source) =>
        value.ValueKind == JsonValueKind.Object
            ? new JsonFields(value.Clone(), path, source)
            : throw new PlanningInputException(path, $"must be a JSON object, got {Describe(value)} ({source})");

    private JsonElement Required(string name) =>
        _object.TryGetProperty(name, out var value) ? value : throw Bad(name, "is required");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
