using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Planning.Provers.Evaluation;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>Equivalence of two Lean statements with real Z3 (in-process), 2 s per check unless a test says otherwise.</summary>
public sealed class StatementEquivalenceTests : IDisposable
{
    private readonly Z3InProcessBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
    }

    private static FormalStatement Parse(string source)
    {
        return LeanStatementParser.Parse(source);
    }

    private EquivalenceResult Check(string first, string second, EquivalenceOptions? options = null)
    {
        return new StatementEquivalence(_backend, options).Check(Parse(first), Parse(second));
    }

    [Theory]
    [InlineData("theorem t : (3 : ℕ) ^ 5000 / 3 ^ 4999 = 3 := by", EquivalenceVerdict.Equivalent, false)]
    [InlineData("theorem t : (3 : ℕ) ^ 5000 / 3 ^ 4999 = 4 := by", EquivalenceVerdict.NotEquivalent, false)]
    [InlineData("theorem t (h : (2 : ℕ) ^ 5000 < 2 ^ 4999) : (3 : ℕ) ^ 5000 / 3 ^ 4999 = 3 := by", EquivalenceVerdict.NotEquivalent, true)]
    public void Check_ClosedStatementsBeyondTheTranslation_DecidedByExactEvaluation(string other, EquivalenceVerdict expected, bool otherVacuous)
    {
        // An exponent above the translation's 4096 leaves both untranslated; the exact evaluator computes them (5 = 2 + 3 is true).
        EquivalenceResult result = Check("theorem t : (5 : ℕ) ^ 5000 / 5 ^ 4999 = 2 + 3 := by", other);

        Assert.Equal(expected, result.Verdict);
        Assert.True(result.Closed);
        Assert.Equal(otherVacuous, result.SecondVacuous);
    }

    [Fact]
    public void Check_SameUntranslatableStatementWithItsAnswer_EquivalentWhenTheAnswerSatisfiesTheHypotheses()
    {
        // amc12a_2009_p15: the sum up to a variable n of ℂ terms does not translate, but at the answer n = 97 it has
        // literal bounds, and the hypotheses hold there: the statement is not vacuous, so it is equivalent to itself.
        const string statement = "theorem t (n : ℕ) (h₀ : 0 < n) (h₁ : (∑ k in Finset.Icc 1 n, ↑k * Complex.I ^ k) = 48 + 49 * Complex.I) : n = 97 := by";
        const string wrongAnswer = "theorem t (n : ℕ) (h₀ : 0 < n) (h₁ : (∑ k in Finset.Icc 1 n, ↑k * Complex.I ^ k) = 48 + 49 * Complex.I) : n = 96 := by";

        EquivalenceResult same = Check(statement, statement.Replace("theorem t", "theorem u", StringComparison.Ordinal).Replace("h₁", "h", StringComparison.Ordinal));
        EquivalenceResult unanswered = Check(wrongAnswer, wrongAnswer);
        EquivalenceResult different = Check(statement, wrongAnswer);

        Assert.Equal(EquivalenceVerdict.Equivalent, same.Verdict);
        Assert.True(same.Identical);
        Assert.Equal(EquivalenceVerdict.Unknown, unanswered.Verdict); // at n = 96 the sum is 48 - 48i: no model there
        Assert.Equal(EquivalenceVerdict.Unknown, different.Verdict);
    }

    [Fact]
    public void Check_SameStatementWhoseConclusionAloneDoesNotTranslate_EquivalentWhenTheHypothesesHold()
    {
        // A non-literal exponent on ℂ does not translate and the conclusion pins no answer; the hypotheses alone translate, and n = 11
        // satisfies them, so the statement is not vacuous and is equivalent to itself. Contradictory hypotheses leave it
        // unknown (a vacuous statement is not reported as equivalent).
        const string statement = "theorem t (n : ℕ) (h₀ : 10 < n) (h₁ : n < 20) : Complex.I ^ (4 * n) = 1 := by";
        const string vacuous = "theorem t (n : ℕ) (h₀ : 20 < n) (h₁ : n < 10) : Complex.I ^ (4 * n) = 1 := by";

        EquivalenceResult same = Check(statement, statement.Replace("theorem t", "theorem u", StringComparison.Ordinal));
        EquivalenceResult contradictory = Check(vacuous, vacuous);

        Assert.Equal(EquivalenceVerdict.Equivalent, same.Verdict);
        Assert.True(same.Identical);
        Assert.Equal(EquivalenceVerdict.Unknown, contradictory.Verdict);
        Assert.StartsWith("unsupported: non-literal exponent on ℂ", contradictory.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SamePreimageStatementTwice_EquivalentWhenTheOtherHypothesesBoundTheSet()
    {
        // aime_1983_p3: the product over a preimage does not translate. Under h₀, f x = 0 has two real solutions
        // (x² + 18x + 20 = 0), so Z3 finds no three ordered ones: the Fintype hypothesis holds, the rest is satisfiable,
        // and the statement is equivalent to itself. When every real is a zero of f, the preimage is infinite: the
        // Fintype hypothesis is not dropped, does not translate, and the verdict stays unknown.
        const string statement = "theorem aime_1983_p3 (f : ℝ → ℝ) (h₀ : ∀ x, f x = x ^ 2 + (18 * x + 30) - 2 * Real.sqrt (x ^ 2 + (18 * x + 45))) (h₁ : Fintype (f ⁻¹' {0})) : (∏ x in (f ⁻¹' {0}).toFinset, x) = 20 := by";
        const string infinite = "theorem t (f : ℝ → ℝ) (h₀ : ∀ x, f x = 0 * x) (h₁ : Fintype (f ⁻¹' {0})) : (∑ x in (f ⁻¹' {0}).toFinset, x) = 0 := by";

        EquivalenceResult bounded = Check(statement, statement.Replace("f⁻¹'", "f ⁻¹'", StringComparison.Ordinal));
        EquivalenceResult unbounded = Check(infinite, infinite);

        Assert.Equal(EquivalenceVerdict.Equivalent, bounded.Verdict);
        Assert.True(bounded.Identical);
        Assert.Equal(EquivalenceVerdict.Unknown, unbounded.Verdict);
    }

    [Fact]
    public void Check_RenamedVariablesAndReorderedHypotheses_Equivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (x y : ℝ) (h₀ : 0 < x) (h₁ : x + y = 10) (h₂ : x - y = 2) : x * y = 24 := by",
            "theorem u (a b : ℝ) (h₂ : a - b = 2) (h₀ : a > 0) (h₁ : b + a = 10) : a * b = 24 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.EquivalentReason, result.Reason);
        Assert.Null(result.Counterexample);
        Assert.False(result.FirstVacuous);
        Assert.False(result.SecondVacuous);
        Assert.Equal("x", result.Alignment!.SecondToFirst["a"]);
        Assert.Equal("y", result.Alignment.SecondToFirst["b"]);
    }

    [Fact]
    public void Check_SameStatement_IdenticalWithoutEquivalenceQueries()
    {
        const string statement = "theorem t (x : ℝ) (h₀ : 0 ≤ x) (h₁ : Real.sqrt x = 3) : x = 9 := by";

        EquivalenceResult result = Check(statement, statement);

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.True(result.Identical);
        Assert.Equal(1, result.SmtChecks); // the vacuity check only
    }

    [Fact]
    public void Check_ReorderedHypothesesWithGcdAndLcm_IdenticalDespiteFreshVariablesNumberedDifferently()
    {
        EquivalenceResult result = Check(
            "theorem t (m n : ℕ) (h₀ : Nat.gcd m n = 6) (h₁ : Nat.lcm m n = 126) : 60 ≤ m + n := by",
            "theorem u (p q : ℕ) (h₁ : Nat.lcm p q = 126) (h₀ : Nat.gcd p q = 6) : 60 ≤ p + q := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.True(result.Identical);
        Assert.Equal(1, result.SmtChecks); // the vacuity check only
    }

    [Fact]
    public void Check_SymmetricVariablesPairedWronglyFirst_ProvenUnderAnotherAlignment()
    {
        // miniF2F amc12_2001_p21 renamed and reordered (seed 1): b and c have the same usage signature, and the
        // assignment pairs them the wrong way round; that alignment is refuted, the swapped one proves it.
        FormalStatement original = Parse(
            "theorem amc12_2001_p21 (a b c d : ℕ) (h₀ : a * b * c * d = 8!) (h₁ : a * b + a + b = 524) (h₂ : b * c + b + c = 146) " +
            "(h₃ : c * d + c + d = 104) : ↑a - ↑d = (10 : ℤ) := by");
        FormalStatement renamed = StatementRewrites.RenameAndReorder(original, 1).Statement;
        Assert.Equal("c", VariableAligner.Align(original, renamed).SecondToFirst["v1'"]);

        // The first alignment is refuted by a nonlinear query over ℕ whose time varies with the machine's load; 10 s per check
        // keeps the test about the retry, not about how loaded the machine is.
        EquivalenceResult result = new StatementEquivalence(_backend, new EquivalenceOptions { CheckLimit = TimeSpan.FromSeconds(10) }).Check(original, renamed);

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.Equal("b", result.Alignment!.SecondToFirst["v1'"]);
        Assert.Equal("c", result.Alignment.SecondToFirst["v2'"]);
        Assert.Equal(AlignmentMethod.Permutation, result.Alignment.MethodOf("v1'"));
    }

    [Fact]
    public void Check_NoAlignmentMakesThemEqual_NotEquivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (x y : ℝ) (h₀ : x = 1) (h₁ : y = 2) : (3 : ℝ) = 3 := by",
            "theorem u (p q : ℝ) (h₀ : q = 2) (h₁ : p = 5) : (3 : ℝ) = 3 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.HypothesesDifferReason, result.Reason);

        // Both conclusions hold everywhere, so both implications do: the same theorem.
        Assert.Equal(EquivalenceVerdict.Equivalent, result.TheoremVerdict);
        Assert.False(result.Closed);
    }

    [Fact]
    public void Check_HelperVariableDefinedByAnEquation_Equivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (a b : ℕ) (h₀ : a + b = 10) (h₁ : a - b = 2) : a * b = 24 := by",
            "theorem u (a b d : ℕ) (h₀ : a + b = 10) (h₁ : a - b = 2) (h₂ : d = a * b) : d = 24 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_AnswerMovedIntoAHypothesisOnAFreshVariable_Equivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h₀ : 2 * x + 1 = 7) : x = 3 := by",
            "theorem u (x y : ℝ) (h₀ : 2 * x + 1 = 7) (h₁ : 3 = y) : x = y := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_HelperVariableDefinedByAnEquationWithAnotherAnswer_NotEquivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (a b : ℕ) (h₀ : a + b = 10) : a * b = 24 := by",
            "theorem u (a b d : ℕ) (h₀ : a + b = 10) (h₂ : d = a * b) : d = 25 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
    }

    [Fact]
    public void Check_NatAgainstIntKeptNonNegative_Equivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (b : ℕ) (h₀ : b * b = 49) : b = 7 := by",
            "theorem u (b : ℤ) (h₀ : 0 ≤ b) (h₁ : b * b = 49) : b = 7 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_NatAgainstIntWithoutTheBound_NotEquivalent()
    {
        // b = -7 satisfies the second's hypothesis and not its conclusion; the first has no such b.
        EquivalenceResult result = Check(
            "theorem t (b : ℕ) (h₀ : b * b = 49) : b = 7 := by",
            "theorem u (b : ℤ) (h₁ : b * b = 49) : b = 7 := by");

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.TheoremVerdict);
    }

    [Fact]
    public void Check_SideConditionThatChangesNothingTheTheoremSays_StrictlyNotEquivalentButEquivalentAsTheorems()
    {
        EquivalenceResult result = Check(
            "theorem t (a b : ℝ) (h₀ : a = b) : a - b = 0 := by",
            "theorem u (a b : ℝ) (h₀ : a = b) (h₁ : 0 < b) : a - b = 0 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.HypothesesDifferReason, result.Reason);
        Assert.Equal(EquivalenceVerdict.Equivalent, result.TheoremVerdict);
        Assert.Null(result.TheoremCounterexample);
    }

    [Fact]
    public void Check_DifferentConclusionsUnderTheSameHypotheses_NotEquivalentAsTheoremsWithTheWitness()
    {
        EquivalenceResult result = Check(
            "theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
            "theorem u (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 5 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.TheoremVerdict);

        // The only values where the two implications disagree satisfy the hypotheses: x = 6, y = 4.
        Assert.Equal("6", result.TheoremCounterexample!["x"]);
        Assert.Equal("4", result.TheoremCounterexample!["y"]);
    }

    [Fact]
    public void Check_AsTheoremsTurnedOff_TheoremVerdictUnknown()
    {
        EquivalenceResult result = Check(
            "theorem t (a b : ℝ) (h₀ : a = b) : a - b = 0 := by",
            "theorem u (a b : ℝ) (h₀ : a = b) (h₁ : 0 < b) : a - b = 0 := by",
            new EquivalenceOptions { CheckAsTheorems = false });

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(EquivalenceVerdict.Unknown, result.TheoremVerdict);
    }

    [Fact]
    public void Check_TwoDifferentTrueClosedFacts_EquivalentAsTruthValuesAndMarkedClosed()
    {
        EquivalenceResult result = Check(
            "theorem t : (2 : ℕ) + 2 = 4 := by",
            "theorem u : (3 : ℕ) * 3 = 9 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.True(result.Closed);
        Assert.False(result.Identical);
    }

    [Fact]
    public void Check_SolverCannotDecideVacuity_ExactModelSettlesIt()
    {
        const string statement = "theorem t (m n : ℕ) (h₀ : Nat.gcd m n = 6) (h₁ : Nat.lcm m n = 126) : 60 ≤ m + n := by";
        using UndecidedBackend undecided = new();

        EquivalenceResult withSearch = new StatementEquivalence(undecided).Check(Parse(statement), Parse(statement));
        EquivalenceResult withoutSearch = new StatementEquivalence(undecided, new EquivalenceOptions { VacuityModelAssignments = 0 })
            .Check(Parse(statement), Parse(statement));

        Assert.Equal(EquivalenceVerdict.Equivalent, withSearch.Verdict);
        Assert.Equal(EquivalenceVerdict.Unknown, withoutSearch.Verdict);
    }

    [Fact]
    public void Check_QuantifiedHypothesis_CandidateFromTheConclusionProvenByZ3()
    {
        // mathd_algebra_13: Z3 cannot find a model of the ∀ hypothesis in time, and exact evaluation cannot check one;
        // the conclusion's values (a = -6, b = 10) are a candidate, and with a and b fixed Z3 proves the ∀ at once.
        const string statement = "theorem t (a b : ℝ) (h₀ : ∀ x, x - 3 ≠ 0 ∧ x - 5 ≠ 0 → 4 * x / (x ^ 2 - 8 * x + 15) = a / (x - 3) + b / (x - 5)) : a = -6 ∧ b = 10 := by";

        EquivalenceResult result = Check(statement, statement);

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.False(result.FirstVacuous);
    }

    [Fact]
    public void Check_QuantifiedGcdHypotheses_CandidateTranslatedAtItsValuesProvenByZ3()
    {
        // mathd_numbertheory_435: the ∀ n hypotheses hold at k = 5 (the conclusion's least value), but only translated
        // with k = 5 in place do the gcd arguments differ by a constant and take the quantifier-free divisor table.
        const string statement = "theorem t (k : ℕ) (h₀ : 0 < k) (h₁ : ∀ n, Nat.gcd (6 * n + k) (6 * n + 3) = 1) "
            + "(h₂ : ∀ n, Nat.gcd (6 * n + k) (6 * n + 2) = 1) (h₃ : ∀ n, Nat.gcd (6 * n + k) (6 * n + 1) = 1) : 5 ≤ k := by";
        using UndecidedVacuityBackend backend = new(_backend);

        EquivalenceResult result = new StatementEquivalence(backend).Check(Parse(statement), Parse(statement));

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.False(result.FirstVacuous);
    }

    [Fact]
    public void Check_QuantifiedHypothesisWithoutModel_NotSettledByCandidates()
    {
        // ∀ x, x < a has no model over ℝ: no candidate can be proven, so the statement is never called non-vacuous.
        const string statement = "theorem t (a : ℝ) (h₀ : ∀ x : ℝ, x < a) : a = 1 := by";
        using UndecidedVacuityBackend backend = new(_backend);

        EquivalenceResult result = new StatementEquivalence(backend).Check(Parse(statement), Parse(statement));

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_FreshVariableOnlyInTheConclusion_LeftOutOfTheVacuityQuery()
    {
        // mathd_algebra_487: with the conclusion's √ definitions in it, the hypotheses' query stayed undecided at 2 s.
        const string statement = "theorem t (a b c d : ℝ) (h₀ : b = a ^ 2) (h₁ : a + b = 1) (h₂ : d = c ^ 2) (h₃ : c + d = 1) (h₄ : a ≠ c) : Real.sqrt ((a - c) ^ 2 + (b - d) ^ 2) = Real.sqrt 10 := by";
        using RecordingBackend recording = new(_backend);

        EquivalenceResult result = new StatementEquivalence(recording).Check(Parse(statement), Parse(statement));

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        IReadOnlyList<Term> vacuity = recording.Queries[0];
        Assert.DoesNotContain(Terms.FreeVariables(vacuity), v => v.Name.Contains("sqrt", StringComparison.Ordinal));
    }

    /// <summary>Passes every query to Z3 and keeps the assertions.</summary>
    private sealed class RecordingBackend(ISmtBackend inner) : ISmtBackend
    {
        public List<IReadOnlyList<Term>> Queries { get; } = [];

        public string Name => inner.Name;

        public SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit)
        {
            Queries.Add(assertions);
            return inner.Check(assertions, limit);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Z3, except that the first query (the vacuity check) is undecided, as at its time limit.</summary>
    private sealed class UndecidedVacuityBackend(ISmtBackend inner) : ISmtBackend
    {
        private int _queries;

        public string Name => inner.Name;

        public SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit) =>
            _queries++ == 0 ? new Unknown("timeout") : inner.Check(assertions, limit);

        public void Dispose()
        {
        }
    }

    /// <summary>A backend that never decides anything, as Z3 at its time limit.</summary>
    private sealed class UndecidedBackend : ISmtBackend
    {
        public string Name => "undecided";

        public SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit) => new Unknown("timeout");

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Check_EquivalentHypothesesWrittenDifferently_Equivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h₀ : x ^ 2 - 5 * x + 6 = 0) (h₁ : x > 2) : x = 3 := by",
            "theorem t (x : ℝ) (h₀ : x = 3) : x = 3 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.False(result.Identical);
    }

    [Fact]
    public void Check_TwoTrueTheoremsWithDifferentHypotheses_NotEquivalent()
    {
        // Both are true theorems, so the implications are equivalent (both valid); component-wise they differ.
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h : x = 2) : x ^ 2 = 4 := by",
            "theorem t (x : ℝ) (h : x = 3) : x ^ 2 = 9 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.HypothesesDifferReason, result.Reason);
        Assert.NotNull(result.Counterexample);
        Assert.Contains(result.Counterexample["x"], new[] { "2", "3" });
    }

    [Fact]
    public void Check_VacuousCandidate_FlaggedAndNotEquivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h : x > 0) : x ^ 2 > 0 := by",
            "theorem t (x : ℝ) (h : x < 0) (h' : x > 0) : x ^ 2 > 0 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.SecondVacuousReason, result.Reason);
        Assert.False(result.FirstVacuous);
        Assert.True(result.SecondVacuous);
    }

    [Fact]
    public void Check_BothVacuous_NeverEquivalent()
    {
        const string statement = "theorem t (x : ℝ) (h : x < 0) (h' : x > 0) : x = 1 := by";

        EquivalenceResult result = Check(statement, statement);

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.BothVacuousReason, result.Reason);
        Assert.True(result.FirstVacuous);
        Assert.True(result.SecondVacuous);
    }

    [Fact]
    public void Check_LessVersusLessOrEqual_NotEquivalentWithCounterexampleAtTheBoundary()
    {
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h : 0 < x) : x < 5 := by",
            "theorem t (y : ℝ) (h : 0 < y) : y ≤ 5 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.ConclusionsDifferReason, result.Reason);
        Assert.NotNull(result.Counterexample);
        Assert.Equal("5", result.Counterexample["x"]); // the only point where exactly one conclusion holds
        Assert.DoesNotContain("y", result.Counterexample.Keys);
    }

    [Fact]
    public void Check_NatTruncatedSubtractionVersusIntSubtraction_NotEquivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (a b : ℕ) (h : a ≤ b) : a - b = 0 := by",
            "theorem t (a b : ℕ) (h : a ≤ b) : (a : ℤ) - (b : ℤ) = 0 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.ConclusionsDifferReason, result.Reason);
        long a = long.Parse(result.Counterexample!["a"], System.Globalization.CultureInfo.InvariantCulture);
        long b = long.Parse(result.Counterexample["b"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(a >= 0 && a < b, $"a = {a}, b = {b}");
    }

    [Fact]
    public void Check_NatVariableVersusRealVariableOfTheSameName_KeptApart()
    {
        // x : ℕ and x : ℝ are different variables; x ≥ 0 holds for the first only.
        EquivalenceResult result = Check(
            "theorem t (x : ℕ) : x ≥ 0 := by",
            "theorem t (x : ℝ) : x ≥ 0 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Empty(result.Alignment!.Pairs);
        Assert.Equal("x" + StatementEquivalence.RenameSuffix, result.SecondNames!["x"]);
        Assert.StartsWith("-", result.Counterexample!["x" + StatementEquivalence.RenameSuffix], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NatVersusIntStatement_NotEquivalent()
    {
        // The same text over ℕ and over ℤ: n - 1 < n fails for n = 0 in ℕ only (0 - 1 = 0).
        EquivalenceResult result = Check(
            "theorem t (n : ℕ) (h : n < 5) : n - 1 < n := by",
            "theorem t (n : ℤ) (h : n < 5) : n - 1 < n := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
    }

    [Fact]
    public void Check_FunctionVariable_EquivalentForEveryInterpretation()
    {
        // f 1 > 1 and f 1 ≥ 2 agree on ℕ whatever f is; the function variables are aligned by type, not by name.
        EquivalenceResult result = Check(
            "theorem t (f : ℕ → ℕ) (h : f 1 = 2) : f 1 > 1 := by",
            "theorem u (g : ℕ → ℕ) (h : g 1 = 2) : g 1 ≥ 2 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.Equal("f", result.Alignment!.SecondToFirst["g"]);
    }

    [Fact]
    public void Check_FunctionVariableMutation_UnknownBecauseTheCounterexampleUsesAnUninterpretedFunction()
    {
        EquivalenceResult result = Check(
            "theorem t (f : ℕ → ℕ) (h : f 1 = 2) : f 2 > 1 := by",
            "theorem t (f : ℕ → ℕ) (h : f 1 = 2) : f 2 ≥ 1 := by");

        Assert.Equal(EquivalenceVerdict.Unknown, result.Verdict);
        Assert.Equal(StatementEquivalence.UninterpretedCounterexampleReason, result.Reason);
        Assert.Null(result.Counterexample);
    }

    [Fact]
    public void Check_DefinedFunctionMutation_NotEquivalentWithAGenuineCounterexample()
    {
        // ∀ x, f x = x ^ 2 defines f: it is written in place, no symbol is left, and the refutation is a real counterexample.
        EquivalenceResult result = Check(
            "theorem t (f : ℝ → ℝ) (x : ℝ) (h₀ : ∀ y, f y = y ^ 2) (h₁ : f x = 4) : x = 2 := by",
            "theorem t (f : ℝ → ℝ) (x : ℝ) (h₀ : ∀ y, f y = y ^ 2) (h₁ : f x = 4) : x = 2 ∨ x = -2 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal("-2", result.Counterexample!["x"]);
    }

    [Theory]
    [InlineData("theorem t (n : ℕ) (h : 2 ^ (n + 1) = 16) : n > 0 := by", "theorem t (m : ℕ) (h : 2 * 2 ^ m = 16) : 0 < m := by")]
    [InlineData("theorem t (x : ℝ) (h : 0 < x) : Real.logb 2 x = 3 := by", "theorem t (x : ℝ) (h : x > 0) : Real.log x / Real.log 2 = 3 := by")]
    [InlineData("theorem t (n : ℕ) : ∑ k in Finset.range n, (2 * k + 1) = n ^ 2 := by", "theorem t (m : ℕ) : ∑ i in Finset.range m, (2 * i + 1) = m * m := by")]
    [InlineData("theorem t (S : Finset ℕ) (h : ∀ n, n ∈ S ↔ n < 5) : ∑ k in S, k = 10 := by", "theorem t (T : Finset ℕ) (h : ∀ m, m < 5 ↔ m ∈ T) : ∑ j in T, j = 10 := by")]
    [InlineData("theorem t (u : ℕ → ℚ) (h₀ : u 1 = u 0 + 1) (h₁ : u 2 = u 1 + 1) : u 2 = u 0 + 2 := by", "theorem t (v : ℕ → ℚ) (h₁ : v 1 + 1 = v 2) (h₀ : v 0 + 1 = v 1) : v 2 - 2 = v 0 := by")]
    [InlineData("theorem t (x : ℝ) (h : Real.exp x = 1) : x = 0 := by", "theorem t (y : ℝ) (h : 1 = Real.exp y) : 0 = y := by")]
    public void Check_UninterpretedConstructRewrite_Equivalent(string first, string second)
    {
        EquivalenceResult result = Check(first, second);

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Theory]
    [InlineData("theorem t (n : ℕ) (h : 2 ^ (n + 1) = 16) : n > 0 := by", "theorem t (n : ℕ) (h : 2 ^ (n + 1) = 32) : n > 0 := by")]
    [InlineData("theorem t (x : ℝ) (h : 0 < x) : Real.logb 2 x = 3 := by", "theorem t (x : ℝ) (h : 0 < x) : Real.log x / Real.log 3 = 3 := by")]
    [InlineData("theorem t (n : ℕ) : ∑ k in Finset.range n, (2 * k + 1) = n ^ 2 := by", "theorem t (n : ℕ) : ∑ k in Finset.range (n + 1), (2 * k + 1) = n ^ 2 := by")]
    [InlineData("theorem t (S : Finset ℕ) (h : ∀ n, n ∈ S ↔ n < 5) : ∑ k in S, k = 10 := by", "theorem t (S : Finset ℕ) (h : ∀ n, n ∈ S ↔ n < 5) : ∑ k in S, k = 11 := by")]
    [InlineData("theorem t (u : ℕ → ℚ) (h : ∀ n, u (n + 1) = u n + 1) : u 3 = u 0 + 3 := by", "theorem t (u : ℕ → ℚ) (h : ∀ n, u (n + 1) = u n + 2) : u 3 = u 0 + 3 := by")]
    [InlineData("theorem t (x : ℝ) (h : Real.sin x = 0) : Real.cos x ^ 2 = 1 := by", "theorem t (x : ℝ) (h : Real.sin x = 0) : Real.cos x = 1 := by")]
    public void Check_UninterpretedConstructMutation_NeverEquivalentAndUnknownWhenRefutedThroughASymbol(string first, string second)
    {
        EquivalenceResult result = Check(first, second);

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
        if (result.Verdict == EquivalenceVerdict.Unknown && result.Counterexample is null && !result.Reason.StartsWith("timeout", StringComparison.Ordinal))
        {
            Assert.Equal(StatementEquivalence.UninterpretedCounterexampleReason, result.Reason);
        }
    }

    [Fact]
    public void Check_RationalVariables_EquivalentOverTheReals()
    {
        EquivalenceResult result = Check(
            "theorem t (q : ℚ) (h : q * q = 2 * q) (h' : q ≠ 0) : q = 2 := by",
            "theorem t (r : ℚ) (h' : r ≠ 0) (h : r ^ 2 = 2 * r) : 2 = r := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_RationalVariableWithOnlyIrrationalCounterexamples_Unknown()
    {
        // Over ℝ, q = √2 separates the conclusions; no rational q satisfies the hypothesis, so that is no counterexample.
        EquivalenceResult result = Check(
            "theorem t (q : ℚ) (h : q * q = 2) (h' : q > 0) : q < 2 := by",
            "theorem t (q : ℚ) (h : q * q = 2) (h' : q > 0) : q < 1 := by");

        Assert.Equal(EquivalenceVerdict.Unknown, result.Verdict);
        Assert.Equal(StatementEquivalence.IrrationalCounterexampleReason, result.Reason);
    }

    [Fact]
    public void Check_RationalVariableWithARationalCounterexample_NotEquivalent()
    {
        EquivalenceResult result = Check(
            "theorem t (q : ℚ) (h : 2 * q = 3) : q < 2 := by",
            "theorem t (q : ℚ) (h : 2 * q = 3) : q < 1 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal("3/2", result.Counterexample!["q"]);
    }

    [Fact]
    public void Check_TinyLimitOnNonlinearProblem_UnknownOrCorrect()
    {
        // n(n+1) is even: equivalent conclusions (both true), but Z3 cannot prove it and a 1 ms limit stops it anyway.
        EquivalenceOptions options = new() { CheckLimit = TimeSpan.FromMilliseconds(1) };

        EquivalenceResult result = Check(
            "theorem t (n : ℤ) (h : n > 0) : (n * (n + 1)) % 2 = 0 := by",
            "theorem t (n : ℤ) (h : 0 < n) : True := by",
            options);

        Assert.NotEqual(EquivalenceVerdict.NotEquivalent, result.Verdict);
        if (result.Verdict == EquivalenceVerdict.Unknown)
        {
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }
    }

    [Fact]
    public void Check_TinyLimitOnDifferentNonlinearStatements_NeverEquivalent()
    {
        EquivalenceOptions options = new() { CheckLimit = TimeSpan.FromMilliseconds(1) };

        EquivalenceResult result = Check(
            "theorem t (x y : ℤ) (h : x ^ 2 - 61 * y ^ 2 = 1) (h' : y > 0) : x > 1000 := by",
            "theorem t (x y : ℤ) (h : x ^ 2 - 61 * y ^ 2 = 1) (h' : y > 0) : x > 2000000000 := by",
            options);

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_VariableInOnlyOneStatement_UniversallyQuantified()
    {
        // An unused extra variable changes nothing; a used one does.
        EquivalenceResult unused = Check(
            "theorem t (x y : ℝ) (h : x = 1) : x + 1 = 2 := by",
            "theorem t (x : ℝ) (h : x = 1) : x + 1 = 2 := by");
        EquivalenceResult used = Check(
            "theorem t (x y : ℝ) (h : x = 1) : x + y ^ 2 ≥ 1 := by",
            "theorem t (x : ℝ) (h : x = 1) : x ≥ 1 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, unused.Verdict);
        Assert.Equal(EquivalenceVerdict.Equivalent, used.Verdict); // y ^ 2 ≥ 0, so the conclusions agree under x = 1
    }

    [Fact]
    public void Check_FreshVariablesOfBothSides_RenamedApart()
    {
        // Both translations introduce sqrt!0, for different arguments: they must stay two variables.
        EquivalenceResult result = Check(
            "theorem t (x y : ℝ) (h₀ : 0 ≤ x) (h₁ : 0 ≤ y) : Real.sqrt x = 2 := by",
            "theorem t (x y : ℝ) (h₀ : 0 ≤ x) (h₁ : 0 ≤ y) : Real.sqrt y = 2 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.ConclusionsDifferReason, result.Reason);
    }

    [Fact]
    public void Check_BoundVariableNamedLikeAnAlignedVariable_NoCapture()
    {
        // Aligning b with x must not capture the bound x of the second statement.
        EquivalenceResult same = Check(
            "theorem t (x : ℤ) (h : x > 0) : ∃ k : ℤ, x = k + 1 := by",
            "theorem t (b : ℤ) (h : b > 0) : ∃ x : ℤ, b = x + 1 := by");
        EquivalenceResult different = Check(
            "theorem t (x : ℤ) (h : x > 0) : ∀ k : ℤ, k > 0 → x ≤ k * x := by",
            "theorem t (b : ℤ) (h : b > 0) : ∀ x : ℤ, x > 0 → x ≤ b := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, same.Verdict);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, different.Verdict);
    }

    /// <summary>The six statements of issue 20's peer comparison that needed ℂ, ZMod or the a ^ n % m fold (ours; the peer's parse the same).</summary>
    [Theory]
    [InlineData("theorem algebra_2varlineareq_fp3zeq11_3tfm1m5zeqn68_feqn10_zeq7 (f z : ℂ) (h₀ : f + 3 * z = 11)\n    (h₁ : 3 * (f - 1) - 5 * z = -68) : f = -10 ∧ z = 7 := by")]
    [InlineData("theorem amc12b_2021_p18 (z : ℂ)\n    (h₀ : 12 * Complex.normSq z = 2 * Complex.normSq (z + 2) + Complex.normSq (z ^ 2 + 1) + 31) :\n    z + 6 / z = -2 := by")]
    [InlineData("theorem mathd_algebra_302 : (Complex.I / 2) ^ 2 = -(1 / 4) := by")]
    [InlineData("theorem mathd_algebra_313 (v i z : ℂ) (h₀ : v = i * z) (h₁ : v = 1 + Complex.I)\n    (h₂ : z = 2 - Complex.I) : i = 1 / 5 + 3 / 5 * Complex.I := by")]
    [InlineData("theorem mathd_numbertheory_233 (b : ZMod (11 ^ 2)) (h₀ : b = 24⁻¹) : b = 116 := by")]
    [InlineData("theorem mathd_numbertheory_328 : 5 ^ 999999 % 7 = 6 := by")]
    public void Check_PeerStatementWithComplexZModOrModPow_EquivalentToItself(string statement)
    {
        EquivalenceResult result = Check(statement, statement);

        Assert.True(result.Verdict == EquivalenceVerdict.Equivalent, result.Reason);
        Assert.False(result.FirstVacuous);
    }

    [Fact]
    public void Check_ComplexRenamedWithReorderedHypotheses_Equivalent()
    {
        // Each ℂ variable is two reals; the imaginary parts are shared along the alignment of the real parts (f ↔ a, z ↔ b).
        EquivalenceResult result = Check(
            "theorem t (f z : ℂ) (h₀ : f + 3 * z = 11) (h₁ : z = 2 * Complex.I) : f = 11 - 3 * z := by",
            "theorem u (a b : ℂ) (h₁ : b = 2 * Complex.I) (h₀ : 3 * b + a = 11) : a = 11 - 3 * b := by");

        Assert.True(result.Verdict == EquivalenceVerdict.Equivalent, result.Reason);
        Assert.Equal("f", result.Alignment!.SecondToFirst["a"]);
        Assert.Equal("z", result.Alignment.SecondToFirst["b"]);
    }

    [Fact]
    public void Check_ComplexMutation_NotEquivalentWithBothPartsReported()
    {
        EquivalenceResult result = Check(
            "theorem t (f z : ℂ) (h₀ : f + 3 * z = 11) (h₁ : z = 2 * Complex.I) : f = 11 - 3 * z := by",
            "theorem t (f z : ℂ) (h₀ : f + 3 * z = 11) (h₁ : z = 2 * Complex.I) : f = 11 + 3 * z := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.Equal(StatementEquivalence.ConclusionsDifferReason, result.Reason);

        // The real part under the variable's name, the imaginary part under name.im: z = 2i, so f = 11 - 6i.
        Assert.Equal("11", result.Counterexample!["f"]);
        Assert.Equal("-6", result.Counterexample["f.im"]);
        Assert.Equal("0", result.Counterexample["z"]);
        Assert.Equal("2", result.Counterexample["z.im"]);
    }

    [Fact]
    public void Check_ComplexPartsSwapped_NotEquivalent()
    {
        // z.im = w.re against z.re = w.im, under z = I·w (which gives z.re = -w.im, z.im = w.re): the parts matter.
        EquivalenceResult same = Check(
            "theorem t (z w : ℂ) (h : z = Complex.I * w) : z.im = w.re := by",
            "theorem u (a b : ℂ) (h : a = Complex.I * b) : b.re = a.im := by");
        EquivalenceResult swapped = Check(
            "theorem t (z w : ℂ) (h : z = Complex.I * w) : z.im = w.re := by",
            "theorem t (z w : ℂ) (h : z = Complex.I * w) : z.re = w.im := by");

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, swapped.Verdict);
    }

    [Fact]
    public void Check_ZModInverseRewrittenAndMutated_EquivalentAndNotEquivalent()
    {
        const string statement = "theorem t (b : ZMod (11 ^ 2)) (h₀ : b = 24⁻¹) : b = 116 := by";

        EquivalenceResult same = Check(statement, "theorem u (c : ZMod 121) (h : 24⁻¹ = c) : 116 = c := by");
        EquivalenceResult mutated = Check(statement, "theorem t (b : ZMod (11 ^ 2)) (h₀ : b = 24⁻¹) : b = 115 := by");
        EquivalenceResult nonLiteral = Check(statement, "theorem t (b : ZMod (11 ^ 2)) (h₀ : b = (b + 24)⁻¹) : b = 116 := by");

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, mutated.Verdict);
        Assert.Equal(EquivalenceVerdict.Unknown, nonLiteral.Verdict);
        Assert.Equal("unsupported: ZMod inverse of a non-literal", nonLiteral.Reason);
    }

    [Fact]
    public void Check_LiteralPowerRemainderRewrittenAndMutated_EquivalentAndNotEquivalent()
    {
        // 5^6 ≡ 1 (mod 7) and 999999 = 6·166666 + 3, so 5^999999 ≡ 5^3 = 125 ≡ 6 (mod 7).
        EquivalenceResult same = Check("theorem t : 5 ^ 999999 % 7 = 6 := by", "theorem u : 5 ^ 999999 ≡ 6 [MOD 7] := by");
        EquivalenceResult mutated = Check("theorem t : 5 ^ 999999 % 7 = 6 := by", "theorem t : 5 ^ 999999 % 7 = 5 := by");

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, mutated.Verdict);
    }

    [Fact]
    public void Check_ComplexDivisionByZero_ZeroAsInLean()
    {
        EquivalenceResult same = Check(
            "theorem t (z : ℂ) (h : z = 0) : 1 / z = 0 := by",
            "theorem u (w : ℂ) (h : w = 0) : w⁻¹ = 0 := by");
        EquivalenceResult mutated = Check(
            "theorem t (z : ℂ) (h : z = 0) : 1 / z = 0 := by",
            "theorem t (z : ℂ) (h : z = 0) : 1 / z = 1 := by");

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.Equal(EquivalenceVerdict.NotEquivalent, mutated.Verdict);
    }

    [Theory]
    [InlineData("(h : Nat.digits 10 n = [3, 2, 1])", "(h : n = 123)", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : Nat.digits 10 n = [0, 1])", "(h : n = 10)", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : Nat.digits 2 n = [1, 0, 1])", "(h : n = 5)", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : Nat.digits 10 n = [3, 2, 1])", "(h : n = 321)", EquivalenceVerdict.NotEquivalent)]
    [InlineData("(h : Nat.digits 10 n = [])", "(h : n = 0)", EquivalenceVerdict.Equivalent)]
    public void Check_DigitsEqualToAList_MeanTheNumberTheyWrite(string digits, string value, EquivalenceVerdict expected)
    {
        // Nat.digits lists the least significant digit first: [3, 2, 1] are the digits of 123, [1, 0, 1] in base 2 of 5.
        EquivalenceResult result = Check($"theorem t (n : ℕ) {digits} : n % 2 = 1 ∨ n % 2 = 0 := by", $"theorem u (n : ℕ) {value} : n % 2 = 1 ∨ n % 2 = 0 := by");

        Assert.True(result.Verdict == expected, result.Reason);
    }

    [Fact]
    public void Check_SetOfNumbersWithEvenDigits_NotVacuous()
    {
        // amc12a_2020_p4: S holds the 4-digit multiples of 5 whose digits are all even, a bounded set, so some finset S
        // satisfies the hypothesis; the count does not translate, but the same statement twice is equivalent.
        const string statement = "theorem t (S : Finset ℕ) (h₀ : ∀ n : ℕ, n ∈ S ↔ 1000 ≤ n ∧ n ≤ 9999 ∧ (∀ d : ℕ, d ∈ Nat.digits 10 n → Even d) ∧ 5 ∣ n) : S.card = 100 := by";

        EquivalenceResult result = Check(statement, statement);

        Assert.True(result.Verdict == EquivalenceVerdict.Equivalent, result.Reason);
    }

    [Fact]
    public void Check_DigitMembershipThatDiffers_NotEquivalent()
    {
        // 305's digits are 5, 0, 3: 0 is one and 4 is not. The power 10 ^ i is uninterpreted with true facts, so the
        // refutation is at best unknown, never equivalent.
        EquivalenceResult result = Check("theorem t (n : ℕ) (h : n = 305) : 0 ∈ Nat.digits 10 n := by", "theorem t (n : ℕ) (h : n = 305) : 4 ∈ Nat.digits 10 n := by");

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
    }

    [Fact]
    public void Check_DigitsWithALeadingZero_Vacuous()
    {
        // No number's digits end in 0 (Nat.digits 10 1 = [1], not [1, 0]): the hypothesis is unsatisfiable.
        EquivalenceResult result = Check("theorem t (n : ℕ) (h : Nat.digits 10 n = [1, 0]) : n = 1 := by", "theorem t (n : ℕ) (h : n = 1) : n = 1 := by");

        Assert.Equal(EquivalenceVerdict.NotEquivalent, result.Verdict);
        Assert.True(result.FirstVacuous);
    }

    [Theory]
    [InlineData("(h : [a, b, c].Pairwise (· ≠ ·))", "(h : a ≠ b ∧ a ≠ c ∧ b ≠ c)", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : [a, b, c].Pairwise (· ≠ ·))", "(h : a ≠ b ∧ b ≠ c)", EquivalenceVerdict.NotEquivalent)]
    [InlineData("(h : {a, b} ⊆ Finset.Icc 1 3)", "(h : 1 ≤ a ∧ a ≤ 3 ∧ 1 ≤ b ∧ b ≤ 3)", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : {a, b, c} ⊂ Finset.Icc 1 3)", "(h : 1 ≤ a ∧ a ≤ 3 ∧ 1 ≤ b ∧ b ≤ 3 ∧ 1 ≤ c ∧ c ≤ 3 ∧ (a = b ∨ a = c ∨ b = c))", EquivalenceVerdict.Equivalent)]
    [InlineData("(h : {a, b, c} ⊂ Finset.Icc 1 3)", "(h : 1 ≤ a ∧ a ≤ 3 ∧ 1 ≤ b ∧ b ≤ 3 ∧ 1 ≤ c ∧ c ≤ 3)", EquivalenceVerdict.NotEquivalent)]
    public void Check_PairwiseAndSubsetUnfolded_MeanWhatTheyDefine(string unfolded, string written, EquivalenceVerdict expected)
    {
        // {a, b, c} ⊂ {1, 2, 3} strictly: some member of {1, 2, 3} is missing, so two of a, b, c coincide.
        EquivalenceResult result = Check($"theorem t (a b c : ℕ) {unfolded} : a + b + c < 10 := by", $"theorem u (a b c : ℕ) {written} : a + b + c < 10 := by");

        Assert.True(result.Verdict == expected, result.Reason);
    }

    [Fact]
    public void Check_SameStatementWithoutHypothesesBeyondTheTranslation_Equivalent()
    {
        // amc12_2001_p5's shape: 10000! is beyond the translation and the exact evaluator's caps, but a statement without
        // hypotheses cannot be vacuous, so the same statement twice is equivalent; a different one stays unknown.
        const string statement = "theorem t : Finset.prod (Finset.filter (fun x => ¬Even x) (Finset.range 10000)) (id : ℕ → ℕ) = 10000! / (2 ^ 5000 * 5000!) := by";

        EquivalenceResult same = Check(statement, statement.Replace("theorem t", "theorem u", StringComparison.Ordinal));
        EquivalenceResult other = Check(statement, statement.Replace("2 ^ 5000", "2 ^ 4999", StringComparison.Ordinal));

        Assert.Equal(EquivalenceVerdict.Equivalent, same.Verdict);
        Assert.True(same.Identical);
        Assert.Equal(EquivalenceVerdict.Unknown, other.Verdict);
    }

    [Fact]
    public void Check_InjectiveSequence_ModelWithTheIdentity()
    {
        // imo_1978_p5: no constant sequence is injective; the identity satisfies a 0 = 0 and injectivity.
        const string statement = "theorem t (n : ℕ) (a : ℕ → ℕ) (h₀ : Function.Injective a) (h₁ : a 0 = 0) (h₂ : 0 < n) : (∑ k in Finset.Icc 1 n, (1 : ℝ) / k) ≤ ∑ k in Finset.Icc 1 n, (a k : ℝ) / k ^ 2 := by";
        const string contradictory = "theorem t (n : ℕ) (a : ℕ → ℕ) (h₀ : Function.Injective a) (h₁ : a 0 = 0) (h₂ : a 1 = 0) : (∑ k in Finset.Icc 1 n, (1 : ℝ) / k) ≤ ∑ k in Finset.Icc 1 n, (a k : ℝ) / k ^ 2 := by";

        EquivalenceResult same = Check(statement, statement);
        EquivalenceResult vacuous = Check(contradictory, contradictory);

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.NotEqual(EquivalenceVerdict.Equivalent, vacuous.Verdict);
    }

    [Fact]
    public void Check_ComplexPolynomialHypotheses_ModelWithRealRoots()
    {
        // amc12a_2020_p15: a³ = 8 and b³ - 8b² - 8b + 64 = (b - 8)(b² - 8) = 0 have real roots (a = 2, b = 8).
        const string statement = "theorem t (a b : ℂ) (h₀ : a ^ 3 - 8 = 0) (h₁ : b ^ 3 - 8 * b ^ 2 - 8 * b + 64 = 0) : Complex.abs (a - b) ≤ 2 * Real.sqrt 21 := by";

        EquivalenceResult same = Check(statement, statement);

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
    }

    [Theory]
    [InlineData("(f : ℝ → ℝ) (h₀ : ∀ x, f (x / 3) = x ^ 2 + x + 1)", "(f : ℝ → ℝ) (h₀ : ∀ x, f x = 9 * x ^ 2 + 3 * x + 1)", "f 1 = 13", EquivalenceVerdict.Equivalent)]
    [InlineData("(f : ℝ → ℝ) (h₀ : ∀ x, f (2 * x) = x)", "(f : ℝ → ℝ) (h₀ : ∀ x, f x = x / 2)", "f 1 = 1 / 2", EquivalenceVerdict.Equivalent)]
    [InlineData("(f : ℤ → ℤ) (h₀ : ∀ x, f (x + 1) = x)", "(f : ℤ → ℤ) (h₀ : ∀ x, f x = x - 1)", "f 0 = -1", EquivalenceVerdict.Equivalent)]
    [InlineData("(f : ℝ → ℝ) (h₀ : ∀ x, f (x / 3) = x ^ 2 + x + 1)", "(f : ℝ → ℝ) (h₀ : ∀ x, f x = x ^ 2 + x + 1)", "f 1 = 13", EquivalenceVerdict.NotEquivalent)]
    public void Check_FunctionDefinedAtAnAffineImageOfItsArgument_DefinedEverywhere(string first, string second, string conclusion, EquivalenceVerdict expected)
    {
        // amc12_2000_p15's f (x / 3) = x² + x + 1 reaches every point y = x / 3 once: f y = (3y)² + 3y + 1.
        EquivalenceResult result = Check($"theorem t {first} : {conclusion} := by", $"theorem u {second} : {conclusion} := by");

        Assert.True(result.Verdict == expected, result.Reason);
    }

    [Fact]
    public void Check_NatFunctionGivenFromOneOn_NotADefinitionAtZero()
    {
        // On ℕ, n + 1 misses 0: f 0 is free, so f 0 = 0 follows from neither statement; they are equivalent to each other
        // only if nothing is concluded about f 0 from a false definition.
        EquivalenceResult result = Check(
            "theorem t (f : ℕ → ℕ) (h₀ : ∀ n, f (n + 1) = n) : f 0 = 0 := by",
            "theorem u (f : ℕ → ℕ) (h₀ : ∀ n, f (n + 1) = n) : f 0 = 1 := by");

        Assert.NotEqual(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.False(result.FirstVacuous);
    }

    [Fact]
    public void Check_ComplexPowersUpTo144_TranslatedByRepeatedSquaring()
    {
        // amc12a_2019_p21 as two formalizations write it: a ℤ index (zpow) against a ℕ one, the same powers z ^ 144 at most.
        // z = (1 + i)/√2 has z⁸ = 1, so z ^ 68 = z ^ 4 = -1 while z ^ 72 = 1: the last pair differs (Z3 refutes it in about
        // a second alone; under load it may time out, which is unknown, never equivalent).
        const string hypothesis = "(z : ℂ) (h₀ : z = (1 + Complex.I) / Real.sqrt 2)";
        EquivalenceResult same = Check(
            $"theorem t {hypothesis} : ((∑ k : ℤ in Finset.Icc 1 12, z ^ k ^ 2) * (∑ k : ℤ in Finset.Icc 1 12, 1 / z ^ k ^ 2)) = 36 := by",
            $"theorem u {hypothesis} : ((∑ k ∈ Finset.Icc 1 12, z ^ k ^ 2) * (∑ k ∈ Finset.Icc 1 12, 1 / z ^ k ^ 2)) = 36 := by");
        EquivalenceResult different = Check($"theorem t {hypothesis} : z ^ 72 = 1 := by", $"theorem t {hypothesis} : z ^ 68 = 1 := by");

        Assert.True(same.Verdict == EquivalenceVerdict.Equivalent, same.Reason);
        Assert.NotEqual(EquivalenceVerdict.Equivalent, different.Verdict);
    }

    [Fact]
    public void Check_ZModOfAVariable_ParsedNotTranslated()
    {
        // mathd_numbertheory_764: ZMod p for a variable p is read (so two spellings of the statement compare), never
        // translated; the hypotheses hold at p = 7, so the same statement twice is equivalent. ZMod q is another type.
        const string statement = "theorem t (p : ℕ) (h₀ : Nat.Prime p) (h₁ : 7 ≤ p) : (∑ k in Finset.Icc 1 (p - 2), (k : ZMod p)⁻¹ * ((k : ZMod p) + 1)⁻¹) = 2 := by";
        const string respelled = "theorem u (p : ℕ) (h₀ : Nat.Prime p) (h₁ : 7 ≤ p) : ∑ k ∈ Finset.Icc 1 (p-2), ((k: ZMod p)⁻¹ * ((k: ZMod p) + 1)⁻¹) = 2 := by";
        const string otherModulus = "theorem t (p q : ℕ) (h₀ : Nat.Prime p) (h₁ : 7 ≤ p) : (∑ k in Finset.Icc 1 (p - 2), (k : ZMod q)⁻¹ * ((k : ZMod q) + 1)⁻¹) = 2 := by";

        EquivalenceResult same = Check(statement, respelled);
        EquivalenceResult other = Check(statement, otherModulus);

        Assert.Equal(EquivalenceVerdict.Equivalent, same.Verdict);
        Assert.Equal("ZMod p", Assert.IsType<CastExpr>(ExprTree.Descendants(Parse(statement).Conclusion).First(static e => e is CastExpr)).Type.ToString());
        Assert.Equal(EquivalenceVerdict.Unknown, other.Verdict);
        Assert.Equal("unsupported: ZMod with a non-literal modulus", other.Reason);
    }

    [Fact]
    public void Check_ElapsedMeasured()
    {
        EquivalenceResult result = Check(
            "theorem t (x : ℝ) (h : 2 * x = 4) : x = 2 := by",
            "theorem t (x : ℝ) (h : x = 2) : x = 2 := by");

        Assert.Equal(EquivalenceVerdict.Equivalent, result.Verdict);
        Assert.True(result.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public void Constructor_NonPositiveLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatementEquivalence(_backend, new EquivalenceOptions { CheckLimit = TimeSpan.Zero }));
    }
}
