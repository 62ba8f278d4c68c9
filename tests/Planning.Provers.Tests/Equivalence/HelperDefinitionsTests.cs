using Planning.Provers.Equivalence;
using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>Helper variables defined by an equation, written in place of their uses.</summary>
public sealed class HelperDefinitionsTests
{
    private static FormalStatement Eliminate(string statement, params string[] keep)
    {
        return HelperDefinitions.Eliminate(LeanStatementParser.Parse(statement), new HashSet<string>(keep, StringComparer.Ordinal));
    }

    [Fact]
    public void Eliminate_FreshVariableDefinedByAnEquation_WrittenInPlaceAndDropped()
    {
        FormalStatement result = Eliminate("theorem t (a b d : ℕ) (h₀ : a + b = 10) (h₁ : d = a * b) : d = 24 := by", "a", "b");

        Assert.Equal(LeanStatementParser.Parse("theorem t (a b : ℕ) (h₀ : a + b = 10) : a * b = 24 := by"), result);
    }

    [Fact]
    public void Eliminate_DefinitionWrittenRightToLeft_WrittenInPlace()
    {
        FormalStatement result = Eliminate("theorem t (x y : ℝ) (h₀ : 2 * x + 1 = 7) (h₁ : x + 1 = y) : y = 4 := by", "x");

        Assert.Equal(LeanStatementParser.Parse("theorem t (x : ℝ) (h₀ : 2 * x + 1 = 7) : x + 1 = 4 := by"), result);
    }

    [Fact]
    public void Eliminate_VariableTheOtherStatementNames_Kept()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (a b d : ℕ) (h₁ : d = a * b) : d = 24 := by");

        FormalStatement result = HelperDefinitions.Eliminate(statement, new HashSet<string>(["a", "b", "d"], StringComparer.Ordinal));

        Assert.Same(statement, result);
    }

    [Theory]
    [InlineData("theorem t (a d : ℕ) (h₁ : d = 2 * d - a) : d = 24 := by")] // the right side mentions it
    [InlineData("theorem t (a d : ℕ) (h₁ : d ≤ a) : d = 24 := by")] // not an equation
    [InlineData("theorem t (x : ℝ) (d : ℕ) (h₁ : (d : ℝ) = x) : d = 24 := by")] // a cast, not the variable itself
    public void Eliminate_NotADefinition_Unchanged(string source)
    {
        FormalStatement statement = LeanStatementParser.Parse(source);

        FormalStatement result = HelperDefinitions.Eliminate(statement, new HashSet<string>(["a", "x"], StringComparer.Ordinal));

        Assert.Same(statement, result);
    }

    [Fact]
    public void EliminateFresh_ChainOfDefinitions_EliminatedOneAfterAnother()
    {
        (FormalStatement first, FormalStatement second) = HelperDefinitions.EliminateFresh(
            LeanStatementParser.Parse("theorem t (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by"),
            LeanStatementParser.Parse("theorem u (n m k : ℕ) (h₀ : n % 5 = 3) (h₁ : m = 2 * n) (h₂ : k = m % 5) : k = 1 := by"));

        Assert.Equal(LeanStatementParser.Parse("theorem t (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by"), first);
        Assert.Equal(LeanStatementParser.Parse("theorem u (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by"), second);
    }
}
