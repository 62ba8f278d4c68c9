using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Benchmarks;

/// <summary>Our statements against a peer's formalization of the same problems, with real Z3 (in process).</summary>
public sealed class PeerFormalizationBenchmarkTests
{
    private static MiniF2FEntry Entry(string name, string statement) => new(name, "test", string.Empty, statement);

    private static PeerReport Run(IReadOnlyList<MiniF2FEntry> ours, IReadOnlyList<MiniF2FEntry> theirs) =>
        new PeerFormalizationBenchmark(static () => new Z3InProcessBackend(), TimeSpan.FromSeconds(2), workers: 2).Run(ours, theirs);

    [Fact]
    public void Run_PairsOfOneProblem_EachVerdictWithItsReason()
    {
        MiniF2FEntry[] ours =
        [
            Entry("p_same", "theorem p_same (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by"),
            Entry("p_renamed", "theorem p_renamed (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x * y = 24 := by"),
            Entry("p_wrong", "theorem p_wrong (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by"),
            Entry("p_bad", "theorem p_bad (x : ℝ) (h₀ : 0 < x) : x ≠ 0 := by"),
            Entry("p_ours_only", "theorem p_ours_only (x : ℝ) : x = x := by"),
        ];
        MiniF2FEntry[] theirs =
        [
            Entry("p_same", "theorem p_same\n  (x : ℝ)\n  (h₀ : x / 50 = 40) :\n  x = 2000 := by"),
            Entry("p_renamed", "theorem p_renamed (a b : ℝ) (h₁ : a - b = 2) (h₀ : b + a = 10) : a * b = 24 := by"),
            Entry("p_wrong", "theorem p_wrong (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 2 := by"),
            Entry("p_bad", "theorem p_bad (x : ℝ) (h₀ : 0 < x) : x ≠ := by"),
            Entry("p_theirs_only", "theorem p_theirs_only (x : ℝ) : x = x := by"),
        ];

        PeerReport report = Run(ours, theirs);

        Assert.Equal(4, report.Problems);
        Assert.Equal(1, report.IdenticalText);
        Assert.Equal(["p_bad", "p_renamed", "p_wrong"], report.Pairs.Select(static p => p.Name));
        PeerPair bad = report.Pairs[0];
        Assert.Equal(EquivalenceVerdict.Unknown, bad.Verdict);
        Assert.StartsWith("parse: ", bad.Reason, StringComparison.Ordinal);
        Assert.Equal(EquivalenceVerdict.Equivalent, report.Pairs[1].Verdict);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, report.Pairs[2].Verdict);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, report.Pairs[2].TheoremVerdict);
        Assert.Equal(2, report.Decided);
        Assert.Equal(2.0 / 3, report.DecidedRate, 10);
        Assert.StartsWith("parse", Assert.Single(report.UnknownReasons).Reason, StringComparison.Ordinal);
        Assert.All(report.Pairs, static pair => Assert.False(pair.SameParse)); // renamed, changed, unparsed: none parse the same
    }

    [Fact]
    public void Run_BackendPerPair_EveryPairGetsAFreshBackendSoVerdictsDoNotDependOnOrder()
    {
        // Each pair is checked with a backend of its own (a Z3 context carries solver state from check to check); the
        // factory is called once per differing pair, whatever the number of workers.
        MiniF2FEntry[] ours =
        [
            Entry("p1", "theorem p1 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by"),
            Entry("p2", "theorem p2 (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by"),
            Entry("p3", "theorem p3 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x * y = 24 := by"),
        ];
        MiniF2FEntry[] theirs =
        [
            Entry("p1", "theorem p1 (y : ℝ) (h₀ : y / 50 = 40) : y = 2000 := by"),
            Entry("p2", "theorem p2 (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 2 := by"),
            Entry("p3", "theorem p3 (a b : ℝ) (h₁ : a - b = 2) (h₀ : b + a = 10) : a * b = 24 := by"),
        ];
        int made = 0;

        PeerReport report = new PeerFormalizationBenchmark(() => { Interlocked.Increment(ref made); return new Z3InProcessBackend(); }, TimeSpan.FromSeconds(2), workers: 1).Run(ours, theirs);
        PeerReport reversed = Run([.. ours.Reverse()], theirs);

        Assert.Equal(3, made);
        Assert.Equal(
            report.Pairs.Select(static p => (p.Name, p.Verdict)),
            reversed.Pairs.Select(static p => (p.Name, p.Verdict)));
        Assert.Equal([EquivalenceVerdict.Equivalent, EquivalenceVerdict.NotEquivalent, EquivalenceVerdict.Equivalent], report.Pairs.Select(static p => p.Verdict));
    }

    [Fact]
    public void Run_PairThatDiffersInSpellingOnly_SameParse()
    {
        MiniF2FEntry[] ours = [Entry("p", "theorem p (n : ℕ) : (∑ k in Finset.range n, k) % 2 = 0 ∨ True := by")];
        MiniF2FEntry[] theirs = [Entry("p", "theorem p (n : ℕ) :\n  ((∑ k ∈ Finset.range n, (k))) % 2 = 0 ∨ True := by")];

        PeerPair pair = Assert.Single(Run(ours, theirs).Pairs);

        Assert.True(pair.SameParse);
        Assert.Equal(EquivalenceVerdict.Equivalent, pair.Verdict);
    }

    [Theory]
    [InlineData("unsupported: function variable f", "unsupported: function variable f")]
    [InlineData("unsupported: non-literal exponent (n)", "unsupported: non-literal exponent")]
    [InlineData("parse: line 3, column 22: unsupported: preimage ⁻¹'", "parse: unsupported: preimage ⁻¹")]
    [InlineData("unknown: timeout", "unknown: timeout")]
    public void ReasonGroup_ReasonsWithPositionsOrNames_GroupedByTheirText(string reason, string group)
    {
        Assert.Equal(group, PeerFormalizationBenchmark.ReasonGroup(reason));
    }
}
