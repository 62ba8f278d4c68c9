using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Planning.Provers.Formal;

/// <summary>The kinds of <see cref="FormalType"/>.</summary>
public enum FormalTypeKind
{
    /// <summary>The natural numbers <c>ℕ</c> (Lean's <c>Nat</c>): subtraction truncates at 0, division floors.</summary>
    Nat,

    /// <summary>The integers <c>ℤ</c> (Lean's <c>Int</c>).</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after Lean's Int, like Nat, Rat and Real.")]
    Int,

    /// <summary>The rationals <c>ℚ</c> (Lean's <c>Rat</c>).</summary>
    Rat,

    /// <summary>The reals <c>ℝ</c> (Lean's <c>Real</c>).</summary>
    Real,

    /// <summary>The complex numbers <c>ℂ</c> (Lean's <c>Complex</c>).</summary>
    Complex,

    /// <summary>The non-negative reals <c>NNReal</c> (<c>ℝ≥0</c>): subtraction truncates at 0.</summary>
    NNReal,

    /// <summary>Propositions, <c>Prop</c>: the type of hypotheses, conclusions and relations.</summary>
    Prop,

    /// <summary>A function type <c>A → B</c>; see <see cref="FormalType.Domain"/> and <see cref="FormalType.Codomain"/>.</summary>
    Function,

    /// <summary>A set <c>Set A</c>; see <see cref="FormalType.Element"/>.</summary>
    Set,

    /// <summary>A finite set <c>Finset A</c>; see <see cref="FormalType.Element"/>.</summary>
    Finset,

    /// <summary>
    /// An equivalence <c>Equiv A B</c> (<c>A ≃ B</c>): a bijection with its inverse, applied as <c>σ.1 a</c> (forward,
    /// <see cref="FormalType.Domain"/> to <see cref="FormalType.Codomain"/>) or <c>σ.2 b</c> (inverse).
    /// </summary>
    Equiv,

    /// <summary>The integers modulo n, <c>ZMod n</c>, with a literal modulus (<see cref="FormalType.Modulus"/>).</summary>
    ZMod,
}

/// <summary>
/// The type of a formal expression or variable: one of the number types <c>ℕ ℤ ℚ ℝ ℂ</c> and
/// <c>NNReal</c>, <c>Prop</c>, a function type <c>A → B</c> (curried for several arguments), or a set
/// <c>Set A</c> / <c>Finset A</c>. Types compare by value.
/// </summary>
/// <remarks>
/// Lean inserts a coercion from a number type to a larger one (<see cref="CanCoerceTo"/>): ℕ → ℤ → ℚ → ℝ → ℂ,
/// and ℕ → NNReal → ℝ. ℤ and ℚ do not coerce to NNReal, nor NNReal to them.
/// </remarks>
public sealed record FormalType
{
    private FormalType(FormalTypeKind kind, FormalType? first = null, FormalType? second = null, BigInteger modulus = default, string? modulusVariable = null)
    {
        Kind = kind;
        Domain = kind is FormalTypeKind.Function or FormalTypeKind.Equiv ? first : null;
        Codomain = kind is FormalTypeKind.Function or FormalTypeKind.Equiv ? second : null;
        Modulus = modulus;
        ModulusVariable = modulusVariable;
        Element = kind is FormalTypeKind.Set or FormalTypeKind.Finset ? first : null;
    }

    /// <summary>The natural numbers <c>ℕ</c>.</summary>
    public static FormalType Nat { get; } = new(FormalTypeKind.Nat);

    /// <summary>The integers <c>ℤ</c>.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after Lean's Int, like Nat, Rat and Real.")]
    public static FormalType Int { get; } = new(FormalTypeKind.Int);

    /// <summary>The rationals <c>ℚ</c>.</summary>
    public static FormalType Rat { get; } = new(FormalTypeKind.Rat);

    /// <summary>The reals <c>ℝ</c>.</summary>
    public static FormalType Real { get; } = new(FormalTypeKind.Real);

    /// <summary>The complex numbers <c>ℂ</c>.</summary>
    public static FormalType Complex { get; } = new(FormalTypeKind.Complex);

    /// <summary>The non-negative reals <c>NNReal</c>.</summary>
    public static FormalType NNReal { get; } = new(FormalTypeKind.NNReal);

    /// <summary>Propositions.</summary>
    public static FormalType Prop { get; } = new(FormalTypeKind.Prop);

    /// <summary>What kind of type this is.</summary>
    public FormalTypeKind Kind { get; }

    /// <summary>The argument type of a <see cref="FormalTypeKind.Function"/> type (the source of an <see cref="FormalTypeKind.Equiv"/>); otherwise <see langword="null"/>.</summary>
    public FormalType? Domain { get; }

    /// <summary>The result type of a <see cref="FormalTypeKind.Function"/> type (the target of an <see cref="FormalTypeKind.Equiv"/>); otherwise <see langword="null"/>.</summary>
    public FormalType? Codomain { get; }

    /// <summary>The modulus n of <c>ZMod n</c> when it is a literal; zero for every other kind, and for <c>ZMod p</c>.</summary>
    public BigInteger Modulus { get; }

    /// <summary>
    /// The statement variable p of <c>ZMod p</c> when the modulus is not a literal; otherwise null. Such a type is read so
    /// that the statement parses (and compares with others), not translated.
    /// </summary>
    public string? ModulusVariable { get; }

    /// <summary>The element type of a <see cref="FormalTypeKind.Set"/> or <see cref="FormalTypeKind.Finset"/> type; otherwise <see langword="null"/>.</summary>
    public FormalType? Element { get; }

    /// <summary>Whether this is a number type: ℕ, ℤ, ℚ, ℝ, ℂ, NNReal or <c>ZMod n</c>.</summary>
    public bool IsNumeric => Kind is FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Rat
        or FormalTypeKind.Real or FormalTypeKind.Complex or FormalTypeKind.NNReal or FormalTypeKind.ZMod;

    /// <summary>Whether this is a set or a finite set.</summary>
    public bool IsCollection => Kind is FormalTypeKind.Set or FormalTypeKind.Finset;

    /// <summary>The function type <c>domain → codomain</c>.</summary>
    /// <param name="domain">The argument type.</param>
    /// <param name="codomain">The result type; a function type for a function of several arguments.</param>
    /// <returns>The function type.</returns>
    public static FormalType Function(FormalType domain, FormalType codomain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(codomain);
        return new FormalType(FormalTypeKind.Function, domain, codomain);
    }

    /// <summary>The equivalence type <c>Equiv domain codomain</c> (<c>domain ≃ codomain</c>).</summary>
    /// <param name="domain">The source type.</param>
    /// <param name="codomain">The target type.</param>
    /// <returns>The equivalence type.</returns>
    public static FormalType Equiv(FormalType domain, FormalType codomain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(codomain);
        return new FormalType(FormalTypeKind.Equiv, domain, codomain);
    }

    /// <summary>The type <c>ZMod modulus</c> of integers modulo <paramref name="modulus"/>.</summary>
    /// <param name="modulus">The modulus; positive (Lean's <c>ZMod 0</c> is ℤ, which is written <c>ℤ</c> here).</param>
    /// <returns>The type.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is not positive.</exception>
    public static FormalType ZModOf(BigInteger modulus)
    {
        if (modulus.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(modulus), modulus, "the modulus of ZMod must be positive");
        }

        return new FormalType(FormalTypeKind.ZMod, modulus: modulus);
    }

    /// <summary>The type <c>ZMod p</c> of integers modulo the value of the ℕ variable <paramref name="modulusVariable"/>.</summary>
    /// <param name="modulusVariable">The variable's name; not empty.</param>
    /// <returns>The type.</returns>
    /// <exception cref="ArgumentException"><paramref name="modulusVariable"/> is null or empty.</exception>
    public static FormalType ZModOf(string modulusVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(modulusVariable);
        return new FormalType(FormalTypeKind.ZMod, modulusVariable: modulusVariable);
    }

    /// <summary>The type <c>Set element</c>.</summary>
    /// <param name="element">The element type.</param>
    /// <returns>The set type.</returns>
    public static FormalType Set(FormalType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new FormalType(FormalTypeKind.Set, element);
    }

    /// <summary>The type <c>Finset element</c>.</summary>
    /// <param name="element">The element type.</param>
    /// <returns>The finite-set type.</returns>
    public static FormalType Finset(FormalType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new FormalType(FormalTypeKind.Finset, element);
    }

    /// <summary>
    /// Whether Lean coerces a value of this type to <paramref name="target"/> (or the types are equal):
    /// ℕ → ℤ → ℚ → ℝ → ℂ along the chain, ℕ → NNReal → ℝ → ℂ, and ℕ → <c>ZMod n</c>, ℤ → <c>ZMod n</c>.
    /// </summary>
    /// <param name="target">The type to coerce to.</param>
    /// <returns><see langword="true"/> when the types are equal or a number coercion exists.</returns>
    public bool CanCoerceTo(FormalType target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (this == target)
        {
            return true;
        }

        if (!IsNumeric || !target.IsNumeric)
        {
            return false;
        }

        if (Kind == FormalTypeKind.ZMod || target.Kind == FormalTypeKind.ZMod)
        {
            // Nat.cast and Int.cast into ZMod n; ZMod n coerces to nothing else (its value is a residue, not a number).
            return target.Kind == FormalTypeKind.ZMod && Kind is FormalTypeKind.Nat or FormalTypeKind.Int;
        }

        if (Kind == FormalTypeKind.NNReal)
        {
            return target.Kind is FormalTypeKind.Real or FormalTypeKind.Complex;
        }

        if (target.Kind == FormalTypeKind.NNReal)
        {
            return Kind == FormalTypeKind.Nat;
        }

        return ChainRank(Kind) < ChainRank(target.Kind);
    }

    /// <summary>
    /// The smaller of two number types that both coerce to, as Lean's <c>binop%</c> elaborator picks the
    /// "maximal" type of an arithmetic tree; <see langword="null"/> when neither coerces to the other.
    /// </summary>
    /// <param name="first">One type.</param>
    /// <param name="second">The other type.</param>
    /// <returns>The type both coerce to, or <see langword="null"/> when they are incomparable.</returns>
    public static FormalType? Join(FormalType first, FormalType second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.CanCoerceTo(second))
        {
            return second;
        }

        return second.CanCoerceTo(first) ? first : null;
    }

    /// <summary>The type in Lean 4 syntax with Unicode spelling: <c>ℕ</c>, <c>ℕ → ℝ</c>, <c>Finset ℕ</c>.</summary>
    /// <returns>The Lean spelling of the type.</returns>
    public override string ToString()
    {
        StringBuilder builder = new();
        Append(builder, this, atom: false);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, FormalType type, bool atom)
    {
        switch (type.Kind)
        {
            case FormalTypeKind.Function:
                if (atom)
                {
                    builder.Append('(');
                }

                Append(builder, type.Domain!, atom: true);
                builder.Append(" → ");
                Append(builder, type.Codomain!, atom: false);
                if (atom)
                {
                    builder.Append(')');
                }

                break;
            case FormalTypeKind.Equiv or FormalTypeKind.ZMod:
                if (atom)
                {
                    builder.Append('(');
                }

                if (type.Kind == FormalTypeKind.ZMod)
                {
                    builder.Append("ZMod ").Append(type.ModulusVariable ?? type.Modulus.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append("Equiv ");
                    Append(builder, type.Domain!, atom: true);
                    builder.Append(' ');
                    Append(builder, type.Codomain!, atom: true);
                }

                if (atom)
                {
                    builder.Append(')');
                }

                break;
            case FormalTypeKind.Set or FormalTypeKind.Finset:
                if (atom)
                {
                    builder.Append('(');
                }

                builder.Append(type.Kind == FormalTypeKind.Set ? "Set " : "Finset ");
                Append(builder, type.Element!, atom: true);
                if (atom)
                {
                    builder.Append(')');
                }

                break;
            default:
                builder.Append(type.Kind switch
                {
                    FormalTypeKind.Nat => "ℕ",
                    FormalTypeKind.Int => "ℤ",
                    FormalTypeKind.Rat => "ℚ",
                    FormalTypeKind.Real => "ℝ",
                    FormalTypeKind.Complex => "ℂ",
                    FormalTypeKind.NNReal => "NNReal",
                    _ => "Prop",
                });
                break;
        }
    }

    private static int ChainRank(FormalTypeKind kind)
    {
        return kind switch
        {
            FormalTypeKind.Nat => 0,
            FormalTypeKind.Int => 1,
            FormalTypeKind.Rat => 2,
            FormalTypeKind.Real => 3,
            _ => 4,
        };
    }
}
