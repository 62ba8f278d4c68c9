namespace Planning.Moe;

/// <summary>What <see cref="MoeCaseGenerator"/> generates.</summary>
public sealed record MoeGeneratorSettings
{
    /// <summary>The number of ranks. Default 64.</summary>
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

    /// <summary>Layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Tokens each rank routes per layer. Default 8192.</summary>
    public int TokensPerRank { get; init; } = 8192;

    /// <summary>Experts each token is routed to. Default 8.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>The initial imbalance (max / mean master-rank load) to aim for; at least 1. Default 2.</summary>
    public double TargetImbalance { get; init; } = 2.0;

    /// <summary>The seed; the same settings and seed give the same case.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Generates one MoE balancing case with Zipf-shaped hot experts: the first microbatch of a <c>zipf</c> workload
/// (<see cref="Workloads.MoeWorkloadGenerator"/>, which holds the routing machinery). Each layer ranks the experts in a
/// random order and gives the expert of popularity rank <c>i</c> weight <c>1 / (i + 1)^s</c>; each source rank perturbs
/// the weights with log-normal noise (sigma 0.25) and routes <c>tokensPerRank x topK</c> assignments in proportion, at
/// most <c>tokensPerRank</c> to one expert (a token picks distinct experts), rounded by largest remainder. The Zipf
/// exponent <c>s</c> is found by bisection so that the master ranks' imbalance is as close to the target as the sizes
/// allow.
/// </summary>
public static class MoeCaseGenerator
{
    /// <summary>Generates a case.</summary>
    /// <param name="settings">Sizes, target imbalance and seed.</param>
    /// <returns>The case.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range or the target imbalance cannot be reached.</exception>
    public static MoeCase Generate(MoeGeneratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workload = Workloads.MoeWorkloadGenerator.Generate(new Workloads.MoeWorkloadSettings
        {
            Family = Workloads.MoeWorkloadFamily.Zipf,
            Ranks = settings.Ranks,
            RanksPerNode = settings.RanksPerNode,
            RanksPerDomain = settings.RanksPerDomain,
            ExpertsPerRank = settings.ExpertsPerRank,
            RedundantSlotsPerRank = settings.RedundantSlotsPerRank,
            ExpertGroups = settings.ExpertGroups,
            Layers = settings.Layers,
            TokensPerRank = settings.TokensPerRank,
            TopK = settings.TopK,
            TargetImbalance = settings.TargetImbalance,
            Microbatches = 1,
            Seed = settings.Seed,
        });
        return workload.Microbatches[0];
    }
}
