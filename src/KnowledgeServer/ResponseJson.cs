using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Planning.Knowledge.Server;

/// <summary>
/// The response bodies (docs/contracts.md, "Agent KB HTTP API"). Text is written as JSON strings: letters of every
/// script as they are, HTML-sensitive characters (<c>&lt; &gt; &amp; ' "</c>) and control characters escaped, so stored
/// text comes back intact once decoded and never as live markup.
/// </summary>
internal static class ResponseJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Indented = false,
    };

    /// <summary>Writes a JSON response with the given status.</summary>
    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        response.Headers.XContentTypeOptions = "nosniff";
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>{ "error": "..", "field": ".." | null }</c>.</summary>
    public static void Error(Utf8JsonWriter writer, string error, string? field)
    {
        writer.WriteStartObject();
        writer.WriteString("error", error);
        if (field is null)
        {
            writer.WriteNull("field");
        }
        else
        {
            writer.WriteString("field", field);
        }

        writer.WriteEndObject();
    }

    /// <summary><c>{ "ingested": n, "ids": [..] }</c>.</summary>
    public static void Ingested(Utf8JsonWriter writer, IReadOnlyList<long> ids)
    {
        writer.WriteStartObject();
        writer.WriteNumber("ingested", ids.Count);
        writer.WriteStartArray("ids");
        foreach (var id in ids)
        {
            writer.WriteNumberValue(id);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>{ "status": "ok", "experiences": n }</c>.</summary>
    public static void Health(Utf8JsonWriter writer, long experiences)
    {
        writer.WriteStartObject();
        writer.WriteString("status", "ok");
        writer.WriteNumber("experiences", experiences);
        writer.WriteEndObject();
    }

    /// <summary>One stored experience, as <see cref="ExperienceJson.Write"/> writes it (with its id).</summary>
    public static void Experience(Utf8JsonWriter writer, Experience experience) => ExperienceJson.Write(writer, experience);

    /// <summary>The search answer: <see cref="SearchResponseJson"/>, the same JSON as <c>plan kb search --json</c>.</summary>
    public static void Search(Utf8JsonWriter writer, SearchResponse response) => SearchResponseJson.Write(writer, response);
}
