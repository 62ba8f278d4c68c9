namespace Planning.Provers.Equivalence;

/// <summary>Limits of <see cref="WitnessSearch"/>.</summary>
internal sealed record WitnessSearchOptions
{
    /// <summary>The default options: 1500 assignments, seed 0.</summary>
    public static WitnessSearchOptions Default { get; } = new();

    /// <summary>How many assignments to evaluate at most (each evaluates both statements).</summary>
    public int MaxAssignments { get; init; } = 1500;

    /// <summary>The seed of the random assignments.</summary>
    public int Seed { get; init; }
}
