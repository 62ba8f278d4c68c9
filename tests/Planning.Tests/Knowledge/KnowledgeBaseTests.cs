using Microsoft.Data.Sqlite;

using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class KnowledgeBaseTests
{
    private const string Query = "kubernetes pod restart";

    /// <summary>
    /// A corpus where BM25 and dense disagree. BM25 (query terms kubernetes, pod, restart): A holds all three, B only
    /// "restart", C and D none, so BM25 returns A (1), B (2). Dense (query e1; each item's cosine is its first
    /// component): D 0.9 (1), C 0.5 (2), B 0.3 (3), A 0.1 (4).
    /// </summary>
    private static (TestEmbedder Embedder, Experience[] Corpus) DisagreeingCorpus()
    {
        Experience a = KnowledgeTestData.Make("Restart a Kubernetes pod after a crash", ["check the pod logs"]);
        Experience b = KnowledgeTestData.Make("Restart the web server", ["ssh into the host"]);
        Experience c = KnowledgeTestData.Make("Compile a LaTeX document", ["run pdflatex twice"]);
        Experience d = KnowledgeTestData.Make("Bake sourdough bread", ["feed the starter"]);
        var embedder = new TestEmbedder(4)
            .Set(Query, 1, 0, 0, 0)
            .Set(a.RetrievalText, 0.1f, MathF.Sqrt(1 - 0.01f), 0, 0)
            .Set(b.RetrievalText, 0.3f, MathF.Sqrt(1 - 0.09f), 0, 0)
            .Set(c.RetrievalText, 0.5f, MathF.Sqrt(1 - 0.25f), 0, 0)
            .Set(d.RetrievalText, 0.9f, MathF.Sqrt(1 - 0.81f), 0, 0);
        return (embedder, [a, b, c, d]);
    }

    [Fact]
    public void SearchHybrid_ReciprocalRankFusion_OrderAndScoresByHand()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        (TestEmbedder embedder, Experience[] corpus) = DisagreeingCorpus();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder, KnowledgeBaseOptions.Default with { Fusion = FusionRule.ReciprocalRank });
        Assert.Equal([1L, 2L, 3L, 4L], kb.Ingest(corpus));

        SearchResponse fused = kb.SearchHybrid(Query, 4);
        // A: 1/61 + 1/64; B: 1/62 + 1/63; D: 1/61; C: 1/62.
        Assert.Equal("hybrid", fused.Stage);
        Assert.Equal([1L, 2L, 4L, 3L], fused.Results.Select(static r => r.Id));
        Assert.Equal([(1.0 / 61) + (1.0 / 64), (1.0 / 62) + (1.0 / 63), 1.0 / 61, 1.0 / 62], fused.Results.Select(static r => r.Score));
        Assert.Equal([Retrievers.Bm25 | Retrievers.Dense, Retrievers.Bm25 | Retrievers.Dense, Retrievers.Dense, Retrievers.Dense], fused.Results.Select(static r => r.FoundBy));
        Assert.Equal([1, 2, null, null], fused.Results.Select(static r => r.Bm25Rank));
        Assert.Equal([4, 3, 1, 2], fused.Results.Select(static r => r.DenseRank));
        Assert.All(fused.Results, static r => Assert.False(r.Withheld));
        Assert.Equal(corpus[3].Task, fused.Results[2].Task);
        Assert.Equal(corpus[3] with { Id = 4, Plan = fused.Results[2].Experience.Plan, Links = fused.Results[2].Experience.Links }, fused.Results[2].Experience);

        Assert.Equal([1L, 2L], kb.SearchHybrid(Query, 4, RetrievalMode.Bm25).Results.Select(static r => r.Id));
        SearchResponse dense = kb.SearchHybrid(Query, 4, RetrievalMode.Dense);
        Assert.Equal([4L, 3L, 2L, 1L], dense.Results.Select(static r => r.Id));
        Assert.Equal([0.9, 0.5, 0.3, 0.1], dense.Results.Select(static r => Math.Round(r.Score, 6)));
        Assert.Equal([1L, 2L], kb.SearchHybrid(Query, 2).Results.Select(static r => r.Id));
    }

    [Fact]
    public void SearchHybrid_WeightedSum_OrderAndScoresByHand()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        (TestEmbedder embedder, Experience[] corpus) = DisagreeingCorpus();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder, KnowledgeBaseOptions.Default with { Fusion = FusionRule.WeightedSum, Bm25Weight = 0.5 });
        kb.Ingest(corpus);

        // BM25 min-max over {A, B}: A 1, B 0. Dense over {0.9, 0.5, 0.3, 0.1}: D 1, C 0.5, B 0.25, A 0.
        // 0.5 x BM25 + 0.5 x dense: A 0.5, D 0.5 (A first: lower id), C 0.25, B 0.125.
        SearchResponse fused = kb.SearchHybrid(Query, 4);
        Assert.Equal([1L, 4L, 3L, 2L], fused.Results.Select(static r => r.Id));
        Assert.Equal([0.5, 0.5, 0.25, 0.125], fused.Results.Select(static r => Math.Round(r.Score, 6)));
    }

    [Fact]
    public void Ingest_OneInvalidRecord_NothingIngested()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        var embedder = new TestEmbedder();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder);
        kb.Ingest([KnowledgeTestData.Make("first", ["a"])]);
        Experience[] batch = [KnowledgeTestData.Make("good one", ["a"]), KnowledgeTestData.Make("bad", ["a", "b\u0001"]), KnowledgeTestData.Make("good two", ["a"])];
        int callsBefore = embedder.Calls;
        PlanningInputException error = Assert.Throws<PlanningInputException>(() => kb.Ingest(batch));
        Assert.Equal("batch[1]: plan[1]", error.Field);
        Assert.Equal(1, kb.Count);
        Assert.Equal(callsBefore, embedder.Calls);
        Assert.Null(kb.Get(2));
        Assert.Equal([1L], kb.SearchHybrid("good", 10, RetrievalMode.Dense).Results.Select(static r => r.Id));
    }

    [Fact]
    public void Open_Bm25IndexDeleted_RebuiltWithSameResults()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        (TestEmbedder embedder, Experience[] corpus) = DisagreeingCorpus();
        SearchResponse before;
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder))
        {
            kb.Ingest(corpus[..2]);
            kb.Ingest(corpus[2..]);
            before = kb.SearchHybrid(Query, 4);
        }

        Directory.Delete(directory.Database + ".bm25", recursive: true);
        using (KnowledgeBase reopened = KnowledgeBase.Open(directory.Database, embedder))
        {
            Assert.True(reopened.Bm25IndexRebuilt);
            Assert.Equal(4, reopened.Count);
            Assert.Equal(before.Results, reopened.SearchHybrid(Query, 4).Results, ResultComparer.Instance);
        }

        // The next open finds the rebuilt index whole: no rebuild.
        using KnowledgeBase third = KnowledgeBase.Open(directory.Database, embedder);
        Assert.False(third.Bm25IndexRebuilt);
        Assert.Equal(before.Results, third.SearchHybrid(Query, 4).Results, ResultComparer.Instance);
    }

    [Fact]
    public void Open_RowsCommittedAfterTheIndex_CaughtUp()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        (TestEmbedder embedder, Experience[] corpus) = DisagreeingCorpus();
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder))
        {
            kb.Ingest(corpus[2..]);
        }

        // A crash between the SQLite commit and the Lucene commit: the rows are in the database only.
        using (ExperienceStore store = ExperienceStore.Open(directory.Database))
        {
            store.Insert(corpus[..2], [.. corpus[..2].Select(e => embedder.Embed(e.RetrievalText))], embedder.Name);
        }

        using KnowledgeBase reopened = KnowledgeBase.Open(directory.Database, embedder);
        Assert.False(reopened.Bm25IndexRebuilt);
        Assert.Equal(4, reopened.Count);
        Assert.Equal([3L, 4L], reopened.SearchHybrid(Query, 4, RetrievalMode.Bm25).Results.Select(static r => r.Id));
    }

    [Fact]
    public void Open_CorruptBm25Index_Rebuilt()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        (TestEmbedder embedder, Experience[] corpus) = DisagreeingCorpus();
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder))
        {
            kb.Ingest(corpus);
        }

        foreach (string file in Directory.GetFiles(directory.Database + ".bm25"))
        {
            if (!file.EndsWith("write.lock", StringComparison.Ordinal))
            {
                File.WriteAllBytes(file, [1, 2, 3]);
            }
        }

        using KnowledgeBase reopened = KnowledgeBase.Open(directory.Database, embedder);
        Assert.True(reopened.Bm25IndexRebuilt);
        Assert.Equal([1L, 2L], reopened.SearchHybrid(Query, 4, RetrievalMode.Bm25).Results.Select(static r => r.Id));
    }

    [Fact]
    public void Open_EmbedderOfAnotherLength_Rejected()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(8)))
        {
            kb.Ingest([KnowledgeTestData.Make("t", ["s"])]);
        }

        PlanningInputException error = Assert.Throws<PlanningInputException>(() => KnowledgeBase.Open(directory.Database, new TestEmbedder(4)));
        Assert.Equal("embedder", error.Field);
        Assert.Equal("the database holds vectors of 8 components, the embedder makes 4", error.Problem);
    }

    [Fact]
    public void Open_EmbedderOfAnotherName_Rejected()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model a")))
        {
            kb.Ingest([KnowledgeTestData.Make("t", ["s"])]);
        }

        PlanningInputException error = Assert.Throws<PlanningInputException>(() => KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model b")));
        Assert.Equal("embedder", error.Field);
        Assert.Equal("the database holds vectors of 'model a', the embedder is 'model b'", error.Problem);
        using KnowledgeBase same = KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model a"));
        Assert.Equal(1, same.Count);
    }

    [Fact]
    public void Open_EmptyDatabase_AnyEmbedderUntilTheFirstIngest()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model a")))
        {
        }

        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model b")))
        {
            kb.Ingest([KnowledgeTestData.Make("t", ["s"])]);
        }

        Assert.Throws<PlanningInputException>(() => KnowledgeBase.Open(directory.Database, new TestEmbedder(8, "model a")));
    }

    [Fact]
    public void Open_VersionOneDatabase_MigratedAndSearchable()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (var connection = new SqliteConnection($"Data Source={directory.Database};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = ExperienceStore.Migrations[0] + """
                PRAGMA user_version = 1;
                INSERT INTO experiences (task, domain, difficulty, plan, experience, suggestions, outcome, outcome_reason, source, links, embedding)
                VALUES ('rotate the TLS certificate', 'ops', NULL, '["renew","reload nginx"]', 'x', NULL, 'success', NULL, NULL, '[]', $embedding);
                """;
            command.Parameters.AddWithValue("$embedding", new byte[16 * 4]);
            command.ExecuteNonQuery();
        }

        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(16));
        Assert.True(kb.Bm25IndexRebuilt);
        Assert.Equal(1, kb.Count);
        Assert.Equal([1L], kb.SearchHybrid("TLS certificate", 5, RetrievalMode.Bm25).Results.Select(static r => r.Id));
        Assert.Equal(2, KnowledgeBase.SchemaVersion);

        // Written before the embedder's name was recorded: the opening embedder's name is recorded, and holds from now on.
        kb.Dispose();
        Assert.Throws<PlanningInputException>(() => KnowledgeBase.Open(directory.Database, new TestEmbedder(16, "another model")));
    }

    [Fact]
    public void Open_AboveExactLimit_IvfTrainedOnceOverEveryVector()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        var embedder = new TestEmbedder(16);
        KnowledgeBaseOptions options = KnowledgeBaseOptions.Default with { ExactDenseLimit = 50 };
        Experience[] corpus = [.. Enumerable.Range(0, 120).Select(i => KnowledgeTestData.Make($"task {i} of topic {i % 7}", [$"step {i % 5}"]))];
        using (KnowledgeBase kb = KnowledgeBase.Open(directory.Database, embedder, options))
        {
            kb.Ingest(corpus[..40]);
            Assert.False(kb.DenseIndexIsApproximate);
            kb.Ingest(corpus[40..]);
            Assert.True(kb.DenseIndexIsApproximate);
        }

        using (KnowledgeBase reopened = KnowledgeBase.Open(directory.Database, embedder, options))
        {
            Assert.True(reopened.DenseIndexIsApproximate);
            Assert.Equal(120, reopened.Count);
            Assert.Equal(10, reopened.SearchHybrid("task 3 of topic 3", 10, RetrievalMode.Dense).Results.Count);
            Assert.Equal("db", Assert.Throws<PlanningInputException>(() => KnowledgeBase.Open(directory.Database, embedder)).Field);
        }

        using KnowledgeBase exact = KnowledgeBase.Open(directory.Database, embedder);
        Assert.False(exact.DenseIndexIsApproximate);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void SearchPlan_KOutOfRange_Rejected(int k)
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder());
        PlanningInputException error = Assert.Throws<PlanningInputException>(() => kb.SearchPlan("task", k));
        Assert.Equal("k", error.Field);
        Assert.Equal($"must be 1 to 100, got {k}", error.Problem);
        Assert.Equal("task", Assert.Throws<PlanningInputException>(() => kb.SearchPlan(" ", 5)).Field);
    }

    [Fact]
    public void SearchPlan_EmptyBase_NoResults()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder());
        Assert.Empty(kb.SearchPlan("anything", 5).Results);
        Assert.Equal(0, kb.Count);
    }

    [Fact]
    public void SearchPlan_ContradictingPair_LowerOneWithheldAfterTheOthers()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(32));
        string[] plan = ["build the docker image", "push the image to the registry", "apply the kubernetes manifest"];
        kb.Ingest([
            KnowledgeTestData.Make("Deploy the model server to the staging cluster", plan),
            KnowledgeTestData.Make("Deploy the model server to the staging cluster", plan, ExperienceOutcome.Failure),
        ]);

        SearchResponse response = kb.SearchPlan("Deploy the model server to the staging cluster", 5);
        Assert.Equal("plan", response.Stage);
        Assert.Equal([1L, 2L], response.Results.Select(static r => r.Id));
        Assert.Equal([false, true], response.Results.Select(static r => r.Withheld));
        Assert.Null(response.Results[0].Reason);
        Assert.Equal(
            "contradicts experience 1 ranked above it: failure where it records success on a near-identical task (task similarity 1.00 >= 0.90) with the same approach (step-set similarity 1.00 >= 0.80)",
            response.Results[1].Reason);
    }

    [Fact]
    public void FeedbackQuery_EmptyLines_LeftOutAndOrderKept()
    {
        Assert.Equal("Fix the test\nread the trace\nfix it\nstill red", KnowledgeBase.FeedbackQuery("Fix the test", ["read the trace", "", "fix it"], "still red"));
        Assert.Equal("Fix the test", KnowledgeBase.FeedbackQuery("Fix the test", [], ""));
    }

    [Fact]
    public void SearchFeedback_SameAsHybridSearchOfItsQueryBeforeTheGate()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(32), KnowledgeBaseOptions.Default with { GateEnabled = false });
        kb.Ingest([
            KnowledgeTestData.Make("Fix the failing unit test", ["read the stack trace", "fix the assertion"]),
            KnowledgeTestData.Make("Deploy the web service", ["build the image", "roll out"]),
            KnowledgeTestData.Make("Fix the flaky integration test", ["rerun the job", "pin the seed"]),
        ]);

        string[] plan = ["read the stack trace"];
        SearchResponse feedback = kb.SearchFeedback("Fix the failing test", plan, "the assertion still fails", 3);
        SearchResponse hybrid = kb.SearchHybrid(KnowledgeBase.FeedbackQuery("Fix the failing test", plan, "the assertion still fails"), 3);
        Assert.Equal(hybrid.Results.Select(static r => (r.Id, r.Score)), feedback.Results.Select(static r => (r.Id, r.Score)));
    }

    [Fact]
    public void SearchFeedback_PlanOffTrack_DownWeightedWithReason()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(32), KnowledgeBaseOptions.Default with { ConsensusMinimumItems = 10 });
        kb.Ingest([
            KnowledgeTestData.Make("Fix the failing unit test", ["read the stack trace", "fix the assertion"]),
            KnowledgeTestData.Make("Fix the failing unit test in CI", ["order pizza", "water the plants"]),
        ]);

        SearchResponse response = kb.SearchFeedback("Fix the failing unit test", ["read the stack trace", "fix the assertion"], "the assertion still fails", 5);
        Assert.Equal("feedback", response.Stage);
        SearchResult offTrack = response.Results.Single(static r => r.Id == 2);
        Assert.False(offTrack.Withheld);
        Assert.Equal("disagrees with the current plan: step-set similarity 0.00 < 0.20 (score x 0.5)", offTrack.Reason);
        Assert.Null(response.Results.Single(static r => r.Id == 1).Reason);
    }

    [Fact]
    public async Task Ingest_ConcurrentSearches_EverySearchSeesWholeBatches()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(16));
        const int Batches = 30;
        const int BatchSize = 10;
        using var stop = new CancellationTokenSource();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Task[] searchers = [.. Enumerable.Range(0, 3).Select(t => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                SearchResponse response = kb.SearchHybrid("task number step", 100, RetrievalMode.Dense);
                int seen = response.Results.Count;
                // A batch becomes visible whole: the dense retriever (depth 100) sees a multiple of the batch size.
                if (seen < 100 && seen % BatchSize != 0)
                {
                    errors.Add($"searcher {t} saw {seen} results");
                }
            }
        }))];

        for (int b = 0; b < Batches; b++)
        {
            kb.Ingest([.. Enumerable.Range(0, BatchSize).Select(i => KnowledgeTestData.Make($"task number {(b * BatchSize) + i}", [$"step {i}"]))]);
        }

        stop.Cancel();
        await Task.WhenAll(searchers);
        Assert.Empty(errors);
        Assert.Equal(Batches * BatchSize, kb.Count);
    }

    [Fact]
    public async Task Ingest_IvfRetrainedWhileSearching_SearchesKeepAnswering()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, new TestEmbedder(16), KnowledgeBaseOptions.Default with { ExactDenseLimit = 40 });
        using var stop = new CancellationTokenSource();
        int searches = 0;
        Task searcher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                SearchResponse response = kb.SearchHybrid("task number step", 10, RetrievalMode.Dense);
                Assert.True(response.Results.Count <= 10);
                Assert.All(response.Results, static r => Assert.Equal($"task number {r.Id - 1}", r.Task));
                Interlocked.Increment(ref searches);
            }
        });

        for (int b = 0; b < 40; b++)
        {
            kb.Ingest([.. Enumerable.Range(0, 10).Select(i => KnowledgeTestData.Make($"task number {(b * 10) + i}", [$"step {i}"]))]);
        }

        int before = Volatile.Read(ref searches);
        SpinWait.SpinUntil(() => Volatile.Read(ref searches) > before + 1, TimeSpan.FromSeconds(30));
        stop.Cancel();
        await searcher;
        Assert.True(kb.DenseIndexIsApproximate);
        Assert.Equal(400, kb.Count);
        Assert.True(searches > 0);
    }

    /// <summary>Results equal field by field (the experience's lists by content).</summary>
    private sealed class ResultComparer : IEqualityComparer<SearchResult>
    {
        public static ResultComparer Instance { get; } = new();

        public bool Equals(SearchResult? x, SearchResult? y) =>
            x is not null && y is not null && x with { Experience = y.Experience } == y
            && x.Experience.Plan.SequenceEqual(y.Experience.Plan) && x.Experience.Task == y.Experience.Task;

        public int GetHashCode(SearchResult obj) => obj.Id.GetHashCode();
    }
}
