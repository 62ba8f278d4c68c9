using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

using Microsoft.Data.Sqlite;

namespace Planning.Knowledge;

/// <summary>
/// The store of record: one SQLite database (Microsoft.Data.Sqlite) in write-ahead-log mode, table <c>experiences</c>
/// with every field (plan and links as JSON arrays, the embedding as little-endian float32), the schema version in
/// <c>PRAGMA user_version</c> and brought up to date at open by <see cref="Migrations"/>, one transaction per migration
/// and per ingested batch, every statement parameterised. Ids come from <c>AUTOINCREMENT</c>, so they only grow and are
/// never reused: the BM25 index can record "everything up to id N".
/// </summary>
internal sealed class ExperienceStore : IDisposable
{
    /// <summary>The schema's migrations, in order; migration i brings <c>user_version</c> from i to i + 1.</summary>
    internal static readonly string[] Migrations =
    [
        // 1: the experiences.
        """
        CREATE TABLE experiences (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task TEXT NOT NULL,
            domain TEXT NOT NULL,
            difficulty TEXT,
            plan TEXT NOT NULL,
            experience TEXT NOT NULL,
            suggestions TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
            outcome_reason TEXT,
            source TEXT,
            links TEXT NOT NULL,
            embedding BLOB NOT NULL
        );
        """,

        // 2: facts about the whole store (the embedding length, so that a database is never searched with vectors of
        // another model's length), filled from the rows already there; an index for queries by domain.
        """
        CREATE TABLE knowledge_base (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO knowledge_base (key, value)
            SELECT 'embedding_dimensions', CAST(length(embedding) / 4 AS TEXT) FROM experiences ORDER BY id LIMIT 1;
        CREATE INDEX experiences_domain ON experiences (domain);
        """,
    ];

    private const string Columns = "id, task, domain, difficulty, plan, experience, suggestions, outcome, outcome_reason, source, links";

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;

    private ExperienceStore(string connectionString, SqliteConnection writer)
    {
        _connectionString = connectionString;
        _writer = writer;
    }

    /// <summary>The schema version this code writes (the number of migrations).</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Opens (creating if absent) the database, switches it to WAL and applies the missing migrations.</summary>
    /// <exception cref="PlanningInputException">The file is not a database, or its schema is newer than this code.</exception>
    public static ExperienceStore Open(string path)
    {
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            Execute(writer, "PRAGMA journal_mode = WAL;");
            Execute(writer, "PRAGMA synchronous = FULL;");
            Migrate(writer, path);
            return new ExperienceStore(connectionString, writer);
        }
        catch (SqliteException ex)
        {
            writer.Dispose();
            SqliteConnection.ClearAllPools();
            throw new PlanningInputException("db", $"'{path}' is not a usable SQLite database: {ex.Message}");
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>The schema version of an open connection's database.</summary>
    internal static int UserVersion(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The stored embedding length, or null before the first vector.</summary>
    public int? EmbeddingDimensions()
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT value FROM knowledge_base WHERE key = 'embedding_dimensions';";
        return command.ExecuteScalar() is string text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The <see cref="Embeddings.IEmbedder.Name"/> of the embedder that made the stored vectors, or null before the first
    /// vector (and in databases written before the name was recorded).
    /// </summary>
    public string? EmbedderName()
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT value FROM knowledge_base WHERE key = 'embedder';";
        return command.ExecuteScalar() as string;
    }

    /// <summary>Records the embedder's name unless one is recorded.</summary>
    public void RecordEmbedderName(string name) => RecordIfAbsent("embedder", name, transaction: null);

    /// <summary>Sets a <c>knowledge_base</c> key unless it is set (inside <paramref name="transaction"/> when one is open).</summary>
    private void RecordIfAbsent(string key, string value, SqliteTransaction? transaction)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR IGNORE INTO knowledge_base (key, value) VALUES ($key, $value);";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    /// <summary>The number of rows.</summary>
    public long Count()
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT count(*) FROM experiences;";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The number of rows with an id up to <paramref name="id"/>.</summary>
    public long CountUpTo(long id)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT count(*) FROM experiences WHERE id <= $id;";
        command.Parameters.AddWithValue("$id", id);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The largest id, 0 for an empty store.</summary>
    public long MaxId()
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM experiences;";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Inserts a batch in one transaction (all rows or none) and records the embedding length and the embedder's name
    /// with the first batch.
    /// </summary>
    /// <returns>The new ids, in batch order.</returns>
    public long[] Insert(IReadOnlyList<Experience> batch, IReadOnlyList<float[]> vectors, string embedderName)
    {
        long[] ids = new long[batch.Count];
        using SqliteTransaction transaction = _writer.BeginTransaction();
        RecordIfAbsent("embedding_dimensions", vectors[0].Length.ToString(CultureInfo.InvariantCulture), transaction);
        RecordIfAbsent("embedder", embedderName, transaction);

        using SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO experiences (task, domain, difficulty, plan, experience, suggestions, outcome, outcome_reason, source, links, embedding)
            VALUES ($task, $domain, $difficulty, $plan, $experience, $suggestions, $outcome, $outcome_reason, $source, $links, $embedding)
            RETURNING id;
            """;
        SqliteParameter task = command.Parameters.Add("$task", SqliteType.Text);
        SqliteParameter domain = command.Parameters.Add("$domain", SqliteType.Text);
        SqliteParameter difficulty = command.Parameters.Add("$difficulty", SqliteType.Text);
        SqliteParameter plan = command.Parameters.Add("$plan", SqliteType.Text);
        SqliteParameter experience = command.Parameters.Add("$experience", SqliteType.Text);
        SqliteParameter suggestions = command.Parameters.Add("$suggestions", SqliteType.Text);
        SqliteParameter outcome = command.Parameters.Add("$outcome", SqliteType.Text);
        SqliteParameter outcomeReason = command.Parameters.Add("$outcome_reason", SqliteType.Text);
        SqliteParameter source = command.Parameters.Add("$source", SqliteType.Text);
        SqliteParameter links = command.Parameters.Add("$links", SqliteType.Text);
        SqliteParameter embedding = command.Parameters.Add("$embedding", SqliteType.Blob);
        command.Prepare();
        for (int i = 0; i < batch.Count; i++)
        {
            Experience item = batch[i];
            task.Value = item.Task;
            domain.Value = item.Domain;
            difficulty.Value = (object?)item.Difficulty ?? DBNull.Value;
            plan.Value = JsonSerializer.Serialize(item.Plan, KnowledgeJsonContext.Default.IReadOnlyListString);
            experience.Value = item.ExperienceText;
            suggestions.Value = (object?)item.Suggestions ?? DBNull.Value;
            outcome.Value = ExperienceJson.OutcomeName(item.Outcome);
            outcomeReason.Value = (object?)item.OutcomeReason ?? DBNull.Value;
            source.Value = (object?)item.SourceFramework ?? DBNull.Value;
            links.Value = JsonSerializer.Serialize(item.Links, KnowledgeJsonContext.Default.IReadOnlyListString);
            embedding.Value = ToBytes(vectors[i]);
            ids[i] = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        transaction.Commit();
        return ids;
    }

    /// <summary>Every row's id and embedding with an id above <paramref name="afterId"/>, in id order.</summary>
    public IEnumerable<(long Id, float[] Vector)> Embeddings(long afterId)
    {
        using SqliteConnection connection = OpenReader();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id, embedding FROM experiences WHERE id > $after ORDER BY id;";
        command.Parameters.AddWithValue("$after", afterId);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), FromBytes((byte[])reader.GetValue(1)));
        }
    }

    /// <summary>Every row's id, task and plan with an id above <paramref name="afterId"/>, in id order (for BM25).</summary>
    public IEnumerable<(long Id, string Text)> RetrievalTexts(long afterId)
    {
        using SqliteConnection connection = OpenReader();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id, task, plan FROM experiences WHERE id > $after ORDER BY id;";
        command.Parameters.AddWithValue("$after", afterId);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            string task = reader.GetString(1);
            IReadOnlyList<string> plan = ReadList(reader.GetString(2));
            yield return (reader.GetInt64(0), task + "\n" + string.Join('\n', plan));
        }
    }

    /// <summary>The experiences with the given ids (those that exist), keyed by id.</summary>
    public Dictionary<long, Experience> Get(IReadOnlyCollection<long> ids)
    {
        var found = new Dictionary<long, Experience>(ids.Count);
        if (ids.Count == 0)
        {
            return found;
        }

        using SqliteConnection connection = OpenReader();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM experiences WHERE id IN (SELECT value FROM json_each($ids));";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids, KnowledgeJsonContext.Default.IReadOnlyCollectionInt64));
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            Experience experience = ReadExperience(reader);
            found[experience.Id] = experience;
        }

        return found;
    }

    /// <summary>Closes the write connection and the pooled readers of this database.</summary>
    public void Dispose()
    {
        SqliteConnection.ClearPool(_writer);
        _writer.Dispose();
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static Experience ReadExperience(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        ReadList(reader.GetString(4)),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.GetString(7) == "success" ? ExperienceOutcome.Success : ExperienceOutcome.Failure,
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        ReadList(reader.GetString(10)));

    private static string[] ReadList(string json) =>
        JsonSerializer.Deserialize(json, KnowledgeJsonContext.Default.StringArray) ?? [];

    private static void Migrate(SqliteConnection connection, string path)
    {
        int version = UserVersion(connection);
        if (version > Migrations.Length)
        {
            throw new PlanningInputException("db", string.Create(CultureInfo.InvariantCulture,
                $"'{path}' has schema version {version}, newer than this library's {Migrations.Length}"));
        }

        for (int next = version; next < Migrations.Length; next++)
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            using SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[next] + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {next + 1};");
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static byte[] ToBytes(float[] vector)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the store writes little-endian float32 vectors");
        }

        return MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
    }

    private static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
