using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Planning.Provers.Formal;

/// <summary>How a <see cref="TypePattern"/> matches a type.</summary>
internal enum TypePatternKind
{
    /// <summary>Exactly <see cref="TypePattern.Fixed"/>.</summary>
    Fixed,

    /// <summary>The signature's type variable α.</summary>
    Alpha,

    /// <summary><c>Set α</c>.</summary>
    SetOfAlpha,

    /// <summary><c>Finset α</c>.</summary>
    FinsetOfAlpha,
}

/// <summary>A parameter or result type of a library function's signature, possibly mentioning α.</summary>
/// <param name="Kind">How it matches.</param>
/// <param name="Fixed">The type, for <see cref="TypePatternKind.Fixed"/>.</param>
internal readonly record struct TypePattern(TypePatternKind Kind, FormalType? Fixed)
{
    public static TypePattern Alpha { get; } = new(TypePatternKind.Alpha, null);

    public static TypePattern SetOfAlpha { get; } = new(TypePatternKind.SetOfAlpha, null);

    public static TypePattern FinsetOfAlpha { get; } = new(TypePatternKind.FinsetOfAlpha, null);

    public bool MentionsAlpha => Kind != TypePatternKind.Fixed;

    public static TypePattern Of(FormalType type)
    {
        return new TypePattern(TypePatternKind.Fixed, type);
    }

    /// <summary>The type with α replaced by <paramref name="alpha"/>.</summary>
    public FormalType Instantiate(FormalType alpha)
    {
        return Kind switch
        {
            TypePatternKind.Fixed => Fixed!,
            TypePatternKind.Alpha => alpha,
            TypePatternKind.SetOfAlpha => FormalType.Set(alpha),
            _ => FormalType.Finset(alpha),
        };
    }

    /// <summary>The α that makes this pattern equal to <paramref name="actual"/>, or null when it cannot or need not.</summary>
    public FormalType? MatchAlpha(FormalType? actual)
    {
        if (actual is null)
        {
            return null;
        }

        return Kind switch
        {
            TypePatternKind.Alpha => actual,
            TypePatternKind.SetOfAlpha when actual.Kind == FormalTypeKind.Set => actual.Element,
            TypePatternKind.FinsetOfAlpha when actual.Kind == FormalTypeKind.Finset => actual.Element,
            _ => null,
        };
    }
}

/// <summary>How a library function is written.</summary>
internal enum FunctionNotation
{
    /// <summary>Prefix application <c>Name a b</c>.</summary>
    Application,

    /// <summary><c>|x|</c>.</summary>
    Abs,

    /// <summary><c>⌊x⌋</c>.</summary>
    Floor,

    /// <summary><c>⌈x⌉</c>.</summary>
    Ceil,

    /// <summary><c>n !</c>.</summary>
    Factorial,

    /// <summary><c>x⁻¹</c>.</summary>
    Inverse,

    /// <summary><c>a ≡ b [MOD n]</c>.</summary>
    ModEq,

    /// <summary><c>a ≡ b [ZMOD n]</c>.</summary>
    IntModEq,

    /// <summary><c>a /. b</c>.</summary>
    RatDivInt,
}

/// <summary>A library function's Lean name, signature and notation.</summary>
internal sealed record FunctionSignature(
    FormalFunction Function, string Name, ImmutableArray<TypePattern> Parameters, TypePattern Result, FunctionNotation Notation)
{
    public int Arity => Parameters.Length;

    /// <summary>The parameter types for a given α (α ignored by signatures that do not mention it).</summary>
    public FormalType ParameterType(int index, FormalType alpha)
    {
        return Parameters[index].Instantiate(alpha);
    }

    public bool MentionsAlpha => Result.MentionsAlpha || Parameters.Any(static parameter => parameter.MentionsAlpha);
}

/// <summary>The table of library functions known to the parser, the elaborator and the printer.</summary>
internal static class FormalFunctions
{
    private static readonly FormalType N = FormalType.Nat;
    private static readonly FormalType Z = FormalType.Int;
    private static readonly FormalType Q = FormalType.Rat;
    private static readonly FormalType R = FormalType.Real;
    private static readonly FormalType C = FormalType.Complex;
    private static readonly FormalType P = FormalType.Prop;

    public static ImmutableArray<FunctionSignature> All { get; } =
    [
        Fixed(FormalFunction.RealSqrt, "Real.sqrt", [R], R),
        Fixed(FormalFunction.NNRealSqrt, "NNReal.sqrt", [FormalType.NNReal], FormalType.NNReal),
        Fixed(FormalFunction.NatSqrt, "Nat.sqrt", [N], N),
        new(FormalFunction.Abs, "abs", [TypePattern.Alpha], TypePattern.Alpha, FunctionNotation.Abs),
        new(FormalFunction.Min, "min", [TypePattern.Alpha, TypePattern.Alpha], TypePattern.Alpha, FunctionNotation.Application),
        new(FormalFunction.Max, "max", [TypePattern.Alpha, TypePattern.Alpha], TypePattern.Alpha, FunctionNotation.Application),
        Fixed(FormalFunction.NatGcd, "Nat.gcd", [N, N], N),
        Fixed(FormalFunction.NatLcm, "Nat.lcm", [N, N], N),
        Fixed(FormalFunction.IntGcd, "Int.gcd", [Z, Z], N),
        Fixed(FormalFunction.IntLcm, "Int.lcm", [Z, Z], N),
        new(FormalFunction.IntFloor, "Int.floor", [TypePattern.Alpha], TypePattern.Of(Z), FunctionNotation.Floor),
        new(FormalFunction.IntCeil, "Int.ceil", [TypePattern.Alpha], TypePattern.Of(Z), FunctionNotation.Ceil),
        new(FormalFunction.NatFloor, "Nat.floor", [TypePattern.Alpha], TypePattern.Of(N), FunctionNotation.Application),
        new(FormalFunction.NatCeil, "Nat.ceil", [TypePattern.Alpha], TypePattern.Of(N), FunctionNotation.Application),
        Fixed(FormalFunction.IntNatAbs, "Int.natAbs", [Z], N),
        Fixed(FormalFunction.IntToNat, "Int.toNat", [Z], N),
        new(FormalFunction.Factorial, "Nat.factorial", [TypePattern.Of(N)], TypePattern.Of(N), FunctionNotation.Factorial),
        Fixed(FormalFunction.Choose, "Nat.choose", [N, N], N),
        Fixed(FormalFunction.NatSucc, "Nat.succ", [N], N),
        Fixed(FormalFunction.NatPrime, "Nat.Prime", [N], P),
        new(FormalFunction.Even, "Even", [TypePattern.Alpha], TypePattern.Of(P), FunctionNotation.Application),
        new(FormalFunction.Odd, "Odd", [TypePattern.Alpha], TypePattern.Of(P), FunctionNotation.Application),
        Fixed(FormalFunction.Irrational, "Irrational", [R], P),
        Fixed(FormalFunction.Pi, "Real.pi", [], R),
        Fixed(FormalFunction.ImaginaryUnit, "Complex.I", [], C),
        Fixed(FormalFunction.Exp, "Real.exp", [R], R),
        Fixed(FormalFunction.Log, "Real.log", [R], R),
        Fixed(FormalFunction.Logb, "Real.logb", [R, R], R),
        Fixed(FormalFunction.Cos, "Real.cos", [R], R),
        Fixed(FormalFunction.Sin, "Real.sin", [R], R),
        Fixed(FormalFunction.Tan, "Real.tan", [R], R),
        Fixed(FormalFunction.ComplexAbs, "Complex.abs", [C], R),
        Fixed(FormalFunction.ComplexRe, "Complex.re", [C], R),
        Fixed(FormalFunction.ComplexIm, "Complex.im", [C], R),
        Fixed(FormalFunction.ComplexNormSq, "Complex.normSq", [C], R),
        Fixed(FormalFunction.RatNum, "Rat.num", [Q], Z),
        new(FormalFunction.Fintype, "Fintype", [TypePattern.SetOfAlpha], TypePattern.Of(P), FunctionNotation.Application),
        new(FormalFunction.SetToFinset, "Set.toFinset", [TypePattern.SetOfAlpha], TypePattern.FinsetOfAlpha, FunctionNotation.Application),
        Fixed(FormalFunction.RatDen, "Rat.den", [Q], N),
        new(FormalFunction.RatDivInt, "Rat.divInt", [TypePattern.Of(Z), TypePattern.Of(Z)], TypePattern.Of(Q), FunctionNotation.RatDivInt),
        new(FormalFunction.Inverse, "Inv.inv", [TypePattern.Alpha], TypePattern.Alpha, FunctionNotation.Inverse),
        Fixed(FormalFunction.FinsetRange, "Finset.range", [N], FormalType.Finset(N)),
        Interval(FormalFunction.FinsetIcc, "Finset.Icc"),
        Interval(FormalFunction.FinsetIco, "Finset.Ico"),
        Interval(FormalFunction.FinsetIoc, "Finset.Ioc"),
        Interval(FormalFunction.FinsetIoo, "Finset.Ioo"),
        new(FormalFunction.FinsetCard, "Finset.card", [TypePattern.FinsetOfAlpha], TypePattern.Of(N), FunctionNotation.Application),
        Fixed(FormalFunction.NatDivisors, "Nat.divisors", [N], FormalType.Finset(N)),
        Fixed(FormalFunction.NatProperDivisors, "Nat.properDivisors", [N], FormalType.Finset(N)),
        new(FormalFunction.IsLeast, "IsLeast", [TypePattern.SetOfAlpha, TypePattern.Alpha], TypePattern.Of(P), FunctionNotation.Application),
        new(FormalFunction.IsGreatest, "IsGreatest", [TypePattern.SetOfAlpha, TypePattern.Alpha], TypePattern.Of(P), FunctionNotation.Application),
        new(FormalFunction.NatModEq, "Nat.ModEq", [TypePattern.Of(N), TypePattern.Of(N), TypePattern.Of(N)], TypePattern.Of(P), FunctionNotation.ModEq),
        new(FormalFunction.IntModEq, "Int.ModEq", [TypePattern.Of(Z), TypePattern.Of(Z), TypePattern.Of(Z)], TypePattern.Of(P), FunctionNotation.IntModEq),
        Fixed(FormalFunction.TrueProp, "True", [], P),
        Fixed(FormalFunction.FalseProp, "False", [], P),
    ];

    private static readonly FrozenDictionary<FormalFunction, FunctionSignature> ByFunction =
        All.ToFrozenDictionary(static signature => signature.Function);

    private static readonly FrozenDictionary<string, FunctionSignature> ByName =
        All.Select(static signature => KeyValuePair.Create(signature.Name, signature))
            .Append(KeyValuePair.Create("π", ByFunction![FormalFunction.Pi]))
            .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The signature of <paramref name="function"/>.</summary>
    public static FunctionSignature Get(FormalFunction function)
    {
        return ByFunction[function];
    }

    /// <summary>Looks a function up by its full Lean name (or <c>π</c>).</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FunctionSignature? signature)
    {
        return ByName.TryGetValue(name, out signature);
    }

    private static FunctionSignature Fixed(FormalFunction function, string name, FormalType[] parameters, FormalType result)
    {
        return new FunctionSignature(function, name, [.. parameters.Select(TypePattern.Of)], TypePattern.Of(result), FunctionNotation.Application);
    }

    private static FunctionSignature Interval(FormalFunction function, string name)
    {
        return new FunctionSignature(function, name, [TypePattern.Alpha, TypePattern.Alpha], TypePattern.FinsetOfAlpha, FunctionNotation.Application);
    }
}
