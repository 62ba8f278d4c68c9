using System.Collections.Immutable;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>
/// A value of the exact evaluator (<see cref="ExactEvaluator"/>): a number, a truth value, a finite set, or a set given by
/// a predicate. The hierarchy is closed (a private constructor and four sealed cases), so a switch over it names every
/// kind of value the evaluator can produce.
/// </summary>
internal abstract record LeanValue
{
    private LeanValue()
    {
    }

    /// <summary>
    /// A number of any number type, exact. One case serves ℕ, ℤ, ℚ, NNReal and ℝ: the expression's Lean type says which,
    /// and ℕ and ℤ values are always integers (every rule of the evaluator keeps them so).
    /// </summary>
    /// <param name="Value">The exact value.</param>
    public sealed record Number(Rational Value) : LeanValue;

    /// <summary>The truth value of a proposition used as a value (for instance a relation inside <c>=</c> on Prop).</summary>
    /// <param name="Value">Whether the proposition holds.</param>
    public sealed record Truth(bool Value) : LeanValue;

    /// <summary>A finite set of numbers (<c>Finset.range</c>, an interval, divisors, a filter of one of these).</summary>
    /// <param name="Elements">The elements, distinct and sorted ascending.</param>
    public sealed record FiniteSet(ImmutableArray<Rational> Elements) : LeanValue;

    /// <summary>
    /// A set-builder <c>{x : T | p x}</c>, possibly infinite: only membership can be decided, by evaluating the predicate
    /// with the element bound. It closes over nothing but its predicate (the environment is the evaluator's).
    /// </summary>
    /// <param name="Variable">The bound variable.</param>
    /// <param name="ElementType">The elements' type: a value outside it is not a member.</param>
    /// <param name="Predicate">The proposition over <paramref name="Variable"/>.</param>
    public sealed record SetPredicate(string Variable, FormalType ElementType, FormalExpr Predicate) : LeanValue;
}
