using System.Collections.Concurrent;

using Planning.Provers.Selection;

namespace Planning.Provers.Tests.Selection;

/// <summary>Scores and selection with stubs: a prover that knows the classes and an embedder with fixed vectors.</summary>
public sealed class CandidateSelectorScoringTests
{
    private const string Informal = "informal";

    /// <summary>
    /// c0 and c1 are equivalent, c2 stands alone: raw symbolic 2/3, 2/3, 1/3. Against the informal vector (1, 0), the
    /// vectors (3, 4), (0, 1), (1, 0) have cosines 0.6, 0, 1.
    /// </summary>
    private static CandidateSelector Selector(ScoreCombination combination, double alpha, params int[] labels)
    {
        Dictionary<string, float[]> vectors = new(StringComparer.Ordinal)
        {
            [Informal] = [1, 0],
            ["c0"] = [3, 4],
            ["c1"] = [0, 1],
            ["c2"] = [1, 0],
        };
        return new CandidateSelector(
            () => new LabelProver(labels.Length == 0 ? [0, 0, 1] : labels, [], TimeSpan.Zero),
            new FixedEmbedder(vectors),
            new NameInformalizer(),
            new SelectionOptions { Combination = combination, Alpha = alpha, Workers = 1 });
    }

    // Hand calculation. p = softmax(2/3, 2/3, 1/3): e^(2/3) = 1.947734, e^(1/3) = 1.395612, sum 5.291081,
    // p = (0.3681165, 0.3681165, 0.2637670). q = softmax(0.6, 0, 1): e^0.6 = 1.822119, e^0 = 1, e^1 = 2.718282,
    // sum 5.540401, q = (0.3288785, 0.1804924, 0.4906291).
    private static readonly double[] P = [0.36811650066671925, 0.36811650066671925, 0.2637669986665615];
    private static readonly double[] Q = [0.3288785274664995, 0.1804923627350838, 0.4906291097984168];

    [Theory]
    // log-comb α = 0.5: 0.5 ln p + 0.5 ln q, e.g. c2: 0.5 (−1.332694) + 0.5 (−0.712062) = −1.022378.
    [InlineData(ScoreCombination.Log, 0.5, -1.0557113134180383, -1.3557113134180383, -1.022377980084705, 2)]
    [InlineData(ScoreCombination.Log, 0.8, -1.0218980131760484, -1.1418980131760486, -1.2085646798427154, 0)]
    // linear-comb α = 0.5: c0: 0.5 · 0.3681165 + 0.5 · 0.3288785 = 0.3484975.
    [InlineData(ScoreCombination.Linear, 0.5, 0.34849751406660934, 0.2743044317009015, 0.37719805423248914, 2)]
    [InlineData(ScoreCombination.Linear, 0.8, 0.3602689060266753, 0.33059167308039217, 0.30913942089293256, 0)]
    // quad-comb α = 0.5: c2: 0.5 · 0.2637670² + 0.5 · 0.4906291² = 0.1551450.
    [InlineData(ScoreCombination.Quadratic, 0.5, 0.12183542194582189, 0.0840436255344019, 0.1551449764835764, 2)]
    [InlineData(ScoreCombination.Quadratic, 0.8, 0.13004002361619518, 0.11492330505162718, 0.10380180834477007, 0)]
    public void Select_FixedVectors_ScoresAsCalculatedByHand(ScoreCombination combination, double alpha, double c0, double c1, double c2, int selected)
    {
        SelectionResult result = Selector(combination, alpha).Select(Informal, SelectionSamples.Candidates(3));

        Assert.Equal(selected, result.Selected);
        Assert.Equal([[0, 1], [2]], result.Clusters.Select(static cluster => cluster.ToArray()));
        double[] expected = [c0, c1, c2];
        double[] symbolic = [2.0 / 3, 2.0 / 3, 1.0 / 3];
        double[] semantic = [0.6, 0, 1];
        for (int i = 0; i < 3; i++)
        {
            CandidateScore score = Assert.IsType<CandidateScore>(result.Scores[i]);
            Assert.Equal(symbolic[i], score.Symbolic, 12);
            Assert.Equal(semantic[i], score.Semantic, 12);
            Assert.Equal(P[i], score.NormalizedSymbolic, 12);
            Assert.Equal(Q[i], score.NormalizedSemantic, 12);
            Assert.Equal(expected[i], score.Combined, 12);
        }
    }

    [Fact]
    public void Select_Defaults_LogCombinationWithEqualWeights()
    {
        Assert.Equal(ScoreCombination.Log, SelectionOptions.Default.Combination);
        Assert.Equal(0.5, SelectionOptions.Default.Alpha);
        Assert.Equal(Environment.ProcessorCount, SelectionOptions.Default.Workers);
    }

    [Fact]
    public void Select_TiedScores_LowestIndexWins()
    {
        // c1 and c2 equivalent and embedded alike, c0 alone and far: c1 and c2 tie at the top.
        Dictionary<string, float[]> vectors = new(StringComparer.Ordinal)
        {
            [Informal] = [1, 0],
            ["c0"] = [0, 1],
            ["c1"] = [1, 1],
            ["c2"] = [1, 1],
        };
        foreach (ScoreCombination combination in Enum.GetValues<ScoreCombination>())
        {
            CandidateSelector selector = new(
                () => new LabelProver([0, 1, 1], [], TimeSpan.Zero), new FixedEmbedder(vectors), new NameInformalizer(),
                new SelectionOptions { Combination = combination, Workers = 1 });
            SelectionResult result = selector.Select(Informal, SelectionSamples.Candidates(3));
            Assert.Equal(result.Scores[1]!.Combined, result.Scores[2]!.Combined);
            Assert.Equal(1, result.Selected);
        }
    }

    [Fact]
    public void Select_AllTied_FirstCandidateWins()
    {
        Dictionary<string, float[]> vectors = new(StringComparer.Ordinal)
        {
            [Informal] = [1, 0],
            ["c0"] = [1, 0],
            ["c1"] = [1, 0],
            ["c2"] = [1, 0],
        };
        CandidateSelector selector = new(
            () => new LabelProver([0, 1, 2], [], TimeSpan.Zero), new FixedEmbedder(vectors), new NameInformalizer(), new SelectionOptions { Workers = 2 });
        Assert.Equal(0, selector.Select(Informal, SelectionSamples.Candidates(3)).Selected);
    }

    [Fact]
    public void Select_UnparsableCandidate_NeverSelectedAndReported()
    {
        // The unparsable candidate would have every advantage: it is listed first.
        string[] candidates = ["theorem c9 (x : ℝ) : x = := by", .. SelectionSamples.Candidates(3)];
        Dictionary<string, float[]> vectors = new(StringComparer.Ordinal)
        {
            [Informal] = [1, 0],
            ["c0"] = [0, 1],
            ["c1"] = [0, 1],
            ["c2"] = [0, 1],
        };
        CandidateSelector selector = new(
            () => new LabelProver([0, 1, 2], [], TimeSpan.Zero), new FixedEmbedder(vectors), new NameInformalizer(), new SelectionOptions { Workers = 1 });
        SelectionResult result = selector.Select(Informal, candidates);

        Assert.Equal(1, result.Selected);
        Assert.Null(result.Scores[0]);
        Assert.Null(result.Informalizations[0]);
        Assert.False(string.IsNullOrEmpty(result.ParseErrors[0]));
        Assert.All(result.ParseErrors.Skip(1), Assert.Null);
        Assert.Contains(result.Clusters, cluster => cluster.SequenceEqual([0]));
        // k counts the unparsable candidate: each parsed singleton scores 1/4.
        Assert.Equal(0.25, result.Scores[1]!.Symbolic, 12);
        Assert.Equal(1.0 / 3, result.Scores[1]!.NormalizedSymbolic, 12);
    }

    [Fact]
    public void Select_NoCandidateParses_NothingSelected()
    {
        CandidateSelector selector = new(
            (Func<IPairEquivalence>)(() => throw new InvalidOperationException("no pair to check")),
            new FixedEmbedder(new Dictionary<string, float[]>(StringComparer.Ordinal) { [Informal] = [1, 0] }),
            new NameInformalizer(),
            null);
        SelectionResult result = selector.Select(Informal, ["theorem a : := by", "not lean at all"]);

        Assert.Equal(-1, result.Selected);
        Assert.False(result.HasSelection);
        Assert.All(result.Scores, Assert.Null);
        Assert.All(result.ParseErrors, error => Assert.False(string.IsNullOrEmpty(error)));
        Assert.Equal([[0], [1]], result.Clusters.Select(static cluster => cluster.ToArray()));
        Assert.Equal(0, result.EquivalenceChecks);
    }

    [Fact]
    public void Select_NoCandidates_NothingSelected()
    {
        SelectionResult result = Selector(ScoreCombination.Log, 0.5).Select(Informal, Array.Empty<string>());
        Assert.Equal(-1, result.Selected);
        Assert.Empty(result.Clusters);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Constructor_AlphaOutsideUnitInterval_Throws(double alpha)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandidateSelector(
            () => new LabelProver([], [], TimeSpan.Zero), new FixedEmbedder(new Dictionary<string, float[]>()), null, new SelectionOptions { Alpha = alpha }));
    }

    [Fact]
    public void Constructor_NoWorkers_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandidateSelector(
            () => new LabelProver([], [], TimeSpan.Zero), new FixedEmbedder(new Dictionary<string, float[]>()), null, new SelectionOptions { Workers = 0 }));
    }

    [Fact]
    public void Select_ParsedStatements_SameAsText()
    {
        CandidateSelector selector = Selector(ScoreCombination.Linear, 0.5);
        SelectionResult fromText = selector.Select(Informal, SelectionSamples.Candidates(3));
        SelectionResult fromStatements = selector.Select(Informal, [.. SelectionSamples.Statements(3).Select(static statement => statement!)]);
        Assert.Equal(fromText.Selected, fromStatements.Selected);
        Assert.Equal(fromText.Scores.ToArray(), fromStatements.Scores.ToArray());
    }

    [Fact]
    public void Select_LabelProverCalls_RecordedOncePerCheckedPair()
    {
        ConcurrentBag<(int, int)> calls = [];
        CandidateSelector selector = new(
            () => new LabelProver([0, 0, 1], calls, TimeSpan.Zero),
            new FixedEmbedder(new Dictionary<string, float[]>(StringComparer.Ordinal) { [Informal] = [1, 0], ["c0"] = [1, 0], ["c1"] = [1, 0], ["c2"] = [1, 0] }),
            new NameInformalizer(),
            new SelectionOptions { Workers = 1 });
        SelectionResult result = selector.Select(Informal, SelectionSamples.Candidates(3));
        Assert.Equal(calls.Count, result.EquivalenceChecks);
        Assert.Equal(3, result.EquivalenceChecks + result.SkippedPairs + result.IdenticalPairs);
    }
}
