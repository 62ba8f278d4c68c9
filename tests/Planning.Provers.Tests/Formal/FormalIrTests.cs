using System.Collections.Immutable;

using Planning.Provers.Formal;

using static Planning.Provers.Tests.Formal.Ir;

namespace Planning.Provers.Tests.Formal;

public sealed class FormalIrTests
{
    [Theory]
    [InlineData("Nat", "Int", true)]
    [InlineData("Nat", "Complex", true)]
    [InlineData("Int", "Real", true)]
    [InlineData("Rat", "Real", true)]
    [InlineData("Real", "Rat", false)]
    [InlineData("Int", "Nat", false)]
    [InlineData("Nat", "NNReal", true)]
    [InlineData("NNReal", "Real", true)]
    [InlineData("Int", "NNReal", false)]
    [InlineData("NNReal", "Rat", false)]
    [InlineData("Real", "Prop", false)]
    [InlineData("Prop", "Prop", true)]
    public void CanCoerceTo_NumberTypes_FollowLeansCoercions(string from, string to, bool expected)
    {
        Assert.Equal(expected, Type(from).CanCoerceTo(Type(to)));
    }

    [Fact]
    public void Join_NumberTypes_IsTheSmallestCommonTarget()
    {
        Assert.Equal(R, FormalType.Join(N, R));
        Assert.Equal(R, FormalType.Join(R, Z));
        Assert.Equal(R, FormalType.Join(FormalType.NNReal, R));
        Assert.Null(FormalType.Join(Z, FormalType.NNReal));
        Assert.Equal(FormalType.Set(N), FormalType.Join(FormalType.Set(N), FormalType.Set(N)));
        Assert.Null(FormalType.Join(FormalType.Set(N), FormalType.Set(Z)));
    }

    [Fact]
    public void Equals_SeparatelyBuiltNodes_CompareByValueIncludingArgumentArrays()
    {
        CallExpr first = Call(FormalFunction.NatGcd, N, Var("a", N), Num(4, N));
        CallExpr second = new(FormalFunction.NatGcd, ImmutableArray.Create<FormalExpr>(Var("a", N), Num(4, N)), N);
        CallExpr otherArgument = Call(FormalFunction.NatGcd, N, Var("a", N), Num(5, N));
        CallExpr otherType = Call(FormalFunction.Abs, Z, Var("a", Z));

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, otherArgument);
        Assert.NotEqual<FormalExpr>(first, otherType);
        Assert.NotEqual<FormalExpr>(Num(2, N), Num(2, R));
        Assert.NotEqual<FormalExpr>(Var("x", N), Var("x", R));
    }

    [Fact]
    public void Equals_Statements_CompareBindersElementByElement()
    {
        FormalStatement first = LeanStatementParser.Parse("theorem t (x y : ℝ) (h : x < y) : x ≠ y := by");
        FormalStatement second = LeanStatementParser.Parse("theorem t (x : ℝ) (y : ℝ) (h : x < y) : x ≠ y");
        FormalStatement renamed = LeanStatementParser.Parse("theorem t (x y : ℝ) (h₀ : x < y) : x ≠ y");
        FormalStatement reordered = LeanStatementParser.Parse("theorem t (y x : ℝ) (h : x < y) : x ≠ y");

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, renamed);
        Assert.NotEqual(first, reordered);
        Assert.Equal(new FormalStatement("t", default, default, Call(FormalFunction.TrueProp, P)), new FormalStatement("t", [], [], Call(FormalFunction.TrueProp, P)));
    }

    [Fact]
    public void Type_OfComputedNodes_FollowsTheirOperands()
    {
        Assert.Equal(R, new NegateExpr(Var("x", R)).Type);
        Assert.Equal(R, Pow(Var("x", R), Var("n", N)).Type);
        Assert.Equal(P, Eq(Var("x", R), Num(1, R)).Type);
        Assert.Equal(FormalType.Set(N), new SetBuilderExpr("x", N, Call(FormalFunction.TrueProp, P)).Type);
        Assert.Equal(FormalType.Finset(Z), new FilterExpr("x", Z, Call(FormalFunction.TrueProp, P), Var("S", FormalType.Finset(Z))).Type);
        Assert.Equal(Q, new BigOperatorExpr(BigOperator.Sum, "k", N, Var("S", FormalType.Finset(N)), Var("q", Q)).Type);
    }

    private static FormalType Type(string kind)
    {
        return Enum.Parse<FormalTypeKind>(kind) switch
        {
            FormalTypeKind.Nat => N,
            FormalTypeKind.Int => Z,
            FormalTypeKind.Rat => Q,
            FormalTypeKind.Real => R,
            FormalTypeKind.Complex => C,
            FormalTypeKind.NNReal => FormalType.NNReal,
            _ => P,
        };
    }
}
