using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Evaluation;

public sealed class LeanEvaluatorTests
{
    private static EvaluationResult Conclusion(string binders, string conclusion, params (string Name, Rational Value)[] values)
    {
        FormalStatement statement = LeanStatementParser.Parse($"theorem t {binders} : {conclusion} := by");
        return LeanEvaluator.Evaluate(statement.Conclusion, values.ToDictionary(static pair => pair.Name, static pair => pair.Value));
    }

    private static bool? Holds(string binders, string conclusion, params (string Name, Rational Value)[] values)
    {
        return Conclusion(binders, conclusion, values).Truth;
    }

    [Theory]
    [InlineData("(a b : ℕ)", "a - b = 0", 3, 5, true)] // truncated subtraction
    [InlineData("(a b : ℕ)", "a - b = 2", 5, 3, true)]
    [InlineData("(a b : ℤ)", "a - b = -2", 3, 5, true)]
    [InlineData("(a b : ℕ)", "a / b = 0", 7, 0, true)] // x / 0 = 0
    [InlineData("(a b : ℕ)", "a % b = 7", 7, 0, true)] // x % 0 = x
    [InlineData("(a b : ℤ)", "a / b = -4", -7, 2, true)] // Euclidean: -7 = 2 * -4 + 1
    [InlineData("(a b : ℤ)", "a % b = 1", -7, 2, true)]
    [InlineData("(a b : ℤ)", "a / b = 4", -7, -2, true)] // -7 = -2 * 4 + 1
    [InlineData("(a b : ℤ)", "a % b = 1", -7, -2, true)]
    [InlineData("(a b : ℤ)", "a / b = -3", 7, -2, true)] // 7 = -2 * -3 + 1
    [InlineData("(a b : ℤ)", "a % b = -7", -7, 0, true)]
    [InlineData("(a b : ℝ)", "a / b = 0", 7, 0, true)] // real x / 0 = 0
    [InlineData("(a b : ℝ)", "a / b = 7 / 2", 7, 2, true)]
    [InlineData("(a b : ℕ)", "(a : ℝ) / b = 7 / 2", 7, 2, true)] // casts before division
    [InlineData("(a b : ℕ)", "((a / b : ℕ) : ℝ) = 3", 7, 2, true)] // ℕ division then cast
    public void Evaluate_ArithmeticFollowsLean(string binders, string conclusion, long a, long b, bool expected)
    {
        Assert.Equal(expected, Holds(binders, conclusion, ("a", a), ("b", b)));
    }

    [Theory]
    [InlineData("Real.sqrt x = 3 / 2", "9/4", true)]
    [InlineData("Real.sqrt x = 0", "-4", true)] // sqrt of a negative is 0
    [InlineData("|x| = 5 / 2", "-5/2", true)]
    [InlineData("⌊x⌋ = -3", "-5/2", true)]
    [InlineData("⌈x⌉ = -2", "-5/2", true)]
    [InlineData("Int.toNat ⌊x⌋ = 0", "-5/2", true)]
    [InlineData("max x 1 = 1 ∧ min x 1 = x", "1/2", true)]
    [InlineData("x ^ (2 : ℤ) = 1 / 4", "1/2", true)]
    [InlineData("x ^ (-2 : ℤ) = 4", "1/2", true)]
    [InlineData("x ^ (1 / 2 : ℝ) = 3", "9", true)] // rpow with an exact root
    [InlineData("x⁻¹ = 0", "0", true)]
    [InlineData("Real.logb 2 x = 3", "8", true)]
    [InlineData("Even x ∧ Odd x", "1/3", true)] // in a field every element is even and odd
    [InlineData("Irrational x", "1/3", false)]
    [InlineData("Real.sqrt x = 11", "539", false)] // an irrational root compared through squares
    [InlineData("Real.sqrt x < 24", "539", true)]
    [InlineData("3 ≤ Real.sqrt x", "8", false)]
    [InlineData("Real.sqrt x > -1", "2", true)]
    public void Evaluate_RealFunctionsFollowLean(string conclusion, string x, bool expected)
    {
        Assert.Equal(expected, Holds("(x : ℝ)", conclusion, ("x", Rational.Parse(x))));
    }

    [Theory]
    [InlineData("Real.sqrt x + 1 = 2", "2")]
    [InlineData("x ^ (1 / 2 : ℝ) = 1", "2")]
    [InlineData("Real.exp x = 1", "1")]
    [InlineData("Real.pi = x", "3")]
    [InlineData("∀ y : ℝ, y ^ 2 ≥ x", "0")] // unbounded ∀ that no sample refutes
    public void Evaluate_IrrationalOrUnboundedIsNotEvaluable(string conclusion, string x)
    {
        Assert.IsType<NotEvaluated>(Conclusion("(x : ℝ)", conclusion, ("x", Rational.Parse(x))));
    }

    [Theory]
    [InlineData("n ∣ 12", 4, true)]
    [InlineData("n ∣ 12", 5, false)]
    [InlineData("0 ∣ n", 0, true)]
    [InlineData("Even n", 4, true)]
    [InlineData("Odd n", 4, false)]
    [InlineData("n ≡ 2 [MOD 5]", 12, true)]
    [InlineData("n ≡ 2 [MOD 0]", 2, true)]
    [InlineData("Nat.gcd n 18 = 6", 12, true)]
    [InlineData("Nat.lcm n 18 = 36", 12, true)]
    [InlineData("Nat.lcm n 0 = 0", 12, true)]
    [InlineData("n ! = 120", 5, true)]
    [InlineData("Nat.choose n 2 = 10", 5, true)]
    [InlineData("Nat.choose 2 n = 0", 5, true)]
    [InlineData("Nat.Prime n", 97, true)]
    [InlineData("Nat.Prime n", 91, false)]
    [InlineData("Nat.Prime n", 1, false)]
    [InlineData("∑ k in Finset.range n, k = 10", 5, true)]
    [InlineData("∏ k in Finset.Icc 1 n, k = 120", 5, true)]
    [InlineData("(Finset.filter (fun k => 3 ∣ k) (Finset.range n)).card = 4", 12, true)]
    [InlineData("n ∈ Nat.divisors 12", 6, true)]
    [InlineData("(Nat.divisors n).card = 6", 12, true)]
    [InlineData("∑ k in Nat.divisors n, k = 28", 12, true)]
    [InlineData("∀ k, k < n → k ^ 2 < 30", 6, true)] // bounded by the guard
    [InlineData("∀ k, k < n → k ^ 2 < 30", 7, false)]
    [InlineData("∃ k, k ∈ Finset.range n ∧ k * k = 16", 5, true)]
    [InlineData("∃ k, k ∈ Finset.range n ∧ k * k = 16", 4, false)]
    [InlineData("∃ k : ℕ, k * k = n", 49, true)] // unbounded ∃ confirmed by a sample
    [InlineData("∀ k : ℤ, k ^ 2 ≠ n", 9, false)] // unbounded ∀ refuted by a sample
    [InlineData("IsLeast { k : ℕ | 3 ≤ k ∧ k ∣ 12 } n", 3, true)]
    [InlineData("IsLeast { k : ℕ | 3 ≤ k ∧ k ∣ 12 } n", 4, false)]
    public void Evaluate_NumberTheoryFollowsLean(string conclusion, long n, bool expected)
    {
        Assert.Equal(expected, Holds("(n : ℕ)", conclusion, ("n", n)));
    }

    [Fact]
    public void Evaluate_ConnectivesAreThreeValued()
    {
        Assert.Equal(false, Holds("(x : ℝ)", "x = 1 ∧ 2 * Real.sqrt x = 5", ("x", 2)));
        Assert.Equal(true, Holds("(x : ℝ)", "x = 2 ∨ 2 * Real.sqrt x = 5", ("x", 2)));
        Assert.Equal(true, Holds("(x : ℝ)", "x = 1 → 2 * Real.sqrt x = 5", ("x", 2)));
        Assert.Null(Holds("(x : ℝ)", "x = 2 → 2 * Real.sqrt x = 5", ("x", 2)));
    }

    [Fact]
    public void EvaluateStatement_ValuesOutsideTheTypesMakeTheHypothesesFalse()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (n : ℕ) (h : 0 < n) : n = n := by");
        StatementEvaluation outside = LeanEvaluator.EvaluateStatement(statement, new Dictionary<string, Rational> { ["n"] = new(1, 2) });
        StatementEvaluation negative = LeanEvaluator.EvaluateStatement(statement, new Dictionary<string, Rational> { ["n"] = -1 });
        StatementEvaluation inside = LeanEvaluator.EvaluateStatement(statement, new Dictionary<string, Rational> { ["n"] = 3 });
        Assert.Equal(false, outside.HypothesesHold);
        Assert.Equal(false, negative.HypothesesHold);
        Assert.Equal(true, inside.HypothesesHold);
        Assert.Equal(true, inside.ConclusionHolds);
        Assert.Equal([new EvaluatedTruth(true)], inside.Hypotheses.ToArray());
    }

    [Fact]
    public void Evaluate_NumbersAreExact()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (x : ℝ) : x / 3 + 0.25 = 0 := by");
        RelationExpr relation = Assert.IsType<RelationExpr>(statement.Conclusion);
        EvaluationResult value = LeanEvaluator.Evaluate(relation.Left, new Dictionary<string, Rational> { ["x"] = 1 });
        Assert.Equal(new EvaluatedNumber(new Rational(7, 12)), value);
    }

    [Fact]
    public void Rational_ArithmeticAndRoots()
    {
        Rational half = new(1, 2);
        Assert.Equal(new Rational(5, 6), half + new Rational(1, 3));
        Assert.Equal(new Rational(-1, 2), new Rational(2, -4));
        Assert.Equal(-2, (int)Rational.Floor(new Rational(-3, 2)));
        Assert.Equal(-1, (int)Rational.Ceiling(new Rational(-3, 2)));
        Assert.True(Rational.TryRoot(new Rational(27, 8), 3, out Rational root) && root == new Rational(3, 2));
        Assert.False(Rational.TryRoot(2, 2, out _));
        Assert.Equal("-7/3", Rational.Parse("-7/3").ToString());
        Assert.Equal(new Rational(-5, 4), Rational.Parse("-1.25"));
        Assert.True(new Rational(1, 3) < new Rational(1, 2));
    }
}
