using System.Globalization;
using System.Text.Json;

using Planning.Embeddings;
using Planning.Provers.Formal;
using Planning.Provers.Selection;
using Planning.Provers.Tests.Lean;

using Xunit.Abstractions;

namespace Planning.Provers.Tests.Selection;

/// <summary>
/// <see cref="RuleInformalizer"/> read by the real MiniLM model (loaded once for the class: about 2 s): an informal
/// statement is closer to its own informalization than to others. The embedder itself is tested in Planning.Tests.
/// </summary>
public sealed class RuleInformalizerMiniLmTests : IClassFixture<RuleInformalizerMiniLmTests.Model>
{
    private readonly MiniLmEmbedder _embedder;
    private readonly ITestOutputHelper _output;

    public RuleInformalizerMiniLmTests(Model model, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(model);
        _embedder = model.Embedder;
        _output = output;
    }

    public sealed class Model : IDisposable
    {
        public MiniLmEmbedder Embedder { get; } = new();

        public void Dispose()
        {
            Embedder.Dispose();
        }
    }

    [Fact]
    public void Informalize_InformalStatement_CloserToItsOwnInformalizationThanToAnUnrelatedOne()
    {
        const string Informal = "The sum of two numbers is 10 and their difference is 2. Show that the larger number is 6.";
        RuleInformalizer informalizer = new();
        string own = informalizer.Informalize(LeanStatementParser.Parse(
            "theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by"));
        string unrelated = informalizer.Informalize(LeanStatementParser.Parse(
            "theorem t (n : ℕ) (h₀ : Nat.Prime n) (h₁ : n > 2) : Odd n := by"));

        IReadOnlyList<float[]> vectors = _embedder.EmbedAll([Informal, own, unrelated]);
        double toOwn = VectorSimilarity.Cosine(vectors[0], vectors[1]);
        double toUnrelated = VectorSimilarity.Cosine(vectors[0], vectors[2]);
        Assert.True(toOwn > toUnrelated + 0.1, $"own {toOwn:F3}, unrelated {toUnrelated:F3}");
    }

    /// <summary>
    /// Retrieval among every 4th parsed miniF2F statement (the whole corpus takes about a minute on two cores: of 464
    /// parsed statements, 90.7 % of informal statements are closest to their own informalization, 78.0 % to their own
    /// Lean text).
    /// </summary>
    [Fact]
    public void Informalize_MiniF2F_InformalizationFindsItsOwnInformalStatement()
    {
        List<(string Informal, string Lean, string English)> items = [];
        foreach (string line in File.ReadLines(MiniF2FData.FindFile()).Where(static (_, index) => index % 4 == 0))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(line);
            string informalText = document.RootElement.GetProperty("informal_prefix").GetString()!;
            string leanText = document.RootElement.GetProperty("formal_statement").GetString()!;
            FormalParseResult parsed = LeanStatementParser.TryParse(leanText);
            if (parsed.Succeeded)
            {
                items.Add((informalText.Replace("/--", string.Empty, StringComparison.Ordinal).Replace("-/", string.Empty, StringComparison.Ordinal).Trim(),
                    leanText, new RuleInformalizer().Informalize(parsed.Statement!)));
            }
        }

        IReadOnlyList<float[]> informal = _embedder.EmbedAll([.. items.Select(static item => item.Informal)]);
        IReadOnlyList<float[]> english = _embedder.EmbedAll([.. items.Select(static item => item.English)]);
        IReadOnlyList<float[]> lean = _embedder.EmbedAll([.. items.Select(static item => item.Lean)]);
        double englishTop = TopOneRate(informal, english);
        double leanTop = TopOneRate(informal, lean);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{items.Count} statements: informal -> own informalization top-1 {englishTop:P1}; informal -> own Lean text top-1 {leanTop:P1}"));
        Assert.True(englishTop > 0.8, string.Create(CultureInfo.InvariantCulture, $"top-1 rate {englishTop:P1}"));
        Assert.True(englishTop > leanTop, "the informalization should match better than the Lean text");
    }

    /// <summary>The share of queries whose most similar candidate (by cosine) is the one at their own index.</summary>
    private static double TopOneRate(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> candidates)
    {
        int hits = 0;
        for (int i = 0; i < queries.Count; i++)
        {
            int best = 0;
            double bestSimilarity = double.NegativeInfinity;
            for (int j = 0; j < candidates.Count; j++)
            {
                double similarity = VectorSimilarity.Cosine(queries[i], candidates[j]);
                if (similarity > bestSimilarity)
                {
                    (best, bestSimilarity) = (j, similarity);
                }
            }

            hits += best == i ? 1 : 0;
        }

        return (double)hits / queries.Count;
    }
}
