using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Planning.Embeddings;
using Planning.Knowledge;
using Planning.Knowledge.Server;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan kb serve</c>: the knowledge base's HTTP API (Planning.Knowledge.Server) on one database until SIGINT or
/// SIGTERM, then a graceful stop (requests in flight finish, the database is closed). Prints one line on stdout once it
/// listens: <c>listening on http://127.0.0.1:PORT/ (N experiences)</c>.
/// </summary>
internal static class KbServeCommand
{
    public static Command Create(ConsoleIo io)
    {
        var db = new Option<string>("--db") { Description = "The knowledge base: a SQLite file, created when missing (its BM25 index lives in FILE.bm25/)", Required = true };
        var port = new Option<int>("--port")
        {
            Description = $"TCP port (default {KnowledgeServerOptions.DefaultPort}; 0 = any free port, printed on start)",
            DefaultValueFactory = _ => KnowledgeServerOptions.DefaultPort,
        };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on: an IP address or localhost (default 127.0.0.1; anything else exposes the knowledge base beyond this machine)",
            DefaultValueFactory = _ => KnowledgeServerOptions.Default.Host,
        };
        var apiKeyEnv = new Option<string?>("--api-key-env")
        {
            Description = "Name of an environment variable that holds the API key writes must send in X-Api-Key (default: no key; the key itself never appears on the command line)",
        };
        var maxBody = new Option<long>("--max-body-bytes")
        {
            Description = $"Largest request body in bytes; larger ones are answered 413 (default {KnowledgeServerOptions.DefaultMaxRequestBodyBytes})",
            DefaultValueFactory = _ => KnowledgeServerOptions.DefaultMaxRequestBodyBytes,
        };
        var command = new Command("serve", "Serve the knowledge base over HTTP on 127.0.0.1: POST /experiences, POST /search/plan|feedback|hybrid, GET /health (docs/contracts.md)")
        {
            db, port, host, apiKeyEnv, maxBody,
        };
        command.SetAction(parse =>
        {
            var options = Options(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(maxBody), ApiKey(parse.GetValue(apiKeyEnv)));
            if (!IPAddress.IsLoopback(options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host)))
            {
                io.Error.WriteLine($"serve: warning: listening on {options.Host}, which other machines may reach");
            }

            var errors = TextWriter.Synchronized(io.Error);
            using var embedder = new MiniLmEmbedder();
            using var knowledgeBase = KnowledgeBase.Open(parse.GetValue(db)!, embedder);
            KnowledgeServer.RunAsync(
                    options,
                    knowledgeBase,
                    address =>
                    {
                        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listening on {address} ({knowledgeBase.Count} experiences)"));
                        io.Out.Flush();
                    },
                    builder => builder.Logging.AddProvider(new StderrLoggerProvider(errors)).SetMinimumLevel(LogLevel.Warning))
                .GetAwaiter().GetResult();
            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serve: stopped ({knowledgeBase.Count} experiences)"));
            return 0;
        });
        return command;
    }

    /// <summary>The server options, with a bad value reported under its option's name.</summary>
    private static KnowledgeServerOptions Options(string host, int port, long maxBody, string? apiKey)
    {
        var options = new KnowledgeServerOptions { Host = host, Port = port, MaxRequestBodyBytes = maxBody, ApiKey = apiKey };
        try
        {
            return options.Validate();
        }
        catch (PlanningInputException ex)
        {
            var option = ex.Field switch
            {
                "host" => "--host",
                "port" => "--port",
                "maxRequestBodyBytes" => "--max-body-bytes",
                _ => "--api-key-env",
            };
            throw new PlanningInputException(option, ex.Problem);
        }
    }

    /// <summary>The API key from the named environment variable, or null when no variable is named.</summary>
    private static string? ApiKey(string? variable)
    {
        if (variable is null)
        {
            return null;
        }

        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new PlanningInputException("--api-key-env", $"the environment variable {variable} is not set or is blank")
            : value;
    }

    /// <summary>Warnings and errors of the server (an unexpected failure behind a 500) as one line each on stderr.</summary>
    private sealed class StderrLoggerProvider(TextWriter errors) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new StderrLogger(errors);

        public void Dispose()
        {
        }

        private sealed class StderrLogger(TextWriter errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    errors.WriteLine($"serve: {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}{(exception is null ? string.Empty : ": " + exception)}");
                }
            }
        }
    }
}
