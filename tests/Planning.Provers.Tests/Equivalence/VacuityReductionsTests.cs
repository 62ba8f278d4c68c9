using System.Globalization;

using FsCheck.Xunit;

using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Translation;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>
/// The vacuity rewrites (<see cref="VacuityReductions"/>): their shapes, the conditions that refuse them, and their
/// answers against an oracle independent of Z3 (a recurrence computed directly).
/// </summary>
public sealed class VacuityReductionsTests : IDisposable
{
    private readonly Z3InProcessBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
    }

    private static FormalStatement Parse(string source) => LeanStatementParser.Parse(source);

    private bool Unsatisfiable(FormalStatement statement)
    {
        TranslatedStatement translated = LeanToSmt.Translate(statement);
        return _backend.Check([.. translated.SideConditions, .. translated.Hypotheses], TimeSpan.FromSeconds(2)) is Unsat;
    }

    private EquivalenceResult Self(string statement)
    {
        return new StatementEquivalence(_backend).Check(Parse(statement), Parse(statement));
    }

    [Fact]
    public void Unrolled_RecurrenceUsedAtLiteralIndices_InstancesUpToTheLargestIndex()
    {
        FormalStatement unrolled = VacuityReductions.Unrolled(Parse(
            "theorem t (a : ℕ → ℕ) (h₀ : a 1 = 1) (h₁ : a 4 = 5) (h₂ : ∀ n, a (n + 2) = a (n + 1) + a n) : a 100 % 4 = 3 := by"))!;

        Assert.Equal(
            ["a 1 = 1", "a 4 = 5", "a (0 + 2) = a (0 + 1) + a 0", "a (1 + 2) = a (1 + 1) + a 1", "a (2 + 2) = a (2 + 1) + a 2"],
            unrolled.Hypotheses.Select(static h => h.Proposition.ToString()));
    }

    [Fact]
    public void Unrolled_GuardedRecurrence_InstancesOnlyWhereTheGuardHolds()
    {
        FormalStatement unrolled = VacuityReductions.Unrolled(Parse(
            "theorem t (d : ℕ → ℕ) (h₀ : d 0 = 0) (h₂ : ∀ n ≥ 3, d n = d (n - 1) + d (n - 3)) (h₃ : d 4 = 2) : Even (d 2021) := by"))!;

        Assert.Equal(
            ["d 0 = 0", "d 4 = 2", "d 3 = d (3 - 1) + d (3 - 3)", "d 4 = d (4 - 1) + d (4 - 3)"],
            unrolled.Hypotheses.Select(static h => h.Proposition.ToString()));
    }

    [Fact]
    public void Unrolled_SumWithLiteralBounds_CountsAsLiteralIndices()
    {
        FormalStatement unrolled = VacuityReductions.Unrolled(Parse(
            "theorem t (u : ℕ → ℚ) (h₀ : ∀ n, u (n + 1) = u n + 1) (h₁ : (∑ k in Finset.range 3, u k.succ) = 137) : u 2 = 1 := by"))!;

        // u 1, u 2, u 3 are used: instances n = 0, 1, 2 define them.
        Assert.Equal(4, unrolled.Hypotheses.Length);
    }

    [Theory]
    [InlineData("theorem t (a : ℕ → ℕ) (m : ℕ) (h₀ : ∀ n, a (n + 1) = a n + 1) (h₁ : a m = 5) : a 0 = 0 := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : ∀ n, a (n + 1) = a (n + 2)) (h₁ : a 3 = 5) : a 0 = 0 := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : ∀ n, a (n + 1) = a n + 1) (h₁ : ∀ n, a (n + 1) = a n + 2) (h₂ : a 3 = 5) : a 0 = 0 := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : ∀ n, a (2 * n) = a n + 1) (h₁ : a 3 = 5) : a 0 = 0 := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : ∀ n, a (n + 1) = a n + 1) (h₁ : ∀ m, a m ≥ 0) : a 0 = 0 := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : ∀ n, a (n + 1) = a n + 1) (h₁ : a 5000 = 5) : a 0 = 0 := by")]
    [InlineData("theorem t (x : ℕ) (h₀ : ∀ n, n + 1 > n) : x = x := by")]
    public void Unrolled_NotARecurrenceTheRewriteCovers_Null(string statement)
    {
        // A use at a variable index, a value read at a later index, two recurrences for one sequence, an index that is
        // not n + k, a quantified use, an index beyond the cap, no sequence at all.
        Assert.Null(VacuityReductions.Unrolled(Parse(statement)));
    }

    /// <summary>
    /// A linear recurrence of order 2 over ℤ with literal initial values and one more hypothesis on a later term: the
    /// statement is vacuous exactly when that term is not the recurrence's value, computed here directly.
    /// </summary>
    [Property(MaxTest = 25)]
    public void Check_LinearRecurrenceAgainstDirectComputation_VacuousExactlyWhenTheTermIsWrong(int seed)
    {
        Random random = new(seed);
        int c1 = random.Next(-2, 3);
        int c0 = random.Next(-2, 3);
        int constant = random.Next(-3, 4);
        long[] terms = new long[13];
        terms[0] = random.Next(-3, 4);
        terms[1] = random.Next(-3, 4);
        for (int n = 2; n < terms.Length; n++)
        {
            terms[n] = (c1 * terms[n - 1]) + (c0 * terms[n - 2]) + constant;
        }

        int index = random.Next(2, terms.Length);
        bool truthful = random.Next(2) == 0;
        long claimed = terms[index] + (truthful ? 0 : random.Next(2) == 0 ? 1 : -1);
        string statement = string.Create(
            CultureInfo.InvariantCulture,
            $"theorem t (a : ℕ → ℤ) (h₀ : a 0 = {Literal(terms[0])}) (h₁ : a 1 = {Literal(terms[1])}) " +
            $"(h₂ : ∀ n, a (n + 2) = {Literal(c1)} * a (n + 1) + {Literal(c0)} * a n + {Literal(constant)}) (h₃ : a {index} = {Literal(claimed)}) : a 1 = a 1 := by");

        EquivalenceResult result = Self(statement);

        Assert.Equal(truthful ? EquivalenceVerdict.Equivalent : EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(!truthful, result.FirstVacuous);
    }

    private static string Literal(long value) => value < 0 ? $"({value.ToString(CultureInfo.InvariantCulture)})" : value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void WithoutDefinitions_FunctionByDisjointCases_Dropped()
    {
        FormalStatement statement = Parse(
            "theorem t (f : ℝ → ℝ) (y : ℝ) (h₀ : ∀ x < 0, f x = -x ^ 2 - 1) (h₁ : ∀ x, 0 ≤ x ∧ x < 4 → f x = 2) (h₂ : ∀ x ≥ 4, f x = Real.sqrt x) (h₃ : y > 1) : f Real.pi = 2 := by");

        FormalStatement reduced = VacuityReductions.WithoutDefinitions(statement, Unsatisfiable)!;

        Assert.Equal(["y > 1"], reduced.Hypotheses.Select(static h => h.Proposition.ToString()));
    }

    [Fact]
    public void WithoutDefinitions_TwoArgumentsGuardsBetweenBinders_Dropped()
    {
        // mathd_algebra_139 as written in miniF2F's Lean 4 port and in ours.
        Assert.Empty(VacuityReductions.WithoutDefinitions(
            Parse("theorem t (s : ℝ → ℝ → ℝ) (h₀ : ∀ (x) (_ : x ≠ 0), ∀ (y) (_ : y ≠ 0), s x y = (1 / y - 1 / x) / (x - y)) : s 3 11 = 1 / 33 := by"),
            Unsatisfiable)!.Hypotheses);
        Assert.Empty(VacuityReductions.WithoutDefinitions(
            Parse("theorem t (s : ℝ → ℝ → ℝ) (h₀ : ∀ x, ∀ y, x ≠ 0 -> y ≠ 0 -> s x y = (1 / y - 1 / x) / (x - y)) : s 3 11 = 1 / 33 := by"),
            Unsatisfiable)!.Hypotheses);
    }

    [Fact]
    public void WithoutDefinitions_TwoArgumentCasesThatOverlap_Null()
    {
        // Both cases hold at x = y = 1 with different values: not a definition (the statement is vacuous).
        Assert.Null(VacuityReductions.WithoutDefinitions(
            Parse("theorem t (s : ℝ → ℝ → ℝ) (h₀ : ∀ x y, x > 0 → s x y = 0) (h₁ : ∀ x y, y > 0 → s x y = 1) : s 3 11 = 0 := by"),
            Unsatisfiable));
    }

    [Fact]
    public void Check_TheTwoFormsOfMathdAlgebra139_Equivalent()
    {
        EquivalenceResult result = new StatementEquivalence(_backend).Check(
            Parse("theorem t (s : ℝ → ℝ → ℝ) (h₀ : ∀ (x) (_ : x ≠ 0), ∀ (y) (_ : y ≠ 0), s x y = (1 / y - 1 / x) / (x - y)) : s 3 11 = 1 / 33 := by"),
            Parse("theorem t (s : ℝ → ℝ → ℝ) (h₀ : ∀ x, ∀ y, x ≠ 0 -> y ≠ 0 -> s x y = (1 / y - 1 / x) / (x - y)) : s 3 11 = 1 / 33 := by"));

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Theory]
    [InlineData("theorem t (f : ℝ → ℝ) (h₀ : ∀ x < 1, f x = 0) (h₁ : ∀ x > 0, f x = 1) : f 2 = 1 := by")]
    [InlineData("theorem t (f : ℝ → ℝ) (h₀ : ∀ x < 1, f x = 0) (h₁ : f 0 = 1) : f 2 = 1 := by")]
    [InlineData("theorem t (f : ℝ → ℝ) (h₀ : ∀ x, f x = f (x + 1)) : f 2 = 1 := by")]
    [InlineData("theorem t (S : Finset ℕ) (h₀ : ∀ n : ℕ, n ∈ S ↔ n % 2 = 0) : S.card = 3 := by")]
    [InlineData("theorem t (S : Finset ℝ) (h₀ : ∀ x : ℝ, x ∈ S ↔ 0 < x ∧ x < 1) : S.card = 3 := by")]
    public void WithoutDefinitions_DefinitionNotShownRealisable_Null(string statement)
    {
        // Overlapping cases (they disagree on (0, 1): the statement is vacuous), a case the other hypotheses also
        // constrain, a value that mentions the function, a finset of infinitely many naturals, a finset of reals.
        Assert.Null(VacuityReductions.WithoutDefinitions(Parse(statement), Unsatisfiable));
    }

    [Theory]
    [InlineData("theorem t (S : Set ℕ) (h₀ : ∀ n : ℕ, n ∈ S ↔ n % 2 = 0) : 2 ∈ S := by")]
    [InlineData("theorem t (S : Finset ℕ) (h₀ : ∀ n : ℕ, n ∈ S ↔ 0 < n ∧ (↑n + (1000 : ℝ)) / 70 = Int.floor (Real.sqrt n)) : S.card = 6 := by")]
    [InlineData("theorem t (S : Finset ℤ) (h₀ : ∀ n : ℤ, n ∈ S ↔ n ^ 2 < 10) : S.card = 7 := by")]
    [InlineData("theorem t (S : Set ℝ) (h₀ : S = {x : ℝ | Real.cos x ^ 2 = 1}) : S = S := by")]
    public void WithoutDefinitions_SetByItsMembers_Dropped(string statement)
    {
        // A set always exists; a finset only of finitely many elements, proven by a bound (√n grows slower than n).
        Assert.Empty(VacuityReductions.WithoutDefinitions(Parse(statement), Unsatisfiable)!.Hypotheses);
    }

    [Fact]
    public void ConstantFunctions_FunctionalEquation_ConstantInPlaceAndIdleQuantifierDropped()
    {
        FormalStatement narrowed = VacuityReductions.ConstantFunctions(Parse(
            "theorem t (a : ℝ) (f : ℝ → ℝ) (h₀ : 0 < a) (h₁ : ∀ x, f (x + a) = 1 / 2 + Real.sqrt (f x - f x ^ 2)) : ∃ b > 0, ∀ x, f (x + b) = f x := by"),
            out var constants)!;

        Assert.Equal("f₀", constants["f"].Name);
        Assert.Equal(FormalType.Real, constants["f"].Type);
        Assert.Equal(["0 < a", "f₀ = 1 / 2 + Real.sqrt (f₀ - f₀ ^ 2)"], narrowed.Hypotheses.Select(static h => h.Proposition.ToString()));
    }

    [Fact]
    public void IdentityFunctions_InjectiveSequence_IdentityInPlaceWithACast()
    {
        FormalStatement narrowed = VacuityReductions.IdentityFunctions(Parse(
            "theorem t (a : ℕ → ℕ) (b : ℕ → ℝ) (h₀ : Function.Injective a) (h₁ : a 0 = 0) (h₂ : b 2 = 2) : a 1 = 1 := by"))!;

        Assert.Equal(["∀ x' x'' : ℕ, x' = x'' → x' = x''", "0 = 0", "((2 : ℕ) : ℝ) = 2"], narrowed.Hypotheses.Select(static h => h.Proposition.ToString()));
        Assert.Equal("a 1 = 1", narrowed.Conclusion.ToString());
    }

    [Theory]
    [InlineData("theorem t (f : ℝ → ℕ) (h₀ : f 1 = 1) : f 2 = 2 := by")]
    [InlineData("theorem t (f : ℝ → ℝ → ℝ) (h₀ : f 1 2 = 1) : f 2 1 = 2 := by")]
    [InlineData("theorem t (f : ℕ → ℕ) (h₀ : 0 < 1) : f 1 = 1 := by")]
    public void IdentityFunctions_NoFunctionWhoseValuesHoldItsArguments_Null(string statement)
    {
        // ℝ does not embed in ℕ; a function of two arguments is not narrowed; a function only the conclusion uses neither.
        Assert.Null(VacuityReductions.IdentityFunctions(Parse(statement)));
    }

    [Fact]
    public void RealComplexVariables_PolynomialOverC_RealVariableCastIn()
    {
        FormalStatement narrowed = VacuityReductions.RealComplexVariables(Parse(
            "theorem t (a b : ℂ) (h₀ : a ^ 3 - 8 = 0) : Complex.abs (a - b) ≤ 2 := by"))!;

        Assert.Equal(["a", "b", "aᵣ"], narrowed.Variables.Select(static v => v.Name));
        Assert.Equal(FormalType.Real, narrowed.Variables[2].Type);
        Assert.Equal(["(aᵣ : ℂ) ^ 3 - 8 = 0"], narrowed.Hypotheses.Select(static h => h.Proposition.ToString()));
        Assert.Null(VacuityReductions.RealComplexVariables(Parse("theorem t (z : ℂ) (x : ℝ) (h₀ : x = 1) : z = 1 := by")));
    }

    [Fact]
    public void ConstantFunctions_FunctionNotInTheHypotheses_Null()
    {
        Assert.Null(VacuityReductions.ConstantFunctions(Parse("theorem t (f : ℝ → ℝ) (h₀ : 0 < 1) : f 1 = f 1 := by"), out _));
    }

    [Theory]
    [InlineData("theorem t (u : ℕ → ℚ) (h₀ : ∀ n, u (n + 1) = u n + 1) (h₁ : (∑ k in Finset.range 98, u k.succ) = 137) : (∑ k in Finset.range 49, u (2 * k.succ)) = 93 := by")]
    [InlineData("theorem t (u : ℕ → ℕ) (h₀ : u 0 = 4) (h₁ : u 1 = 7) (h₂ : ∀ n ≥ 2, u (n + 2) = (u n + u (n + 1)) % 10) : ∀ n, (∑ k in Finset.range n, u k) > 10000 → 1999 ≤ n := by")]
    [InlineData("theorem t (d : ℕ → ℕ) (h₀ : d 0 = 0) (h₁ : d 1 = 0) (h₂ : d 2 = 1) (h₃ : ∀ n ≥ 3, d n = d (n - 1) + d (n - 3)) : Even (d 2021) ∧ Odd (d 2022) ∧ Even (d 2023) := by")]
    [InlineData("theorem t (a : ℕ → ℕ) (h₀ : a 1 = 1) (h₁ : a 2 = 1) (h₂ : ∀ n, a (n + 2) = a (n + 1) + a n) : a 100 % 4 = 3 := by")]
    [InlineData("theorem t (a : ℝ) (f : ℝ → ℝ) (h₀ : 0 < a) (h₁ : ∀ x, f (x + a) = 1 / 2 + Real.sqrt (f x - f x ^ 2)) : ∃ b > 0, ∀ x, f (x + b) = f x := by")]
    [InlineData("theorem t (f : ℝ → ℝ) (h₀ : ∀ x < 0, f x = -x ^ 2 - 1) (h₁ : ∀ x, 0 ≤ x ∧ x < 4 → f x = 2) (h₂ : ∀ x ≥ 4, f x = Real.sqrt x) : f Real.pi = 2 := by")]
    [InlineData("theorem t (S : Finset ℕ) (h₀ : ∀ n : ℕ, n ∈ S ↔ 0 < n ∧ (↑n + (1000 : ℝ)) / 70 = Int.floor (Real.sqrt n)) : S.card = 6 := by")]
    public void Check_MiniF2FStatementsZ3LeftUndecided_EquivalentToThemselves(string statement)
    {
        // aime_1984_p1, amc12a_2002_p21, amc12a_2021_p8, mathd_numbertheory_483, imo_1968_p5_1, mathd_algebra_480 and
        // amc12b_2020_p21: Z3 answered timeout or incomplete on their vacuity checks.
        EquivalenceResult result = Self(statement);

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.False(result.FirstVacuous);
    }

    [Fact]
    public void Check_RecurrenceContradictingALaterTerm_Vacuous()
    {
        EquivalenceResult result = Self("theorem t (a : ℕ → ℕ) (h₀ : a 0 = 1) (h₁ : ∀ n, a (n + 1) = 2 * a n) (h₂ : a 3 = 7) : a 5 = 32 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.True(result.FirstVacuous);
    }

    [Fact]
    public void Check_OverlappingCasesThatDisagree_NeverEquivalent()
    {
        EquivalenceResult result = Self("theorem t (f : ℝ → ℝ) (h₀ : ∀ x < 1, f x = 0) (h₁ : ∀ x > 0, f x = 1) : f 2 = 1 := by");

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
    }
}
