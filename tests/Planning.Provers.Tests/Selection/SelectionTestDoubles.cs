using System.Collections.Concurrent;

using Planning.Embeddings;
using Planning.Provers.Formal;
using Planning.Provers.Selection;

namespace Planning.Provers.Tests.Selection;

/// <summary>An embedder that returns fixed vectors for known texts.</summary>
internal sealed class FixedEmbedder(IReadOnlyDictionary<string, float[]> vectors) : IEmbedder
{
    public int Dimensions => vectors.Values.First().Length;

    public string Name => "fixed test vectors";

    public float[] Embed(string text)
    {
        return vectors.TryGetValue(text, out float[]? vector) ? vector : throw new KeyNotFoundException($"no vector for '{text}'");
    }

    public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts)
    {
        return [.. texts.Select(Embed)];
    }
}

/// <summary>An informalizer that answers with the theorem's name, so that a <see cref="FixedEmbedder"/> can key on it.</summary>
internal sealed class NameInformalizer : IInformalizer
{
    public string Informalize(FormalStatement statement)
    {
        return statement.Name;
    }
}

/// <summary>
/// A prover stub over theorems named <c>c0</c>, <c>c1</c>, …: two statements are proven equivalent when their
/// candidates have the same class label. Counts calls and instances, and can be slowed down to shuffle thread timing.
/// </summary>
internal sealed class LabelProver(IReadOnlyList<int> labels, ConcurrentBag<(int, int)> calls, TimeSpan delay) : IPairEquivalence
{
    public bool Disposed { get; private set; }

    public static int IndexOf(FormalStatement statement)
    {
        return int.Parse(statement.Name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool ProvesEquivalent(FormalStatement first, FormalStatement second)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        int i = IndexOf(first);
        int j = IndexOf(second);
        calls.Add((i, j));
        if (delay > TimeSpan.Zero)
        {
            Thread.Sleep(delay * (1 + ((i * 7 + j * 3) % 4)));
        }

        return labels[i] == labels[j];
    }

    public void Dispose()
    {
        Disposed = true;
    }
}

internal static class SelectionSamples
{
    /// <summary>Distinct, parseable candidates named c0 … c(n-1): <c>theorem ci (x : ℝ) : x = i := by</c>.</summary>
    public static string[] Candidates(int count)
    {
        return [.. Enumerable.Range(0, count).Select(static i => $"theorem c{i} (x : ℝ) : x = {i} := by")];
    }

    public static FormalStatement?[] Statements(int count)
    {
        return [.. Candidates(count).Select(static text => (FormalStatement?)LeanStatementParser.Parse(text))];
    }
}
