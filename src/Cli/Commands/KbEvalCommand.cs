using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Planning.Embeddings;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan kb eval</c>: retrieval quality (recall@k, MRR@k) and search latency of a knowledge base over a labelled
/// query set: BM25 alone, dense alone, and the fusion under each rule, then the planning and feedback stages (gate on).
/// </summary>
internal static class KbEvalCommand
{
    private static readonly RetrievalMode[] Modes = [RetrievalMode.Bm25, RetrievalMode.Dense, RetrievalMode.Fusion];

    public static Command Create(ConsoleIo io)
    {
        var database = new Option<string>("--db") { Description = "The knowledge base (SQLite file) holding the set's experiences under the labels' ids", Required = true };
        var queriesFile = new Option<string>("--queries") { Description = "The labelled queries (JSON Lines, docs/contracts.md)", Required = true };
        var cutoffs = new Option<string>("--k") { Description = "Cut-offs, comma-separated, each 1-100 (default 1,5,10)", DefaultValueFactory = _ => "1,5,10" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N queries" };
        var exactLimit = new Option<int?>("--exact-dense-limit") { Description = $"Open the base with this ExactDenseLimit (default {KnowledgeBaseOptions.Default.ExactDenseLimit}); below the collection size the dense index is IVF and its recall@10 against exact search is measured" };
        var warmup = new Option<int>("--warmup") { Description = "Untimed searches of each kind before timing, 0-1000 (default 20)", DefaultValueFactory = _ => 20 };
        var bm25Weight = new Option<double?>("--bm25-weight") { Description = $"BM25's weight in the weighted-sum fusion, 0-1 (default {KnowledgeBaseOptions.Default.Bm25Weight}); dense gets the rest" };
        var format = CommonOptions.Format();
        var command = new Command("eval", "Measure recall@k, MRR@k and search latency of BM25, dense and both fusion rules (and the two stages) over labelled queries")
        {
            database, queriesFile, cutoffs, limit, exactLimit, warmup, bm25Weight, format,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(database)!;
            if (!File.Exists(path))
            {
                throw new PlanningInputException("--db", $"file not found: {path}");
            }

            int[] ks = ParseCutoffs(parse.GetValue(cutoffs)!);
            string queriesPath = parse.GetValue(queriesFile)!;
            IReadOnlyList<LabelledQuery> queries;
            using (var reader = new StringReader(CommonOptions.ReadInput("--queries", queriesPath)))
            {
                queries = LabelledQueryJson.Read(reader, Path.GetFileName(queriesPath));
            }

            if (parse.GetValue(limit) is { } first)
            {
                if (first < 1)
                {
                    throw new PlanningInputException("--limit", Invariant($"must be at least 1, got {first}"));
                }

                queries = [.. queries.Take(first)];
            }

            if (queries.Count == 0)
            {
                throw new PlanningInputException("--queries", $"{queriesPath} holds no query");
            }

            int warmupCount = parse.GetValue(warmup);
            if (warmupCount is < 0 or > 1000)
            {
                throw new PlanningInputException("--warmup", Invariant($"must be 0 to 1000, got {warmupCount}"));
            }

            KnowledgeBaseOptions options = KnowledgeBaseOptions.Default;
            if (parse.GetValue(exactLimit) is { } exactDenseLimit)
            {
                if (exactDenseLimit < 0)
                {
                    throw new PlanningInputException("--exact-dense-limit", Invariant($"must be at least 0, got {exactDenseLimit}"));
                }

                options = options with { ExactDenseLimit = exactDenseLimit };
            }

            if (parse.GetValue(bm25Weight) is { } weight)
            {
                if (!(weight >= 0 && weight <= 1))
                {
                    throw new PlanningInputException("--bm25-weight", Invariant($"must be from 0 to 1, got {weight}"));
                }

                options = options with { Bm25Weight = weight };
            }

            io.Error.WriteLine("eval: loading the embedder");
            using var embedder = new MiniLmEmbedder();
            var report = Measure(io, path, embedder, options, queries, ks, warmupCount);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => WriteJson(writer, report, path, Path.GetFileName(queriesPath)));
            }
            else
            {
                WriteTable(io, report);
            }

            return 0;
        });
        return command;
    }

    private static int[] ParseCutoffs(string text)
    {
        var values = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k is < 1 or > 100)
            {
                throw new PlanningInputException("--k", $"'{part}' is not a cut-off from 1 to 100");
            }

            values.Add(k);
        }

        return values.Count == 0 ? throw new PlanningInputException("--k", "needs at least one cut-off") : [.. values.Distinct().Order()];
    }

    private static EvalReport Measure(
        ConsoleIo io, string path, IEmbedder embedder, KnowledgeBaseOptions options, IReadOnlyList<LabelledQuery> queries, int[] ks, int warmupCount)
    {
        int deepest = ks.Max();
        var rows = new List<EvalRow>();
        var latencies = new List<LatencyRow>();
        long count = 0;
        bool approximate = false;
        double openMs = 0;
        Dictionary<string, IReadOnlyList<long>>? approximateDense = null;
        // The options' rule first: BM25, dense and the two stages run with it, the other rule's fusion after.
        FusionRule[] rules = options.Fusion == FusionRule.WeightedSum ? [FusionRule.WeightedSum, FusionRule.ReciprocalRank] : [FusionRule.ReciprocalRank, FusionRule.WeightedSum];
        foreach (FusionRule rule in rules)
        {
            io.Error.WriteLine(Invariant($"eval: opening {path} with fusion {Name(rule)}"));
            long opened = Stopwatch.GetTimestamp();
            using var knowledgeBase = KnowledgeBase.Open(path, embedder, options with { Fusion = rule });
            if (rule == rules[0])
            {
                openMs = Stopwatch.GetElapsedTime(opened).TotalMilliseconds;
                count = knowledgeBase.Count;
                approximate = knowledgeBase.DenseIndexIsApproximate;
            }

            bool first = rule == rules[0];
            foreach (RetrievalMode mode in Modes.Where(m => first || m == RetrievalMode.Fusion))
            {
                string name = mode switch { RetrievalMode.Bm25 => "bm25", RetrievalMode.Dense => "dense", _ => "fusion-" + Name(rule) };
                io.Error.WriteLine($"eval: {name}");
                var ranked = Rank(io, queries, warmupCount, deepest, name, rows, latencies, ks, mode, rule,
                    query => knowledgeBase.SearchHybrid(query.Query, deepest, mode));
                if (mode == RetrievalMode.Dense && knowledgeBase.DenseIndexIsApproximate)
                {
                    approximateDense = ranked;
                }
            }

            if (first)
            {
                io.Error.WriteLine("eval: planning and feedback stages");
                Rank(io, queries, warmupCount, deepest, "plan-stage", rows, latencies, ks, RetrievalMode.Fusion, rule,
                    query => knowledgeBase.SearchPlan(query.Query, deepest));
                Rank(io, queries, warmupCount, deepest, "feedback-stage", rows, latencies, ks, RetrievalMode.Fusion, rule,
                    query => knowledgeBase.SearchFeedback(query.Query, query.Plan, query.Summary.Length == 0 ? query.Query : query.Summary, deepest));
            }
        }

        double? ivfRecall = null;
        if (approximateDense is not null)
        {
            // The approximate index against exact search over the same vectors: the share of exact's top 10 that IVF returns.
            io.Error.WriteLine("eval: dense exact (to measure the IVF index's recall@10)");
            using var exact = KnowledgeBase.Open(path, embedder, options with { ExactDenseLimit = int.MaxValue });
            var exactRanked = Rank(io, queries, warmupCount, deepest, "dense-exact", rows, latencies, ks, RetrievalMode.Dense, FusionRule.ReciprocalRank,
                query => exact.SearchHybrid(query.Query, Math.Max(deepest, IvfCheckDepth), RetrievalMode.Dense));
            ivfRecall = queries.Average(q => (double)approximateDense[q.Id].Take(IvfCheckDepth).Intersect(exactRanked[q.Id].Take(IvfCheckDepth)).Count()
                / Math.Min(IvfCheckDepth, Math.Max(1, exactRanked[q.Id].Count)));
        }

        return new EvalReport(count, approximate, openMs, queries.Count, rows, latencies, ivfRecall);
    }

    /// <summary>The depth at which the IVF index is compared with exact search (recall@10).</summary>
    private const int IvfCheckDepth = 10;

    private static Dictionary<string, IReadOnlyList<long>> Rank(
        ConsoleIo io, IReadOnlyList<LabelledQuery> queries, int warmupCount, int deepest, string name, List<EvalRow> rows,
        List<LatencyRow> latencies, int[] ks, RetrievalMode mode, FusionRule rule, Func<LabelledQuery, SearchResponse> search)
    {
        for (int i = 0; i < warmupCount; i++)
        {
            search(queries[i % queries.Count]);
        }

        var ranked = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        var times = new double[queries.Count];
        for (int i = 0; i < queries.Count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            SearchResponse response = search(queries[i]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            ranked[queries[i].Id] = [.. response.Results.Where(r => !r.Withheld).Select(r => r.Id)];
        }

        Array.Sort(times);
        latencies.Add(new LatencyRow(name, times.Length, Percentile(times, 0.50), Percentile(times, 0.99), times.Average(), times[^1]));
        io.Error.WriteLine(Invariant($"eval: {name}: p50 {Percentile(times, 0.50):0.0} ms, p99 {Percentile(times, 0.99):0.0} ms"));

        // All queries, then each variation's queries alone.
        var groups = new List<(string Variation, IReadOnlyList<LabelledQuery> Queries)> { ("all", queries) };
        groups.AddRange(queries.SelectMany(q => q.Variations).Distinct().Order(StringComparer.Ordinal)
            .Select(v => (v, (IReadOnlyList<LabelledQuery>)[.. queries.Where(q => q.Variations.Contains(v))])));
        foreach ((string variation, IReadOnlyList<LabelledQuery> subset) in groups)
        {
            foreach (RetrievalEvaluation evaluation in RetrievalEvaluation.Evaluate(mode, rule, subset, ks, (query, _) => ranked[query.Id]))
            {
                rows.Add(new EvalRow(name, variation, evaluation));
            }
        }

        return ranked;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] ascending, double fraction) =>
        ascending[Math.Clamp((int)Math.Ceiling(fraction * ascending.Length) - 1, 0, ascending.Length - 1)];

    private static string Name(FusionRule rule) => rule == FusionRule.WeightedSum ? "weighted" : "rrf";

    private static void WriteTable(ConsoleIo io, EvalReport report)
    {
        io.Out.WriteLine(Invariant(
            $"{report.Count} experiences, dense index {(report.Approximate ? "IVF (approximate)" : "exact")}, opened in {report.OpenMs:0} ms; {report.QueryCount} labelled queries"));
        int[] ks = [.. report.Rows.Select(r => r.Evaluation.K).Distinct().Order()];
        var quality = new Table();
        quality.AddColumn("retriever");
        quality.AddColumn("queries");
        foreach (int k in ks)
        {
            quality.AddColumn(Invariant($"recall@{k}"));
            quality.AddColumn(Invariant($"MRR@{k}"));
        }

        foreach (var group in report.Rows.GroupBy(r => (r.Retriever, r.Variation)))
        {
            var cells = new List<string> { group.Key.Variation == "all" ? group.Key.Retriever : $"  {group.Key.Retriever} [[{group.Key.Variation}]]", group.First().Evaluation.QueryCount.ToString(CultureInfo.InvariantCulture) };
            foreach (int k in ks)
            {
                RetrievalEvaluation e = group.First(r => r.Evaluation.K == k).Evaluation;
                cells.Add(Invariant($"{e.RecallAtK:0.000}"));
                cells.Add(Invariant($"{e.MrrAtK:0.000}"));
            }

            quality.AddRow([.. cells]);
        }

        io.Tables.Write(quality);
        var latency = new Table();
        latency.AddColumns("search", "searches", "p50 ms", "p99 ms", "mean ms", "max ms");
        foreach (LatencyRow row in report.Latencies)
        {
            latency.AddRow(row.Search, row.Count.ToString(CultureInfo.InvariantCulture), Invariant($"{row.P50Ms:0.0}"), Invariant($"{row.P99Ms:0.0}"), Invariant($"{row.MeanMs:0.0}"), Invariant($"{row.MaxMs:0.0}"));
        }

        io.Tables.Write(latency);
        if (report.IvfRecallAt10 is { } ivf)
        {
            io.Out.WriteLine(Invariant($"IVF dense index: recall@10 against exact search {ivf:0.000} over {report.QueryCount} queries"));
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, EvalReport report, string database, string queries)
    {
        writer.WriteStartObject();
        writer.WriteString("database", Path.GetFileName(database));
        writer.WriteString("queries", queries);
        writer.WriteNumber("experiences", report.Count);
        writer.WriteString("denseIndex", report.Approximate ? "ivf" : "exact");
        writer.WriteNumber("openMs", Math.Round(report.OpenMs, 1));
        writer.WriteNumber("queryCount", report.QueryCount);
        if (report.IvfRecallAt10 is { } ivf)
        {
            writer.WriteNumber("ivfRecallAt10", Math.Round(ivf, 4));
        }
        writer.WriteStartArray("quality");
        foreach (EvalRow row in report.Rows)
        {
            writer.WriteStartObject();
            writer.WriteString("retriever", row.Retriever);
            writer.WriteString("variation", row.Variation);
            writer.WriteNumber("k", row.Evaluation.K);
            writer.WriteNumber("queries", row.Evaluation.QueryCount);
            writer.WriteNumber("recall", Math.Round(row.Evaluation.RecallAtK, 4));
            writer.WriteNumber("mrr", Math.Round(row.Evaluation.MrrAtK, 4));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("latency");
        foreach (LatencyRow row in report.Latencies)
        {
            writer.WriteStartObject();
            writer.WriteString("search", row.Search);
            writer.WriteNumber("searches", row.Count);
            writer.WriteNumber("p50Ms", Math.Round(row.P50Ms, 2));
            writer.WriteNumber("p99Ms", Math.Round(row.P99Ms, 2));
            writer.WriteNumber("meanMs", Math.Round(row.MeanMs, 2));
            writer.WriteNumber("maxMs", Math.Round(row.MaxMs, 2));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record EvalRow(string Retriever, string Variation, RetrievalEvaluation Evaluation);

    private sealed record LatencyRow(string Search, int Count, double P50Ms, double P99Ms, double MeanMs, double MaxMs);

    private sealed record EvalReport(
        long Count, bool Approximate, double OpenMs, int QueryCount, IReadOnlyList<EvalRow> Rows, IReadOnlyList<LatencyRow> Latencies, double? IvfRecallAt10);
}
