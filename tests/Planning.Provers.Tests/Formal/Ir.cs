using System.Collections.Immutable;

using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Formal;

/// <summary>Short builders for expected IR in tests, and an equality assertion with a typed diff.</summary>
internal static class Ir
{
    public static readonly FormalType N = FormalType.Nat;
    public static readonly FormalType Z = FormalType.Int;
    public static readonly FormalType Q = FormalType.Rat;
    public static readonly FormalType R = FormalType.Real;
    public static readonly FormalType C = FormalType.Complex;
    public static readonly FormalType P = FormalType.Prop;

    public static NumeralExpr Num(int value, FormalType type) => new(value, type);

    public static VariableExpr Var(string name, FormalType type) => new(name, type);

    public static CastExpr Cast(FormalExpr operand, FormalType type) => new(operand, type);

    public static NegateExpr Neg(FormalExpr operand) => new(operand);

    public static ArithmeticExpr Add(FormalExpr left, FormalExpr right) => new(NumericOperator.Add, left, right);

    public static ArithmeticExpr Sub(FormalExpr left, FormalExpr right) => new(NumericOperator.Subtract, left, right);

    public static ArithmeticExpr Mul(FormalExpr left, FormalExpr right) => new(NumericOperator.Multiply, left, right);

    public static ArithmeticExpr Div(FormalExpr left, FormalExpr right) => new(NumericOperator.Divide, left, right);

    public static ArithmeticExpr Mod(FormalExpr left, FormalExpr right) => new(NumericOperator.Modulo, left, right);

    public static ArithmeticExpr Pow(FormalExpr left, FormalExpr right) => new(NumericOperator.Power, left, right);

    public static RelationExpr Rel(RelationOperator op, FormalExpr left, FormalExpr right) => new(op, left, right);

    public static RelationExpr Eq(FormalExpr left, FormalExpr right) => new(RelationOperator.Equal, left, right);

    public static RelationExpr Lt(FormalExpr left, FormalExpr right) => new(RelationOperator.Less, left, right);

    public static LogicalExpr And(FormalExpr left, FormalExpr right) => new(LogicalOperator.And, left, right);

    public static LogicalExpr Implies(FormalExpr left, FormalExpr right) => new(LogicalOperator.Implies, left, right);

    public static CallExpr Call(FormalFunction function, FormalType type, params FormalExpr[] arguments) => new(function, [.. arguments], type);

    public static ApplyExpr Apply(VariableExpr function, FormalType type, params FormalExpr[] arguments) => new(function, [.. arguments], type);

    public static FormalStatement Statement(string name, FormalVariable[] variables, FormalHypothesis[] hypotheses, FormalExpr conclusion)
    {
        return new FormalStatement(name, [.. variables], [.. hypotheses], conclusion);
    }

    /// <summary>Asserts structural equality, showing both IRs fully typed when they differ.</summary>
    public static void AssertEqual(FormalStatement expected, FormalStatement actual)
    {
        Assert.Equal(FormalDump.Of(expected), FormalDump.Of(actual));
        Assert.Equal(expected, actual);
        Assert.Equal(expected.GetHashCode(), actual.GetHashCode());
    }

    /// <summary>Asserts structural equality of expressions, showing both fully typed when they differ.</summary>
    public static void AssertEqual(FormalExpr expected, FormalExpr actual)
    {
        Assert.Equal(FormalDump.Of(expected), FormalDump.Of(actual));
        Assert.Equal(expected, actual);
        Assert.Equal(expected.GetHashCode(), actual.GetHashCode());
    }

    /// <summary>The conclusion of <c>theorem t BINDERS : CONCLUSION</c>.</summary>
    public static FormalExpr Conclusion(string binders, string conclusion)
    {
        return LeanStatementParser.Parse($"theorem t {binders} : {conclusion} := by").Conclusion;
    }

    public static ImmutableArray<FormalExpr> Args(params FormalExpr[] arguments) => [.. arguments];
}
