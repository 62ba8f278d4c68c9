using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Planning.Knowledge;

/// <summary>
/// The one analyzer of the knowledge base: Lucene's <c>EnglishAnalyzer</c> (standard tokenizer, English possessive
/// filter, lower case, English stop words, Porter stemming). BM25 indexes and queries with it, and the disagreement
/// gate compares tasks and steps by the terms it produces, so "Opened the files" and "open file" are the same terms.
/// </summary>
internal static class TextAnalysis
{
    /// <summary>The Lucene version every component is created for.</summary>
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>The indexed field.</summary>
    public const string TextField = "text";

    /// <summary>The analyzer (thread-safe: Lucene keeps one token stream per thread).</summary>
    public static Analyzer Analyzer { get; } = new EnglishAnalyzer(Version);

    /// <summary>The terms of a text, in order, repeats kept.</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        using TokenStream stream = Analyzer.GetTokenStream(TextField, new StringReader(text));
        ICharTermAttribute term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }

        stream.End();
        return terms;
    }

    /// <summary>A text as a term-count vector.</summary>
    public static TermVector Vector(string text) => new(Terms(text));
}

/// <summary>A bag of terms with counts and its Euclidean norm: the lexical vector the gate compares.</summary>
internal sealed class TermVector
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public TermVector(IEnumerable<string> terms)
    {
        foreach (string term in terms)
        {
            _counts[term] = _counts.GetValueOrDefault(term) + 1;
        }

        double squares = 0;
        foreach (int count in _counts.Values)
        {
            squares += (double)count * count;
        }

        Norm = Math.Sqrt(squares);
    }

    /// <summary>The Euclidean norm of the counts (0 for a text without terms).</summary>
    public double Norm { get; }

    /// <summary>The cosine of two count vectors, in [0, 1]; 0 when either has no terms.</summary>
    public static double Cosine(TermVector first, TermVector second)
    {
        if (first.Norm == 0 || second.Norm == 0)
        {
            return 0;
        }

        (TermVector small, TermVector large) = first._counts.Count <= second._counts.Count ? (first, second) : (second, first);
        double dot = 0;
        foreach ((string term, int count) in small._counts)
        {
            if (large._counts.TryGetValue(term, out int other))
            {
                dot += (double)count * other;
            }
        }

        return Math.Min(1, dot / (first.Norm * second.Norm));
    }
}
