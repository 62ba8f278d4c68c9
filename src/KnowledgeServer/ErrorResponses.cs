using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Planning.Knowledge.Server;

/// <summary>
/// The outermost middleware: turns what a route throws into <c>{ "error": "..", "field": ".." }</c> with the right
/// status. Bad input (<see cref="RequestFailure"/>, <see cref="PlanningInputException"/> from the knowledge base's
/// validation, a body the server itself refused) is the client's fault and answered 4xx naming the field; anything else
/// is the server's and answered 500 with no detail (logged, when a logger is configured).
/// </summary>
internal static partial class ErrorResponses
{
    public static async Task HandleAsync(HttpContext context, RequestDelegate next, ILogger? logger)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (RequestFailure ex)
        {
            await AnswerAsync(context, ex.Status, ex.Message, ex.Field).ConfigureAwait(false);
        }
        catch (PlanningInputException ex)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, ex.Message, ex.Field).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals: a body over its limit (413), a truncated or malformed chunked body (400).
            await AnswerAsync(context, ex.StatusCode, $"body: {ex.Message}", "body").ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The server answers 500 for anything unforeseen rather than dropping the connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (logger is not null)
            {
                LogUnexpected(logger, ex, context.Request.Method, context.Request.Path);
            }

            await AnswerAsync(context, StatusCodes.Status500InternalServerError, "internal error", null).ConfigureAwait(false);
        }
    }

    private static async Task AnswerAsync(HttpContext context, int status, string error, string? field)
    {
        if (context.Response.HasStarted)
        {
            // Too late for a status: cut the response short so the client sees a failure, not a truncated success.
            context.Abort();
            return;
        }

        context.Response.Clear();
        await ResponseJson.WriteAsync(context, status, writer => ResponseJson.Error(writer, error, field)).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
