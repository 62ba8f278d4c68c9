using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Planning.Embeddings;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;

namespace Planning.Benchmarks;

/// <summary>
/// <c>knowledge-scale N DIR [--embedder minilm|hashing] [--reuse]</c>: the knowledge base's search latency at a collection size
/// that MiniLM cannot embed in the time available on a 2-core machine (100k experiences take about an hour quiet).
/// Builds a corpus of N experiences around data/kb-eval's labelled set (<see cref="SyntheticExperienceSet.Corpus"/>,
/// seed 19), ingests it into DIR/kb.db with the chosen embedder (default <c>hashing</c>: a stand-in, see
/// <see cref="HashingEmbedder"/>), then times every labelled query through each search kind (BM25, dense, fusion, the
/// planning and feedback stages; 20 untimed searches of each kind first) and reports p50/p99, the IVF index's recall@10
/// against exact dense search when the index is approximate, and the ingest time. <c>--reuse</c> keeps DIR/kb.db from an
/// earlier run (built with the same embedder) and skips the ingest.
/// </summary>
/// <remarks>
/// With the stand-in embedder the figures time everything a search does except embedding the query with MiniLM
/// (BM25, the dense scan or IVF probe, fusion, the gate, reading the results from SQLite); `plan kb eval` on a MiniLM
/// base measures that embedding. Recall figures under the stand-in say nothing about MiniLM's and are not reported.
/// </remarks>
internal static class KnowledgeScaleScenario
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int total))
        {
            Console.Error.WriteLine("usage: knowledge-scale N DIR [--embedder minilm|hashing] [--reuse]");
            return 2;
        }

        string directory = args[1];
        bool miniLm = args.Contains("minilm");
        bool reuse = args.Contains("--reuse") && File.Exists(Path.Combine(directory, "kb.db"));
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "kb.db");
        foreach (string stale in reuse ? [] : new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(stale);
        }

        if (!reuse && Directory.Exists(path + ".bm25"))
        {
            Directory.Delete(path + ".bm25", recursive: true);
        }

        string queriesPath = Path.Combine("data", "kb-eval", EvaluationSetFiles.QueriesFileName);
        IReadOnlyList<LabelledQuery> queries;
        using (var reader = new StreamReader(queriesPath))
        {
            queries = LabelledQueryJson.Read(reader, queriesPath);
        }

        IEmbedder embedder = miniLm ? new MiniLmEmbedder() : new HashingEmbedder();
        using var release = embedder as IDisposable;
        string embedderName = miniLm ? "MiniLM" : "hashing stand-in";
        Console.WriteLine(Invariant($"knowledge-scale: {total} experiences, embedder {embedderName}, load {Load()}"));
        List<Experience> corpus = reuse ? [] : [.. SyntheticExperienceSet.Corpus(19, 600, 1400, total)];
        var ingestClock = Stopwatch.StartNew();
        using (KnowledgeBase writer = KnowledgeBase.Open(path, embedder))
        {
            int batch = writer.Options.IngestBatchSize;
            for (int start = 0; start < corpus.Count; start += batch)
            {
                writer.Ingest(corpus.GetRange(start, Math.Min(batch, corpus.Count - start)));
            }
        }

        Console.WriteLine(reuse ? "ingest: skipped (--reuse: the base of an earlier run)" : Invariant($"ingest: {ingestClock.Elapsed.TotalSeconds:0.0} s ({corpus.Count / ingestClock.Elapsed.TotalSeconds:0} experiences/s), load {Load()}"));
        var openClock = Stopwatch.StartNew();
        bool approximate;
        Dictionary<string, long[]> dense = [];
        using (KnowledgeBase knowledgeBase = KnowledgeBase.Open(path, embedder))
        {
            Console.WriteLine(Invariant($"open: {openClock.Elapsed.TotalSeconds:0.0} s (BM25 catch-up, dense index {(knowledgeBase.DenseIndexIsApproximate ? "IVF" : "exact")}), {knowledgeBase.Count} experiences"));

            var searches = new (string Name, Func<LabelledQuery, SearchResponse?> Search)[]
            {
                ("bm25", q => knowledgeBase.SearchHybrid(q.Query, 10, RetrievalMode.Bm25)),
                ("dense", q => knowledgeBase.SearchHybrid(q.Query, 10, RetrievalMode.Dense)),
                ("fusion-" + (knowledgeBase.Options.Fusion == FusionRule.WeightedSum ? "weighted" : "rrf"), q => knowledgeBase.SearchHybrid(q.Query, 10, RetrievalMode.Fusion)),
                ("plan-stage", q => knowledgeBase.SearchPlan(q.Query, 10)),
                ("feedback-stage", q => knowledgeBase.SearchFeedback(q.Query, q.Plan, q.Summary, 10)),

                // Where the feedback stage's time goes: its longer query embedded alone, and through each retriever alone.
                ("  its embedding", q => { _ = embedder.Embed(KnowledgeBase.FeedbackQuery(q.Query, q.Plan, q.Summary)); return null; }),
                ("  its bm25", q => knowledgeBase.SearchHybrid(KnowledgeBase.FeedbackQuery(q.Query, q.Plan, q.Summary), 10, RetrievalMode.Bm25)),
                ("  its dense", q => knowledgeBase.SearchHybrid(KnowledgeBase.FeedbackQuery(q.Query, q.Plan, q.Summary), 10, RetrievalMode.Dense)),
            };
            Console.WriteLine(Invariant($"  {"search",-16} {"p50 ms",8} {"p99 ms",8} {"mean ms",8} {"max ms",8}   load {Load()}"));
            foreach ((string name, Func<LabelledQuery, SearchResponse?> search) in searches)
            {
                for (int i = 0; i < 20; i++)
                {
                    search(queries[i]);
                }

                var times = new double[queries.Count];
                for (int i = 0; i < queries.Count; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    SearchResponse? response = search(queries[i]);
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (name == "dense")
                    {
                        dense[queries[i].Id] = [.. response!.Results.Select(r => r.Id)];
                    }
                }

                Array.Sort(times);
                Console.WriteLine(Invariant($"  {name,-16} {Percentile(times, 0.5),8:0.0} {Percentile(times, 0.99),8:0.0} {times.Average(),8:0.0} {times[^1],8:0.0}"));
            }

            Console.WriteLine(Invariant($"  load after searches {Load()}"));
            approximate = knowledgeBase.DenseIndexIsApproximate;
        }

        // A base is open in one process at a time: the first is closed before the exact reference opens.
        if (approximate)
        {
            using KnowledgeBase exact = KnowledgeBase.Open(path, embedder, KnowledgeBaseOptions.Default with { ExactDenseLimit = int.MaxValue });
            double recall = queries.Average(q =>
            {
                long[] truth = [.. exact.SearchHybrid(q.Query, 10, RetrievalMode.Dense).Results.Select(r => r.Id)];
                return truth.Length == 0 ? 1.0 : (double)dense[q.Id].Intersect(truth).Count() / truth.Length;
            });
            Console.WriteLine(Invariant($"IVF recall@10 against exact dense search ({embedderName} vectors): {recall:0.000} over {queries.Count} queries"));
        }

        return 0;
    }

    private static double Percentile(double[] ascending, double fraction) =>
        ascending[Math.Clamp((int)Math.Ceiling(fraction * ascending.Length) - 1, 0, ascending.Length - 1)];

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A stand-in embedder for timing at scale: each lower-cased word of the text adds +1 or -1 to one of 384
    /// components chosen by a hash of the word (SHA-256, so the same on every run and machine), and the sum is scaled to
    /// unit length. Texts sharing words get positive cosines, as MiniLM's do; its cost is microseconds, not MiniLM's
    /// tens of milliseconds, which is why it is used only to time what a search does besides embedding the query.
    /// </summary>
    private sealed class HashingEmbedder : IEmbedder, IDisposable
    {
        public int Dimensions => 384;

        public string Name => "hashing stand-in (SHA-256 of each word, 384 components)";

        public float[] Embed(string text)
        {
            var vector = new float[Dimensions];
            foreach (string word in text.ToLowerInvariant().Split([' ', '\n', ',', '.', '?', ':', ';', '\'', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
            {
                byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(word));
                int component = (hash[0] | (hash[1] << 8)) % Dimensions;
                vector[component] += (hash[2] & 1) == 0 ? 1f : -1f;
            }

            double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
            if (norm > 0)
            {
                for (int i = 0; i < vector.Length; i++)
                {
                    vector[i] = (float)(vector[i] / norm);
                }
            }
            else
            {
                vector[0] = 1;
            }

            return vector;
        }

        public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts) => [.. texts.Select(Embed)];

        public void Dispose()
        {
        }
    }
}
