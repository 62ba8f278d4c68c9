namespace Planning.Moe.Workloads;

/// <summary>
/// What <see cref="MoeWorkloadGenerator"/> generates: the topology (shared by every microbatch), the sizes, the family
/// and its knobs, the target imbalance and the seed. Errors name the command-line option of the offending setting.
/// </summary>
public sealed record MoeWorkloadSettings
{
    /// <summary>The workload family. Default <see cref="MoeWorkloadFamily.Zipf"/>.</summary>
    public MoeWorkloadFamily Family { get; init; } = MoeWorkloadFamily.Zipf;

    /// <summary>The number of ranks (expert-parallel degree). Default 64.</summary>
    public int Ranks { get; init; } = 64;

    /// <summary>Ranks per node. Default 8.</summary>
    public int RanksPerNode { get; init; } = 8;

    /// <summary>Ranks per scale-up domain. Default 64.</summary>
    public int RanksPerDomain { get; init; } = 64;

    /// <summary>Master experts per rank. Default 4.</summary>
    public int ExpertsPerRank { get; init; } = 4;

    /// <summary>Redundant slots per rank. Default 2.</summary>
    public int RedundantSlotsPerRank { get; init; } = 2;

    /// <summary>EPLB expert groups, or <see langword="null"/> for the number of nodes.</summary>
    public int? ExpertGroups { get; init; }

    /// <summary>Layers of every microbatch. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Tokens each rank routes per layer and microbatch. Default 8192.</summary>
    public int TokensPerRank { get; init; } = 8192;

    /// <summary>Experts each token is routed to. Default 8.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>
    /// The initial imbalance (max / mean master-rank load) to aim for; at least 1, typically 1.0 to 4.0. Default 2.
    /// What each family does with it is documented on <see cref="MoeWorkloadFamily"/>.
    /// </summary>
    public double TargetImbalance { get; init; } = 2.0;

    /// <summary>The number of microbatches. Default 1.</summary>
    public int Microbatches { get; init; } = 1;

    /// <summary>
    /// Hot experts of <see cref="MoeWorkloadFamily.HotSet"/> and <see cref="MoeWorkloadFamily.Rotating"/>, and the
    /// experts a <see cref="MoeWorkloadFamily.Burst"/> spike hits; from 1 to experts - 1. Default 8.
    /// </summary>
    public int HotExperts { get; init; } = 8;

    /// <summary>Microbatches between moves of the <see cref="MoeWorkloadFamily.Rotating"/> hot set; positive. Default 4.</summary>
    public int RotateEvery { get; init; } = 4;

    /// <summary>
    /// The sigma of the normal step each expert's log-popularity score takes from one microbatch to the next (a
    /// log-normal random walk of its popularity; 0 for none); consecutive microbatches are correlated but not equal.
    /// Default 0.05.
    /// </summary>
    public double Drift { get; init; } = 0.05;

    /// <summary>The probability that a <see cref="MoeWorkloadFamily.Burst"/> microbatch spikes, from 0 to 1. Default 0.2.</summary>
    public double BurstProbability { get; init; } = 0.2;

    /// <summary>The seed; the same settings and seed give the same workload.</summary>
    public int Seed { get; init; } = 1;
}
