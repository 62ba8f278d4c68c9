using System.Globalization;
using System.Text.Json;

namespace Planning.Knowledge.Server;

/// <summary>
/// Reads the fields of a search request's JSON object with their types checked: a missing field, one of the wrong type
/// or one out of range is a <see cref="RequestFailure"/> (400) that names it. Unknown fields are ignored. Sizes (the
/// longest task, query, summary or step, the most steps) are the knowledge base's to check (<see cref="ExperienceLimits"/>);
/// it names the field the same way.
/// </summary>
internal static class RequestFields
{
    /// <summary>The number of results a search returns when the request does not say.</summary>
    public const int DefaultK = 5;

    /// <summary>The request's root, which must be a JSON object.</summary>
    public static JsonElement Object(JsonDocument document) =>
        document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement
            : throw RequestFailure.BadField("body", $"must be a JSON object, got {Describe(document.RootElement)}");

    /// <summary>A required, non-blank string (the task or query).</summary>
    public static string Text(JsonElement root, string name)
    {
        var text = AnyText(root, name);
        return string.IsNullOrWhiteSpace(text) ? throw RequestFailure.BadField(name, "must not be empty or blank") : text;
    }

    /// <summary>A required string that may be empty (the execution summary).</summary>
    public static string AnyText(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw RequestFailure.BadField(name, "is required");
        }

        return CheckedText(value, name);
    }

    /// <summary>A required array of strings (the agent's current plan; it may be empty).</summary>
    public static IReadOnlyList<string> Steps(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw RequestFailure.BadField(name, "is required");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw RequestFailure.BadField(name, $"must be an array of strings, got {Describe(value)}");
        }

        var steps = new string[value.GetArrayLength()];
        var i = 0;
        foreach (var step in value.EnumerateArray())
        {
            steps[i] = CheckedText(step, string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]"));
            i++;
        }

        return steps;
    }

    /// <summary>The optional <c>k</c>: an integer from 1 to <see cref="KnowledgeServer.MaxK"/>, <see cref="DefaultK"/> when absent.</summary>
    public static int K(JsonElement root)
    {
        if (!root.TryGetProperty("k", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return DefaultK;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var k))
        {
            throw RequestFailure.BadField("k", $"must be an integer from 1 to {KnowledgeServer.MaxK}, got {Describe(value)}");
        }

        return k is >= 1 and <= KnowledgeServer.MaxK
            ? (int)k
            : throw RequestFailure.BadField("k", string.Create(CultureInfo.InvariantCulture, $"must be an integer from 1 to {KnowledgeServer.MaxK}, got {k}"));
    }

    /// <summary>What a JSON value is, for an error message: its kind, and a short excerpt of a scalar.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {Excerpt(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string CheckedText(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw RequestFailure.BadField(name, $"must be a string, got {Describe(value)}");
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // A JSON escape that names half a surrogate pair (\ud800 alone) is not text.
            throw RequestFailure.BadField(name, "is not valid Unicode text (it escapes half a surrogate pair)");
        }
    }

    private static string Excerpt(string raw) => raw.Length <= 32 ? raw : raw[..32] + "...";
}
