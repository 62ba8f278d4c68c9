using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Planning.Embeddings;
using Planning.Knowledge;

namespace Planning.Cli.Tests;

/// <summary>
/// Issue 19's crash target: <c>plan kb ingest</c> killed (SIGKILL, <see cref="Process.Kill(bool)"/>) while it works
/// through a file of several batches loses at most the batch in flight, and the database opens cleanly afterwards. The
/// tool runs as a child process (the built <c>plan.dll</c>); the test watches the committed count through a read-only
/// SQLite connection and kills the process once the chosen number of batches has committed, after a chosen delay (so
/// the kill lands at different points: embedding the next batch, inside its transaction, between the SQLite commit and
/// the BM25 index's commit).
/// </summary>
public sealed class KbIngestCrashTests
{
    private const int BatchSize = 16;
    private const int Batches = 40;

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 40)]
    [InlineData(3, 250)]
    public async Task Ingest_KilledAfterBatchesCommitted_WholeBatchesKeptEveryRecordIntactAndSearchable(int committedBatches, int delayMilliseconds)
    {
        using var dir = new PlanRunner.TempDir();
        var input = dir.File("experiences.jsonl");
        var db = dir.File("kb.db");
        var lines = Enumerable.Range(0, BatchSize * Batches).Select(Line).ToArray();
        File.WriteAllLines(input, lines, new UTF8Encoding(false));

        long seen;
        using (var ingest = PlanProcess.Start(null, "kb", "ingest", "--db", db, "--input", input, "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture)))
        {
            var errors = ingest.StandardError.ReadToEndAsync();
            var output = ingest.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            seen = 0;
            while (!ingest.HasExited && (seen = CommittedCount(db)) < committedBatches * BatchSize && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(5);
            }

            await Task.Delay(delayMilliseconds);
            var exitedEarly = ingest.HasExited;
            ingest.Kill(entireProcessTree: true);
            await ingest.WaitForExitAsync();
            Assert.False(exitedEarly, $"the ingest finished (exit {ingest.ExitCode}) before it could be killed; seen {seen}: {await errors}{await output}");
        }

        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", check.ExecuteScalar());
        }

        using var embedder = new MiniLmEmbedder();
        using var reopened = KnowledgeBase.Open(db, embedder);
        var count = reopened.Count;

        // Committed batches survive; the batch in flight is all or nothing; the process did not get to the end.
        Assert.True(count >= seen && count >= committedBatches * BatchSize, $"count {count}, seen committed {seen}");
        Assert.Equal(0, count % BatchSize);
        Assert.True(count < lines.Length, $"count {count}: every batch committed before the kill");

        // Every stored record is its input line (ids follow the file's order), and nothing else is stored.
        for (var id = 1L; id <= count; id++)
        {
            var stored = reopened.Get(id);
            Assert.NotNull(stored);
            using var document = JsonDocument.Parse(lines[id - 1]);
            var expected = ExperienceJson.Parse(document.RootElement, "line") with { Id = id };
            Assert.Equal(Json(expected), Json(stored));
        }

        Assert.Null(reopened.Get(count + 1));

        // The BM25 index caught up with SQLite: the last committed experience is found by its words alone.
        var last = reopened.SearchHybrid($"crashtoken{count - 1}", 1, RetrievalMode.Bm25);
        Assert.Equal(count, Assert.Single(last.Results).Id);
    }

    /// <summary>Experience <paramref name="i"/> as a JSONL line: every field set, a word unique to it, text that needs escaping.</summary>
    private static string Line(int i) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["task"] = $"crashtoken{i}: migrate shard {i} of the \"orders\" table to the new cluster",
        ["domain"] = i % 2 == 0 ? "databases" : "ops",
        ["difficulty"] = i % 3 == 0 ? "hard" : null,
        ["plan"] = new[] { $"snapshot shard {i}", "copy rows in chunks", "verify checksums", "switch reads — then writes" },
        ["experience"] = $"shard {i}: the copy stalled once on a long transaction; résumé after a retry",
        ["suggestions"] = i % 4 == 0 ? null : "throttle the copy to 50 MB/s",
        ["outcome"] = i % 5 == 0 ? "failure" : "success",
        ["outcomeReason"] = i % 5 == 0 ? "checksum mismatch on the last chunk" : null,
        ["source"] = "crash-test",
        ["links"] = new[] { $"https://example.invalid/runbooks/{i}" },
    });

    private static string Json(Experience experience)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            ExperienceJson.Write(writer, experience);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The number of committed experiences, read through a read-only connection (0 while the table does not exist yet).</summary>
    private static long CommittedCount(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM experiences;";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
