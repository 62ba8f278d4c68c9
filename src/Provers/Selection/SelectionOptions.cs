using Planning.Provers.Equivalence;

namespace Planning.Provers.Selection;

/// <summary>Settings of a <see cref="CandidateSelector"/>.</summary>
/// <remarks>
/// The combination defaults to log-comb, the one Li et al. (NeurIPS 2024) report as their combined method, with a
/// large "sweet spot" of α where it beats either score alone (their quad-comb's effective range is narrower);
/// α = 0.5 weighs the symbolic and semantic evidence equally, inside that range.
/// </remarks>
public sealed record SelectionOptions
{
    /// <summary>The defaults: log-comb, α = 0.5, <see cref="EquivalenceOptions.Default"/>, one worker per processor.</summary>
    public static SelectionOptions Default { get; } = new();

    /// <summary>The weight of the symbolic score in the combination, in [0, 1] (1: symbolic only, 0: semantic only); 0.5 by default.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>How the two normalised scores combine; <see cref="ScoreCombination.Log"/> by default.</summary>
    public ScoreCombination Combination { get; init; } = ScoreCombination.Log;

    /// <summary>The settings of each pairwise equivalence check (its time limit, ...).</summary>
    public EquivalenceOptions Equivalence { get; init; } = EquivalenceOptions.Default;

    /// <summary>
    /// How many equivalence checks run at once, each worker with its own backend; at least 1,
    /// <see cref="Environment.ProcessorCount"/> by default.
    /// </summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}
