using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Smt;

public sealed class AlphaEquivalenceTests
{
    private static readonly Variable A = new("a", SmtSort.IntSort);
    private static readonly Variable B = new("b", SmtSort.IntSort);
    private static readonly IReadOnlyDictionary<string, string> BToA = new Dictionary<string, string> { ["b"] = "a" };

    private static Exists DividedBySeven(Variable dividend, string bound)
    {
        Variable k = new(bound, SmtSort.IntSort);
        return new Exists(k, new Comparison(ComparisonOperator.Equal, dividend, new Arithmetic(ArithmeticOperator.Multiply, new IntLiteral(7), k)));
    }

    [Fact]
    public void Equivalent_BoundVariablesNumberedDifferently_True()
    {
        Assert.True(AlphaEquivalence.Equivalent(DividedBySeven(A, "k!3"), DividedBySeven(B, "k!9"), BToA));
    }

    [Fact]
    public void Equivalent_ApplicationsUnderTheRenamingOfTheirSymbols_TrueOnlyForTheRenamedSymbol()
    {
        Variable f = new("f", SmtSort.IntSort, [SmtSort.IntSort]);
        Variable g = new("g", SmtSort.IntSort, [SmtSort.IntSort]);
        Variable sumOfF = new("sum@ℕ (⟨f⟩ #j)", SmtSort.IntSort, [SmtSort.IntSort]);
        Variable sumOfG = new("sum@ℕ (⟨g⟩ #j)", SmtSort.IntSort, [SmtSort.IntSort]);
        Term first = new Comparison(ComparisonOperator.Equal, new Application(f, [A]), new Application(sumOfF, [A]));
        Term second = new Comparison(ComparisonOperator.Equal, new Application(g, [B]), new Application(sumOfG, [B]));

        Assert.True(AlphaEquivalence.Equivalent(first, second, new Dictionary<string, string> { ["b"] = "a", ["g"] = "f" }));
        Assert.False(AlphaEquivalence.Equivalent(first, second, BToA));
    }

    [Fact]
    public void Equivalent_FreeVariableNotRenamed_False()
    {
        Assert.False(AlphaEquivalence.Equivalent(DividedBySeven(A, "k!3"), DividedBySeven(B, "k!3"), new Dictionary<string, string>()));
    }

    [Fact]
    public void Equivalent_DifferentOperatorOrLiteral_False()
    {
        Term sum = new Arithmetic(ArithmeticOperator.Add, A, new IntLiteral(1));
        Assert.False(AlphaEquivalence.Equivalent(sum, new Arithmetic(ArithmeticOperator.Subtract, B, new IntLiteral(1)), BToA));
        Assert.False(AlphaEquivalence.Equivalent(sum, new Arithmetic(ArithmeticOperator.Add, B, new IntLiteral(2)), BToA));
        Assert.True(AlphaEquivalence.Equivalent(sum, new Arithmetic(ArithmeticOperator.Add, B, new IntLiteral(1)), BToA));
    }

    [Fact]
    public void Equivalent_BoundVariableAgainstFreeVariableOfTheSameName_False()
    {
        // ∃ a. a = 7·a' is not ∃ k. a = 7·k: the first's body uses its bound variable where the second uses the free a.
        Variable bound = new("a", SmtSort.IntSort);
        Term first = new Exists(bound, new Comparison(ComparisonOperator.Equal, bound, new IntLiteral(7)));
        Variable k = new("k", SmtSort.IntSort);
        Term second = new Exists(k, new Comparison(ComparisonOperator.Equal, A, new IntLiteral(7)));
        Assert.False(AlphaEquivalence.Equivalent(first, second, new Dictionary<string, string>()));
    }

    [Fact]
    public void Equivalent_NestedBindersSwapped_False()
    {
        // ∀ x ∀ y. x < y is not ∀ y ∀ x. x < y (the binders pair by position).
        Variable x = new("x", SmtSort.IntSort);
        Variable y = new("y", SmtSort.IntSort);
        Term less = new Comparison(ComparisonOperator.Less, x, y);
        Assert.False(AlphaEquivalence.Equivalent(new ForAll(x, new ForAll(y, less)), new ForAll(y, new ForAll(x, less)), new Dictionary<string, string>()));
        Assert.True(AlphaEquivalence.Equivalent(new ForAll(x, new ForAll(y, less)), new ForAll(x, new ForAll(y, less)), new Dictionary<string, string>()));
    }
}
