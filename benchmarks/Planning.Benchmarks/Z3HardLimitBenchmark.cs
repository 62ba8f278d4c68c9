using System.Diagnostics;
using System.Text;
using System.Text.Json;

using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Benchmarks;

/// <summary>
/// The in-process backend's hard time limit (issue 20, item 1), measured as a scenario rather than with
/// BenchmarkDotNet (one run of each part is the measurement):
/// <list type="number">
/// <item>the whole miniF2F benchmark in process (the harness of <c>plan formal minif2f --backend inprocess --workers 2
/// --format json</c>, same defaults: 2 s per check, seed 1, two workers), every SMT check timed through a recording
/// backend: the count past the limit plus 1 s (the target: none), median, p99 and max, abandoned contexts, checks sent to
/// the process backend; the harness's own report goes to a file in the shape of the command's JSON;</item>
/// <item>every SMT query of that run replayed in process without nlsat (<see cref="Z3InProcessOptions.UseNlsat"/>
/// false), counted by how its answer changed (decided to unknown, unknown to decided; a sat/unsat flip would be a bug);</item>
/// <item>the issue's statement against itself with a 2 s limit, as a process, in process without and with nlsat (last:
/// that one leaves a thread busy inside Z3): the equivalence check's wall time and its longest SMT check.</item>
/// </list>
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Planning.Benchmarks -- z3-hard-limit data/minif2f/minif2f.jsonl OUT.json</c>
/// prints one JSON document with the figures on stdout and progress on stderr; <c>-- z3-hard-limit example</c> runs the
/// issue's example alone.
/// </remarks>
public static class Z3HardLimitBenchmark
{
    /// <summary>The issue's statement.</summary>
    public const string IssueExample =
        "theorem t (x : ℝ) (b c : ℕ) (h₁ : 2 * x ^ 2 = 4 * x + 9) (h₂ : x = Real.sqrt b / c) : b + c = 26";

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    /// <summary>Runs the three parts and prints the figures.</summary>
    /// <param name="args">The miniF2F JSON Lines file and the file to write the harness's report to, optionally
    /// <c>--no-replay</c> to leave out part 2; or <c>example</c> for part 3 alone.</param>
    /// <returns>0 when no SMT check of the miniF2F run took longer than its limit plus 1 s, else 1; 2 on bad arguments.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["example"])
        {
            // The issue's example alone (seconds): its figures are sensitive to what else the machine runs.
            using var alone = new MemoryStream();
            using (var json = new Utf8JsonWriter(alone, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                IssueExampleRuns(json);
                json.WriteEndObject();
            }

            Console.WriteLine(Encoding.UTF8.GetString(alone.ToArray()));
            return 0;
        }

        if (args is ["peers", var oursPath, var theirsPath])
        {
            // The peer set (issue 20's "no check past its limit plus 1 s ... on the peer sets"), in process, one worker
            // as `plan formal peers --workers 1`.
            using var alone = new MemoryStream();
            int over;
            using (var json = new Utf8JsonWriter(alone, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                over = Peers(json, oursPath, theirsPath);
                json.WriteEndObject();
            }

            Console.WriteLine(Encoding.UTF8.GetString(alone.ToArray()));
            return over == 0 ? 0 : 1;
        }

        // --no-replay leaves out the replay without nlsat (part 2): it doubles the run and compares an option, not the limit.
        var replay = !(args is [_, _, "--no-replay"]);
        if (args.Length != 2 && replay)
        {
            Console.Error.WriteLine("usage: z3-hard-limit MINIF2F.jsonl REPORT.json [--no-replay] | z3-hard-limit peers OURS.jsonl THEIRS.jsonl | z3-hard-limit example");
            return 2;
        }

        var pastLimit = 0;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("machine", $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
            // The issue's example last: in process with nlsat it leaves a thread busy inside Z3 until the process ends.
            var (recorder, over) = MiniF2F(json, args[0], args[1]);
            pastLimit = over;
            if (replay)
            {
                Replay(json, recorder);
            }

            IssueExampleRuns(json);
            json.WriteEndObject();
        }

        Console.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        return pastLimit == 0 ? 0 : 1;
    }

    private static void IssueExampleRuns(Utf8JsonWriter json)
    {
        json.WriteStartArray("issueExample");
        (string Name, Func<ISmtBackend> Create)[] backends =
        [
            ("process", static () => new Z3ProcessBackend()),
            ("inprocess-without-nlsat", static () => new Z3InProcessBackend(new Z3InProcessOptions { UseNlsat = false })),
            ("inprocess", static () => new Z3InProcessBackend()),
        ];
        foreach (var (name, create) in backends)
        {
            var recorder = new QueryRecorder();
            EquivalenceResult result;
            TimeSpan elapsed;
            using (var backend = new RecordingBackend(create(), recorder))
            {
                var checker = new StatementEquivalence(backend, new EquivalenceOptions { CheckLimit = Limit });
                var watch = Stopwatch.StartNew();
                result = checker.Check(LeanStatementParser.Parse(IssueExample), LeanStatementParser.Parse(IssueExample));
                elapsed = watch.Elapsed;
            }

            json.WriteStartObject();
            json.WriteString("backend", name);
            json.WriteString("verdict", EquivalenceResultJson.VerdictName(result.Verdict));
            json.WriteString("reason", result.Reason);
            json.WriteNumber("equivalenceCheckMilliseconds", Math.Round(elapsed.TotalMilliseconds, 1));
            json.WriteNumber("smtChecks", recorder.Queries.Count);
            json.WriteNumber("longestSmtCheckMilliseconds", Math.Round(recorder.Queries.Max(static q => q.Elapsed.TotalMilliseconds), 1));
            WriteCounters(json, recorder);
            json.WriteEndObject();
            Console.Error.WriteLine($"z3-hard-limit: issue example on {name}: {result.Verdict} ({result.Reason}) in {elapsed.TotalMilliseconds:F0} ms");
        }

        json.WriteEndArray();
    }

    /// <summary>Our statements against the peer's, in process, every SMT check timed; returns the checks past limit + 1 s.</summary>
    private static int Peers(Utf8JsonWriter json, string oursPath, string theirsPath)
    {
        var recorder = new QueryRecorder();
        var benchmark = new PeerFormalizationBenchmark(() => new RecordingBackend(new Z3InProcessBackend(), recorder), Limit, workers: 1);
        var watch = Stopwatch.StartNew();
        var report = benchmark.Run(MiniF2FDataset.Read(oursPath), MiniF2FDataset.Read(theirsPath));
        watch.Stop();
        var queries = recorder.Queries;
        var over = queries.Count(static q => q.PastLimitPlusOneSecond);
        json.WriteStartObject("peers");
        json.WriteNumber("wallSeconds", Math.Round(watch.Elapsed.TotalSeconds, 1));
        json.WriteNumber("differingPairs", report.Pairs.Length);
        json.WriteNumber("decided", report.Decided);
        json.WriteNumber("smtChecks", queries.Count);
        json.WriteNumber("smtChecksPastLimitPlusOneSecond", over);
        WriteDistribution(json, queries.Select(static q => q.Elapsed));
        WritePastLimit(json, queries);
        json.WriteNumber("smtTimeouts", queries.Count(static q => q.Reason == Unknown.TimeoutReason));
        WriteCounters(json, recorder);
        json.WriteEndObject();
        Console.Error.WriteLine($"z3-hard-limit: peers {report.Pairs.Length} differing pairs, {queries.Count} SMT checks, {over} past limit + 1 s");
        return over;
    }

    private static (QueryRecorder Recorder, int PastLimit) MiniF2F(Utf8JsonWriter json, string dataPath, string reportPath)
    {
        var recorder = new QueryRecorder();
        var options = new MiniF2FBenchmarkOptions { CheckLimit = Limit, Seed = 1, Workers = 2 };
        var benchmark = new MiniF2FBenchmark(() => new RecordingBackend(new Z3InProcessBackend(), recorder), options);
        var progress = new Progress<int>(static done =>
        {
            if (done % 25 == 0)
            {
                Console.Error.WriteLine($"z3-hard-limit: minif2f {done} statements");
            }
        });
        var watch = Stopwatch.StartNew();
        var report = benchmark.Run(MiniF2FDataset.Read(dataPath), progress);
        watch.Stop();
        using (var file = File.Create(reportPath))
        using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            MiniF2FReportJson.Write(writer, report);
        }

        var queries = recorder.Queries;
        var over = queries.Count(static q => q.PastLimitPlusOneSecond);
        var mutations = report.Mutations;
        json.WriteStartObject("minif2f");
        json.WriteNumber("wallSeconds", Math.Round(watch.Elapsed.TotalSeconds, 1));
        json.WriteNumber("translated", report.Translated);
        json.WriteNumber("selfProven", mutations.SelfProven);
        json.WriteNumber("withThreeRewritesProven", mutations.WithThreeRewritesProven);
        json.WriteNumber("equivalenceChecks", report.Timings.Count);
        json.WriteNumber("equivalenceMedianMilliseconds", Math.Round(report.Timings.MedianMs, 2));
        json.WriteNumber("equivalenceP90Milliseconds", Math.Round(report.Timings.P90Ms, 2));
        json.WriteNumber("equivalenceMaxMilliseconds", Math.Round(report.Timings.MaxMs, 2));
        json.WriteNumber("falseEquivalents", mutations.Mutations.Sum(static row => row.FalseEquivalents));
        json.WriteNumber("mutationsEquivalent", mutations.Mutations.Sum(static row => row.EquivalentVerdicts));
        json.WriteNumber("mutationsNotEquivalent", mutations.Mutations.Sum(static row => row.NotEquivalent));
        json.WriteNumber("mutationsUnknown", mutations.Mutations.Sum(static row => row.Unknown));
        json.WriteNumber("rewritesProven", mutations.Rewrites.Sum(static row => row.Proven));
        json.WriteNumber("rewritesUnknown", mutations.Rewrites.Sum(static row => row.Unknown));
        json.WriteNumber("rewritesRefuted", mutations.Rewrites.Sum(static row => row.Refuted));
        json.WriteNumber("smtChecks", queries.Count);
        json.WriteNumber("smtChecksPastLimitPlusOneSecond", over);
        WriteDistribution(json, queries.Select(static q => q.Elapsed));
        WritePastLimit(json, queries);
        json.WriteNumber("smtSat", queries.Count(static q => q.Status == SmtStatus.Sat));
        json.WriteNumber("smtUnsat", queries.Count(static q => q.Status == SmtStatus.Unsat));
        json.WriteNumber("smtUnknown", queries.Count(static q => q.Status == SmtStatus.Unknown));
        json.WriteNumber("smtTimeouts", queries.Count(static q => q.Reason == Unknown.TimeoutReason));
        WriteCounters(json, recorder);
        json.WriteEndObject();
        return (recorder, over);
    }

    /// <summary>Every recorded query again, in process without nlsat, on two threads, each with its recorded limit.</summary>
    private static void Replay(Utf8JsonWriter json, QueryRecorder recorded)
    {
        var queries = recorded.Queries;
        var answers = new (SmtStatus Status, TimeSpan Elapsed)[queries.Count];
        var next = -1;
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            using var backend = new Z3InProcessBackend(new Z3InProcessOptions { UseNlsat = false });
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= queries.Count)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                var result = ((ISmtBackend)backend).Check(queries[i].Assertions, queries[i].Limit);
                answers[i] = (result.Status, Stopwatch.GetElapsedTime(started));
            }
        })).ToList();
        threads.ForEach(static t => t.Start());
        threads.ForEach(static t => t.Join());
        watch.Stop();

        int same = 0, lost = 0, gained = 0, flipped = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var before = queries[i].Status;
            var after = answers[i].Status;
            if (before == after)
            {
                same++;
            }
            else if (after == SmtStatus.Unknown)
            {
                lost++;
            }
            else if (before == SmtStatus.Unknown)
            {
                gained++;
            }
            else
            {
                flipped++;
            }
        }

        json.WriteStartObject("replayWithoutNlsat");
        json.WriteNumber("wallSeconds", Math.Round(watch.Elapsed.TotalSeconds, 1));
        json.WriteNumber("queries", queries.Count);
        json.WriteNumber("sameAnswer", same);
        json.WriteNumber("decidedBecameUnknown", lost);
        json.WriteNumber("unknownBecameDecided", gained);
        json.WriteNumber("satUnsatFlipped", flipped);
        json.WriteNumber("decidedBefore", queries.Count(static q => q.Status != SmtStatus.Unknown));
        json.WriteNumber("decidedAfter", answers.Count(static a => a.Status != SmtStatus.Unknown));
        json.WriteNumber("pastLimitPlusOneSecond", answers.Where((a, i) => a.Elapsed > queries[i].Limit + TimeSpan.FromSeconds(1)).Count());
        WriteDistribution(json, answers.Select(static a => a.Elapsed));
        json.WriteEndObject();
    }

    /// <summary>
    /// Every check past its limit plus 1 s, with its limit, time, answer and query (SMT-LIB terms, one per assertion),
    /// so that a run that misses the target names what to reproduce.
    /// </summary>
    private static void WritePastLimit(Utf8JsonWriter json, IReadOnlyList<RecordedQuery> queries)
    {
        json.WriteStartArray("pastLimitPlusOneSecondChecks");
        foreach (var q in queries.Where(static q => q.PastLimitPlusOneSecond))
        {
            json.WriteStartObject();
            json.WriteNumber("limitMilliseconds", Math.Round(q.Limit.TotalMilliseconds, 1));
            json.WriteNumber("elapsedMilliseconds", Math.Round(q.Elapsed.TotalMilliseconds, 1));
            json.WriteString("status", q.Status.ToString());
            json.WriteString("reason", q.Reason);
            json.WriteStartArray("assertions");
            foreach (var assertion in q.Assertions)
            {
                json.WriteStringValue(SmtLibWriter.Write(assertion));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDistribution(Utf8JsonWriter json, IEnumerable<TimeSpan> durations)
    {
        var sorted = durations.Select(static d => d.TotalMilliseconds).Order().ToArray();
        double At(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        json.WriteNumber("medianMilliseconds", Math.Round(At(0.5), 3));
        json.WriteNumber("p99Milliseconds", Math.Round(At(0.99), 1));
        json.WriteNumber("maxMilliseconds", Math.Round(sorted.Length == 0 ? 0 : sorted[^1], 1));
    }

    private static void WriteCounters(Utf8JsonWriter json, QueryRecorder recorder)
    {
        json.WriteStartObject("inProcessCounters");
        json.WriteNumber("interrupts", recorder.Interrupts);
        json.WriteNumber("abandonedContexts", recorder.Abandoned);
        json.WriteNumber("stuckAtDispose", recorder.Stuck);
        json.WriteNumber("checksSentToProcessBackend", recorder.Fallback);
        json.WriteEndObject();
    }

    /// <summary>One SMT check as the recording backend saw it.</summary>
    private sealed record RecordedQuery(IReadOnlyList<Term> Assertions, TimeSpan Limit, TimeSpan Elapsed, SmtStatus Status, string? Reason)
    {
        /// <summary>Whether the check ran past its limit plus 1 s (the target: never).</summary>
        public bool PastLimitPlusOneSecond => Elapsed > Limit + TimeSpan.FromSeconds(1);
    }

    /// <summary>The queries of all recording backends of one run, and the in-process backends' counters at dispose.</summary>
    private sealed class QueryRecorder
    {
        private readonly Lock _gate = new();
        private readonly List<RecordedQuery> _queries = [];

        public int Interrupts { get; private set; }

        public int Abandoned { get; private set; }

        public int Stuck { get; private set; }

        public int Fallback { get; private set; }

        public IReadOnlyList<RecordedQuery> Queries
        {
            get
            {
                lock (_gate)
                {
                    return [.. _queries];
                }
            }
        }

        public void Add(RecordedQuery query)
        {
            lock (_gate)
            {
                _queries.Add(query);
            }
        }

        public void AddCounters(Z3InProcessBackend backend)
        {
            lock (_gate)
            {
                Interrupts += backend.Interrupts;
                Abandoned += backend.AbandonedChecks;
                Stuck += backend.StuckChecks;
                Fallback += backend.FallbackChecks;
            }
        }
    }

    /// <summary>Times every check of a backend (the caller's view: hand-over, translation, Z3 and model included) and records it.</summary>
    private sealed class RecordingBackend(ISmtBackend inner, QueryRecorder recorder) : ISmtBackend
    {
        public string Name => inner.Name;

        SmtResult ISmtBackend.Check(IReadOnlyList<Term> assertions, TimeSpan limit)
        {
            var started = Stopwatch.GetTimestamp();
            var result = inner.Check(assertions, limit);
            recorder.Add(new RecordedQuery(assertions, limit, Stopwatch.GetElapsedTime(started), result.Status, (result as Unknown)?.Reason));
            return result;
        }

        public void Dispose()
        {
            if (inner is Z3InProcessBackend inProcess)
            {
                recorder.AddCounters(inProcess);
            }

            inner.Dispose();
        }
    }
}
