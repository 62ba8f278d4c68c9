using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

// kb-load: the bounded load test of `plan kb serve` (issue 19; benchmarks/scenarios/kb-load.sh runs it).
//   kb-load generate --count N [--seed S]           JSONL experiences on stdout (to fill a base with `plan kb ingest`)
//   kb-load run --url URL [--clients 16] [--seconds 30] [--ingest-percent 20] [--batch 4] [--seed 1]
//               [--api-key-env NAME]               the load; one JSON summary on stdout; exit 1 on any error or loss
// Each client loops until the time is up: with probability ingest-percent it POSTs a batch of new experiences (each task
// unique), otherwise a plan, feedback or hybrid search (a third each). Every request's status and latency is recorded;
// afterwards every acknowledged id is read back (GET /experiences/{id}) and its task compared with what was sent.
return args switch
{
    ["generate", .. var rest] => Generate(Arguments.Parse(rest)),
    ["run", .. var rest] => await Load.RunAsync(Arguments.Parse(rest)).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: kb-load generate --count N [--seed S] | kb-load run --url URL [--clients N] [--seconds S] [--ingest-percent P] [--batch B] [--seed S] [--api-key-env NAME]");
    return 2;
}

static int Generate(Arguments arguments)
{
    var random = new Random(arguments.Int("--seed", 1));
    var count = arguments.Int("--count", 1000);
    using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
    for (var i = 0; i < count; i++)
    {
        output.WriteLine(Corpus.Line(Corpus.Experience(random, $"g{i}")));
    }

    return 0;
}

/// <summary>Deterministic synthetic experiences and queries from small vocabularies (for load, not for retrieval quality).</summary>
internal static class Corpus
{
    private static readonly string[] Verbs = ["deploy", "debug", "migrate", "benchmark", "refactor", "scrape", "summarise", "book", "configure", "train"];
    private static readonly string[] Objects = ["the web service", "a flaky test", "the user database", "a tokenizer", "the login page", "a price table", "the release notes", "a flight", "the CI pipeline", "a small model"];
    private static readonly string[] Domains = ["web", "devops", "data", "ml", "travel"];
    private static readonly string[] Steps = ["read the docs", "open the page", "write a script", "run the tests", "check the logs", "roll back", "retry with backoff", "ask for review", "measure latency", "parse the output", "cache the result", "split the job"];

    public static Dictionary<string, object?> Experience(Random random, string tag) => new()
    {
        ["task"] = $"{Pick(random, Verbs)} {Pick(random, Objects)} ({tag})",
        ["domain"] = Pick(random, Domains),
        ["plan"] = Enumerable.Range(0, random.Next(2, 6)).Select(_ => Pick(random, Steps)).ToArray(),
        ["experience"] = $"{Pick(random, Steps)} first, then {Pick(random, Steps)}",
        ["suggestions"] = random.Next(2) == 0 ? null : $"remember to {Pick(random, Steps)}",
        ["outcome"] = random.Next(4) == 0 ? "failure" : "success",
    };

    public static string Query(Random random) => $"{Pick(random, Verbs)} {Pick(random, Objects)}";

    public static string[] Plan(Random random) => [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Steps))];

    public static string Line(object value) => JsonSerializer.Serialize(value);

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}

/// <summary>The <c>run</c> command.</summary>
internal static class Load
{
    private static readonly string[] Operations = ["ingest", "plan", "feedback", "hybrid"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(Arguments arguments)
    {
        var url = new Uri(arguments.Text("--url", "http://127.0.0.1:5380/"));
        var clients = arguments.Int("--clients", 16);
        var seconds = arguments.Double("--seconds", 30);
        var ingestPercent = arguments.Int("--ingest-percent", 20);
        var batch = arguments.Int("--batch", 4);
        var seed = arguments.Int("--seed", 1);
        var apiKey = arguments.Optional("--api-key-env") is { } variable ? Environment.GetEnvironmentVariable(variable) : null;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var initial = await ExperiencesAsync(http).ConfigureAwait(false);
        var latencies = Operations.ToDictionary(operation => operation, _ => new ConcurrentBag<double>());
        var failures = Operations.ToDictionary(operation => operation, _ => 0);
        var samples = new ConcurrentQueue<string>();
        var acknowledged = new ConcurrentDictionary<long, string>();
        var failureLock = new Lock();

        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(seed, client));
            for (var sequence = 0; clock.Elapsed < deadline; sequence++)
            {
                var ingest = random.Next(100) < ingestPercent;
                var operation = ingest ? "ingest" : Operations[1 + random.Next(3)];
                var experiences = ingest ? Enumerable.Range(0, batch).Select(i => Corpus.Experience(random, $"c{client}-s{sequence}-{i}")).ToArray() : [];
                var body = operation switch
                {
                    "ingest" => Corpus.Line(experiences),
                    "plan" => Corpus.Line(new { task = Corpus.Query(random), k = 5 }),
                    "feedback" => Corpus.Line(new { task = Corpus.Query(random), plan = Corpus.Plan(random), summary = "the step timed out", k = 5 }),
                    _ => Corpus.Line(new { query = Corpus.Query(random), k = 10, mode = "fusion" }),
                };
                using var request = new HttpRequestMessage(HttpMethod.Post, operation == "ingest" ? "experiences" : $"search/{operation}")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                if (ingest && apiKey is not null)
                {
                    request.Headers.Add("X-Api-Key", apiKey);
                }

                var started = Stopwatch.GetTimestamp();
                string? failure = null;
                try
                {
                    using var response = await http.SendAsync(request).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failure = $"{operation}: {(int)response.StatusCode} {text}";
                    }
                    else if (ingest)
                    {
                        using var answer = JsonDocument.Parse(text);
                        var ids = answer.RootElement.GetProperty("ids").EnumerateArray().Select(id => id.GetInt64()).ToArray();
                        if (ids.Length != experiences.Length)
                        {
                            failure = $"ingest: {ids.Length} ids for {experiences.Length} experiences";
                        }

                        for (var i = 0; i < ids.Length && i < experiences.Length; i++)
                        {
                            acknowledged[ids[i]] = (string)experiences[i]["task"]!;
                        }
                    }
                }
#pragma warning disable CA1031 // Every failure of a request is counted, whatever its kind.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure = $"{operation}: {ex.GetType().Name}: {ex.Message}";
                }

                latencies[operation].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (failure is not null)
                {
                    lock (failureLock)
                    {
                        failures[operation]++;
                    }

                    if (samples.Count < 10)
                    {
                        samples.Enqueue(failure);
                    }
                }
            }
        }))).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;

        // Read back every acknowledged experience.
        var missing = 0;
        var mismatched = 0;
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (entry, token) =>
        {
            using var response = await http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"experiences/{entry.Key}"), token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref missing);
                return;
            }

            using var stored = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token).ConfigureAwait(false));
            if (stored.RootElement.GetProperty("task").GetString() != entry.Value)
            {
                Interlocked.Increment(ref mismatched);
            }
        }).ConfigureAwait(false);
        var final = await ExperiencesAsync(http).ConfigureAwait(false);

        var errors = failures.Values.Sum();
        var lost = missing + mismatched;
        var summary = new Dictionary<string, object?>
        {
            ["url"] = url.ToString(),
            ["clients"] = clients,
            ["seconds"] = Math.Round(elapsed, 2),
            ["ingestPercent"] = ingestPercent,
            ["batch"] = batch,
            ["seed"] = seed,
            ["initialExperiences"] = initial,
            ["finalExperiences"] = final,
            ["requests"] = latencies.Values.Sum(bag => bag.Count),
            ["errors"] = errors,
            ["acknowledged"] = acknowledged.Count,
            ["missing"] = missing,
            ["mismatched"] = mismatched,
            ["operations"] = Operations.ToDictionary(operation => operation, operation => Stats(latencies[operation], failures[operation], elapsed)),
            ["errorSamples"] = samples.ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(summary, Indented));
        return errors == 0 && lost == 0 && final == initial + acknowledged.Count ? 0 : 1;
    }

    private static async Task<long> ExperiencesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("health", UriKind.Relative)).ConfigureAwait(false));
        return document.RootElement.GetProperty("experiences").GetInt64();
    }

    private static Dictionary<string, object> Stats(IEnumerable<double> latencies, int errors, double seconds)
    {
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);
        return new Dictionary<string, object>
        {
            ["count"] = sorted.Length,
            ["errors"] = errors,
            ["perSecond"] = Math.Round(sorted.Length / seconds, 1),
            ["p50Ms"] = Percentile(0.50),
            ["p95Ms"] = Percentile(0.95),
            ["p99Ms"] = Percentile(0.99),
            ["maxMs"] = sorted.Length == 0 ? 0 : Math.Round(sorted[^1], 2),
        };
    }
}

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        return new Arguments(values);
    }

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
