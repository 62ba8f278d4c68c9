using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Translation;

namespace Planning.Provers.Tests.Translation;

/// <summary>One test per translation rule: an exact term, or Z3's verdict on the translated goal (2 s limit).</summary>
public sealed class LeanToSmtTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    private readonly Z3InProcessBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
    }

    private static TranslatedStatement Translate(string source)
    {
        return LeanToSmt.Translate(LeanStatementParser.Parse(source));
    }

    private ProofVerdict Verdict(string source)
    {
        TranslatedStatement statement = Translate(source);
        return _backend.CheckValid(statement.Conclusion, Limit, statement.Assumptions).Verdict;
    }

    [Theory]
    [InlineData("theorem t : (1 / 4 : ℕ) = 0")] // ℕ division is floor division
    [InlineData("theorem t : (7 / 2 : ℕ) = 3")]
    [InlineData("theorem t : (5 : ℕ) - 7 = 0")] // truncated subtraction
    [InlineData("theorem t : (7 : ℕ) % 3 = 1")]
    [InlineData("theorem t : (5 : ℕ) / 0 = 0")] // ℕ division by zero
    [InlineData("theorem t : (5 : ℕ) % 0 = 5")] // ℕ remainder by zero
    [InlineData("theorem t : (-7 : ℤ) / 2 = -4")] // Euclidean division
    [InlineData("theorem t : (-7 : ℤ) % 2 = 1")]
    [InlineData("theorem t : (7 : ℤ) / -2 = -3")]
    [InlineData("theorem t : (-7 : ℤ) % -2 = 1")]
    [InlineData("theorem t (x : ℤ) : x / 0 = 0")]
    [InlineData("theorem t (x : ℤ) : x % 0 = x")]
    [InlineData("theorem t (x : ℝ) : x / 0 = 0")] // real division by zero
    [InlineData("theorem t (x : ℝ) (h : x ≠ 0) : x / x = 1")]
    [InlineData("theorem t : Real.sqrt (-1) = 0")] // sqrt of a negative
    [InlineData("theorem t : Real.sqrt 4 = 2")]
    [InlineData("theorem t (x : ℝ) : 0 ≤ Real.sqrt x")]
    [InlineData("theorem t : ∑ k in Finset.range 4, k = 6")] // unrolled sum
    [InlineData("theorem t : ∏ k in Finset.Icc 1 4, k = 24")] // unrolled product
    [InlineData("theorem t : ∑ k in Finset.range 0, k = 0")]
    [InlineData("theorem t (n : ℕ) : 0 ≤ n")] // ℕ side condition
    [InlineData("theorem t (n : ℕ) : ((n : ℤ) : ℝ) = (n : ℝ)")] // casts
    [InlineData("theorem t (x : ℝ) : x ^ 2 ≥ 0")] // literal powers
    [InlineData("theorem t : (2 : ℤ) ^ 10 = 1024")]
    [InlineData("theorem t (x : ℝ) : x ^ 0 = 1")]
    [InlineData("theorem t (x : ℝ) : |x| ≥ 0")] // abs
    [InlineData("theorem t : |(-3 : ℤ)| = 3")]
    [InlineData("theorem t (a b : ℝ) : min a b ≤ max a b")] // min, max
    [InlineData("theorem t : (3 : ℤ) ∣ 12")] // divisibility by a literal
    [InlineData("theorem t (a : ℤ) : a ∣ a * 5")] // divisibility by a variable
    [InlineData("theorem t : ¬ (5 : ℕ) ∣ 12")]
    [InlineData("theorem t : ∀ n : ℕ, n + 1 > 0")] // typed binders
    [InlineData("theorem t : ∃ x : ℝ, x * x = 2")]
    [InlineData("theorem t : (2.5 : ℝ) * 2 = 5")] // decimals
    [InlineData("theorem t (x : ℝ) : x⁻¹ * 0 = 0")]
    [InlineData("theorem t : (0 : ℝ)⁻¹ = 0")] // inverse of zero
    [InlineData("theorem t : Even (4 : ℤ) ∧ Odd (7 : ℕ)")]
    [InlineData("theorem t : Int.floor (2.5 : ℝ) = 2 ∧ Int.ceil (2.5 : ℝ) = 3")]
    [InlineData("theorem t : (5 : ℕ)! = 120")]
    [InlineData("theorem t (n : ℕ) (h : n ∈ Finset.range 3) : n < 3")] // finset membership
    [InlineData("theorem t : (2 : ℤ) ^ 100 % 10 = 6")] // literal power computed
    [InlineData("theorem t : (1.5 : ℝ) ^ 2 = 2.25")]
    [InlineData("theorem t : Nat.Prime 7")] // primality
    [InlineData("theorem t : ¬ Nat.Prime 9")]
    [InlineData("theorem t : Nat.gcd 12 18 = 6")] // gcd, lcm
    [InlineData("theorem t : Nat.lcm 4 6 = 12")]
    [InlineData("theorem t : 10 ≡ 1 [MOD 3]")] // modular congruence
    [InlineData("theorem t : (-2 : ℤ) ≡ 1 [ZMOD 3]")]
    [InlineData("theorem t : Nat.floor (-2.5 : ℝ) = 0")] // Nat.floor clamps at 0
    [InlineData("theorem t (a b : ℕ) (h₀ : a = 3) (h₁ : b = 4) : a - b = 0")] // hypotheses
    [InlineData("theorem t (f : ℕ → ℕ) (h : f 2 = 5) : f 2 > 4")] // function variable: uninterpreted
    [InlineData("theorem t (f : ℕ → ℕ) : f 3 ≥ 0")] // ℕ-valued function clamped at 0
    [InlineData("theorem t (f : ℕ → ℕ → ℤ) (a b : ℕ) (h : a = b) : f a 1 = f b 1")] // congruence, curried arguments
    [InlineData("theorem t (f : ℝ → ℝ) (h : ∀ x, f x = 2 * x + 1) : f 3 = 7")] // defined function expanded
    [InlineData("theorem t (S : Set ℝ) (h : ∀ x, x ∈ S ↔ x > 2) : (3 : ℝ) ∈ S")] // set variable: membership predicate
    [InlineData("theorem t (q : ℚ) (h : 2 * q = 1) : q = 1 / 2")] // ℚ ranges as ℝ
    [InlineData("theorem t (n : ℕ) : (2 : ℕ) ^ n > 0")] // non-literal exponent: positivity
    [InlineData("theorem t (n : ℕ) (h : n ≥ 1) : (3 : ℤ) ^ n = 3 * 3 ^ (n - 1)")] // the recursive step
    [InlineData("theorem t (x : ℝ) (n : ℕ) (h : n = 0) : x ^ n = 1")]
    [InlineData("theorem t (x : ℝ) (h : x > 0) : x ^ (1 : ℝ) = x")] // rpow at 1
    [InlineData("theorem t (x : ℝ) : x ^ ((1 : ℝ) / 2) = Real.sqrt x")] // rpow at 1/2 is sqrt (Real.sqrt_eq_rpow)
    [InlineData("theorem t (x : ℝ) : Real.exp x > 0")] // transcendental facts
    [InlineData("theorem t (x y : ℝ) (h : x < y) : Real.exp x < Real.exp y")] // monotonicity of two applications
    [InlineData("theorem t : Real.log 1 = 0")]
    [InlineData("theorem t (x : ℝ) : Real.log (-x) = Real.log x")] // log is even
    [InlineData("theorem t (x : ℝ) (h : x > 0) : Real.exp (Real.log x) = x")] // inverse pair
    [InlineData("theorem t (x : ℝ) : Real.log (Real.exp x) = x")]
    [InlineData("theorem t (x : ℝ) : Real.logb 2 x = Real.log x / Real.log 2")]
    [InlineData("theorem t (x : ℝ) : Real.sin x ^ 2 + Real.cos x ^ 2 = 1")]
    [InlineData("theorem t : 3 < Real.pi ∧ Real.pi < 3.2")]
    [InlineData("theorem t (n : ℕ) (h : n ≥ 1) : n ! = n * (n - 1)!")] // factorial of a non-literal
    [InlineData("theorem t (n : ℕ) : Nat.choose n 0 = 1")]
    [InlineData("theorem t : Nat.sqrt 17 = 4")]
    [InlineData("theorem t (n : ℕ) (h : n = 1) : ∑ k in Finset.range n, (k + 5) = 5")] // non-literal bounds: recursive symbol
    [InlineData("theorem t (n : ℕ) : ∑ k in Finset.range (n + 1), k = (∑ k in Finset.range n, k) + n")]
    [InlineData("theorem t : Finset.card (Finset.filter (fun x => x % 3 = 0) (Finset.range 10)) = 4")] // filters unrolled
    [InlineData("theorem t : ∑ k in Nat.divisors 6, k = 12")]
    [InlineData("theorem t (n : ℕ) (h : n ∈ Nat.divisors 12) : n ≤ 12")]
    [InlineData("theorem t : IsLeast {n : ℕ | 3 ≤ n} 3")]
    [InlineData("theorem t (x : ℝ) : ∑ k in Finset.range 2, Real.sqrt (x + k) ≥ 0")] // fresh variables in an unrolled body
    public void Translate_TrueStatement_IsValid(string source)
    {
        Assert.Equal(ProofVerdict.Proven, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t (z w : ℂ) : z * w = w * z")] // ℂ as pairs of reals
    [InlineData("theorem t : (1 + Complex.I) ^ 2 = 2 * Complex.I")]
    [InlineData("theorem t : Complex.I ^ 2 = -1")]
    [InlineData("theorem t : (Complex.I / 2) ^ 2 = -(1 / 4)")]
    [InlineData("theorem t (z : ℂ) (h : z = 0) : 1 / z = 0")] // 0⁻¹ = 0, as in Lean
    [InlineData("theorem t (z : ℂ) : z⁻¹ * 0 = 0")]
    [InlineData("theorem t (z : ℂ) (h : z ≠ 0) : z * z⁻¹ = 1")]
    [InlineData("theorem t (z : ℂ) (h : z ≠ 0) : z / z = 1")]
    [InlineData("theorem t (z w : ℂ) (h : w ≠ 0) : z / w * w = z")]
    [InlineData("theorem t (f z : ℂ) (h : f + 3 * z = 11) : f = 11 - 3 * z")]
    [InlineData("theorem t (z : ℂ) : Complex.normSq z = z.re ^ 2 + z.im ^ 2")]
    [InlineData("theorem t : Complex.normSq (3 + 4 * Complex.I) = 25 ∧ Complex.abs (3 + 4 * Complex.I) = 5")]
    [InlineData("theorem t (z : ℂ) : (z + Complex.I).im = z.im + 1 ∧ (2 * z).re = 2 * z.re")]
    [InlineData("theorem t (x : ℝ) (n : ℕ) : ((x : ℂ) + (n : ℂ)).im = 0")] // casts into ℂ
    [InlineData("theorem t (z : ℂ) : ∑ k in Finset.range 3, z ^ k = 1 + z + z ^ 2")] // literal bounds unrolled, exponent literal after unrolling
    [InlineData("theorem t : ∏ k in Finset.Icc 1 4, Complex.I = 1")]
    [InlineData("theorem t (z : ℂ) (h : z ≠ 0) : z ^ (-2 : ℤ) = 1 / (z * z)")] // zpow_neg
    [InlineData("theorem t : ∀ z : ℂ, z * Complex.I = 1 → z = -Complex.I")] // two real binders
    [InlineData("theorem t : ∃ z : ℂ, z ^ 2 = -4")]
    [InlineData("theorem t (z : ℂ) (h : z ^ 2 = 1) : z = 1 ∨ z = -1")]
    [InlineData("theorem t (b : ZMod (11 ^ 2)) (h : b = 24⁻¹) : b = 116")] // ZMod: 24·116 = 2784 = 23·121 + 1
    [InlineData("theorem t (x : ZMod 7) : x + 7 = x ∧ x * 8 = x")] // reduced mod n
    [InlineData("theorem t (x : ZMod 7) : (7 : ZMod 7) = 0 ∧ (x = 0 ∨ x = 1 ∨ x = 2 ∨ x = 3 ∨ x = 4 ∨ x = 5 ∨ x = 6)")] // residues in [0, 7)
    [InlineData("theorem t : ((-1 : ℤ) : ZMod 7) = 6 ∧ (-1 : ZMod 7) = 6 ∧ ((10 : ℕ) : ZMod 7) = 3")] // Euclidean: negative → non-negative
    [InlineData("theorem t (l r : ZMod 7) (h₀ : l = (2 + 3)⁻¹) (h₁ : r = 2⁻¹ + 3⁻¹) : l - r = 1")] // literals folded before inverting
    [InlineData("theorem t : (2 : ZMod 7) / 3 = 3 ∧ (0 : ZMod 7)⁻¹ = 0")]
    [InlineData("theorem t (x : ZMod 5) (h : x ≠ 0) : x ^ 4 = 1")] // Fermat, over the five residues
    [InlineData("theorem t : (3 : ZMod 1000) ^ 1000000 = 1")] // ModPow for a literal base
    [InlineData("theorem t : ∀ x : ZMod 3, x = 0 ∨ x = 1 ∨ x = 2")] // a binder ranges over the residues
    [InlineData("theorem t (x : ZMod 7) : ∑ k in Finset.range 7, x = 0")]
    [InlineData("theorem t : 5 ^ 999999 % 7 = 6")] // a ^ n % m folded by ModPow
    [InlineData("theorem t : (-5 : ℤ) ^ 3 % 7 = 1")] // -125 emod 7 = 1: the negative ModPow result shifted up
    [InlineData("theorem t : (-5 : ℤ) ^ 3 % -7 = 1")] // Euclidean: in [0, |m|)
    [InlineData("theorem t : 5 ^ 999999 ≡ 6 [MOD 7]")]
    [InlineData("theorem t : (2 : ℤ) ^ 10 % 0 = 1024")] // x % 0 = x, computed
    [InlineData("theorem t : Complex.I ^ 97 = Complex.I")] // a constant base takes exponents above 64: I⁹⁷ = I¹
    [InlineData("theorem t : (1 + Complex.I) ^ 100 = -(2 ^ 50)")] // (1 + I)² = 2I, (2I)⁵⁰ = 2⁵⁰ · I⁵⁰ = -2⁵⁰
    public void Translate_TrueComplexZModOrModPowStatement_IsValid(string source)
    {
        Assert.Equal(ProofVerdict.Proven, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t : Complex.I ^ 2 = 1")]
    [InlineData("theorem t (z : ℂ) : z * z ≠ -1")] // z = I
    [InlineData("theorem t (z : ℂ) : z⁻¹ * z = 1")] // z = 0
    [InlineData("theorem t (z : ℂ) (h : Complex.normSq z = 1) : z = 1 ∨ z = -1")]
    [InlineData("theorem t (z : ℂ) : z.im = 0")]
    [InlineData("theorem t (b : ZMod 121) (h : b = 24⁻¹) : b = 115")]
    [InlineData("theorem t (x : ZMod 6) (h : x ≠ 0) : x ^ 2 ≠ 0 ∧ x * 2 ≠ 0")] // x = 3
    [InlineData("theorem t : 5 ^ 999999 % 7 = 5")]
    [InlineData("theorem t : (-5 : ℤ) ^ 3 % 7 = -6")] // .NET's sign of the dividend is not Lean's
    [InlineData("theorem t : Complex.I ^ 98 = 1")] // I⁹⁸ = -1
    public void Translate_FalseComplexZModOrModPowStatement_IsRefuted(string source)
    {
        Assert.Equal(ProofVerdict.Refuted, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t (x : ℝ) : ‖x‖ = |x|", true)] // the norm of a real, through Complex.abs of its cast
    [InlineData("theorem t (x : ℝ) : ‖x‖ = x", false)]
    [InlineData("theorem t (x : ℝ) (h : Irrational x) : x ≠ 3 / 7", true)]
    [InlineData("theorem t (x : ℝ) (h : x = 3 / 7) : ¬ Irrational x", true)]
    [InlineData("theorem t (x : ℝ) (h : x = 3 / 7) : Irrational x", false)]
    [InlineData("theorem t (S T : Set ℕ) (h₀ : ∀ n, n ∈ S ↔ n < 3) (h₁ : ∀ n, n ∈ T ↔ n ≤ 2) : S = T", true)]
    [InlineData("theorem t (S T : Set ℕ) (h₀ : ∀ n, n ∈ S ↔ n < 3) (h₁ : ∀ n, n ∈ T ↔ n ≤ 3) : S = T", false)]
    [InlineData("theorem t (S : Set ℝ) (h₀ : S = {x : ℝ | x ^ 2 = 4}) : (2 : ℝ) ∈ S ∧ S ≠ {x : ℝ | x = 2}", true)]
    public void Translate_NormIrrationalAndSetEquality_FollowTheirDefinitions(string source, bool proven)
    {
        // ‖x‖ is Complex.abs ↑x = |x|. Irrational x: no integers p, q ≥ 1 with x·q = p, so a fraction is not irrational.
        // Set equality is extensionality (Set.ext).
        Assert.Equal(proven ? ProofVerdict.Proven : ProofVerdict.Refuted, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t : (6 /. 4).num = 3 ∧ (6 /. 4).den = 2 ∧ (-6 /. 4).num = -3", true)] // a literal, reduced exactly
    [InlineData("theorem t (q : ℚ) (h : q = 6 / 4) : q.den = 4", false)]
    [InlineData("theorem t (q : ℚ) (h : q = 6 / 4) : q.den ≠ 1 ∧ q.num ≠ 6", true)]
    [InlineData("theorem t (q : ℚ) (h : 0 < q) : (q.num : ℝ) / q.den = q", true)]
    [InlineData("theorem t (q : ℚ) : 1 ≤ q.den", true)]
    [InlineData("theorem t (q : ℚ) (h : q.den = 1) : q = q.num", true)]
    [InlineData("theorem t (q : ℚ) (h : q.den = 1) : q = 0", false)]
    [InlineData("theorem t : (1 /. 2 + 1 /. 3 + 1 /. 7 + 1 /. 42).den = 1", true)]
    [InlineData("theorem t : (1 /. 2 + 1 /. 3 + 1 /. 7 + 1 /. 41).den = 1", false)]
    [InlineData("theorem t (n : ℕ) (h₀ : 0 < n) (h₁ : (1 /. 2 + 1 /. 3 + 1 /. 7 + 1 /. ↑n).den = 1) : 42 ∣ n", true)]
    [InlineData("theorem t (a b : ℤ) : a /. 0 = b /. 0", true)]
    public void Translate_RatNumDenAndDivInt_AreTheLowestTerms(string source, bool proven)
    {
        // q.den ≥ 1 and q.num are the coprime pair with q·den = num (Bézout names the coprimality); a /. b is a / b, 0 when b = 0.
        // (Z3's non-linear integer reasoning does not derive every lowest-terms value from Bézout: q = 6 / 4 → q.num = 3 is
        // left unknown, so the theory asserts what it decides.)
        Assert.Equal(proven ? ProofVerdict.Proven : ProofVerdict.Refuted, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t (f : ℂ → ℂ) (h₀ : ∀ z, f z = z ^ 2) : f Complex.I = -1", true)] // defined: the body at i
    [InlineData("theorem t (f : ℂ → ℂ) (h₀ : ∀ z, f z = z ^ 2) : f Complex.I = 1", false)]
    [InlineData("theorem t (g : ℂ → ℝ) (h₀ : ∀ z, g z = z.re + z.im) : g (1 + 2 * Complex.I) = 3", true)]
    [InlineData("theorem t (f : ℝ → ℂ) (h₀ : ∀ x, f x = x * Complex.I) : (f 2).im = 2", true)]
    [InlineData("theorem t (f : ℂ → ℂ) (h₀ : ∀ z, f z = f (-z)) : f 1 = f (-1)", true)] // uninterpreted, by its axiom
    [InlineData("theorem t (f : ℂ → ℂ) : f 1 = f 2", false)]
    [InlineData("theorem t (f : ℂ → ℂ) (h₀ : ∀ z, f z = z ^ 2) : Complex.I ∈ f ⁻¹' {-1} ∧ (1 : ℂ) ∉ f ⁻¹' {-1}", true)] // a ℂ member of a preimage
    public void Translate_FunctionVariableOverComplex_IsAPairOfRealFunctionsOfTheParts(string source, bool proven)
    {
        // f : ℂ → ℂ is two real functions (real and imaginary part) of the argument's two parts; a defining hypothesis
        // ∀ z, f z = e is used at the argument, as for real functions.
        Assert.Equal(proven ? ProofVerdict.Proven : ProofVerdict.Refuted, Verdict(source));
    }

    [Fact]
    public void Translate_ComplexVariable_RealPartKeepsTheNameImaginaryPartIsFresh()
    {
        TranslatedStatement statement = Translate("theorem t (z : ℂ) (x : ℝ) : z.re = x ∧ z.im = x");
        Variable re = new("z", SmtSort.RealSort);
        Variable im = new("z.im", SmtSort.RealSort);
        Variable x = new("x", SmtSort.RealSort);

        // The statement's variables first (the real part in z's place), then the imaginary part with the fresh ones; its
        // constraint is always true and mentions both parts, so a check pairs imaginary parts along the alignment.
        Assert.Equal(new[] { re, x, im }, statement.Variables.ToArray());
        Assert.Single(statement.SideConditions);
        Assert.Equal(new[] { re, im }, Terms.FreeVariables(statement.SideConditions).ToArray());
        Assert.Equal(
            new Conjunction(new Comparison(ComparisonOperator.Equal, re, x), new Comparison(ComparisonOperator.Equal, im, x)),
            statement.Conclusion);
    }

    [Fact]
    public void Translate_ComplexLiteralArithmetic_FoldedToRealLiterals()
    {
        // (I / 2)^2 = -(1/4): both sides fold to the pair (-1/4, 0), so the conclusion compares literals.
        TranslatedStatement statement = Translate("theorem t : (Complex.I / 2) ^ 2 = -(1 / 4)");
        Term quarter = new RealLiteral(-1, 4);
        Term zero = new RealLiteral(0);
        Assert.Equal(
            new Conjunction(new Comparison(ComparisonOperator.Equal, quarter, quarter), new Comparison(ComparisonOperator.Equal, zero, zero)),
            statement.Conclusion);
    }

    [Fact]
    public void Translate_ZModVariable_IsAResidueWithItsRangeAsSideCondition()
    {
        TranslatedStatement statement = Translate("theorem t (x : ZMod 7) : x + 1 = 0");
        Variable x = new("x", SmtSort.IntSort);
        Assert.Equal(new[] { x }, statement.Variables.ToArray());
        Assert.Equal(
            new Term[] { new Conjunction(new Comparison(ComparisonOperator.GreaterOrEqual, x, new IntLiteral(0)), new Comparison(ComparisonOperator.Less, x, new IntLiteral(7))) },
            statement.SideConditions.ToArray());
        Assert.Equal(
            new Comparison(ComparisonOperator.Equal, new Arithmetic(ArithmeticOperator.Modulo, new Arithmetic(ArithmeticOperator.Add, x, new IntLiteral(1)), new IntLiteral(7)), new IntLiteral(0)),
            statement.Conclusion);
    }

    [Fact]
    public void Translate_ZModInverseOfLiterals_AgreesWithBruteForceInverse()
    {
        // Independent oracle: the residue y with a·y ≡ 1 (mod n) found by trying every y; non-units are unsupported.
        foreach (int n in new[] { 2, 7, 12, 31, 121, 1399 })
        {
            for (int a = 1; a < Math.Min(n, 40); a++)
            {
                int inverse = Enumerable.Range(0, n).FirstOrDefault(y => (long)a * y % n == 1, -1);
                string source = $"theorem t (y : ZMod {n}) (h : y = {a}⁻¹) : y = {Math.Max(inverse, 0)}";
                TranslationResult result = LeanToSmt.TryTranslate(LeanStatementParser.Parse(source));
                if (inverse < 0)
                {
                    Assert.Equal("ZMod inverse of a non-unit", result.Error?.Construct);
                    continue;
                }

                Assert.True(result.Succeeded, source);
                Assert.Equal(new Comparison(ComparisonOperator.Equal, new Variable("y", SmtSort.IntSort), new IntLiteral(inverse)), result.Statement!.Hypotheses[0]);
            }
        }
    }

    [Fact]
    public void Translate_LiteralPowerRemainder_AgreesWithRepeatedSquaring()
    {
        // Independent oracle: square-and-multiply over the exponent's bits, reducing each step with Lean's Euclidean %.
        static long PowMod(long b, long e, long m)
        {
            long modulus = Math.Abs(m);
            long result = 1 % modulus;
            long square = ((b % modulus) + modulus) % modulus;
            for (; e > 0; e >>= 1)
            {
                if ((e & 1) == 1)
                {
                    result = result * square % modulus;
                }

                square = square * square % modulus;
            }

            return result;
        }

        // 5^6 ≡ 1 (mod 7) and 999999 = 6·166666 + 3, so 5^999999 ≡ 5^3 = 125 ≡ 6: the oracle agrees with the known cycle.
        Assert.Equal(6, PowMod(5, 999999, 7));
        (long Base, long Exponent, long Modulus)[] cases = [(5, 999999, 7), (2, 1_000_000_007, 1000), (-3, 12345, 11), (-7, 4096, -9), (10, 0, 3), (123456789, 987654321, 1_000_003)];
        foreach ((long b, long e, long m) in cases)
        {
            string source = $"theorem t : ({b} : ℤ) ^ {e} % {m} = x";
            TranslatedStatement statement = Translate($"theorem t (x : ℤ) : ({b} : ℤ) ^ {e} % ({m} : ℤ) = x");
            Assert.True(
                new Comparison(ComparisonOperator.Equal, new IntLiteral(PowMod(b, e, m)), new Variable("x", SmtSort.IntSort)) == statement.Conclusion,
                source + ": " + statement.Conclusion);
        }
    }

    [Theory]
    [InlineData("theorem t : (5 : ℤ) - 7 = 0")] // ℤ subtraction is not truncated
    [InlineData("theorem t (x : ℝ) : Real.sqrt x * Real.sqrt x = x")] // false for negative x
    [InlineData("theorem t (x : ℤ) : x ≥ 0")] // no side condition on ℤ
    [InlineData("theorem t : (-7 : ℤ) / 2 = -3")] // not truncation division
    [InlineData("theorem t : ∃ n : ℕ, n + 1 = 0")]
    [InlineData("theorem t : 10 ≡ 2 [MOD 3]")]
    [InlineData("theorem t (f : ℕ → ℕ) : f 1 = f 2")] // an uninterpreted function can differ
    [InlineData("theorem t (n : ℕ) : (2 : ℕ) ^ n > n + 5")] // n = 0 (the axioms allow it, and so does the true power)
    [InlineData("theorem t : IsLeast {n : ℕ | 3 ≤ n} 4")]
    [InlineData("theorem t : Finset.card (Finset.filter (fun x => x % 3 = 0) (Finset.range 10)) = 3")]
    public void Translate_FalseStatement_IsRefuted(string source)
    {
        Assert.Equal(ProofVerdict.Refuted, Verdict(source));
    }

    [Fact]
    public void Translate_NatSubtraction_IsTruncatedIte()
    {
        TranslatedStatement statement = Translate("theorem t (a b : ℕ) : a - b = 0");
        Variable a = new("a", SmtSort.IntSort);
        Variable b = new("b", SmtSort.IntSort);
        Term expected = new Comparison(
            ComparisonOperator.Equal,
            new IfThenElse(
                new Comparison(ComparisonOperator.GreaterOrEqual, a, b),
                new Arithmetic(ArithmeticOperator.Subtract, a, b),
                new IntLiteral(0)),
            new IntLiteral(0));
        Assert.Equal(expected, statement.Conclusion);
        Assert.Equal(new[] { a, b }, statement.Variables.ToArray());
        Assert.Equal(
            new Term[] { new Comparison(ComparisonOperator.GreaterOrEqual, a, new IntLiteral(0)), new Comparison(ComparisonOperator.GreaterOrEqual, b, new IntLiteral(0)) },
            statement.SideConditions.ToArray());
    }

    [Fact]
    public void Translate_Sqrt_AddsFreshVariableWithDefiningConstraint()
    {
        TranslatedStatement statement = Translate("theorem t (x : ℝ) : Real.sqrt x ≥ 0");
        Assert.Equal(2, statement.Variables.Length);
        Assert.Equal(SmtSort.RealSort, statement.Variables[1].Sort);
        Assert.Single(statement.SideConditions);
        Assert.Equal(new Comparison(ComparisonOperator.GreaterOrEqual, statement.Variables[1], new RealLiteral(0)), statement.Conclusion);
    }

    [Fact]
    public void Translate_SqrtUnderForAll_IsUniversallyBoundWithItsDefinitionAsPremise()
    {
        TranslatedStatement statement = Translate("theorem t : ∀ x : ℝ, 0 ≤ Real.sqrt x");
        Assert.Empty(statement.Variables);
        Assert.Empty(statement.SideConditions);
        ForAll forAll = Assert.IsType<ForAll>(statement.Conclusion);
        ForAll fresh = Assert.IsType<ForAll>(forAll.Body);
        Implication body = Assert.IsType<Implication>(fresh.Body);
        Assert.Equal(new Comparison(ComparisonOperator.LessOrEqual, new RealLiteral(0), fresh.Bound), body.Conclusion);
    }

    [Fact]
    public void Translate_SqrtUnderExists_IsExistentiallyBoundWithItsDefinitionAsConjunct()
    {
        TranslatedStatement statement = Translate("theorem t : ∃ x : ℝ, Real.sqrt x = 3");
        Exists exists = Assert.IsType<Exists>(statement.Conclusion);
        Exists fresh = Assert.IsType<Exists>(exists.Body);
        Conjunction body = Assert.IsType<Conjunction>(fresh.Body);
        Assert.Equal(new Comparison(ComparisonOperator.Equal, fresh.Bound, new RealLiteral(3)), body.Right);
        Assert.Equal(ProofVerdict.Proven, Verdict("theorem t : ∃ x : ℝ, Real.sqrt x = 3"));
    }

    [Theory]
    [InlineData("theorem t (a : ℕ) : Nat.gcd a 40 = 8 → 8 ∣ a")]
    [InlineData("theorem t (n : ℕ) : Nat.gcd (6 * n + 5) (6 * n + 3) = 1")]
    [InlineData("theorem t (a : ℕ) : Nat.lcm 40 a = 40 → 40 % a = 0")]
    [InlineData("theorem t : ∀ b : ℕ, 0 < b → Nat.gcd b 40 = 8 ∧ Nat.lcm b 40 = 40 → 8 ≤ b")]
    public void Translate_GcdWithLiteralOrConstantDifference_IsQuantifierFree(string source)
    {
        // The divisor table replaces the fresh variable and its ∀-defined greatest-divisor constraint, so Z3 decides
        // these (the quantified encoding left the last two undecided) and the terms carry no quantifier but the binder's.
        TranslatedStatement statement = Translate(source);
        Assert.Empty(statement.Variables.Where(v => v.Name.Contains('!', StringComparison.Ordinal)));
        Assert.DoesNotContain("exists", statement.Conclusion.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProofVerdict.Proven, Verdict(source));
    }

    [Theory]
    [InlineData("theorem t (n : ℕ) : Nat.gcd (6 * n + 6) (6 * n + 3) = 1")] // n = 0: gcd 6 3 = 3
    [InlineData("theorem t (a : ℕ) : Nat.gcd a 40 = 8 → a = 8")] // a = 24
    [InlineData("theorem t (a : ℕ) : Nat.lcm a 6 = 6 → a = 6")] // a = 3
    public void Translate_FalseGcdStatement_IsRefuted(string source)
    {
        Assert.Equal(ProofVerdict.Refuted, Verdict(source));
    }

    [Fact]
    public void Translate_GcdAndLcmTables_AgreeWithExactGcdAtRandomPoints()
    {
        // Independent oracle: BigInteger.GreatestCommonDivisor. For each drawn a and literal n (0 included), the
        // translation with a fixed by a hypothesis must prove gcd and lcm equal to the exact values, also in the
        // constant-difference form gcd (a + p) (a + q).
        Random random = new(7);
        for (int sample = 0; sample < 40; sample++)
        {
            int a = random.Next(0, 300);
            int n = sample % 10 == 0 ? 0 : random.Next(1, 120);
            int p = random.Next(0, 60);
            int q = random.Next(0, 60);
            int gcd = (int)System.Numerics.BigInteger.GreatestCommonDivisor(a, n);
            int lcm = gcd == 0 ? 0 : a / gcd * n;
            int shifted = (int)System.Numerics.BigInteger.GreatestCommonDivisor(a + p, a + q);
            string source = $"theorem t (a : ℕ) (h : a = {a}) : Nat.gcd a {n} = {gcd} ∧ Nat.lcm {n} a = {lcm} ∧ Nat.gcd (a + {p}) (a + {q}) = {shifted}";
            Assert.True(Verdict(source) == ProofVerdict.Proven, source);
        }
    }

    [Fact]
    public void TranslateAt_FixedVariable_BecomesLiteralAndEnablesTheTable()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (k : ℕ) (h : ∀ n : ℕ, Nat.gcd (6 * n + k) (6 * n + 3) = 1) : 5 ≤ k");
        Assert.Contains("exists", LeanToSmt.Translate(statement).Hypotheses[0].ToString(), StringComparison.Ordinal);
        Dictionary<string, Planning.Provers.Evaluation.Rational> values = new() { ["k"] = new(5) };
        TranslatedStatement fixedAt = LeanToSmt.TranslateAt(statement, values);
        Assert.DoesNotContain("exists", fixedAt.Hypotheses[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(ProofVerdict.Proven, _backend.CheckValid(fixedAt.Hypotheses[0], Limit, fixedAt.SideConditions).Verdict);
        Assert.Null(LeanToSmt.TryTranslateAt(statement, new Dictionary<string, Planning.Provers.Evaluation.Rational> { ["k"] = new(1, 2) }));
        Assert.Null(LeanToSmt.TryTranslateAt(statement, new Dictionary<string, Planning.Provers.Evaluation.Rational> { ["k"] = new(-1) }));
    }

    [Fact]
    public void Translate_RealCast_IsIntToReal()
    {
        TranslatedStatement statement = Translate("theorem t (n : ℤ) : (n : ℝ) = 1");
        Variable n = new("n", SmtSort.IntSort);
        Assert.Equal(new Comparison(ComparisonOperator.Equal, new IntToReal(n), new RealLiteral(1)), statement.Conclusion);
    }

    [Fact]
    public void Translate_Power_ExpandsToMultiplication()
    {
        TranslatedStatement statement = Translate("theorem t (x : ℝ) : x ^ 3 = 1");
        Variable x = new("x", SmtSort.RealSort);
        Term cube = new Arithmetic(ArithmeticOperator.Multiply, new Arithmetic(ArithmeticOperator.Multiply, x, x), x);
        Assert.Equal(new Comparison(ComparisonOperator.Equal, cube, new RealLiteral(1)), statement.Conclusion);
    }

    [Theory]
    [InlineData("theorem t (x : ℤ) (n : ℤ) : x ^ n = 1", "non-literal exponent")]
    [InlineData("theorem t (z w : ℂ) : z < w", "order on ℂ")]
    [InlineData("theorem t (z : ℂ) (k : ℕ) : Complex.I ^ k = z", "non-literal exponent on ℂ")]
    [InlineData("theorem t (z : ℂ) : z ^ 257 = 0", "exponent above 256")]
    [InlineData("theorem t (n : ℕ) (z : ℂ) : ∑ k in Finset.range n, z ^ 2 = 0", "∑ of ℂ terms without literal bounds")]
    [InlineData("theorem t (f : ℂ → ℂ → ℂ) : f 0 0 = 0", "function variable over ℂ of several arguments")]
    [InlineData("theorem t (f : ℂ → ℕ) : f 0 = 0", "function variable over ℂ with values in ℕ")]
    [InlineData("theorem t (z : ℂ) : z ∣ z", "∣ on ℂ")]
    [InlineData("theorem t (x y : ZMod 7) (h : x = 3) : y = (x + 1)⁻¹", "ZMod inverse of a non-literal")]
    [InlineData("theorem t (y : ZMod 8) : y = 2⁻¹", "ZMod inverse of a non-unit")] // Mathlib's is a Bézout coefficient, not 0
    [InlineData("theorem t (x y : ZMod 7) : x < y", "order on ZMod")]
    [InlineData("theorem t (x y : ZMod 7) : x ∣ y", "∣ on ZMod 7")]
    [InlineData("theorem t (x : ZMod 7) : Even x", "Even/Odd of ZMod 7")]
    [InlineData("theorem t : 5 ^ 99999 % 0 = 5", "exponent above 64")] // x % 0 = x: the power itself is too big to compute
    [InlineData("theorem t : ∀ q : ℚ, q * q ≠ 2", "ℚ binder")] // a bound ℚ may not range over ℝ
    [InlineData("theorem t (f g : ℕ → ℕ) (h : f = g) : f 0 = g 0", "function variable used as a value")]
    [InlineData("theorem t : ∀ f : ℕ → ℕ, f 0 = f 0", "quantified function or set")]
    [InlineData("theorem t (f : ℕ → ℕ) (n : ℕ) : ∑ k in Finset.range n, f k ≥ 0 ∧ ∑ k in Finset.range n, ∑ i in Finset.range k, f i ≥ 0", "nested big operators with non-literal bounds")]
    [InlineData("theorem t : ∃! x : ℝ, x = 0", "∃!")]
    public void TryTranslate_UnsupportedConstruct_IsClassified(string source, string construct)
    {
        TranslationResult result = LeanToSmt.TryTranslate(LeanStatementParser.Parse(source));
        Assert.False(result.Succeeded);
        Assert.Equal(construct, result.Error!.Construct);
        Assert.Equal("unsupported: " + construct, result.Error.Message);
        Assert.Throws<TranslationException>(() => LeanToSmt.Translate(LeanStatementParser.Parse(source)));
    }

    [Fact]
    public void Goal_IsImplicationFromAssumptionsToConclusion()
    {
        TranslatedStatement statement = Translate("theorem t (n : ℕ) (h : n > 2) : n > 1");
        Assert.Equal(ProofVerdict.Proven, _backend.CheckValid(statement.Goal, Limit).Verdict);
        Assert.Single(statement.Hypotheses);
    }
}
