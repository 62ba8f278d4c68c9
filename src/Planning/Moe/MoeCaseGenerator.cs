namespace Planning.Moe;

/// <summary>
/// Generates one MoE balancing case: the first microbatch of a workload (<see cref="Workloads.MoeWorkloadGenerator"/>,
/// which holds the routing machinery), by default of the <c>zipf</c> family with Zipf-shaped hot experts. Each layer ranks the experts in a
/// random order and gives the expert of popularity rank <c>i</c> weight <c>1 / (i + 1)^s</c>; each source rank perturbs
/// the weights with log-normal noise (sigma 0.25) and routes <c>tokensPerRank x topK</c> assignments in proportion, at
/// most <c>tokensPerRank</c> to one expert (a token picks distinct experts), rounded by largest remainder. The Zipf
/// exponent <c>s</c> is found by bisection so that the master ranks' imbalance is as close to the target as the sizes
/// allow.
/// </summary>
public static class MoeCaseGenerator
{
    /// <summary>Generates a case.</summary>
    /// <param name="settings">Family, sizes, target imbalance and seed; <see cref="Workloads.MoeWorkloadSettings.Microbatches"/> is ignored.</param>
    /// <returns>The case.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range or the target imbalance cannot be reached.</exception>
    public static MoeCase Generate(Workloads.MoeWorkloadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Workloads.MoeWorkloadGenerator.Generate(settings with { Microbatches = 1 }).Microbatches[0];
    }
}
