using System.Collections.Immutable;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>
/// Evaluates typed Lean expressions and statements exactly, over rationals, with Lean's semantics: an oracle that
/// depends on neither Z3 nor the SMT translation.
/// </summary>
/// <remarks>
/// <para>Rules, per type: ℕ subtraction truncates at 0 (NNReal too); ℕ and ℤ <c>/</c> and <c>%</c> are Euclidean with
/// <c>x / 0 = 0</c> and <c>x % 0 = x</c>; ℚ and ℝ <c>x / 0 = 0</c> and <c>0⁻¹ = 0</c>; casts keep the value; <c>^</c> with a ℕ
/// exponent is exact, with a ℤ exponent inverts (<c>0 ^ (-n) = 0</c>), with a real exponent it is exact when the result is
/// rational (an integer exponent, or a rational root that exists); <c>Real.sqrt</c> of a negative is 0 and otherwise evaluable
/// only when the root is rational; <c>⌊⌋ ⌈⌉</c>, <c>Nat.floor</c>/<c>Nat.ceil</c> (clamped at 0), <c>abs</c>, <c>min</c>, <c>max</c>,
/// <c>Int.natAbs</c>, <c>Int.toNat</c>, <c>gcd</c>/<c>lcm</c> (<c>lcm 0 n = 0</c>), <c>n !</c>, <c>Nat.choose</c>, <c>Nat.Prime</c>
/// (trial division up to 10¹²), <c>∣</c> (<c>0 ∣ b ↔ b = 0</c>; on fields <c>a ∣ b ↔ a ≠ 0 ∨ b = 0</c>), <c>Even</c>/<c>Odd</c>
/// (always true on ℚ and ℝ), <c>a ≡ b [MOD n]</c>, <c>Rat.num</c>/<c>Rat.den</c>, <c>Real.logb</c> when the logarithm is rational,
/// <c>Irrational</c> (false: every value here is rational), finite sets (<c>Finset.range</c>, intervals over ℕ/ℤ,
/// <c>Nat.divisors</c>, <c>Finset.filter</c>), <c>∑</c>/<c>∏</c> over them, and <c>IsLeast</c> over ℕ.</para>
/// <para>Connectives use three-valued logic, so <c>False ∧ p</c> is false even when <c>p</c> cannot be evaluated.
/// A quantifier over ℕ or ℤ whose guard (<c>∀ x, lo ≤ x → x &lt; hi → …</c>, <c>∃ x, x ∈ Finset.range n ∧ …</c>) bounds it
/// to at most 5000 values is enumerated; otherwise, and over ℚ/ℝ, sample values can only refute a <c>∀</c> or confirm an
/// <c>∃</c> — else the result is <see cref="NotEvaluated"/>. Function variables, ℂ, π and transcendental values other than
/// trivial ones (<c>exp 0</c>, <c>log 1</c>…) are not evaluable.</para>
/// <para>The rules live in the engine's files by domain (ExactEvaluator.Logic, .Arithmetic, .Functions, .FiniteSets),
/// over a closed value type: a number, a truth value, a finite set or a set-builder predicate.</para>
/// </remarks>
public static class LeanEvaluator
{
    /// <summary>Evaluates an expression (a number or a proposition) with the given values of its free variables.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="assignment">Values of the free variables, by name; ℕ values must be non-negative integers and ℤ values integers.</param>
    /// <returns>The number, the truth value, or why it could not be evaluated.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static EvaluationResult Evaluate(FormalExpr expression, IReadOnlyDictionary<string, Rational> assignment)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(assignment);
        return new ExactEvaluator(assignment).Top(expression);
    }

    /// <summary>
    /// Evaluates a statement's hypotheses and conclusion at an assignment of its variables. An assignment outside the
    /// variables' types (a fraction for a ℕ variable) gives <see cref="StatementEvaluation.InDomain"/> false and nothing
    /// else is evaluated.
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <param name="assignment">Values of the statement's numeric variables, by name.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static StatementEvaluation EvaluateStatement(FormalStatement statement, IReadOnlyDictionary<string, Rational> assignment)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(assignment);
        foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
        {
            if (variable.Type.Kind is not (FormalTypeKind.Complex or FormalTypeKind.ZMod) && variable.Type.IsNumeric && assignment.TryGetValue(variable.Name, out Rational value) && !InDomain(variable.Type, value))
            {
                return new StatementEvaluation(false, [], new NotEvaluated("assignment outside the variables' types"));
            }
        }

        ImmutableArray<EvaluationResult> hypotheses =
            [.. (statement.Hypotheses.IsDefault ? [] : statement.Hypotheses).Select(hypothesis => Evaluate(hypothesis.Proposition, assignment))];
        return new StatementEvaluation(true, hypotheses, Evaluate(statement.Conclusion, assignment));
    }

    /// <summary>Whether a value belongs to a number type: ℕ non-negative integers, ℤ integers, NNReal non-negative, ℚ and ℝ anything.</summary>
    /// <param name="type">The number type.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is of the type (false for ℂ and non-numeric types).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    public static bool InDomain(FormalType type, Rational value)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Kind switch
        {
            FormalTypeKind.Nat => value.IsInteger && value.Sign >= 0,
            FormalTypeKind.Int => value.IsInteger,
            FormalTypeKind.NNReal => value.Sign >= 0,
            FormalTypeKind.Rat or FormalTypeKind.Real => true,
            _ => false,
        };
    }
}
