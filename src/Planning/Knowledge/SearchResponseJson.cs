using System.Text.Json;

namespace Planning.Knowledge;

/// <summary>
/// The JSON of a <see cref="SearchResponse"/>, shared by the command line and the HTTP API:
/// <c>{ "stage": "plan", "results": [ { "id": 3, "task": "..", "score": 0.032, "foundBy": ["bm25", "dense"],
/// "bm25Rank": 1, "denseRank": 4, "withheld": false, "reason": null, "experience": { ...ExperienceJson... } } ] }</c>.
/// </summary>
public static class SearchResponseJson
{
    /// <summary>Writes the response as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, SearchResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        writer.WriteString("stage", response.Stage);
        writer.WriteStartArray("results");
        foreach (SearchResult result in response.Results)
        {
            WriteResult(writer, result);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes one result as a JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="result">The result.</param>
    public static void WriteResult(Utf8JsonWriter writer, SearchResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteNumber("id", result.Id);
        writer.WriteString("task", result.Task);
        writer.WriteNumber("score", result.Score);
        writer.WriteStartArray("foundBy");
        if (result.FoundBy.HasFlag(Retrievers.Bm25))
        {
            writer.WriteStringValue("bm25");
        }

        if (result.FoundBy.HasFlag(Retrievers.Dense))
        {
            writer.WriteStringValue("dense");
        }

        writer.WriteEndArray();
        WriteRank(writer, "bm25Rank", result.Bm25Rank);
        WriteRank(writer, "denseRank", result.DenseRank);
        writer.WriteBoolean("withheld", result.Withheld);
        writer.WriteString("reason", result.Reason);
        writer.WritePropertyName("experience");
        ExperienceJson.Write(writer, result.Experience);
        writer.WriteEndObject();
    }

    private static void WriteRank(Utf8JsonWriter writer, string name, int? rank)
    {
        if (rank is { } value)
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
