using System.Text;

using Planning.Embeddings;
using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

/// <summary>
/// A deterministic embedder for unit tests: texts registered with <see cref="Set"/> get their vector; any other text
/// gets a hashed bag of words (each lower-case word adds +1 or -1 to one of <see cref="Dimensions"/> components, chosen
/// by FNV-1a), so texts sharing words are similar. Thread-safe for reads; counts its calls. Its name may be given, to
/// stand for another model of the same length.
/// </summary>
internal sealed class TestEmbedder(int dimensions = 16, string? name = null) : IEmbedder
{
    private readonly Dictionary<string, float[]> _fixed = new(StringComparer.Ordinal);
    private int _calls;

    public int Dimensions { get; } = dimensions;

    public string Name { get; } = name ?? $"test word hashing, {dimensions} components";

    public int Calls => Volatile.Read(ref _calls);

    public TestEmbedder Set(string text, params float[] vector)
    {
        Assert.Equal(Dimensions, vector.Length);
        _fixed[text] = vector;
        return this;
    }

    public float[] Embed(string text)
    {
        Interlocked.Increment(ref _calls);
        if (_fixed.TryGetValue(text, out float[]? vector))
        {
            return (float[])vector.Clone();
        }

        float[] hashed = new float[Dimensions];
        foreach (string word in text.ToLowerInvariant().Split([' ', '\n', '\t', ',', '.', ':', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            uint hash = 2166136261;
            foreach (byte b in Encoding.UTF8.GetBytes(word))
            {
                hash = (hash ^ b) * 16777619;
            }

            hashed[(int)(hash % (uint)Dimensions)] += (hash & 0x10000) == 0 ? 1 : -1;
        }

        if (hashed.All(static component => component == 0))
        {
            hashed[0] = 1;
        }

        return hashed;
    }

    public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts) => [.. texts.Select(Embed)];
}

/// <summary>Experiences and temporary databases for the knowledge-base tests.</summary>
internal static class KnowledgeTestData
{
    public static Experience Make(
        string task,
        IReadOnlyList<string> plan,
        ExperienceOutcome outcome = ExperienceOutcome.Success,
        string domain = "ops",
        string experience = "it worked") =>
        new(0, task, domain, null, plan, experience, null, outcome, null, null, []);

    /// <summary>A fresh directory for one test's database, deleted by <see cref="TempDirectory.Dispose"/>.</summary>
    public static TempDirectory NewDirectory() => new();
}

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("planning-kb-test-").FullName;
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "kb.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
