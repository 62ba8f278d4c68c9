using System.Collections.Immutable;

namespace Planning.Provers.Formal;

/// <summary>A variable binder of a theorem, such as <c>(x : ℝ)</c> or <c>(f : ℕ → ℝ)</c>.</summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Type">The variable's type: a number type, a function type, a <c>Set</c> or <c>Finset</c>.</param>
public sealed record FormalVariable(string Name, FormalType Type);

/// <summary>A hypothesis of a theorem: a binder whose type is a proposition, such as <c>(h₀ : 0 &lt; x)</c>.</summary>
/// <param name="Name">The hypothesis' name (<c>_</c> when anonymous); names may repeat, as Lean allows.</param>
/// <param name="Proposition">The proposition assumed.</param>
public sealed record FormalHypothesis(string Name, FormalExpr Proposition);

/// <summary>
/// A theorem statement: <c>theorem Name (variables) (hypotheses) : Conclusion</c>. Two statements are equal when
/// their names, variables (in order), hypotheses (in order) and conclusions are structurally equal.
/// </summary>
/// <param name="Name">The theorem's name.</param>
/// <param name="Variables">The variable binders, in the order written; names are distinct.</param>
/// <param name="Hypotheses">The hypotheses, in the order written (a hypothesis may mention any variable).</param>
/// <param name="Conclusion">The proposition to prove.</param>
public sealed record FormalStatement(
    string Name, ImmutableArray<FormalVariable> Variables, ImmutableArray<FormalHypothesis> Hypotheses, FormalExpr Conclusion)
{
    /// <summary>Structural equality, comparing the binder lists element by element.</summary>
    /// <param name="other">The other statement.</param>
    /// <returns>Whether the statements are equal.</returns>
    public bool Equals(FormalStatement? other)
    {
        return other is not null
            && string.Equals(Name, other.Name, StringComparison.Ordinal)
            && OrEmpty(Variables).SequenceEqual(OrEmpty(other.Variables))
            && OrEmpty(Hypotheses).SequenceEqual(OrEmpty(other.Hypotheses))
            && Conclusion == other.Conclusion;
    }

    /// <summary>A hash consistent with <see cref="Equals(FormalStatement)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.Add(Name, StringComparer.Ordinal);
        foreach (FormalVariable variable in OrEmpty(Variables))
        {
            hash.Add(variable);
        }

        foreach (FormalHypothesis hypothesis in OrEmpty(Hypotheses))
        {
            hash.Add(hypothesis);
        }

        hash.Add(Conclusion);
        return hash.ToHashCode();
    }

    private static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> items)
    {
        return items.IsDefault ? [] : items;
    }

    /// <summary>The statement as Lean 4 text (see <see cref="LeanPrinter.Print"/>).</summary>
    /// <returns>The Lean text.</returns>
    public override string ToString()
    {
        return LeanPrinter.Print(this);
    }
}
