using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

using FsCheck;
using FsCheck.Fluent;

using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Formal;

/// <summary>
/// Generators of well-typed IR, as the elaborator would produce it: arithmetic operands share the node's type
/// (casts are explicit and only go to a strictly larger type), exponents are ℕ, ℤ or ℝ, every variable is in scope.
/// </summary>
internal static class FormalGenerators
{
    private static readonly FormalType N = FormalType.Nat;
    private static readonly FormalType Z = FormalType.Int;
    private static readonly FormalType Q = FormalType.Rat;
    private static readonly FormalType R = FormalType.Real;
    private static readonly FormalType C = FormalType.Complex;
    private static readonly FormalType NN = FormalType.NNReal;
    private static readonly FormalType[] Numbers = [N, Z, Q, R, C, NN];
    private static readonly FormalType[] Ordered = [N, Z, Q, R, NN];

    /// <summary>The statement variables every generated statement has.</summary>
    public static ImmutableArray<FormalVariable> Variables { get; } =
    [
        new("x", R), new("y", R), new("n", N), new("m", N), new("a", Z), new("b", Z), new("q", Q), new("z", C), new("r", NN),
        new("f", FormalType.Function(N, R)), new("g", FormalType.Function(R, R)), new("S", FormalType.Finset(N)),
    ];

    private static Gen<T> Defer<T>(Func<Gen<T>> generator)
    {
        return Gen.Constant(0).SelectMany(_ => generator());
    }

    public static Gen<FormalStatement> Statements()
    {
        ImmutableList<FormalVariable> scope = [.. Variables];
        Gen<FormalHypothesis> hypothesis = Gen.Elements("h₀", "h₁", "h")
            .SelectMany(name => Gen.Sized(size => Prop(Math.Min(size, 30) / 8, scope)).Select(proposition => new FormalHypothesis(name, proposition)));
        return Gen.Choose(0, 3).SelectMany(count => Gen.ArrayOf(hypothesis, count))
            .SelectMany(hypotheses => Gen.Sized(size => Prop(Math.Min(size, 40) / 8, scope))
                .Select(conclusion => new FormalStatement("t", Variables, [.. hypotheses], conclusion)));
    }

    private static ImmutableList<FormalVariable> Bind(ImmutableList<FormalVariable> scope, string name, FormalType type)
    {
        return scope.RemoveAll(variable => variable.Name == name).Add(new FormalVariable(name, type));
    }

    // ---- Propositions ----

    public static Gen<FormalExpr> Prop(int depth, ImmutableList<FormalVariable> scope)
    {
        List<(int, Gen<FormalExpr>)> options =
        [
            (6, Gen.Elements(Numbers).SelectMany(type => Relation(type, depth, scope))),
            (1, Gen.Elements(N, Z).SelectMany(type =>
                Defer(() => Term(type, depth - 1, scope)).Zip(Defer(() => Term(type, depth - 1, scope)), static (left, right) =>
                    (FormalExpr)new RelationExpr(RelationOperator.Divides, left, right)))),
            (1, Defer(() => Term(N, depth - 1, scope)).Zip(Collection(depth - 1, scope), static (element, set) =>
                (FormalExpr)new RelationExpr(RelationOperator.Member, element, set))),
            (1, Defer(() => Term(N, depth - 1, scope)).Select(static argument => Call(FormalFunction.NatPrime, FormalType.Prop, argument))),
            (1, Gen.Elements(N, Z).SelectMany(type => Defer(() => Term(type, depth - 1, scope)))
                .Select(static argument => Call(FormalFunction.Even, FormalType.Prop, argument))),
            (1, Gen.Choose(1, 9).SelectMany(modulus => Defer(() => Term(N, depth - 1, scope)).Zip(Defer(() => Term(N, depth - 1, scope)),
                (left, right) => Call(FormalFunction.NatModEq, FormalType.Prop, new NumeralExpr(modulus, N), left, right)))),
            (1, Gen.Elements(FormalFunction.TrueProp, FormalFunction.FalseProp).Select(static constant => Call(constant, FormalType.Prop))),
        ];
        if (depth > 0)
        {
            options.Add((3, Gen.Elements(LogicalOperator.And, LogicalOperator.Or, LogicalOperator.Implies, LogicalOperator.Iff)
                .SelectMany(op => Defer(() => Prop(depth - 1, scope)).Zip(Defer(() => Prop(depth - 1, scope)),
                    (left, right) => (FormalExpr)new LogicalExpr(op, left, right)))));
            options.Add((1, Defer(() => Prop(depth - 1, scope)).Select(static operand => (FormalExpr)new NotExpr(operand))));
            options.Add((2, Gen.Elements(Quantifier.ForAll, Quantifier.Exists, Quantifier.ExistsUnique)
                .SelectMany(quantifier => Gen.Elements("u", "v", "x").SelectMany(name => Gen.Elements(Numbers).SelectMany(type =>
                    Defer(() => Prop(depth - 1, Bind(scope, name, type)))
                        .Select(body => (FormalExpr)new QuantifierExpr(quantifier, name, type, body)))))));
            options.Add((1, Gen.Elements("u", "w").SelectMany(name => Defer(() => Prop(depth - 1, Bind(scope, name, N)))
                .Select(body => new SetBuilderExpr(name, N, body))
                .Zip(Defer(() => Term(N, depth - 1, scope)), static (set, least) => Call(FormalFunction.IsLeast, FormalType.Prop, set, least)))));
        }

        return Gen.Frequency([.. options]);
    }

    private static Gen<FormalExpr> Relation(FormalType type, int depth, ImmutableList<FormalVariable> scope)
    {
        Gen<RelationOperator> operators = type == C
            ? Gen.Elements(RelationOperator.Equal, RelationOperator.NotEqual)
            : Gen.Elements(RelationOperator.Equal, RelationOperator.NotEqual, RelationOperator.Less, RelationOperator.LessEqual,
                RelationOperator.Greater, RelationOperator.GreaterEqual);
        return operators.SelectMany(op => Defer(() => Term(type, depth, scope)).Zip(Defer(() => Term(type, depth, scope)),
            (left, right) => (FormalExpr)new RelationExpr(op, left, right)));
    }

    private static Gen<FormalExpr> Collection(int depth, ImmutableList<FormalVariable> scope)
    {
        return Gen.OneOf(
            Gen.Constant<FormalExpr>(new VariableExpr("S", FormalType.Finset(N))),
            Gen.Choose(0, 6).Select(static bound => Call(FormalFunction.FinsetRange, FormalType.Finset(N), new NumeralExpr(bound, N))),
            Gen.Choose(0, 3).Zip(Gen.Choose(3, 8), static (low, high) =>
                Call(FormalFunction.FinsetIcc, FormalType.Finset(N), new NumeralExpr(low, N), new NumeralExpr(high, N))),
            Defer(() => Prop(Math.Max(depth - 1, 0), Bind(scope, "w", N))).Select(static predicate =>
                (FormalExpr)new FilterExpr("w", N, predicate, Call(FormalFunction.FinsetRange, FormalType.Finset(N), new NumeralExpr(10, N)))));
    }

    // ---- Terms ----

    public static Gen<FormalExpr> Term(FormalType type, int depth, ImmutableList<FormalVariable> scope)
    {
        List<(int, Gen<FormalExpr>)> options = [(4, Leaf(type, scope))];
        if (depth > 0)
        {
            Gen<FormalExpr> Sub() => Defer(() => Term(type, depth - 1, scope));
            NumericOperator[] operators = type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int
                ? [NumericOperator.Add, NumericOperator.Subtract, NumericOperator.Multiply, NumericOperator.Divide, NumericOperator.Modulo]
                : [NumericOperator.Add, NumericOperator.Subtract, NumericOperator.Multiply, NumericOperator.Divide];
            options.Add((4, Gen.Elements(operators).SelectMany(op => Sub().Zip(Sub(), (left, right) => (FormalExpr)new ArithmeticExpr(op, left, right)))));
            options.Add((1, Sub().Zip(Exponent(type, depth - 1, scope), static (b, e) => (FormalExpr)new ArithmeticExpr(NumericOperator.Power, b, e))));
            if (type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.NNReal))
            {
                options.Add((1, Sub().Select(static operand => (FormalExpr)new NegateExpr(operand))));
            }

            FormalType[] smaller = [.. Numbers.Where(source => source != type && source.CanCoerceTo(type))];
            if (smaller.Length > 0)
            {
                options.Add((2, Gen.Elements(smaller).SelectMany(source => Defer(() => Term(source, depth - 1, scope)))
                    .Select(operand => (FormalExpr)new CastExpr(operand, type))));
            }

            options.Add((1, BigOperatorTerm(type, depth, scope)));
            foreach (Gen<FormalExpr> call in Calls(type, depth, scope))
            {
                options.Add((1, call));
            }
        }

        return Gen.Frequency([.. options]);
    }

    private static Gen<FormalExpr> Exponent(FormalType baseType, int depth, ImmutableList<FormalVariable> scope)
    {
        List<Gen<FormalExpr>> options = [Gen.Choose(0, 3).Select(static power => (FormalExpr)new NumeralExpr(power, N)), Term(N, Math.Min(depth, 1), scope)];
        if (baseType.Kind is FormalTypeKind.Rat or FormalTypeKind.Real or FormalTypeKind.Complex)
        {
            options.Add(Term(Z, Math.Min(depth, 1), scope));
        }

        if (baseType == R)
        {
            options.Add(Term(R, Math.Min(depth, 1), scope));
        }

        return Gen.OneOf(options);
    }

    private static Gen<FormalExpr> Leaf(FormalType type, ImmutableList<FormalVariable> scope)
    {
        List<(int, Gen<FormalExpr>)> options = [(3, Gen.Choose(0, 12).Select(value => (FormalExpr)new NumeralExpr(value, type)))];
        FormalVariable[] variables = [.. scope.Where(variable => variable.Type == type)];
        if (variables.Length > 0)
        {
            options.Add((4, Gen.Elements(variables).Select(static variable => (FormalExpr)new VariableExpr(variable.Name, variable.Type))));
        }

        if (type.Kind is FormalTypeKind.Rat or FormalTypeKind.Real)
        {
            options.Add((1, Gen.Choose(0, 999).Zip(Gen.Choose(-3, 2), (mantissa, exponent) =>
                (FormalExpr)new ScientificExpr(new BigInteger(mantissa), exponent, type))));
        }

        if (type == R)
        {
            options.Add((1, Gen.Constant(Call(FormalFunction.Pi, R))));
        }

        if (type == C)
        {
            options.Add((1, Gen.Constant(Call(FormalFunction.ImaginaryUnit, C))));
        }

        return Gen.Frequency([.. options]);
    }

    private static IEnumerable<Gen<FormalExpr>> Calls(FormalType type, int depth, ImmutableList<FormalVariable> scope)
    {
        Gen<FormalExpr> Of(FormalType argumentType) => Defer(() => Term(argumentType, depth - 1, scope));
        VariableExpr f = new("f", FormalType.Function(N, R));
        VariableExpr g = new("g", FormalType.Function(R, R));
        switch (type.Kind)
        {
            case FormalTypeKind.Real:
                yield return Of(N).Select(argument => (FormalExpr)new ApplyExpr(f, [argument], R));
                yield return Of(R).Select(argument => (FormalExpr)new ApplyExpr(g, [argument], R));
                yield return Of(R).Select(static argument => Call(FormalFunction.RealSqrt, R, argument));
                yield return Of(R).Zip(Of(R), static (first, second) => Call(FormalFunction.Logb, R, first, second));
                break;
            case FormalTypeKind.Nat:
                yield return Of(N).Zip(Of(N), static (first, second) => Call(FormalFunction.NatGcd, N, first, second));
                yield return Of(N).Select(static argument => Call(FormalFunction.Factorial, N, argument));
                yield return Collection(depth - 1, scope).Select(static set => Call(FormalFunction.FinsetCard, N, set));
                yield return Of(Q).Select(static argument => Call(FormalFunction.RatDen, N, argument));
                break;
            case FormalTypeKind.Int:
                yield return Gen.Elements(Q, R).SelectMany(argumentType => Of(argumentType))
                    .SelectMany(argument => Gen.Elements(FormalFunction.IntFloor, FormalFunction.IntCeil).Select(function => Call(function, Z, argument)));
                break;
            case FormalTypeKind.Rat:
                yield return Of(Z).Zip(Of(Z), static (first, second) => Call(FormalFunction.RatDivInt, Q, first, second));
                break;
            case FormalTypeKind.NNReal:
                yield return Of(NN).Select(static argument => Call(FormalFunction.NNRealSqrt, NN, argument));
                break;
            default:
                break;
        }

        if (Array.IndexOf(Ordered, type) >= 0 && type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.NNReal))
        {
            yield return Of(type).Select(argument => Call(FormalFunction.Abs, type, argument));
            yield return Of(type).Zip(Of(type), (first, second) => Call(FormalFunction.Max, type, first, second));
        }

        if (type.Kind is FormalTypeKind.Rat or FormalTypeKind.Real or FormalTypeKind.Complex)
        {
            yield return Of(type).Select(argument => Call(FormalFunction.Inverse, type, argument));
        }
    }

    private static Gen<FormalExpr> BigOperatorTerm(FormalType type, int depth, ImmutableList<FormalVariable> scope)
    {
        return Gen.Elements(BigOperator.Sum, BigOperator.Product).SelectMany(op => Gen.Elements("k", "i").SelectMany(index =>
            Collection(depth - 1, scope).Zip(Defer(() => Term(type, depth - 1, Bind(scope, index, N))),
                (domain, body) => (FormalExpr)new BigOperatorExpr(op, index, N, domain, body))));
    }

    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Generators need Gen<FormalExpr>.")]
    private static FormalExpr Call(FormalFunction function, FormalType type, params FormalExpr[] arguments)
    {
        return new CallExpr(function, [.. arguments], type);
    }

    // ---- Random token sequences ----

    private static readonly string[] Vocabulary =
    [
        "x", "y", "n", "f", "S", "k", "1", "2", "0.5", "(", ")", "(", ")", ":", "ℝ", "ℕ", "ℤ", "=", "≠", "<", "≤", "+", "-", "*", "/", "%", "^",
        "∣", "∈", "∧", "∨", "→", "↔", "¬", "∀", "∃", "∃!", ",", "∑", "∏", "in", "Finset.range", "Finset.Icc", "Real.sqrt", "abs", "|",
        "⌊", "⌋", "↑", "!", "⁻¹", ".", "card", "{", "}", "[", "]", "MOD", "≡", "fun", "=>", "Nat.gcd", "_", ":=", "by", "Finset.filter",
        "Finset.sum", "IsLeast", "S.card", "x.succ", "/.", "⟨", "⟩", "·", "•",
    ];

    /// <summary>A theorem header followed by random tokens from a vocabulary of the subset's notation.</summary>
    public static Gen<string> TokenSoup()
    {
        return Gen.Elements(Vocabulary).ListOf().Select(static tokens =>
            "theorem t (x y : ℝ) (n : ℕ) (f : ℕ → ℝ) (S : Finset ℕ) : " + string.Join(' ', tokens));
    }
}
