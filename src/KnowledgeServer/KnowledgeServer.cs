using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Planning.Knowledge.Server;

/// <summary>
/// The knowledge base's HTTP API, an ASP.NET Core minimal API over one <see cref="KnowledgeBase"/>:
/// <c>POST /experiences</c> (ingest a JSON array), <c>GET /experiences/{id}</c>, <c>POST /search/plan</c>,
/// <c>POST /search/feedback</c>, <c>POST /search/hybrid</c> and <c>GET /health</c>. The contract (shapes, status codes)
/// is in docs/contracts.md, "Agent KB HTTP API". Bad input is answered 400 (malformed JSON, a field of the wrong type,
/// missing or out of range, naming the field), 401 (a write without the configured API key) or 413 (a body over the
/// limit); never 500.
/// </summary>
public static class KnowledgeServer
{
    /// <summary>The most results one search may ask for (<c>k</c>).</summary>
    public const int MaxK = 100;

    /// <summary>
    /// Builds the server, not yet started: Kestrel on <see cref="KnowledgeServerOptions.Host"/> and
    /// <see cref="KnowledgeServerOptions.Port"/>, the routes, and the error handling. No configuration files, environment
    /// variables or command-line arguments are read, and nothing is logged unless <paramref name="configure"/> adds a
    /// logging provider. The caller keeps ownership of <paramref name="knowledgeBase"/> (dispose it after the server).
    /// </summary>
    /// <param name="options">Address, port, body limit and API key; validated here.</param>
    /// <param name="knowledgeBase">The knowledge base the routes read and write.</param>
    /// <param name="configure">
    /// Called last, before the application is built: for example <c>builder.WebHost.UseTestServer()</c> in tests, or a
    /// logging provider.
    /// </param>
    /// <returns>The application; start it with <c>StartAsync</c> or <see cref="RunAsync"/>.</returns>
    /// <exception cref="PlanningInputException">An option is out of range.</exception>
    public static WebApplication Build(KnowledgeServerOptions options, KnowledgeBase knowledgeBase, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        options.Validate();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KnowledgeServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(options.Address, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        configure?.Invoke(builder);

        var app = builder.Build();
        var logger = app.Services.GetService<ILoggerFactory>()?.CreateLogger(typeof(KnowledgeServer).FullName!);
        app.Use(next => context => ErrorResponses.HandleAsync(context, next, logger));
        app.UseRouting();
        Map(app, options, knowledgeBase);
        return app;
    }

    /// <summary>
    /// Builds the server, starts it and serves until <paramref name="cancellationToken"/> is cancelled or the process is
    /// asked to stop (SIGINT, SIGTERM); requests in flight then finish (up to 10 s) before it returns.
    /// </summary>
    /// <param name="options">Address, port, body limit and API key.</param>
    /// <param name="knowledgeBase">The knowledge base; the caller disposes it after this returns.</param>
    /// <param name="listening">Called once the server listens, with its address (the actual port when the option is 0).</param>
    /// <param name="configure">Passed to <see cref="Build"/>: for example a logging provider.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public static async Task RunAsync(
        KnowledgeServerOptions options,
        KnowledgeBase knowledgeBase,
        Action<Uri>? listening = null,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var app = Build(options, knowledgeBase, configure);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            listening?.Invoke(Address(app));
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The address a started server listens on, such as <c>http://127.0.0.1:5380/</c>.</summary>
    /// <param name="app">A server built by <see cref="Build"/> and started.</param>
    /// <returns>The address.</returns>
    /// <exception cref="InvalidOperationException">The server is not started or has no address (a test server).</exception>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the server listens on no address (not started?)");
        return new Uri(first, UriKind.Absolute);
    }

    private static void Map(WebApplication app, KnowledgeServerOptions options, KnowledgeBase knowledgeBase)
    {
        var gate = new ApiKeyGate(options.ApiKey);
        var limit = options.MaxRequestBodyBytes;

        app.MapGet("/health", (HttpContext context) =>
            ResponseJson.WriteAsync(context, StatusCodes.Status200OK, writer => ResponseJson.Health(writer, knowledgeBase.Count)));

        app.MapGet("/experiences/{id}", (HttpContext context, string id) =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                throw RequestFailure.BadField("id", $"must be a positive integer, got \"{Truncate(id)}\"");
            }

            var experience = knowledgeBase.Get(number)
                ?? throw new RequestFailure(StatusCodes.Status404NotFound, "id", string.Create(CultureInfo.InvariantCulture, $"id: no experience {number}"));
            return ResponseJson.WriteAsync(context, StatusCodes.Status200OK, writer => ResponseJson.Experience(writer, experience));
        });

        app.MapPost("/experiences", async (HttpContext context) =>
        {
            gate.Check(context.Request);
            using var document = await RequestBody.ReadJsonAsync(context, limit).ConfigureAwait(false);
            var batch = Experiences(document.RootElement);
            var ids = knowledgeBase.Ingest(batch);
            await ResponseJson.WriteAsync(context, StatusCodes.Status200OK, writer => ResponseJson.Ingested(writer, ids)).ConfigureAwait(false);
        });

        app.MapPost("/search/plan", (HttpContext context) => SearchAsync(context, limit, root =>
            knowledgeBase.SearchPlan(RequestFields.Text(root, "task"), RequestFields.K(root))));

        app.MapPost("/search/feedback", (HttpContext context) => SearchAsync(context, limit, root =>
            knowledgeBase.SearchFeedback(
                RequestFields.Text(root, "task"),
                RequestFields.Steps(root, "plan"),
                RequestFields.AnyText(root, "summary"),
                RequestFields.K(root))));

        app.MapPost("/search/hybrid", (HttpContext context) => SearchAsync(context, limit, root =>
            knowledgeBase.SearchHybrid(RequestFields.Text(root, "query"), RequestFields.K(root), Mode(root))));
    }

    private static async Task SearchAsync(HttpContext context, long limit, Func<JsonElement, SearchResponse> search)
    {
        using var document = await RequestBody.ReadJsonAsync(context, limit).ConfigureAwait(false);
        var response = search(RequestFields.Object(document));
        await ResponseJson.WriteAsync(context, StatusCodes.Status200OK, writer => ResponseJson.Search(writer, response)).ConfigureAwait(false);
    }

    /// <summary>The experiences of an ingest body, parsed and validated by <see cref="ExperienceJson.Parse"/> (fields named <c>[i]: field</c>).</summary>
    private static List<Experience> Experiences(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw RequestFailure.BadField("body", $"must be a JSON array of experiences, got {RequestFields.Describe(root)}");
        }

        var batch = new List<Experience>(root.GetArrayLength());
        var i = 0;
        foreach (var element in root.EnumerateArray())
        {
            batch.Add(ExperienceJson.Parse(element, string.Create(CultureInfo.InvariantCulture, $"[{i}]")));
            i++;
        }

        return batch;
    }

    /// <summary>The optional <c>mode</c> of a hybrid search: <c>fusion</c> (default), <c>bm25</c> or <c>dense</c>.</summary>
    private static RetrievalMode Mode(JsonElement root)
    {
        if (!root.TryGetProperty("mode", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return RetrievalMode.Fusion;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            // ValueEquals compares without decoding the whole string (which a lone surrogate escape would make throw).
            if (value.ValueEquals("fusion"))
            {
                return RetrievalMode.Fusion;
            }

            if (value.ValueEquals("bm25"))
            {
                return RetrievalMode.Bm25;
            }

            if (value.ValueEquals("dense"))
            {
                return RetrievalMode.Dense;
            }
        }

        throw RequestFailure.BadField("mode", $"must be \"fusion\", \"bm25\" or \"dense\", got {RequestFields.Describe(value)}");
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";
}
