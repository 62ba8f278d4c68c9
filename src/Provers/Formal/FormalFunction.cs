namespace Planning.Provers.Formal;

/// <summary>
/// The library functions and constants a <see cref="CallExpr"/> may apply. Each has a fixed Lean signature
/// (see the member docs; <c>α</c> is a number type fixed by the arguments or by the expected type). Parsing
/// accepts the Lean name, the listed notation, and generalized field notation (<c>S.card</c>, <c>n.gcd m</c>,
/// <c>(a 2019).den</c>); anything else is <c>unsupported: name</c>.
/// </summary>
public enum FormalFunction
{
    /// <summary><c>Real.sqrt : ℝ → ℝ</c>, also <c>√x</c>; <c>Real.sqrt x = 0</c> for <c>x &lt; 0</c>.</summary>
    RealSqrt,

    /// <summary><c>NNReal.sqrt : NNReal → NNReal</c>.</summary>
    NNRealSqrt,

    /// <summary><c>Nat.sqrt : ℕ → ℕ</c>, the floor of the square root.</summary>
    NatSqrt,

    /// <summary><c>abs : α → α</c>, also <c>|x|</c>.</summary>
    Abs,

    /// <summary><c>min : α → α → α</c>.</summary>
    Min,

    /// <summary><c>max : α → α → α</c>.</summary>
    Max,

    /// <summary><c>Nat.gcd : ℕ → ℕ → ℕ</c>.</summary>
    NatGcd,

    /// <summary><c>Nat.lcm : ℕ → ℕ → ℕ</c>.</summary>
    NatLcm,

    /// <summary><c>Int.gcd : ℤ → ℤ → ℕ</c>.</summary>
    IntGcd,

    /// <summary><c>Int.lcm : ℤ → ℤ → ℕ</c>.</summary>
    IntLcm,

    /// <summary><c>Int.floor : α → ℤ</c>, also <c>⌊x⌋</c>.</summary>
    IntFloor,

    /// <summary><c>Int.ceil : α → ℤ</c>, also <c>⌈x⌉</c>.</summary>
    IntCeil,

    /// <summary><c>Nat.floor : α → ℕ</c>.</summary>
    NatFloor,

    /// <summary><c>Nat.ceil : α → ℕ</c>.</summary>
    NatCeil,

    /// <summary><c>Int.natAbs : ℤ → ℕ</c>.</summary>
    IntNatAbs,

    /// <summary><c>Int.toNat : ℤ → ℕ</c> (0 for negative arguments).</summary>
    IntToNat,

    /// <summary><c>Nat.factorial : ℕ → ℕ</c>, also <c>n !</c>.</summary>
    Factorial,

    /// <summary><c>Nat.choose : ℕ → ℕ → ℕ</c>.</summary>
    Choose,

    /// <summary><c>Nat.succ : ℕ → ℕ</c>.</summary>
    NatSucc,

    /// <summary><c>Nat.Prime : ℕ → Prop</c>.</summary>
    NatPrime,

    /// <summary><c>Even : α → Prop</c>.</summary>
    Even,

    /// <summary><c>Odd : α → Prop</c>.</summary>
    Odd,

    /// <summary><c>Irrational : ℝ → Prop</c>.</summary>
    Irrational,

    /// <summary>The constant <c>Real.pi : ℝ</c>, also <c>π</c>.</summary>
    Pi,

    /// <summary>The constant <c>Complex.I : ℂ</c>.</summary>
    ImaginaryUnit,

    /// <summary><c>Real.exp : ℝ → ℝ</c>.</summary>
    Exp,

    /// <summary><c>Real.log : ℝ → ℝ</c> (<c>log 0 = 0</c>, <c>log x = log |x|</c>).</summary>
    Log,

    /// <summary><c>Real.logb : ℝ → ℝ → ℝ</c>, the logarithm to a base (first argument).</summary>
    Logb,

    /// <summary><c>Real.cos : ℝ → ℝ</c>.</summary>
    Cos,

    /// <summary><c>Real.sin : ℝ → ℝ</c>.</summary>
    Sin,

    /// <summary><c>Real.tan : ℝ → ℝ</c>.</summary>
    Tan,

    /// <summary><c>Complex.abs : ℂ → ℝ</c>.</summary>
    ComplexAbs,

    /// <summary><c>Complex.re : ℂ → ℝ</c>.</summary>
    ComplexRe,

    /// <summary><c>Complex.im : ℂ → ℝ</c>.</summary>
    ComplexIm,

    /// <summary><c>Complex.normSq : ℂ → ℝ</c>.</summary>
    ComplexNormSq,

    /// <summary><c>Rat.num : ℚ → ℤ</c>, the numerator in lowest terms.</summary>
    RatNum,


    /// <summary><c>Rat.den : ℚ → ℕ</c>, the positive denominator in lowest terms.</summary>
    RatDen,

    /// <summary><c>Rat.divInt : ℤ → ℤ → ℚ</c>, written <c>a /. b</c>: the rational <c>a / b</c> (0 when <c>b = 0</c>).</summary>
    RatDivInt,

    /// <summary><c>Inv.inv : α → α</c>, written <c>x⁻¹</c> (<c>0⁻¹ = 0</c>).</summary>
    Inverse,

    /// <summary><c>Finset.range : ℕ → Finset ℕ</c>, the numbers <c>0 … n-1</c>.</summary>
    FinsetRange,

    /// <summary><c>Finset.Icc : α → α → Finset α</c>, the closed interval <c>[a, b]</c>.</summary>
    FinsetIcc,

    /// <summary><c>Finset.Ico : α → α → Finset α</c>, the interval <c>[a, b)</c>.</summary>
    FinsetIco,

    /// <summary><c>Finset.Ioc : α → α → Finset α</c>, the interval <c>(a, b]</c>.</summary>
    FinsetIoc,

    /// <summary><c>Finset.Ioo : α → α → Finset α</c>, the open interval <c>(a, b)</c>.</summary>
    FinsetIoo,

    /// <summary><c>Finset.card : Finset α → ℕ</c>, also <c>S.card</c>.</summary>
    FinsetCard,

    /// <summary><c>Nat.divisors : ℕ → Finset ℕ</c>.</summary>
    NatDivisors,

    /// <summary><c>Nat.properDivisors : ℕ → Finset ℕ</c>.</summary>
    NatProperDivisors,

    /// <summary><c>IsLeast : Set α → α → Prop</c>: the value is in the set and below every element.</summary>
    IsLeast,

    /// <summary><c>IsGreatest : Set α → α → Prop</c>.</summary>
    IsGreatest,

    /// <summary><c>Nat.ModEq : ℕ → ℕ → ℕ → Prop</c>, written <c>a ≡ b [MOD n]</c> for <c>Nat.ModEq n a b</c>.</summary>
    NatModEq,

    /// <summary><c>Int.ModEq : ℤ → ℤ → ℤ → Prop</c>, written <c>a ≡ b [ZMOD n]</c> for <c>Int.ModEq n a b</c>.</summary>
    IntModEq,

    /// <summary>The proposition <c>True</c>.</summary>
    TrueProp,

    /// <summary>The proposition <c>False</c>.</summary>
    FalseProp,

    /// <summary>
    /// <c>Fintype s</c> for a set <c>s</c>, as a hypothesis: the set is finite (an instance exists exactly then, and
    /// every instance gives the same <c>s.toFinset</c>).
    /// </summary>
    Fintype,

    /// <summary><c>Set.toFinset : Set α → Finset α</c>, written <c>s.toFinset</c>: the same members.</summary>
    SetToFinset,
}
