using Planning.Embeddings;
using Planning.Provers.Selection;
using Planning.Provers.Smt;
using Planning.Provers.Tests.Smt;

namespace Planning.Provers.Tests.Selection;

/// <summary>Clustering with the real equivalence checker on Z3 in-process.</summary>
[Collection(Z3TestGroup.Name)]
public sealed class CandidateSelectorZ3Tests
{
    private const string Informal = "If x + y = 10 and x - y = 2, show that x = 6.";

    /// <summary>c0-c2 say the same (hypotheses reordered or rearranged); c3 and c4 conclude x = 5 under the same hypotheses.</summary>
    private static readonly string[] Candidates =
    [
        "theorem c0 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
        "theorem c1 (x y : ℝ) (h₀ : x - y = 2) (h₁ : x + y = 10) : x = 6 := by",
        "theorem c2 (x y : ℝ) (h₀ : y + x = 10) (h₁ : x = y + 2) : x = 6 := by",
        "theorem c3 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 5 := by",
        "theorem c4 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x - 5 = 0 := by",
    ];

    private static readonly int[][] ExpectedClusters = [[0, 1, 2], [3, 4]];

    /// <summary>Every informalization embeds to (1, 0), so only the symbolic score decides.</summary>
    private sealed class ConstantEmbedder : IEmbedder
    {
        public int Dimensions => 2;

        public string Name => "constant test vector";

        public float[] Embed(string text)
        {
            return [1, 0];
        }

        public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> texts)
        {
            return [.. texts.Select(Embed)];
        }
    }

    private static SelectionResult Select(int workers, IReadOnlyList<string> candidates)
    {
        CandidateSelector selector = new(() => new Z3InProcessBackend(), new ConstantEmbedder(), options: new SelectionOptions { Workers = workers });
        return selector.Select(Informal, candidates);
    }

    [Fact]
    public void Select_ClosedCandidates_DifferentTrueFactsNotOneFormalization()
    {
        // All three are true, so equivalent as truth values; only the two identical ones are the same formalization.
        SelectionResult result = Select(1, ["theorem a : (2 : ℕ) + 2 = 4 := by", "theorem b : (3 : ℕ) * 3 = 9 := by", "theorem c : (2 : ℕ) + 2 = 4 := by"]);

        Assert.Equal([[0, 2], [1]], result.Clusters.Select(static cluster => cluster.ToArray()));
    }

    [Fact]
    public void Select_FiveCandidatesOneWorker_ExpectedPartitionAndLargestClusterSelected()
    {
        SelectionResult result = Select(1, Candidates);

        Assert.Equal(ExpectedClusters, result.Clusters.Select(static cluster => cluster.ToArray()));
        Assert.Equal(0, result.Selected);
        Assert.Equal(0.6, result.Scores[0]!.Symbolic, 12);
        Assert.Equal(0.4, result.Scores[3]!.Symbolic, 12);
        // (0,1) and (0,2) join c0-c2, so (1,2) is skipped.
        Assert.Equal(9, result.EquivalenceChecks);
        Assert.Equal(1, result.SkippedPairs);
    }

    [Fact]
    public void Select_TwoWorkers_SamePartitionAsOne()
    {
        SelectionResult one = Select(1, Candidates);
        SelectionResult two = Select(2, Candidates);

        Assert.Equal(one.Clusters.Select(static cluster => cluster.ToArray()), two.Clusters.Select(static cluster => cluster.ToArray()));
        Assert.Equal(one.Selected, two.Selected);
        Assert.Equal(10, two.EquivalenceChecks + two.SkippedPairs);
    }

    [Fact]
    public void Select_OneBigCluster_FewerChecksThanPairs()
    {
        string[] candidates =
        [
            "theorem c0 (x : ℝ) (h₀ : 2 * x = 8) : x = 4 := by",
            "theorem c1 (x : ℝ) (h₀ : x * 2 = 8) : x = 4 := by",
            "theorem c2 (x : ℝ) (h₀ : x + x = 8) : x = 4 := by",
            "theorem c3 (x : ℝ) (h₀ : 2 * x = 8) : 4 = x := by",
            "theorem c4 (x : ℝ) (h₀ : 2 * x - 8 = 0) : x = 4 := by",
        ];
        SelectionResult result = Select(2, candidates);

        Assert.Equal([[0, 1, 2, 3, 4]], result.Clusters.Select(static cluster => cluster.ToArray()));
        Assert.True(result.EquivalenceChecks < 10, $"{result.EquivalenceChecks} checks for 10 pairs");
        Assert.True(result.SkippedPairs > 0);
        Assert.Equal(0, result.Selected);
    }

    [Fact]
    public void Select_CandidatesIncludingAStatementZ3CannotInterrupt_CompletesWithTheOthersClustered()
    {
        // The issue's statement and a variant: their queries send Z3 4.8.12 into its uninterruptible nonlinear procedure.
        // The selection runs on the test class's shared backend (at most one thread left inside Z3 for the whole host).
        string[] candidates =
        [
            Z3InProcessBackendTests.IssueExample + " := by",
            "theorem t2 (x : ℝ) (b c : ℕ) (h₁ : 2 * x ^ 2 = 4 * x + 9) (h₂ : x * c = Real.sqrt b) : b + c = 26 := by",
            Candidates[0],
            Candidates[1],
        ];
        var limit = TimeSpan.FromSeconds(1);
        CandidateSelector selector = new(
            static () => new NotDisposed(Z3InProcessBackendTests.SharedBackend),
            new ConstantEmbedder(),
            options: new SelectionOptions { Workers = 1, Equivalence = new() { CheckLimit = limit } });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        SelectionResult result = selector.Select(Informal, candidates);
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Equal([[0], [1], [2, 3]], result.Clusters.Select(static cluster => cluster.ToArray()).OrderBy(static cluster => cluster[0]));
        Assert.Equal(2, result.Selected);
    }

    /// <summary>A backend the selector may dispose without disposing the shared one underneath.</summary>
    private sealed class NotDisposed(ISmtBackend inner) : ISmtBackend
    {
        public string Name => inner.Name;

        SmtResult ISmtBackend.Check(IReadOnlyList<Term> assertions, TimeSpan limit) => inner.Check(assertions, limit);

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Select_UnparsableAmongValid_NeverSelected()
    {
        string[] candidates = ["theorem bad (x : ℝ) : x = := by", .. Candidates];
        SelectionResult result = Select(2, candidates);

        Assert.Equal(1, result.Selected);
        Assert.Null(result.Scores[0]);
        Assert.NotNull(result.ParseErrors[0]);
        Assert.Equal([[0], [1, 2, 3], [4, 5]], result.Clusters.Select(static cluster => cluster.ToArray()));
    }
}
