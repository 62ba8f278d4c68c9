using System.Globalization;

using Planning.Embeddings;

namespace Planning.Knowledge;

/// <summary>
/// A shared knowledge base of agent experiences: SQLite as the store of record, a Lucene BM25 index and a dense vector
/// index derived from it, fused retrieval, two search stages (planning and feedback) and a disagreement gate.
/// </summary>
/// <remarks>
/// <para>Files: the database <c>FILE</c> (with SQLite's <c>FILE-wal</c> and <c>FILE-shm</c>) and the BM25 index
/// directory <c>FILE.bm25/</c>. The dense index lives in memory, loaded from the database's vectors at open. One
/// process may have a knowledge base open at a time (Lucene's write lock).</para>
/// <para>Ingest: a batch is validated whole, embedded, written in one SQLite transaction (all or nothing), then added to
/// both indexes. A crash after the SQLite commit loses nothing: the next open indexes what the BM25 index lacks.</para>
/// <para>Thread safety: searches run concurrently (they share a read lock); ingests are serialised and change the
/// indexes under the write lock, so a search sees a batch entirely or not at all.</para>
/// <para>Retrieval: the query is analysed for BM25 (<c>EnglishAnalyzer</c>, an OR of its terms) and embedded for the
/// dense retriever; each returns <see cref="KnowledgeBaseOptions.CandidateDepth"/> candidates; they are fused by
/// <see cref="KnowledgeBaseOptions.Fusion"/>; ties rank by id. The planning stage's query is the task; the feedback
/// stage's is the task, the current plan's steps and the execution summary, one per line. Both apply the disagreement
/// gate (rules in docs/contracts.md) to the top k x <see cref="KnowledgeBaseOptions.GateWindowFactor"/> fused items;
/// the hybrid search does not.</para>
/// </remarks>
public sealed class KnowledgeBase : IDisposable
{
    private readonly ExperienceStore _store;
    private readonly Bm25Index _bm25;
    private readonly DenseIndex _dense;
    private readonly IEmbedder _embedder;
    private readonly KnowledgeBaseOptions _options;
    private readonly ReaderWriterLockSlim _indexLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _ingestGate = new();
    private bool _disposed;

    private KnowledgeBase(ExperienceStore store, Bm25Index bm25, DenseIndex dense, IEmbedder embedder, KnowledgeBaseOptions options)
    {
        _store = store;
        _bm25 = bm25;
        _dense = dense;
        _embedder = embedder;
        _options = options;
    }

    /// <summary>The schema version new databases get and old ones are migrated to (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => ExperienceStore.SchemaVersion;

    /// <summary>The number of stored experiences.</summary>
    public long Count
    {
        get
        {
            _indexLock.EnterReadLock();
            try
            {
                return _dense.Count;
            }
            finally
            {
                _indexLock.ExitReadLock();
            }
        }
    }

    /// <summary>The options the knowledge base runs with.</summary>
    public KnowledgeBaseOptions Options => _options;

    /// <summary>Whether the dense retriever currently uses the approximate IVF index (more than <see cref="KnowledgeBaseOptions.ExactDenseLimit"/> experiences).</summary>
    public bool DenseIndexIsApproximate
    {
        get
        {
            _indexLock.EnterReadLock();
            try
            {
                return _dense.Ivf is not null;
            }
            finally
            {
                _indexLock.ExitReadLock();
            }
        }
    }

    /// <summary>Whether opening rebuilt the BM25 index from the database (it was missing, unreadable or inconsistent).</summary>
    public bool Bm25IndexRebuilt => _bm25.Rebuilt;

    /// <summary>
    /// Opens the knowledge base at <paramref name="databasePath"/>, creating it if absent: migrates the schema, loads the
    /// vectors, and catches the BM25 index up with the database (or rebuilds it).
    /// </summary>
    /// <param name="databasePath">The SQLite file; the BM25 index goes to <c>databasePath + ".bm25"</c>.</param>
    /// <param name="embedder">The embedder of ingested experiences and queries (the same model the database was built with).</param>
    /// <param name="options">Retrieval and gate options; <see cref="KnowledgeBaseOptions.Default"/> when null.</param>
    /// <returns>The open knowledge base.</returns>
    /// <exception cref="PlanningInputException">The file is not a usable database, its schema is newer, its vectors have
    /// another length than the embedder's or come from an embedder of another <see cref="IEmbedder.Name"/>, another
    /// process has it open, or an option is out of range.</exception>
    public static KnowledgeBase Open(string databasePath, IEmbedder embedder, KnowledgeBaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(embedder);
        KnowledgeBaseOptions validated = (options ?? KnowledgeBaseOptions.Default).Validate();
        string fullPath = Path.GetFullPath(databasePath);
        ExperienceStore store = ExperienceStore.Open(fullPath);
        Bm25Index? bm25 = null;
        try
        {
            int? stored = store.EmbeddingDimensions();
            if (stored is { } dimensions && dimensions != embedder.Dimensions)
            {
                throw new PlanningInputException("embedder", string.Create(CultureInfo.InvariantCulture,
                    $"the database holds vectors of {dimensions} components, the embedder makes {embedder.Dimensions}"));
            }

            // Vectors of another model (or of the same model cut at another length) would rank silently wrong.
            // Databases written before the name was recorded hold vectors of unknown origin: they are taken to be the
            // opening embedder's, as they were before, and the name is recorded from now on.
            string? storedEmbedder = store.EmbedderName();
            if (storedEmbedder is not null && storedEmbedder != embedder.Name)
            {
                throw new PlanningInputException("embedder",
                    $"the database holds vectors of '{storedEmbedder}', the embedder is '{embedder.Name}'");
            }

            if (storedEmbedder is null && stored is not null)
            {
                store.RecordEmbedderName(embedder.Name);
            }

            var dense = new DenseIndex(embedder.Dimensions, validated);
            const int Chunk = 8192;
            var ids = new List<long>(Chunk);
            var vectors = new List<float[]>(Chunk);
            foreach ((long id, float[] vector) in store.Embeddings(0))
            {
                ids.Add(id);
                vectors.Add(vector);
                if (ids.Count == Chunk)
                {
                    dense.Append(ids, vectors, assign: false);
                    ids.Clear();
                    vectors.Clear();
                }
            }

            dense.Append(ids, vectors, assign: false);
            dense.Train();

            bm25 = Bm25Index.Open(fullPath + ".bm25", store);
            return new KnowledgeBase(store, bm25, dense, embedder, validated);
        }
        catch
        {
            bm25?.Dispose();
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stores a batch: every experience is validated (<see cref="ExperienceJson"/>'s rules; the first error names
    /// <c>batch[i]</c> and the field, and nothing is stored), the batch is embedded, written in one SQLite transaction,
    /// then added to both indexes. Ids in the experiences are ignored.
    /// </summary>
    /// <param name="batch">The experiences.</param>
    /// <returns>Their new ids, in batch order.</returns>
    /// <exception cref="PlanningInputException">An experience breaks a rule.</exception>
    public IReadOnlyList<long> Ingest(IReadOnlyList<Experience> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch.Count == 0)
        {
            return [];
        }

        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i] is null)
            {
                throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"batch[{i}]"), "is null");
            }

            ExperienceJson.Validate(batch[i], string.Create(CultureInfo.InvariantCulture, $"batch[{i}]"));
        }

        IReadOnlyList<float[]> vectors = _embedder.EmbedAll([.. batch.Select(static experience => experience.RetrievalText)]);
        for (int i = 0; i < vectors.Count; i++)
        {
            if (vectors[i].Length != _dense.Dimensions)
            {
                throw new PlanningInputException("embedder", string.Create(CultureInfo.InvariantCulture,
                    $"returned {vectors[i].Length} components for batch[{i}], the knowledge base holds {_dense.Dimensions}"));
            }
        }

        lock (_ingestGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long[] ids = _store.Insert(batch, vectors, _embedder.Name);
            _indexLock.EnterWriteLock();
            try
            {
                _dense.Append(ids, vectors, assign: true);
                _bm25.Add([.. batch.Select((experience, i) => (ids[i], experience.RetrievalText))]);
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }

            if (_dense.TrainingDue)
            {
                // k-means takes seconds at 100,000 vectors: trained outside the write lock (searches go on with the
                // old lists, which hold the new rows too), installed under it.
                IvfIndex trained = _dense.TrainNew();
                _indexLock.EnterWriteLock();
                try
                {
                    _dense.Install(trained);
                }
                finally
                {
                    _indexLock.ExitWriteLock();
                }
            }

            return ids;
        }
    }

    /// <summary>
    /// The planning stage: experiences whose workflows could seed a plan for <paramref name="task"/> (query = the task),
    /// through the disagreement gate's rules (a) and (c).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="k">The number of results, 1 to <see cref="KnowledgeBaseOptions.MaxResults"/>.</param>
    /// <returns>Stage <c>plan</c>.</returns>
    /// <exception cref="PlanningInputException">The task is empty or too long, or k is out of range.</exception>
    public SearchResponse SearchPlan(string task, int k)
    {
        CheckQueryText("task", task, ExperienceLimits.MaxTaskChars);
        CheckK(k);
        return Search("plan", task, k, RetrievalMode.Fusion, gate: true, currentPlan: null);
    }

    /// <summary>
    /// The feedback stage: targeted fixes for a plan under way (query = the task, the plan's steps and the execution
    /// summary), through the disagreement gate's rules (a), (b) against <paramref name="plan"/>, and (c).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="plan">The agent's current plan, one step per entry (may be empty).</param>
    /// <param name="summary">What happened when it ran (may be empty).</param>
    /// <param name="k">The number of results, 1 to <see cref="KnowledgeBaseOptions.MaxResults"/>.</param>
    /// <returns>Stage <c>feedback</c>.</returns>
    /// <exception cref="PlanningInputException">A text is empty where required or too long, or k is out of range.</exception>
    public SearchResponse SearchFeedback(string task, IReadOnlyList<string> plan, string summary, int k)
    {
        CheckQueryText("task", task, ExperienceLimits.MaxTaskChars);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Count > ExperienceLimits.MaxSteps)
        {
            throw new PlanningInputException("plan", string.Create(CultureInfo.InvariantCulture, $"{plan.Count} steps, more than the limit of {ExperienceLimits.MaxSteps}"));
        }

        for (int i = 0; i < plan.Count; i++)
        {
            if (plan[i] is null || plan[i].Length > ExperienceLimits.MaxStepChars)
            {
                throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"plan[{i}]"),
                    plan[i] is null ? "is null" : string.Create(CultureInfo.InvariantCulture, $"{plan[i].Length} characters, more than the limit of {ExperienceLimits.MaxStepChars}"));
            }
        }

        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Length > ExperienceLimits.MaxExperienceChars)
        {
            throw new PlanningInputException("summary", string.Create(CultureInfo.InvariantCulture, $"{summary.Length} characters, more than the limit of {ExperienceLimits.MaxExperienceChars}"));
        }

        CheckK(k);
        return Search("feedback", FeedbackQuery(task, plan, summary), k, RetrievalMode.Fusion, gate: true, currentPlan: plan);
    }

    /// <summary>
    /// The text the feedback stage retrieves with: the task, the current plan's steps and the execution summary, one
    /// per line (empty ones left out). Both retrievers and the query's embedding see this one text.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="plan">The current plan's steps.</param>
    /// <param name="summary">The execution summary.</param>
    /// <returns>The query text.</returns>
    public static string FeedbackQuery(string task, IReadOnlyList<string> plan, string summary)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(summary);
        return string.Join('\n', new[] { task }.Concat(plan).Append(summary).Where(static line => !string.IsNullOrEmpty(line)));
    }

    /// <summary>
    /// Raw retrieval without the gate: fused, or one retriever alone (what the evaluation compares).
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="k">The number of results, 1 to <see cref="KnowledgeBaseOptions.MaxResults"/>.</param>
    /// <param name="mode">Which retrievers.</param>
    /// <returns>Stage <c>hybrid</c>.</returns>
    /// <exception cref="PlanningInputException">The query is empty or too long, or k is out of range.</exception>
    public SearchResponse SearchHybrid(string query, int k, RetrievalMode mode = RetrievalMode.Fusion)
    {
        CheckQueryText("query", query, ExperienceLimits.MaxExperienceChars);
        CheckK(k);
        if (!Enum.IsDefined(mode))
        {
            throw new PlanningInputException("mode", string.Create(CultureInfo.InvariantCulture, $"{(int)mode} is not a retrieval mode"));
        }

        return Search("hybrid", query, k, mode, gate: false, currentPlan: null);
    }

    /// <summary>The stored experience with id <paramref name="id"/>, or null.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The experience or null.</returns>
    public Experience? Get(long id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _store.Get([id]).GetValueOrDefault(id);
    }

    /// <summary>Closes the database and the BM25 index.</summary>
    public void Dispose()
    {
        lock (_ingestGate)
        {
            if (_disposed)
            {
                return;
            }

            _indexLock.EnterWriteLock();
            try
            {
                _disposed = true;
                _bm25.Dispose();
                _store.Dispose();
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
        }

        _indexLock.Dispose();
    }

    private SearchResponse Search(string stage, string query, int k, RetrievalMode mode, bool gate, IReadOnlyList<string>? currentPlan)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        float[]? queryVector = mode == RetrievalMode.Bm25 ? null : _embedder.Embed(query);
        List<Candidate> bm25 = [];
        List<Candidate> dense = [];
        _indexLock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (mode != RetrievalMode.Dense)
            {
                bm25 = _bm25.Search(query, _options.CandidateDepth);
            }

            if (queryVector is not null)
            {
                dense = _dense.Search(queryVector, _options.CandidateDepth);
            }
        }
        finally
        {
            _indexLock.ExitReadLock();
        }

        List<FusedItem> ranked = mode switch
        {
            RetrievalMode.Bm25 => Fusion.Single(bm25, Retrievers.Bm25),
            RetrievalMode.Dense => Fusion.Single(dense, Retrievers.Dense),
            _ => Fusion.Fuse(bm25, dense, _options),
        };

        bool applyGate = gate && _options.GateEnabled;
        int window = Math.Min(ranked.Count, applyGate ? k * _options.GateWindowFactor : k);
        List<FusedItem> considered = ranked.GetRange(0, window);
        Dictionary<long, Experience> experiences = _store.Get([.. considered.Select(static item => item.Id)]);
        List<GateItem> items = [.. considered.Where(item => experiences.ContainsKey(item.Id)).Select(item => new GateItem(item, experiences[item.Id]))];
        if (!applyGate)
        {
            return new SearchResponse(stage, [.. items.Take(k).Select(item => ToResult(item, item.Fused.Score, withheld: false, reason: null))]);
        }

        List<GateVerdict> verdicts = DisagreementGate.Apply(items, currentPlan, _options);
        var shown = verdicts.Where(static verdict => !verdict.Withheld).ToList();
        shown.Sort(static (a, b) => TopCandidates.Compare(new Candidate(a.Item.Fused.Id, a.Score), new Candidate(b.Item.Fused.Id, b.Score)));
        IEnumerable<GateVerdict> results = shown.Take(k).Concat(verdicts.Where(static verdict => verdict.Withheld));
        return new SearchResponse(stage, [.. results.Select(verdict => ToResult(verdict.Item, verdict.Score, verdict.Withheld, verdict.Reason))]);
    }

    private static SearchResult ToResult(GateItem item, double score, bool withheld, string? reason) => new(
        item.Experience.Id, item.Experience.Task, score, item.Fused.FoundBy, item.Fused.Bm25Rank, item.Fused.DenseRank, withheld, reason, item.Experience);

    private void CheckK(int k)
    {
        if (k < 1 || k > _options.MaxResults)
        {
            throw new PlanningInputException("k", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {_options.MaxResults}, got {k}"));
        }
    }

    private static void CheckQueryText(string field, string? text, int maxChars)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new PlanningInputException(field, "is empty");
        }

        if (text.Length > maxChars)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"{text.Length} characters, more than the limit of {maxChars}"));
        }
    }
}
