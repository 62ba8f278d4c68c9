using Microsoft.Data.Sqlite;

using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class ExperienceStoreTests
{
    private const string Injection = "'; DROP TABLE experiences; --";

    [Fact]
    public void Insert_EveryField_RoundTripsVerbatim()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        var experience = new Experience(
            0,
            "Zürich → 東京: book the 🚄 " + Injection,
            "travel" + Injection,
            "hard \"quoted\"",
            ["step with 'quotes' and \"doubles\"", Injection, "Robert'); DROP TABLE students;--", "ünïcödé 🚀\ttab\nnewline"],
            "experience " + Injection,
            "suggestion % _ \\ LIKE wildcards",
            ExperienceOutcome.Failure,
            "reason \0 is not here but ' is",
            "source" + Injection,
            ["https://example.com/?q=1&r='2'", Injection]);
        float[] vector = [0.5f, -0.25f, 1e-7f, float.Epsilon];
        using (ExperienceStore store = ExperienceStore.Open(directory.Database))
        {
            long[] ids = store.Insert([experience], [vector], "model a");
            Assert.Equal([1L], ids);
        }

        using (ExperienceStore reopened = ExperienceStore.Open(directory.Database))
        {
            Experience back = reopened.Get([1L])[1];
            Assert.Equal(experience with { Id = 1, Plan = back.Plan, Links = back.Links }, back);
            Assert.Equal(experience.Plan, back.Plan);
            Assert.Equal(experience.Links, back.Links);
            Assert.Equal(vector, reopened.Embeddings(0).Single().Vector);
            Assert.Equal(1, reopened.Count());
            Assert.Equal(4, reopened.EmbeddingDimensions());
            Assert.Equal("model a", reopened.EmbedderName());
        }
    }

    [Fact]
    public void Insert_FailureMidBatch_NothingStored()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using ExperienceStore store = ExperienceStore.Open(directory.Database);
        store.Insert([KnowledgeTestData.Make("first", ["a"])], [[1f, 0f]], "model a");
        Experience good = KnowledgeTestData.Make("good", ["a"]);
        Experience broken = good with { Outcome = (ExperienceOutcome)7 };   // fails while the transaction is open
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Insert([good, good, broken], [[1f, 0f], [1f, 0f], [1f, 0f]], "model a"));
        Assert.Equal(1, store.Count());
        Assert.Equal([1L], store.Embeddings(0).Select(static row => row.Id));
        Assert.Equal([2L], store.Insert([good], [[0f, 1f]], "model a"));
    }

    [Fact]
    public void Open_NewFile_WalAndLatestSchema()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (ExperienceStore.Open(directory.Database))
        {
        }

        using var connection = new SqliteConnection($"Data Source={directory.Database}");
        connection.Open();
        using SqliteCommand mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", mode.ExecuteScalar());
        Assert.Equal(2, ExperienceStore.UserVersion(connection));
        Assert.Equal(ExperienceStore.Migrations.Length, ExperienceStore.SchemaVersion);
    }

    [Fact]
    public void Open_VersionOneDatabase_MigratedWithRowsKept()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (var connection = new SqliteConnection($"Data Source={directory.Database};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = ExperienceStore.Migrations[0] + """
                PRAGMA user_version = 1;
                INSERT INTO experiences (task, domain, difficulty, plan, experience, suggestions, outcome, outcome_reason, source, links, embedding)
                VALUES ('old task', 'ops', NULL, '["s1","s2"]', 'old experience', NULL, 'failure', NULL, NULL, '[]', $embedding);
                """;
            command.Parameters.AddWithValue("$embedding", new byte[12]);
            command.ExecuteNonQuery();
        }

        using ExperienceStore store = ExperienceStore.Open(directory.Database);
        Assert.Equal(3, store.EmbeddingDimensions());
        Experience old = store.Get([1L])[1];
        Assert.Equal(("old task", ExperienceOutcome.Failure), (old.Task, old.Outcome));
        Assert.Equal(["s1", "s2"], old.Plan);
        using var check = new SqliteConnection($"Data Source={directory.Database}");
        check.Open();
        Assert.Equal(2, ExperienceStore.UserVersion(check));
        using SqliteCommand index = check.CreateCommand();
        index.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'experiences_domain';";
        Assert.Equal(1L, index.ExecuteScalar());
    }

    [Fact]
    public void Open_NewerSchema_RejectedNamingVersions()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using (var connection = new SqliteConnection($"Data Source={directory.Database};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 9;";
            command.ExecuteNonQuery();
        }

        PlanningInputException error = Assert.Throws<PlanningInputException>(() => ExperienceStore.Open(directory.Database));
        Assert.Equal("db", error.Field);
        Assert.EndsWith("has schema version 9, newer than this library's 2", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NotADatabase_Rejected()
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        File.WriteAllText(directory.Database, new string('x', 4096));
        PlanningInputException error = Assert.Throws<PlanningInputException>(() => ExperienceStore.Open(directory.Database));
        Assert.Equal("db", error.Field);
        Assert.Contains("is not a usable SQLite database", error.Problem, StringComparison.Ordinal);
    }
}
