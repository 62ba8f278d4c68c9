using Planning.Provers.Equivalence;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>Alignment of variables: by name, by conclusion position, by assignment; never across types.</summary>
public sealed class VariableAlignerTests
{
    private static VariableAlignment Align(string first, string second)
    {
        return VariableAligner.Align(LeanStatementParser.Parse(first), LeanStatementParser.Parse(second));
    }

    [Fact]
    public void Align_SameNamesAndTypes_ByName()
    {
        VariableAlignment alignment = Align(
            "theorem t (x y : ℝ) (h : x < y) : x + y > 0 := by",
            "theorem t (y x : ℝ) (h : y > x) : y + x > 0 := by");

        Assert.Equal(new Dictionary<string, string> { ["x"] = "x", ["y"] = "y" }, alignment.SecondToFirst);
        Assert.All(alignment.Pairs, pair => Assert.Equal(AlignmentMethod.Name, pair.Method));
        Assert.Empty(alignment.UnalignedFirst);
        Assert.Empty(alignment.UnalignedSecond);
    }

    [Fact]
    public void Align_RenamedVariables_ByConclusionPosition()
    {
        VariableAlignment alignment = Align(
            "theorem t (a b : ℝ) (h : b = 1) : a + 2 * b = 7 := by",
            "theorem t (q p : ℝ) (h : q = 1) : p + 2 * q = 7 := by");

        Assert.Equal(new Dictionary<string, string> { ["p"] = "a", ["q"] = "b" }, alignment.SecondToFirst);
        Assert.Equal(AlignmentMethod.ConclusionPosition, alignment.MethodOf("p"));
        Assert.Equal(AlignmentMethod.ConclusionPosition, alignment.MethodOf("q"));
    }

    [Fact]
    public void Align_HypothesisOnlyVariables_ByAssignmentOnUsage()
    {
        VariableAlignment alignment = Align(
            "theorem t (x y z : ℝ) (h₀ : x = 2 * y) (h₁ : z > 0) : x > 0 := by",
            "theorem t (a b c : ℝ) (h₀ : c > 0) (h₁ : a = 2 * b) : a > 0 := by");

        Assert.Equal(new Dictionary<string, string> { ["a"] = "x", ["b"] = "y", ["c"] = "z" }, alignment.SecondToFirst);
        Assert.Equal(AlignmentMethod.ConclusionPosition, alignment.MethodOf("a"));
        Assert.Equal(AlignmentMethod.Assignment, alignment.MethodOf("b"));
        Assert.Equal(AlignmentMethod.Assignment, alignment.MethodOf("c"));
    }

    [Fact]
    public void Align_UnequalCounts_AssignmentPicksTheBestMatch()
    {
        // Two reals against one: c is used like y (squared, compared with 4), not like x.
        VariableAlignment alignment = Align(
            "theorem t (x y : ℝ) (h₀ : x > 1) (h₁ : y ^ 2 = 4) : x + y > 0 := by",
            "theorem t (c : ℝ) (h₁ : c ^ 2 = 4) : c > 0 := by");

        Assert.Equal(new Dictionary<string, string> { ["c"] = "y" }, alignment.SecondToFirst);
        Assert.Equal(AlignmentMethod.Assignment, alignment.MethodOf("c"));
        Assert.Equal<string>(["x"], alignment.UnalignedFirst);
    }

    [Fact]
    public void Align_DifferentTypes_NeverAligned()
    {
        VariableAlignment alignment = Align(
            "theorem t (n : ℕ) (x : ℝ) (h : (n : ℝ) = x) : x ≥ 0 := by",
            "theorem t (n : ℤ) (y : ℝ) (h : (n : ℝ) = y) : y ≥ 0 := by");

        Assert.Equal(new Dictionary<string, string> { ["y"] = "x" }, alignment.SecondToFirst);
        Assert.Null(alignment.MethodOf("n"));
        Assert.Equal<string>(["n"], alignment.UnalignedFirst);
        Assert.Equal<string>(["n"], alignment.UnalignedSecond);
    }

    [Fact]
    public void Align_NatAgainstIntKeptNonNegative_ByName()
    {
        VariableAlignment alignment = Align(
            "theorem t (b : ℕ) (h : b * b = 49) : b = 7 := by",
            "theorem t (b : ℤ) (h₀ : 0 ≤ b) (h : b * b = 49) : b = 7 := by");

        Assert.Equal(new Dictionary<string, string> { ["b"] = "b" }, alignment.SecondToFirst);
        Assert.Equal(AlignmentMethod.NonNegativeInteger, alignment.MethodOf("b"));
    }

    [Fact]
    public void Align_NonNegativeIntAgainstRenamedNat_ByOrderOfOccurrence()
    {
        VariableAlignment alignment = Align(
            "theorem t (m : ℤ) (k : ℕ) (h₀ : m > 0 ∧ m < 9) (h₁ : m + k = 10) : m = 3 := by",
            "theorem u (j n : ℕ) (h₁ : n + j = 10) (h₀ : 0 < n ∧ n < 9) : n = 3 := by");

        Assert.Equal(new Dictionary<string, string> { ["n"] = "m", ["j"] = "k" }, alignment.SecondToFirst);
        Assert.Equal(AlignmentMethod.NonNegativeInteger, alignment.MethodOf("n"));
        Assert.Equal(AlignmentMethod.Assignment, alignment.MethodOf("j"));
    }

    [Fact]
    public void Align_ShadowedName_IgnoresBoundOccurrences()
    {
        // The bound k of the first conclusion is not the variable k; only x occurs free in the conclusions.
        VariableAlignment alignment = Align(
            "theorem t (x k : ℤ) (h : k = 2) : ∃ k : ℤ, x = 2 * k := by",
            "theorem t (y m : ℤ) (h : m = 2) : ∃ j : ℤ, y = 2 * j := by");

        Assert.Equal("x", alignment.SecondToFirst["y"]);
        Assert.Equal(AlignmentMethod.ConclusionPosition, alignment.MethodOf("y"));
        Assert.Equal("k", alignment.SecondToFirst["m"]);
        Assert.Equal(AlignmentMethod.Assignment, alignment.MethodOf("m"));
    }

    [Fact]
    public void Assign_RectangularMatrix_MinimumCostMatching()
    {
        long[,] costs = new long[,] { { 5, 1, 9 }, { 1, 2, 9 } };

        IReadOnlyList<(int Row, int Column)> matching = VariableAligner.Assign(costs);

        Assert.Equal([(0, 1), (1, 0)], matching.OrderBy(p => p.Row));
    }

    [Fact]
    public void Alternatives_SymmetricVariables_OtherOrdersCheapestFirst()
    {
        FormalStatement first = LeanStatementParser.Parse("theorem t (x y : ℝ) (h₀ : x = 1) (h₁ : y = 2) : (3 : ℝ) = 3 := by");
        FormalStatement second = LeanStatementParser.Parse("theorem u (p q : ℝ) (h₀ : q = 2) (h₁ : p = 1) : (3 : ℝ) = 3 := by");
        VariableAlignment alignment = VariableAligner.Align(first, second);

        IReadOnlyList<VariableAlignment> alternatives = VariableAligner.Alternatives(first, second, alignment);

        VariableAlignment swapped = Assert.Single(alternatives);
        Assert.Equal(alignment.SecondToFirst["p"], swapped.SecondToFirst["q"]);
        Assert.Equal(alignment.SecondToFirst["q"], swapped.SecondToFirst["p"]);
        Assert.All(swapped.Pairs, pair => Assert.Equal(AlignmentMethod.Permutation, pair.Method));
    }

    [Fact]
    public void Alternatives_PairsMatchedByName_NeverPermuted()
    {
        FormalStatement first = LeanStatementParser.Parse("theorem t (x y z : ℝ) (h₀ : x = 1) (h₁ : y = 2) (h₂ : z = 3) : (3 : ℝ) = 3 := by");
        FormalStatement second = LeanStatementParser.Parse("theorem u (x q r : ℝ) (h₀ : x = 1) (h₁ : q = 2) (h₂ : r = 3) : (3 : ℝ) = 3 := by");
        VariableAlignment alignment = VariableAligner.Align(first, second);

        IReadOnlyList<VariableAlignment> alternatives = VariableAligner.Alternatives(first, second, alignment);

        Assert.Single(alternatives); // q and r swapped; x stays
        Assert.All(alternatives, alternative => Assert.Equal("x", alternative.SecondToFirst["x"]));
        Assert.Empty(VariableAligner.Alternatives(first, first, VariableAligner.Align(first, first)));
    }

    [Fact]
    public void Alternatives_FourOfOneType_AllOtherOrdersUpToTheLimit()
    {
        FormalStatement first = LeanStatementParser.Parse("theorem t (a b c d : ℤ) (h : a + b + c + d = 0) : (1 : ℤ) = 1 := by");
        FormalStatement second = LeanStatementParser.Parse("theorem u (p q r s : ℤ) (h : p + q + r + s = 0) : (1 : ℤ) = 1 := by");
        VariableAlignment alignment = VariableAligner.Align(first, second);

        Assert.Equal(23, VariableAligner.Alternatives(first, second, alignment).Count);
        Assert.Equal(5, VariableAligner.Alternatives(first, second, alignment, maxAlternatives: 5).Count);
        Assert.Equal(23, VariableAligner.Alternatives(first, second, alignment).Select(static a => string.Join(",", a.SecondToFirst.OrderBy(static p => p.Key))).Distinct().Count());
    }
}
