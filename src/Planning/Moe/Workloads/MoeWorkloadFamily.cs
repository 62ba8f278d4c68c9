using System.Collections.Immutable;

namespace Planning.Moe.Workloads;

/// <summary>
/// The shapes of routing skew <see cref="MoeWorkloadGenerator"/> produces. Every family routes, from every source
/// rank, exactly <c>tokensPerRank x topK</c> assignments with at most <c>tokensPerRank</c> to one expert, and is
/// deterministic for a seed. The CLI names are in <see cref="MoeWorkloadFamilies.Names"/>.
/// </summary>
public enum MoeWorkloadFamily
{
    /// <summary>
    /// <c>zipf</c>: Zipf-shaped skew over a random popularity order, the exponent fitted so that every microbatch's
    /// initial imbalance reaches the target; each expert's popularity drifts by a log-normal random walk across
    /// microbatches. The first microbatch is exactly <see cref="MoeCaseGenerator"/>'s case for the same settings.
    /// </summary>
    Zipf,

    /// <summary>
    /// <c>hot-set</c>: <see cref="MoeWorkloadSettings.HotExperts"/> hot experts, spread over distinct random ranks and
    /// fixed for the whole workload, carry a common multiple of the others' load, fitted so that every microbatch's
    /// initial imbalance reaches the target.
    /// </summary>
    HotSet,

    /// <summary>
    /// <c>hot-rank</c>: every master expert of one random rank (fixed for the whole workload) carries a common
    /// multiple of the others' load, fitted so that every microbatch's initial imbalance reaches the target.
    /// </summary>
    HotRank,

    /// <summary>
    /// <c>rotating</c>: like <see cref="HotSet"/>, but non-stationary: every
    /// <see cref="MoeWorkloadSettings.RotateEvery"/> microbatches the hot set moves to a new random set, avoiding the
    /// previous hot experts (and, where there are enough, their ranks). The hot set is the same within a phase and
    /// every microbatch reaches the target imbalance.
    /// </summary>
    Rotating,

    /// <summary>
    /// <c>burst</c>: mild Zipf skew (an imbalance of <c>1 + (target - 1) / 4</c>, or as close as the sizes allow) with
    /// drift; with probability
    /// <see cref="MoeWorkloadSettings.BurstProbability"/> a microbatch also spikes on
    /// <see cref="MoeWorkloadSettings.HotExperts"/> random experts, whose multiplier brings that microbatch to the
    /// target imbalance.
    /// </summary>
    Burst,

    /// <summary>
    /// <c>zero-load-rank</c>: the master experts of one random rank (fixed for the whole workload) receive no tokens;
    /// the tokens go to the other experts with mild Zipf skew (an imbalance of <c>1 + (target - 1) / 4</c>, or
    /// whatever the idle rank alone already causes if that is more, or as close as the sizes allow) and drift. The
    /// target is never out of reach for this family.
    /// </summary>
    ZeroLoadRank,
}

/// <summary>The workload families by name, as the command line spells them.</summary>
public static class MoeWorkloadFamilies
{
    /// <summary>The names of the families, in the order of <see cref="MoeWorkloadFamily"/>'s values.</summary>
    public static ImmutableArray<string> Names { get; } = ["zipf", "hot-set", "hot-rank", "rotating", "burst", "zero-load-rank"];

    /// <summary>The command-line name of a family.</summary>
    /// <param name="family">The family.</param>
    /// <returns>Its name, such as <c>hot-set</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined family.</exception>
    public static string Name(MoeWorkloadFamily family) =>
        Enum.IsDefined(family) ? Names[(int)family] : throw new ArgumentOutOfRangeException(nameof(family), family, "not a defined workload family");

    /// <summary>Looks a family up by its command-line name (exact, lower case).</summary>
    /// <param name="name">The name.</param>
    /// <param name="family">The family, when found.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? name, out MoeWorkloadFamily family)
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        family = index < 0 ? default : (MoeWorkloadFamily)index;
        return index >= 0;
    }

    /// <summary>Looks a family up by its command-line name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The family.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>family</c>).</exception>
    public static MoeWorkloadFamily Parse(string? name) =>
        TryParse(name, out var family)
            ? family
            : throw new PlanningInputException("family", $"must be one of {string.Join(", ", Names)}, got \"{name}\"");
}
