using System.Text;
using Planning.Embeddings;

namespace Planning.Knowledge.Server.Tests;

/// <summary>
/// A fast, deterministic embedder for the server's tests (the HTTP contract does not depend on what MiniLM would say):
/// each lower-cased word adds ±1 to one of 384 components chosen by an FNV-1a hash, and the vector is scaled to unit
/// length, so texts that share words have a positive cosine and a text's vector never changes.
/// </summary>
internal sealed class HashingEmbedder : IEmbedder
{
    public int Dimensions => 384;

    public string Name => "test word hashing, 384 components";

    public float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var hash = 2166136261u;
            foreach (var b in Encoding.UTF8.GetBytes(word))
            {
                hash = (hash ^ b) * 16777619u;
            }

            vector[hash % (uint)Dimensions] += (hash & 0x80000000u) == 0 ? 1f : -1f;
        }

        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        if (norm == 0)
        {
            vector[0] = 1f;
            return vector;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }

    public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts) => [.. texts.Select(Embed)];
}
