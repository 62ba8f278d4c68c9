using System.Collections.Immutable;

namespace Planning.Provers.Evaluation;

/// <summary>
/// The outcome of evaluating an expression with <see cref="LeanEvaluator"/>: a number (<see cref="EvaluatedNumber"/>),
/// a truth value (<see cref="EvaluatedTruth"/>), or <see cref="NotEvaluated"/> with the reason. The hierarchy is closed.
/// </summary>
public abstract record EvaluationResult
{
    private protected EvaluationResult()
    {
    }

    /// <summary>The truth value, when the result is one; otherwise <see langword="null"/>.</summary>
    public bool? Truth => this is EvaluatedTruth truth ? truth.Value : null;

    /// <summary>The number, when the result is one; otherwise <see langword="null"/>.</summary>
    public Rational? Number => this is EvaluatedNumber number ? number.Value : null;
}

/// <summary>A numeric value (of any number type; ℕ and ℤ values are integers).</summary>
/// <param name="Value">The exact value.</param>
public sealed record EvaluatedNumber(Rational Value) : EvaluationResult;

/// <summary>The truth value of a proposition.</summary>
/// <param name="Value">Whether the proposition holds.</param>
public sealed record EvaluatedTruth(bool Value) : EvaluationResult;

/// <summary>The expression could not be evaluated exactly (an irrational value, an unbounded quantifier, a function variable…).</summary>
/// <param name="Reason">Why, for instance <c>irrational sqrt</c> or <c>unbounded ∀ over ℤ</c>.</param>
public sealed record NotEvaluated(string Reason) : EvaluationResult;

/// <summary>
/// A statement evaluated at one assignment: whether the assignment lies in the variables' types (ℕ values are
/// non-negative integers, ℤ values integers, NNReal values non-negative), each hypothesis and the conclusion.
/// </summary>
/// <param name="InDomain">Whether every numeric variable's value belongs to its type; when not, the hypotheses count as false.</param>
/// <param name="Hypotheses">Each hypothesis' value, in order (empty when the assignment is outside the domain).</param>
/// <param name="Conclusion">The conclusion's value (<see cref="NotEvaluated"/> when the assignment is outside the domain).</param>
public sealed record StatementEvaluation(bool InDomain, ImmutableArray<EvaluationResult> Hypotheses, EvaluationResult Conclusion)
{
    /// <summary>
    /// The conjunction of the domain condition and the hypotheses in three-valued logic: <see langword="false"/> when
    /// the assignment is outside the domain or a hypothesis is false, <see langword="true"/> when all hold, otherwise
    /// <see langword="null"/> (some hypothesis could not be evaluated).
    /// </summary>
    public bool? HypothesesHold
    {
        get
        {
            if (!InDomain)
            {
                return false;
            }

            bool unknown = false;
            foreach (EvaluationResult hypothesis in Hypotheses)
            {
                switch (hypothesis.Truth)
                {
                    case false:
                        return false;
                    case null:
                        unknown = true;
                        break;
                    default:
                        break;
                }
            }

            return unknown ? null : true;
        }
    }

    /// <summary>The conclusion's truth value, or <see langword="null"/> when it could not be evaluated.</summary>
    public bool? ConclusionHolds => Conclusion.Truth;
}
