using Planning.Provers.Formal;

using static Planning.Provers.Tests.Formal.Ir;

namespace Planning.Provers.Tests.Formal;

public sealed class LeanStatementParserTests
{
    // ---- Exact IR of real miniF2F statements ----

    [Fact]
    public void Parse_MathdAlgebra24_GivesVariableHypothesisAndRealNumerals()
    {
        FormalStatement actual = LeanStatementParser.Parse("theorem mathd_algebra_24 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by\n");

        VariableExpr x = Var("x", R);
        FormalStatement expected = Statement(
            "mathd_algebra_24",
            [new FormalVariable("x", R)],
            [new FormalHypothesis("h₀", Eq(Div(x, Num(50, R)), Num(40, R)))],
            Eq(x, Num(2000, R)));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Amc12a2015P10_SeparatesVariablesFromHypothesesAndKeepsLeftAssociativity()
    {
        FormalStatement actual = LeanStatementParser.Parse(
            "theorem amc12a_2015_p10 (x y : ℤ) (h₀ : 0 < y) (h₁ : y < x) (h₂ : x + y + x * y = 80) : x = 26 := by\n");

        VariableExpr x = Var("x", Z);
        VariableExpr y = Var("y", Z);
        FormalStatement expected = Statement(
            "amc12a_2015_p10",
            [new FormalVariable("x", Z), new FormalVariable("y", Z)],
            [
                new FormalHypothesis("h₀", Lt(Num(0, Z), y)),
                new FormalHypothesis("h₁", Lt(y, x)),
                new FormalHypothesis("h₂", Eq(Add(Add(x, y), Mul(x, y)), Num(80, Z))),
            ],
            Eq(x, Num(26, Z)));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_MathdNumbertheory13Conclusion_CoercesEachLeafOfAnAscribedSum()
    {
        // (u + v : ℚ) is ↑u + ↑v (Lean's binop% coerces the leaves), not ↑(u + v): ℕ addition would differ only in
        // where the cast sits, but ℕ subtraction or division would change the value.
        FormalExpr actual = Conclusion("(u v : ℕ)", "(u + v : ℚ) / 2 = 64");

        FormalExpr expected = Eq(Div(Add(Cast(Var("u", N), Q), Cast(Var("v", N), Q)), Num(2, Q)), Num(64, Q));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Amc12b2020P5Hypothesis_BothSidesOfARelationShareOneType()
    {
        FormalExpr actual = Conclusion("(a b : ℕ)", "(5 : ℚ) / 8 * b = 2 / 3 * a + 7");

        FormalExpr expected = Eq(
            Mul(Div(Num(5, Q), Num(8, Q)), Cast(Var("b", N), Q)),
            Add(Mul(Div(Num(2, Q), Num(3, Q)), Cast(Var("a", N), Q)), Num(7, Q)));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Amc12a2019P9Conclusion_ResolvesFieldNotationAndCoercionArrow()
    {
        FormalExpr actual = Conclusion("(a : ℕ → ℚ)", "↑(a 2019).den + (a 2019).num = 8078");

        ApplyExpr a2019 = Apply(Var("a", FormalType.Function(N, Q)), Q, Num(2019, N));
        FormalExpr expected = Eq(
            Add(Cast(Call(FormalFunction.RatDen, N, a2019), Z), Call(FormalFunction.RatNum, Z, a2019)),
            Num(8078, Z));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Aime1991P6Hypothesis_TypesTheIndexFromTheDomainAndCoercesItInsideFloor()
    {
        FormalExpr actual = Conclusion("(r : ℝ)", "(∑ k in Finset.Icc (19 : ℕ) 91, Int.floor (r + k / 100)) = 546");

        FormalExpr expected = Eq(
            new BigOperatorExpr(
                BigOperator.Sum, "k", N,
                Call(FormalFunction.FinsetIcc, FormalType.Finset(N), Num(19, N), Num(91, N)),
                Call(FormalFunction.IntFloor, Z, Add(Var("r", R), Div(Cast(Var("k", N), R), Num(100, R))))),
            Num(546, Z));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_MathdAlgebra282Argument_ElaboratesTheExponentOnItsOwnAsNat()
    {
        // Lean reads 8 ^ (1 / 3) as Monoid.npow with the ℕ exponent 1 / 3 = 0.
        FormalExpr actual = Conclusion("(f : ℝ → ℝ)", "f (8 ^ (1 / 3)) = 2");

        FormalExpr expected = Eq(Apply(Var("f", FormalType.Function(R, R)), R, Pow(Num(8, R), Div(Num(1, N), Num(3, N)))), Num(2, R));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Imo1988P6Conclusion_CoercesInsideAnAscriptionAndTypesTheExistential()
    {
        FormalExpr actual = Conclusion("(a b : ℕ)", "∃ x : ℕ, (x ^ 2 : ℝ) = (a ^ 2 + b ^ 2) / (a * b + 1)");

        VariableExpr a = Var("a", N);
        VariableExpr b = Var("b", N);
        FormalExpr expected = new QuantifierExpr(
            Quantifier.Exists, "x", N,
            Eq(
                Pow(Cast(Var("x", N), R), Num(2, N)),
                Div(Add(Pow(Cast(a, R), Num(2, N)), Pow(Cast(b, R), Num(2, N))), Add(Mul(Cast(a, R), Cast(b, R)), Num(1, R)))));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_NumberTheoryDivisibility_TakesTheTypeOfTheFirstSideWithOneOfItsOwn()
    {
        FormalExpr actual = Conclusion("(n : ℤ) (p : ℕ)", "↑p ∣ n ↔ n ^ 2 % p = 0");

        VariableExpr n = Var("n", Z);
        FormalExpr expected = new LogicalExpr(
            LogicalOperator.Iff,
            Rel(RelationOperator.Divides, Cast(Var("p", N), Z), n),
            Eq(Mod(Pow(n, Num(2, N)), Cast(Var("p", N), Z)), Num(0, Z)));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Imo1984P2Hypothesis_GivesNumeralsOfTheDividendsType()
    {
        FormalExpr actual = Conclusion("(a b : ℤ)", "7 ^ 7 ∣ (a + b) ^ 7 - a ^ 7 - b ^ 7");

        VariableExpr a = Var("a", Z);
        VariableExpr b = Var("b", Z);
        FormalExpr expected = Rel(
            RelationOperator.Divides,
            Pow(Num(7, Z), Num(7, N)),
            Sub(Sub(Pow(Add(a, b), Num(7, N)), Pow(a, Num(7, N))), Pow(b, Num(7, N))));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_MathdNumbertheory301_CoercionWithNothingLargerIsNoCast()
    {
        // ↑j in a tree whose other leaves are numerals: the tree is ℕ and ↑j is j itself (Lean's goal shows no ↑).
        FormalExpr actual = Conclusion("(j : ℕ)", "3 * (7 * ↑j + 3) % 7 = 2");

        FormalExpr expected = Eq(Mod(Mul(Num(3, N), Add(Mul(Num(7, N), Var("j", N)), Num(3, N))), Num(7, N)), Num(2, N));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_CoercedNumeral_TakesTheTypeOfTheOtherSide()
    {
        FormalExpr actual = Conclusion("(S : Finset ℝ)", "↑2 ≤ ∑ k in S, k");

        FormalExpr expected = Rel(
            RelationOperator.LessEqual, Num(2, R), new BigOperatorExpr(BigOperator.Sum, "k", R, Var("S", FormalType.Finset(R)), Var("k", R)));
        AssertEqual(expected, actual);
    }

    // ---- Lean 4 precedences and associativity ----

    [Theory]
    [InlineData("(a b c : ℤ)", "a - b - c = 0", "(Equal (- (- a:ℤ b:ℤ) c:ℤ) 0:ℤ)")]
    [InlineData("(a b c : ℤ)", "a - (b - c) = 0", "(Equal (- a:ℤ (- b:ℤ c:ℤ)) 0:ℤ)")]
    [InlineData("(a b c : ℕ)", "a ^ b ^ c = 0", "(Equal (^ a:ℕ (^ b:ℕ c:ℕ)) 0:ℕ)")]
    [InlineData("(a : ℤ)", "-a ^ 2 = 0", "(Equal (- (^ a:ℤ 2:ℕ)) 0:ℤ)")]
    [InlineData("(a b : ℤ)", "-a * b = 0", "(Equal (* (- a:ℤ) b:ℤ) 0:ℤ)")]
    [InlineData("(a b : ℤ)", "a * -b = 0", "(Equal (* a:ℤ (- b:ℤ)) 0:ℤ)")]
    [InlineData("(a b : ℤ)", "-a + b = 0", "(Equal (+ (- a:ℤ) b:ℤ) 0:ℤ)")]
    [InlineData("(a b c : ℤ)", "a + b * c = 0", "(Equal (+ a:ℤ (* b:ℤ c:ℤ)) 0:ℤ)")]
    [InlineData("(a b c : ℤ)", "a / b * c % a = 0", "(Equal (% (* (/ a:ℤ b:ℤ) c:ℤ) a:ℤ) 0:ℤ)")]
    [InlineData("(a b c : ℤ)", "a * b ^ c = 0", "(Equal (* a:ℤ (^ b:ℤ c:ℤ)) 0:ℤ)")]
    [InlineData("(a b c : ℤ)", "a = b → b = c → a = c", "(Implies (Equal a:ℤ b:ℤ) (Implies (Equal b:ℤ c:ℤ) (Equal a:ℤ c:ℤ)))")]
    [InlineData("(a b : ℤ)", "¬ a = b", "(Not (Equal a:ℤ b:ℤ))")]
    [InlineData("(a b c : ℤ)", "¬a = b ∧ b = c", "(And (Not (Equal a:ℤ b:ℤ)) (Equal b:ℤ c:ℤ))")]
    [InlineData("(a b : ℤ)", "¬¬a = b", "(Not (Not (Equal a:ℤ b:ℤ)))")]
    [InlineData("(a b c : ℤ)", "a = b ∧ b = c ∨ c = a", "(Or (And (Equal a:ℤ b:ℤ) (Equal b:ℤ c:ℤ)) (Equal c:ℤ a:ℤ))")]
    [InlineData("(a b c : ℤ)", "a = b ∨ b = c ∧ c = a", "(Or (Equal a:ℤ b:ℤ) (And (Equal b:ℤ c:ℤ) (Equal c:ℤ a:ℤ)))")]
    [InlineData("(a b c : ℤ)", "a = b ∧ b = c ∧ c = a", "(And (Equal a:ℤ b:ℤ) (And (Equal b:ℤ c:ℤ) (Equal c:ℤ a:ℤ)))")]
    [InlineData("(a b c : ℤ)", "a = b ∨ b = c ∨ c = a", "(Or (Equal a:ℤ b:ℤ) (Or (Equal b:ℤ c:ℤ) (Equal c:ℤ a:ℤ)))")]
    [InlineData("(a b c : ℤ)", "a = b ∧ b = c → c = a", "(Implies (And (Equal a:ℤ b:ℤ) (Equal b:ℤ c:ℤ)) (Equal c:ℤ a:ℤ))")]
    [InlineData("(a b c : ℤ)", "a = b → b = c ↔ c = a", "(Iff (Implies (Equal a:ℤ b:ℤ) (Equal b:ℤ c:ℤ)) (Equal c:ℤ a:ℤ))")]
    [InlineData("(a b c : ℤ)", "a = b ↔ b = c ∧ c = a", "(Iff (Equal a:ℤ b:ℤ) (And (Equal b:ℤ c:ℤ) (Equal c:ℤ a:ℤ)))")]
    [InlineData("(a b c : ℤ)", "a ∣ b + c", "(Divides a:ℤ (+ b:ℤ c:ℤ))")]
    [InlineData("(a b c : ℤ)", "a ∣ b ∧ ¬b ∣ c", "(And (Divides a:ℤ b:ℤ) (Not (Divides b:ℤ c:ℤ)))")]
    [InlineData("(a b : ℤ)", "a * b ∣ a ^ 2", "(Divides (* a:ℤ b:ℤ) (^ a:ℤ 2:ℕ))")]
    [InlineData("(a b : ℤ)", "a < b ∨ a ≥ b", "(Or (Less a:ℤ b:ℤ) (GreaterEqual a:ℤ b:ℤ))")]
    [InlineData("(n : ℕ)", "∑ k in Finset.range n, k + 1 = n", "(Equal (+ (Sum k:ℕ (FinsetRange n:ℕ):Finset ℕ k:ℕ) 1:ℕ) n:ℕ)")]
    [InlineData("(n : ℕ)", "∑ k in Finset.range n, k * 2 = n", "(Equal (Sum k:ℕ (FinsetRange n:ℕ):Finset ℕ (* k:ℕ 2:ℕ)) n:ℕ)")]
    [InlineData("(n : ℕ)", "2 * ∏ k in Finset.range n, k ^ 2 = n", "(Equal (* 2:ℕ (Product k:ℕ (FinsetRange n:ℕ):Finset ℕ (^ k:ℕ 2:ℕ))) n:ℕ)")]
    [InlineData("(f : ℤ → ℤ) (a : ℤ)", "f a ^ 2 = f (a ^ 2)", "(Equal (^ (f a:ℤ):ℤ 2:ℕ) (f (^ a:ℤ 2:ℕ)):ℤ)")]
    [InlineData("(f : ℤ → ℤ) (a : ℤ)", "-f a = f (-a)", "(Equal (- (f a:ℤ):ℤ) (f (- a:ℤ)):ℤ)")]
    [InlineData("(x : ℝ)", "∀ y : ℝ, y = x ∧ x = y", "(ForAll y:ℝ (And (Equal y:ℝ x:ℝ) (Equal x:ℝ y:ℝ)))")]
    [InlineData("(x : ℝ)", "(∀ y : ℝ, y = x) ∧ x = x", "(And (ForAll y:ℝ (Equal y:ℝ x:ℝ)) (Equal x:ℝ x:ℝ))")]
    [InlineData("(x : ℝ)", "x = x ∧ ∃ y : ℝ, y = x ∨ x = 1", "(And (Equal x:ℝ x:ℝ) (Exists y:ℝ (Or (Equal y:ℝ x:ℝ) (Equal x:ℝ 1:ℝ))))")]
    [InlineData("(n : ℕ)", "2 * n ! = n", "(Equal (* 2:ℕ (Factorial n:ℕ):ℕ) n:ℕ)")]
    [InlineData("(x : ℝ)", "2 * x⁻¹ ^ 2 = x", "(Equal (* 2:ℝ (^ (Inverse x:ℝ):ℝ 2:ℕ)) x:ℝ)")]
    [InlineData("(x : ℝ)", "√x * 2 = x", "(Equal (* (RealSqrt x:ℝ):ℝ 2:ℝ) x:ℝ)")]
    [InlineData("(x : ℝ)", "|x| * |x - 1| = x", "(Equal (* (Abs x:ℝ):ℝ (Abs (- x:ℝ 1:ℝ)):ℝ) x:ℝ)")]
    [InlineData("(x : ℝ)", "||x| - 1| = x", "(Equal (Abs (- (Abs x:ℝ):ℝ 1:ℝ)):ℝ x:ℝ)")]
    [InlineData("(x : ℝ)", "Real.sqrt |x| = x", "(Equal (RealSqrt (Abs x:ℝ):ℝ):ℝ x:ℝ)")]
    [InlineData("(a b : ℕ)", "a ≡ b + 1 [MOD 3] ∧ a = b", "(And (NatModEq 3:ℕ a:ℕ (+ b:ℕ 1:ℕ)):Prop (Equal a:ℕ b:ℕ))")]
    public void Parse_OperatorPrecedenceAndAssociativity_FollowLean4(string binders, string conclusion, string expected)
    {
        Assert.Equal(expected, FormalDump.Of(Conclusion(binders, conclusion)));
    }

    // ---- Numerals' types ----

    [Theory]
    [InlineData("(1 / 4 : ℕ) = 0", "(Equal (/ 1:ℕ 4:ℕ) 0:ℕ)")]
    [InlineData("(1 / 4 : ℝ) = 0", "(Equal (/ 1:ℝ 4:ℝ) 0:ℝ)")]
    [InlineData("1 / 4 = 0", "(Equal (/ 1:ℕ 4:ℕ) 0:ℕ)")]
    [InlineData("((1 / 4 : ℕ) : ℝ) = 0", "(Equal ↑ℝ((/ 1:ℕ 4:ℕ)) 0:ℝ)")]
    [InlineData("(2 : ℤ) - 3 = -1", "(Equal (- 2:ℤ 3:ℤ) (- 1:ℤ))")]
    [InlineData("((2 : ℕ) : ℝ) = 2", "(Equal ↑ℝ(2:ℕ) 2:ℝ)")]
    [InlineData("(0.5 : ℝ) = 1 / 2", "(Equal 5e-1:ℝ (/ 1:ℝ 2:ℝ))")]
    [InlineData("(2.5e3 : ℚ) = 2500", "(Equal 25e2:ℚ 2500:ℚ)")]
    [InlineData("Real.sqrt 2 * Real.sqrt 2 = 2", "(Equal (* (RealSqrt 2:ℝ):ℝ (RealSqrt 2:ℝ):ℝ) 2:ℝ)")]
    [InlineData("Nat.gcd 6 4 = 2", "(Equal (NatGcd 6:ℕ 4:ℕ):ℕ 2:ℕ)")]
    [InlineData("(2 : ℂ) ^ 2 = 4", "(Equal (^ 2:ℂ 2:ℕ) 4:ℂ)")]
    public void Parse_Numerals_GetTheTypeLeanElaboratesThemAt(string conclusion, string expected)
    {
        Assert.Equal(expected, FormalDump.Of(Conclusion("", conclusion)));
    }

    // ---- Binders without types ----

    [Fact]
    public void Parse_Amc12a2009P9_InfersAnUntypedBinderFromAFunctionArgument()
    {
        FormalExpr actual = Conclusion("(f : ℝ → ℝ)", "∀ x, f (x + 3) = 3 * x ^ 2 + 7 * x + 4");

        QuantifierExpr quantifier = Assert.IsType<QuantifierExpr>(actual);
        Assert.Equal(R, quantifier.VariableType);
        Assert.Equal("(ForAll x:ℝ (Equal (f (+ x:ℝ 3:ℝ)):ℝ (+ (+ (* 3:ℝ (^ x:ℝ 2:ℕ)) (* 7:ℝ x:ℝ)) 4:ℝ)))", FormalDump.Of(actual));
    }

    [Fact]
    public void Parse_MathdAlgebra13_InfersABinderFromAUseAfterAnUninformativeOne()
    {
        FormalExpr actual = Conclusion(
            "(a b : ℝ)", "∀ x, x - 3 ≠ 0 ∧ x - 5 ≠ 0 → 4 * x / (x ^ 2 - 8 * x + 15) = a / (x - 3) + b / (x - 5)");

        QuantifierExpr quantifier = Assert.IsType<QuantifierExpr>(actual);
        Assert.Equal(R, quantifier.VariableType);
        Assert.StartsWith("(ForAll x:ℝ (Implies (And (NotEqual (- x:ℝ 3:ℝ) 0:ℝ)", FormalDump.Of(actual), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Aime1988P8_ACoercedBinderIsTypedByItsOtherUses()
    {
        // ↑x does not say x is real: f x y fixes x y : ℕ, and ↑x is then a cast (Lean's goal: (↑x + ↑y) * f x y = ↑y * …).
        FormalExpr actual = Conclusion("(f : ℕ → ℕ → ℝ)", "∀ x y, 0 < x ∧ 0 < y → (↑x + ↑y) * f x y = y * f x (x + y)");

        Assert.Equal(
            "(ForAll x:ℕ (ForAll y:ℕ (Implies (And (Less 0:ℕ x:ℕ) (Less 0:ℕ y:ℕ)) "
            + "(Equal (* (+ ↑ℝ(x:ℕ) ↑ℝ(y:ℕ)) (f x:ℕ y:ℕ):ℝ) (* ↑ℝ(y:ℕ) (f x:ℕ (+ x:ℕ y:ℕ)):ℝ)))))",
            FormalDump.Of(actual));
    }

    [Fact]
    public void Parse_UntypedBinderWithOnlyNumerals_DefaultsToNat()
    {
        Assert.Equal("(ForAll n:ℕ (Greater (+ n:ℕ 1:ℕ) 0:ℕ))", FormalDump.Of(Conclusion("", "∀ n, n + 1 > 0")));
    }

    [Fact]
    public void Parse_MembershipBinder_TakesTheElementTypeOfTheCollection()
    {
        Assert.Equal(
            "(ForAll x:ℝ (Implies (Member x:ℝ S:Finset ℝ) (Less 0:ℝ x:ℝ)))",
            FormalDump.Of(Conclusion("(S : Finset ℝ)", "∀ x, x ∈ S → 0 < x")));
    }

    [Theory]
    [InlineData("(f : ℝ → ℝ)", "∀ x > 0, f x = 1", "(ForAll x:ℝ (Implies (Greater x:ℝ 0:ℝ) (Equal (f x:ℝ):ℝ 1:ℝ)))")]
    [InlineData("", "∃ n > 2, n = 3", "(Exists n:ℕ (And (Greater n:ℕ 2:ℕ) (Equal n:ℕ 3:ℕ)))")]
    [InlineData("(f : ℝ → ℝ)", "∀ (y) (_ : y ≠ 0), f y = 1", "(ForAll y:ℝ (Implies (NotEqual y:ℝ 0:ℝ) (Equal (f y:ℝ):ℝ 1:ℝ)))")]
    [InlineData("", "∀ x y : ℤ, x = y", "(ForAll x:ℤ (ForAll y:ℤ (Equal x:ℤ y:ℤ)))")]
    [InlineData("", "∀ (x : ℤ) (n : ℕ), x ^ n = 1", "(ForAll x:ℤ (ForAll n:ℕ (Equal (^ x:ℤ n:ℕ) 1:ℤ)))")]
    [InlineData("", "∃! k : ℕ, k = 3", "(ExistsUnique k:ℕ (Equal k:ℕ 3:ℕ))")]
    [InlineData("(S : Finset ℕ)", "∀ x ∈ S, x ≤ 3", "(ForAll x:ℕ (Implies (Member x:ℕ S:Finset ℕ) (LessEqual x:ℕ 3:ℕ)))")]
    public void Parse_QuantifierBinders_ExpandAsLeanDoes(string binders, string conclusion, string expected)
    {
        Assert.Equal(expected, FormalDump.Of(Conclusion(binders, conclusion)));
    }

    [Theory]
    [InlineData("(f : ℝ → ℝ)", "Fintype (f ⁻¹' {0})", "(Fintype (SetOf x':ℝ (Member (f x':ℝ):ℝ (SetOf x':ℝ (Equal x':ℝ 0:ℝ))))):Prop")]
    [InlineData("(f : ℂ → ℂ) (x : ℂ)", "x ∈ (f⁻¹' {7}).toFinset", "(Member x:ℂ (SetToFinset (SetOf x':ℂ (Member (f x':ℂ):ℂ (SetOf x':ℂ (Equal x':ℂ 7:ℂ))))):Finset ℂ)")]
    [InlineData("(f : ℕ → ℕ) (x' : ℕ)", "x' ∈ f ⁻¹' {2}", "(Member x':ℕ (SetOf x'':ℕ (Member (f x'':ℕ):ℕ (SetOf x'':ℕ (Equal x'':ℕ 2:ℕ)))))")]
    public void Parse_Preimage_IsTheSetOfPointsWhoseImageIsInTheSet(string binders, string conclusion, string expected)
    {
        // f ⁻¹' s unfolds to {x | f x ∈ s} (Set.preimage's definition), with a binder name no identifier uses (x' is
        // taken in the third case); the binder's type is f's domain. A literal {a} is {x | x = a} (its binder shadows
        // nothing it reads). Fintype s is the proposition that s is finite; s.toFinset has s's members.
        Assert.Equal(expected, FormalDump.Of(Conclusion(binders, conclusion)));
    }

    [Theory]
    [InlineData("(A M C : ℕ)", "Nat.ofDigits 10 [0, 1, C, M, A] = 5", "(Equal (+ 0:ℕ (* 10:ℕ (+ 1:ℕ (* 10:ℕ (+ C:ℕ (* 10:ℕ (+ M:ℕ (* 10:ℕ A:ℕ)))))))) 5:ℕ)")]
    [InlineData("", "Nat.ofDigits 2 [] = 0", "(Equal 0:ℕ 0:ℕ)")]
    [InlineData("(a : ℕ → ℕ)", "Function.Injective a", "(ForAll x':ℕ (ForAll x'':ℕ (Implies (Equal (a x':ℕ):ℕ (a x'':ℕ):ℕ) (Equal x':ℕ x'':ℕ))))")]
    [InlineData("", "Finset.prod (Finset.range 4) (id : ℕ → ℕ) = 0", "(Equal (Product i:ℕ (FinsetRange 4:ℕ):Finset ℕ i:ℕ) 0:ℕ)")]
    [InlineData("(n a b : ℕ)", "Nat.digits 10 n = [a, b]", "(And (And (And (Equal n:ℕ (+ a:ℕ (* 10:ℕ b:ℕ))) (Less a:ℕ 10:ℕ)) (Less b:ℕ 10:ℕ)) (NotEqual b:ℕ 0:ℕ))")]
    [InlineData("(n : ℕ)", "[3, 2] = Nat.digits 10 n", "(And (And (And (Equal n:ℕ (+ 3:ℕ (* 10:ℕ 2:ℕ))) (Less 3:ℕ 10:ℕ)) (Less 2:ℕ 10:ℕ)) (NotEqual 2:ℕ 0:ℕ))")]
    [InlineData("(n : ℕ)", "Nat.digits 2 n = []", "(Equal n:ℕ 0:ℕ)")]
    [InlineData("(d n : ℕ)", "d ∈ Nat.digits 10 n", "(Exists x':ℕ (And (LessEqual (^ 10:ℕ x':ℕ) n:ℕ) (Equal d:ℕ (% (/ n:ℕ (^ 10:ℕ x':ℕ)) 10:ℕ))))")]
    [InlineData("(n : ℕ)", "3 ∉ Nat.digits 2 n", "(Not (Exists x':ℕ (And (LessEqual (^ 2:ℕ x':ℕ) n:ℕ) (Equal 3:ℕ (% (/ n:ℕ (^ 2:ℕ x':ℕ)) 2:ℕ)))))")]
    [InlineData("(A B C : ℕ)", "[A, B, C].Pairwise (· ≠ ·)", "(And (And (NotEqual A:ℕ B:ℕ) (NotEqual A:ℕ C:ℕ)) (NotEqual B:ℕ C:ℕ))")]
    [InlineData("(A : ℕ)", "List.Pairwise (· < ·) [A]", "(TrueProp):Prop")]
    [InlineData("(A B : ℕ)", "{A, B} ⊂ Finset.Icc 0 9", "(And (And (Member A:ℕ (FinsetIcc 0:ℕ 9:ℕ):Finset ℕ) (Member B:ℕ (FinsetIcc 0:ℕ 9:ℕ):Finset ℕ)) (Not (ForAll x':ℕ (Implies (Member x':ℕ (FinsetIcc 0:ℕ 9:ℕ):Finset ℕ) (Member x':ℕ (SetOf x':ℕ (Or (Equal x':ℕ A:ℕ) (Equal x':ℕ B:ℕ))))))))")]
    [InlineData("(S T : Set ℝ)", "S ⊆ T", "(ForAll x':ℝ (Implies (Member x':ℝ S:Set ℝ) (Member x':ℝ T:Set ℝ)))")]
    public void Parse_DefinitionsUnfoldedByTheParser_AreTheirDefiningTerms(string binders, string conclusion, string expected)
    {
        // Nat.ofDigits b (d :: L) = d + b * ofDigits b L and ofDigits b [] = 0; Function.Injective f is ∀ a b, f a = f b → a = b;
        // Finset.prod s id is ∏ i in s, i. Nat.digits b n = L (b ≥ 2) says n = ofDigits b L with every digit below b and
        // no leading zero, and d is one of them when it is n's digit at a position i with bⁱ ≤ n; L.Pairwise R relates every earlier member to every later one; s ⊆ t is ∀ x, x ∈ s → x ∈ t (a
        // literal's members each in t), s ⊂ t is s ⊆ t ∧ ¬t ⊆ s.
        Assert.Equal(expected, FormalDump.Of(Conclusion(binders, conclusion)));
    }

    [Fact]
    public void Parse_MathdAlgebra342_BindsANameOutsideItsSumAsAnImplicitVariable()
    {
        // `k` is outside `∑ k in …, a` (the summand is parsed at precedence 67), so Lean's autoImplicit makes it a
        // variable of the theorem; its goal lists `k a d : ℝ`.
        FormalStatement statement = LeanStatementParser.Parse(
            "theorem mathd_algebra_342 (a d : ℝ) (h₀ : (∑ k in Finset.range 5, a + k * d) = 70)\n"
            + "    (h₁ : (∑ k in Finset.range 10, a + k * d) = 210) : a = 42 / 5 := by\n");

        Assert.Equal(["k : ℝ", "a : ℝ", "d : ℝ"], statement.Variables.Select(static variable => $"{variable.Name} : {variable.Type}"));
        Assert.Equal(
            "(Equal (+ (Sum k:ℕ (FinsetRange 5:ℕ):Finset ℕ a:ℝ) (* k:ℝ d:ℝ)) 70:ℝ)",
            FormalDump.Of(statement.Hypotheses[0].Proposition));
    }

    // ---- Notation, field notation, sets ----

    [Theory]
    [InlineData("(x : ℝ)", "Real.sqrt x = 1", "√x = 1")]
    [InlineData("(x : ℝ)", "abs x = 1", "|x| = 1")]
    [InlineData("(x : ℝ)", "Int.floor x = 1", "⌊x⌋ = 1")]
    [InlineData("(x : ℝ)", "Int.ceil x = 1", "⌈x⌉ = 1")]
    [InlineData("(n : ℕ)", "Nat.factorial n = 1", "n ! = 1")]
    [InlineData("(x : ℝ)", "Inv.inv x = 1", "x⁻¹ = 1")]
    [InlineData("(a b : ℕ)", "Nat.ModEq 3 a b", "a ≡ b [MOD 3]")]
    [InlineData("(a b : ℤ)", "Int.ModEq 3 a b", "a ≡ b [ZMOD 3]")]
    [InlineData("(a b : ℕ)", "Nat.gcd a b = 1", "a.gcd b = 1")]
    [InlineData("(S : Finset ℕ)", "Finset.card S = 1", "S.card = 1")]
    [InlineData("(x : ℕ)", "Finset.card (Nat.divisors x) = 3", "x.divisors.card = 3")]
    [InlineData("(a : ℕ → ℝ) (n : ℕ)", "∑ i in Finset.range n, a i = 1", "Finset.sum (Finset.range n) a = 1")]
    [InlineData("(n : ℕ)", "∑ k in Finset.range n, k = 1", "Finset.sum (Finset.range n) (fun k => k) = 1")]
    [InlineData("(n : ℕ)", "∑ k in Finset.range n, k = 1", "∑ k ∈ Finset.range n, k = 1")]
    [InlineData("", "Finset.card (Finset.filter (fun i => Nat.Prime i) (Finset.range 9)) = 4", "(Finset.filter Nat.Prime (Finset.range 9)).card = 4")]
    [InlineData("(x y : ℝ)", "0 ≤ x ∧ x ≠ y → x ≤ y ↔ y ≥ x ∨ ∀ n : ℕ, ∃ m : ℤ, m ≥ n", "0 <= x /\\ x != y -> x <= y <-> y >= x \\/ forall n : Nat, exists m : Int, m >= n")]
    [InlineData("(x : ℝ)", "Real.pi < x", "π < x")]
    public void Parse_EquivalentSpellings_GiveTheSameIr(string binders, string first, string second)
    {
        AssertEqual(Conclusion(binders, first), Conclusion(binders, second));
    }

    [Fact]
    public void Parse_AsciiTypeNames_GiveTheSameStatementAsUnicode()
    {
        FormalStatement unicode = LeanStatementParser.Parse("theorem t (n : ℕ) (z : ℤ) (q : ℚ) (x : ℝ) (w : ℂ) (f : ℕ → ℝ) : f n = x := by");
        FormalStatement ascii = LeanStatementParser.Parse("theorem t (n : Nat) (z : Int) (q : Rat) (x : Real) (w : Complex) (f : Nat -> Real) : f n = x");

        AssertEqual(unicode, ascii);
    }

    [Fact]
    public void Parse_MathdNumbertheory64_ParsesSetBuilderAndCongruence()
    {
        FormalExpr actual = Conclusion("", "IsLeast { x : ℕ | 30 * x ≡ 42 [MOD 47] } 39");

        FormalExpr expected = Call(
            FormalFunction.IsLeast, P,
            new SetBuilderExpr("x", N, Call(FormalFunction.NatModEq, P, Num(47, N), Mul(Num(30, N), Var("x", N)), Num(42, N))),
            Num(39, N));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_MathdNumbertheory149_KeepsTheFilteredRangeOfASum()
    {
        FormalExpr actual = Conclusion("", "(∑ k in Finset.filter (fun x => x % 8 = 5 ∧ x % 6 = 3) (Finset.range 50), k) = 66");

        VariableExpr x = Var("x", N);
        FormalExpr expected = Eq(
            new BigOperatorExpr(
                BigOperator.Sum, "k", N,
                new FilterExpr(
                    "x", N,
                    And(Eq(Mod(x, Num(8, N)), Num(5, N)), Eq(Mod(x, Num(6, N)), Num(3, N))),
                    Call(FormalFunction.FinsetRange, FormalType.Finset(N), Num(50, N))),
                Var("k", N)),
            Num(66, N));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Amc12a2019P21_TypesAnAnnotatedIndexAndItsLiteralBounds()
    {
        FormalExpr actual = Conclusion("(z : ℂ)", "(∑ k : ℤ in Finset.Icc 1 12, z ^ k ^ 2) = 36");

        FormalExpr expected = Eq(
            new BigOperatorExpr(
                BigOperator.Sum, "k", Z,
                Call(FormalFunction.FinsetIcc, FormalType.Finset(Z), Num(1, Z), Num(12, Z)),
                Pow(Var("z", C), Pow(Var("k", Z), Num(2, N)))),
            Num(36, C));
        AssertEqual(expected, actual);
    }

    [Fact]
    public void Parse_Factorials_BindToTheirAtom()
    {
        Assert.Equal(
            "(Equal (NatGcd (Factorial 20:ℕ):ℕ 200000:ℕ):ℕ 40000:ℕ)",
            FormalDump.Of(Conclusion("", "Nat.gcd 20! 200000 = 40000")));
        Assert.Equal(
            "(Equal (* ↑ℝ((Factorial 3:ℕ):ℕ) (+ (^ 2:ℝ 3:ℕ) (RealSqrt 9:ℝ):ℝ)) 33:ℝ)",
            FormalDump.Of(Conclusion("", "↑3! * ((2 : ℝ) ^ 3 + Real.sqrt 9) = (33 : ℝ)")));
    }

    [Fact]
    public void Parse_RationalConstruction_IsRatDivIntOfIntegers()
    {
        Assert.Equal(
            "(Equal (RatDen (+ (RatDivInt 1:ℤ 2:ℤ):ℚ (RatDivInt 1:ℤ ↑ℤ(n:ℕ)):ℚ)):ℕ 1:ℕ)",
            FormalDump.Of(Conclusion("(n : ℕ)", "(1 /. 2 + 1 /. ↑n).den = 1")));
    }

    // ---- The statement around the conclusion ----

    [Fact]
    public void Parse_Proof_IsOptionalAndIgnored()
    {
        FormalStatement bare = LeanStatementParser.Parse("theorem t (x : ℝ) (h : 0 < x) : 0 < x ^ 2");
        FormalStatement withProof = LeanStatementParser.Parse(
            "theorem t (x : ℝ) (h : 0 < x) : 0 < x ^ 2 := by\n  nlinarith [sq_nonneg (x - 1), ‹0 < x›]\n  -- done\n");

        AssertEqual(bare, withProof);
    }

    [Fact]
    public void Parse_LemmaAndImplicitBinders_AreAccepted()
    {
        FormalStatement statement = LeanStatementParser.Parse("lemma t {x : ℝ} (h₀ h₁ : 0 < x) : 0 ≤ x := by");

        Assert.Equal("t (x : ℝ) [h₀ (Less 0:ℝ x:ℝ)] [h₁ (Less 0:ℝ x:ℝ)] ⊢ (LessEqual 0:ℝ x:ℝ)", FormalDump.Of(statement));
    }

    [Fact]
    public void Parse_RepeatedHypothesisNames_AreKeptInOrder()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (n : ℕ) (h₀ : 0 < n) (h₀ : n < 5) : n = 1 := by");

        Assert.Equal(["h₀", "h₀"], statement.Hypotheses.Select(static hypothesis => hypothesis.Name));
        Assert.Equal("(Less n:ℕ 5:ℕ)", FormalDump.Of(statement.Hypotheses[1].Proposition));
    }

    [Fact]
    public void TryParse_ValidAndInvalidStatements_ReturnStatementOrError()
    {
        FormalParseResult good = LeanStatementParser.TryParse("theorem t : 1 + 1 = 2 := by");
        FormalParseResult bad = LeanStatementParser.TryParse("theorem t : 1 + = 2 := by");

        Assert.True(good.Succeeded);
        Assert.NotNull(good.Statement);
        Assert.Null(good.Error);
        Assert.False(bad.Succeeded);
        Assert.Null(bad.Statement);
        Assert.Equal(FormalParseErrorKind.Syntax, bad.Error!.Kind);
    }

    // ---- Equivalences and ZMod ----

    [Fact]
    public void Parse_EquivProjections_ApplyTheFunctionAndItsInverse()
    {
        FormalStatement statement = LeanStatementParser.Parse(
            "theorem mathd_algebra_188 (σ : Equiv ℝ ℝ) (h : σ.1 2 = σ.2 2) : σ.1 (σ.1 2) = 2 := by");

        Assert.Equal(FormalType.Equiv(R, R), statement.Variables.Single().Type);
        Assert.Equal("(Equal (σ.1 2:ℝ):ℝ (σ.2 2:ℝ):ℝ)", FormalDump.Of(statement.Hypotheses[0].Proposition));
        Assert.Equal("(Equal (σ.1 (σ.1 2:ℝ):ℝ):ℝ 2:ℝ)", FormalDump.Of(statement.Conclusion));
        ApplyExpr inverse = Assert.IsType<ApplyExpr>(((RelationExpr)statement.Hypotheses[0].Proposition).Right);
        Assert.True(inverse.IsProjection);
        Assert.True(inverse.Inverse);
    }

    [Fact]
    public void Parse_EquivBetweenDifferentTypes_TypesEachProjectionsArgumentByItsDirection()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (σ : Equiv ℕ ℝ) (n : ℕ) : σ.2 (σ.1 n) = n := by");

        Assert.Equal("(Equal (σ.2 (σ.1 n:ℕ):ℝ):ℕ n:ℕ)", FormalDump.Of(statement.Conclusion));
    }

    [Fact]
    public void Parse_ForwardAndInverseApplications_AreDifferentExpressions()
    {
        FormalExpr forward = Conclusion("(σ : Equiv ℝ ℝ)", "σ.1 2 = 0");
        FormalExpr inverse = Conclusion("(σ : Equiv ℝ ℝ)", "σ.2 2 = 0");

        Assert.NotEqual(forward, inverse);
        Assert.NotEqual(forward.GetHashCode(), inverse.GetHashCode());
    }

    [Fact]
    public void Parse_ZModVariables_TypeNumeralsAndInversesInTheResidueRing()
    {
        FormalStatement statement = LeanStatementParser.Parse(
            "theorem mathd_numbertheory_668 (l r : ZMod 7) (h₀ : l = (2 + 3)⁻¹) (h₁ : r = 2⁻¹ + 3⁻¹) : l - r = 1 := by");

        FormalType z7 = FormalType.ZModOf(7);
        Assert.Equal([z7, z7], statement.Variables.Select(static variable => variable.Type));
        Assert.Equal("ZMod 7", z7.ToString());
        FormalExpr h0 = statement.Hypotheses[0].Proposition;
        Assert.Equal(Eq(Var("l", z7), Call(FormalFunction.Inverse, z7, Add(Num(2, z7), Num(3, z7)))), h0);
        Assert.Equal(Eq(Sub(Var("l", z7), Var("r", z7)), Num(1, z7)), statement.Conclusion);
    }

    [Fact]
    public void Parse_ZModWithALiteralExpressionModulus_EvaluatesTheModulus()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem t (b : ZMod (11 ^ 2)) (h₀ : b = 24⁻¹) : b = 116 := by");

        Assert.Equal(FormalType.ZModOf(121), statement.Variables.Single().Type);
        Assert.Equal("theorem t (b : ZMod 121) (h₀ : b = 24⁻¹) : b = 116 := by", LeanPrinter.Print(statement));
    }

    [Fact]
    public void Parse_NatVariableBesideZMod_IsCastIntoTheResidueRing()
    {
        FormalExpr actual = Conclusion("(x : ZMod 5) (n : ℕ)", "x = n");

        Assert.Equal(Eq(Var("x", FormalType.ZModOf(5)), Cast(Var("n", N), FormalType.ZModOf(5))), actual);
    }

    [Fact]
    public void Parse_ZModBesideReal_IsATypeError()
    {
        FormalParseException exception = Assert.Throws<FormalParseException>(
            () => LeanStatementParser.Parse("theorem t (x : ZMod 5) (y : ℝ) : x = y := by"));

        Assert.Equal(FormalParseErrorKind.Type, exception.Kind);
    }

    [Fact]
    public void Parse_Imo1992P1TupleEquations_AreComponentwiseConjunctions()
    {
        FormalStatement actual = LeanStatementParser.Parse(
            "theorem t (p q r : ℤ) : (p, q, r) = (2, 4, 8) ∨ (p, q, r) ≠ (3, 5, 15) := by");

        VariableExpr p = Var("p", Z);
        VariableExpr q = Var("q", Z);
        VariableExpr r = Var("r", Z);
        FormalExpr expected = new LogicalExpr(
            LogicalOperator.Or,
            And(Eq(p, Num(2, Z)), And(Eq(q, Num(4, Z)), Eq(r, Num(8, Z)))),
            new NotExpr(And(Eq(p, Num(3, Z)), And(Eq(q, Num(5, Z)), Eq(r, Num(15, Z))))));
        Assert.Equal(expected, actual.Conclusion);
    }

    [Fact]
    public void Parse_TupleComponentsOfDifferentTypes_EachComponentTypedOnItsOwn()
    {
        FormalStatement actual = LeanStatementParser.Parse("theorem t (n : ℕ) (x : ℝ) : (n, x) = (1, 2) := by");

        Assert.Equal(And(Eq(Var("n", N), Num(1, N)), Eq(Var("x", R), Num(2, R))), actual.Conclusion);
    }

    [Fact]
    public void Parse_TuplesOfDifferentLengths_TypeError()
    {
        FormalParseException exception = Assert.Throws<FormalParseException>(
            () => LeanStatementParser.Parse("theorem t (x y : ℕ) : (x, y) = (1, 1, 1) := by"));

        Assert.Equal(FormalParseErrorKind.Type, exception.Kind);
    }

    [Fact]
    public void Parse_MathdNumbertheory227PositiveNaturals_NaturalsWithPositivityHypotheses()
    {
        FormalStatement actual = LeanStatementParser.Parse("theorem t (x y : ℕ+) (h₀ : ↑x / (4 : ℝ) + y / 6 = (x + y) / 5) : x = 2 := by");

        Assert.Equal([new FormalVariable("x", N), new FormalVariable("y", N)], actual.Variables.ToArray());
        Assert.Equal(["x_pos", "y_pos", "h₀"], actual.Hypotheses.Select(static h => h.Name));
        Assert.Equal(new RelationExpr(RelationOperator.Less, Num(0, N), Var("y", N)), actual.Hypotheses[1].Proposition);
    }

    [Fact]
    public void Parse_Amc12a2020P15Norm_IsComplexAbs()
    {
        FormalStatement norm = LeanStatementParser.Parse("theorem t (a b : ℂ) : ‖a - b‖ ≤ 2 := by");
        FormalStatement abs = LeanStatementParser.Parse("theorem t (a b : ℂ) : Complex.abs (a - b) ≤ 2 := by");

        Assert.Equal(abs.Conclusion, norm.Conclusion);
    }
}
