using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Planning.Provers.Evaluation;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Benchmarks;

public sealed class StatementMutationsTests
{
    private static FormalStatement Parse(string text) => LeanStatementParser.Parse(text);

    [Fact]
    public void Generate_ProducesEachKindWhereItApplies()
    {
        FormalStatement statement = Parse("theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : 0 < x) : x - y ≤ 4 := by");
        IReadOnlyList<StatementMutation> mutations = StatementMutations.Generate(statement, 5);
        Assert.Equal(
            [MutationKind.ChangedConstant, MutationKind.ChangedConstant, MutationKind.DroppedHypothesis, MutationKind.StrictnessSwap, MutationKind.FlippedSign, MutationKind.NatForReal],
            mutations.Select(static mutation => mutation.Kind));
        Assert.Equal(mutations, StatementMutations.Generate(statement, 5));
        StatementMutation natForReal = mutations[^1];
        Assert.Contains(natForReal.Statement.Variables, static variable => variable.Type == FormalType.Nat);
    }

    [Theory]
    [InlineData("theorem t (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by", "theorem t (x : ℝ) (h₀ : x / 50 = 40) : x = 2001 := by")]
    [InlineData("theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by", "theorem t (x y : ℝ) (h₀ : x + y = 10) : x = 6 := by")]
    [InlineData("theorem t (x : ℝ) (h₀ : 0 ≤ x) : x ^ 2 ≥ 0 := by", "theorem t (x : ℝ) (h₀ : 0 < x) : x ^ 2 ≥ 0 := by")]
    [InlineData("theorem t (a b : ℤ) (h₀ : a + b = 7) (h₁ : a - b = 1) : a * b = 12 := by", "theorem t (a b : ℤ) (h₀ : a + b = 7) (h₁ : a + b = 1) : a * b = 12 := by")]
    [InlineData("theorem t (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by", "theorem t (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 2 := by")]
    [InlineData("theorem t (x : ℝ) (h₀ : 2 * x = 3) : x = 3 / 2 := by", "theorem t (x : ℕ) (h₀ : 2 * x = 3) : x = 3 / 2 := by")]
    [InlineData("theorem t (x y : ℝ) (h₀ : y = 2 * x) (h₁ : x + y = 12) : x = 4 := by", "theorem t (x y : ℝ) (h₀ : y = 2 * x) (h₁ : x + y = 12) : x = 5 := by")]
    public void Find_WitnessesObviousMutations(string original, string mutant)
    {
        FormalStatement first = Parse(original);
        FormalStatement second = Parse(mutant);
        Witness? witness = WitnessSearch.Find(first, second);
        Assert.NotNull(witness);
        Assert.NotNull(WitnessSearch.Compare(first, second, witness.Assignment));
    }

    [Theory]
    [InlineData("theorem t (x : ℝ) (h₀ : x ^ 2 = 4) (h₁ : 0 ≤ x) : x = 2 := by", "theorem t (x : ℝ) (h₀ : x ^ 2 = 4) (h₁ : 0 < x) : x = 2 := by")]
    [InlineData("theorem t (n : ℕ) (h₀ : 0 < n) : n ≥ 1 := by", "theorem t (n : ℕ) (h₀ : 0 < n) : n > 0 := by")]
    [InlineData("theorem t (x : ℝ) (h₀ : x = 5) : 2 * x = 10 := by", "theorem t (x : ℕ) (h₀ : x = 5) : 2 * x = 10 := by")]
    public void Find_NoWitnessForEquivalentMutations(string original, string mutant)
    {
        Assert.Null(WitnessSearch.Find(Parse(original), Parse(mutant)));
    }

    [Fact]
    public void Find_MarksWitnessesOutsideAType()
    {
        // ℝ vs ℕ: no assignment in ℕ tells them apart, x = 1/2 does (only the real statement admits it).
        FormalStatement real = Parse("theorem t (x : ℝ) (h₀ : 0 < x) : x ^ 2 > 0 := by");
        FormalStatement natural = Parse("theorem t (x : ℕ) (h₀ : 0 < x) : x ^ 2 > 0 := by");
        Witness? witness = WitnessSearch.Find(real, natural);
        Assert.NotNull(witness);
        Assert.True(witness.OutsideDomain);
        Assert.True(witness.HypothesesDiffer);
        Assert.False(witness.Assignment["x"].IsInteger);
    }

    [Fact]
    public void Compare_ReportsTheDifferingComponent()
    {
        FormalStatement first = Parse("theorem t (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by");
        FormalStatement second = Parse("theorem t (x : ℝ) (h₀ : x / 50 = 40) : x = 2001 := by");
        Witness? witness = WitnessSearch.Compare(first, second, new Dictionary<string, Rational> { ["x"] = 2000 });
        Assert.NotNull(witness);
        Assert.False(witness.HypothesesDiffer);
        Assert.Equal(true, witness.FirstConclusion);
        Assert.Equal(false, witness.SecondConclusion);
        Assert.Null(WitnessSearch.Compare(first, second, new Dictionary<string, Rational> { ["x"] = 7 }));
    }
}
