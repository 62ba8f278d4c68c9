namespace Planning.Provers.Equivalence;

/// <summary>How <see cref="VariableAligner"/> matched a variable of the second statement with one of the first.</summary>
public enum AlignmentMethod
{
    /// <summary>Same name and same type.</summary>
    Name,

    /// <summary>Same type and the same position in the order of first occurrence in the conclusions.</summary>
    ConclusionPosition,

    /// <summary>Same type, matched by a minimum-cost assignment over usage signatures (OR-Tools' linear sum assignment).</summary>
    Assignment,

    /// <summary>
    /// Same type, a permutation of pairs first matched by conclusion position or assignment, tried because the first
    /// alignment was refuted (<see cref="VariableAligner.Alternatives"/>).
    /// </summary>
    Permutation,

    /// <summary>
    /// A ℕ variable and a ℤ variable that a hypothesis of its statement keeps non-negative (<c>0 ≤ b</c>), by name or, for
    /// those left over, in order of first occurrence: they range over the same values.
    /// </summary>
    NonNegativeInteger,
}
