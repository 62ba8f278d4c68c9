namespace Planning.Provers.Equivalence;

/// <summary>Settings of <see cref="StatementEquivalence"/>.</summary>
public sealed record EquivalenceOptions
{
    /// <summary>The defaults: a 2 s limit per SMT check.</summary>
    public static EquivalenceOptions Default { get; } = new();

    /// <summary>The time limit of each SMT check (vacuity of each side, hypotheses, conclusions); positive. 2 s by default.</summary>
    public TimeSpan CheckLimit { get; init; } = TimeSpan.FromSeconds(2);
}
