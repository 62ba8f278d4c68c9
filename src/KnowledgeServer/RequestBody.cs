using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Planning.Knowledge.Server;

/// <summary>
/// Reads a request body as one JSON document, at most a given number of bytes. The limit is checked against
/// <c>Content-Length</c> before reading and against the bytes actually read while reading, so a chunked body (no length
/// declared) is cut off too; the server's own limit (Kestrel's) is set to the same value where the server has one.
/// </summary>
internal static class RequestBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// Duplicate property names are refused (which value would count is a guess), comments and trailing commas too:
    /// the body is data, not a configuration file.
    /// </summary>
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    /// <summary>Reads and parses the body.</summary>
    /// <exception cref="RequestFailure">413 when the body is larger than <paramref name="limit"/>; 400 when it is not JSON.</exception>
    public static async Task<JsonDocument> ReadJsonAsync(HttpContext context, long limit)
    {
        var bytes = await ReadAsync(context, limit).ConfigureAwait(false);

        // The JSON reader checks UTF-8 only where a string is decoded; check it all here, so no later field reader meets it.
        if (!Utf8.IsValid(bytes.Span))
        {
            throw new RequestFailure(400, "body", "body: not valid UTF-8");
        }

        try
        {
            return JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new RequestFailure(400, "body", $"body: malformed JSON: {ex.Message}");
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength is long declared && declared > limit)
        {
            throw TooLarge(limit);
        }

        var body = context.Request.Body;
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes);
        while (true)
        {
            var read = await body.ReadAsync(buffer.GetMemory(ChunkBytes), context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            if (buffer.WrittenCount + (long)read > limit)
            {
                throw TooLarge(limit);
            }

            buffer.Advance(read);
        }
    }

    private static RequestFailure TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "body", string.Create(CultureInfo.InvariantCulture, $"body: larger than the limit of {limit} bytes"));
}
