using Planning.Provers.Equivalence;
using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Equivalence;

public sealed class WitnessSearchTests
{
    [Theory]
    [InlineData("theorem t (m n : ℕ) (h₀ : Nat.gcd m n = 6) (h₁ : Nat.lcm m n = 126) : 60 ≤ m + n := by")]
    [InlineData("theorem t (b : ℕ) (h₀ : Nat.lcm 120 b = 3720) (h₁ : Nat.gcd 120 b = 8) : b = 248 := by")]
    [InlineData("theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x * y = 24 := by")]
    [InlineData("theorem t (n : ℕ) (h₀ : n % 5 = 3) (h₁ : 10 < n) : 2 * n % 5 = 1 := by")]
    public void FindModel_SatisfiableHypotheses_AssignmentOnWhichEveryHypothesisHolds(string source)
    {
        FormalStatement statement = LeanStatementParser.Parse(source);

        var model = WitnessSearch.FindModel(statement, new WitnessSearchOptions { MaxAssignments = 10_000 });

        Assert.NotNull(model);
        // The oracle: exact evaluation with Lean's semantics, independent of the search's own bookkeeping.
        Assert.True(LeanEvaluator.EvaluateStatement(statement, model).HypothesesHold);
    }

    [Fact]
    public void FindModel_UnsatisfiableHypotheses_Null()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (x : ℤ) (h₀ : 0 < x) (h₁ : x < 1) : x = 5 := by");

        Assert.Null(WitnessSearch.FindModel(statement, new WitnessSearchOptions { MaxAssignments = 5_000 }));
    }

    [Fact]
    public void FindModel_SameSeed_SameModel()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (a b : ℕ) (h₀ : Nat.gcd a b = 8) (h₁ : Nat.lcm a b = 112) : 72 ≤ a + b := by");
        WitnessSearchOptions options = new() { MaxAssignments = 10_000, Seed = 3 };

        Assert.Equal(WitnessSearch.FindModel(statement, options), WitnessSearch.FindModel(statement, options));
    }

    [Fact]
    public void FindModel_StepFunctionEquation_BisectionFindsTheNarrowInterval()
    {
        // aime_1991_p6: the sum is 546 only for r in [7.43, 7.44); no Newton step finds that, halving does.
        FormalStatement statement = LeanStatementParser.Parse(
            "theorem t (r : ℝ) (h₀ : (∑ k in Finset.Icc (19 : ℕ) 91, Int.floor (r + k / 100)) = 546) : Int.floor (100 * r) = 743 := by");

        var model = WitnessSearch.FindModel(statement, new WitnessSearchOptions { MaxAssignments = 10_000 });

        Assert.NotNull(model);
        Assert.True(LeanEvaluator.EvaluateStatement(statement, model).HypothesesHold);
        Assert.InRange(model["r"].CompareTo(new Rational(743, 100)), 0, 1);
        Assert.True(model["r"] < new Rational(744, 100));
    }

    [Fact]
    public void FindModels_SeveralModels_DistinctAndEachSatisfying()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (n : ℕ) (h₀ : n % 5 = 3) (h₁ : n < 40) : n % 5 = 3 := by");

        var models = WitnessSearch.FindModels(statement, 3, new WitnessSearchOptions { MaxAssignments = 10_000 });

        Assert.Equal(3, models.Count);
        Assert.Equal(3, models.Select(m => m["n"]).Distinct().Count());
        Assert.All(models, model => Assert.True(LeanEvaluator.EvaluateStatement(statement, model).HypothesesHold));
    }
}
