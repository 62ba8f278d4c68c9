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
    [InlineData("theorem t (z : ℂ) : z = z", "ℂ")]
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
