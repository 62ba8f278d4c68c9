using System.Globalization;
using Planning.Moe.Workloads;

namespace Planning.Execution.Moe;

/// <summary>
/// How a model is laid out on a machine for the simulator: the expert-parallel degree, masters and redundant slots per
/// rank, tokens per rank, and the node and domain sizes the machine gives that many ranks.
/// </summary>
/// <param name="Ranks">The expert-parallel degree.</param>
/// <param name="ExpertsPerRank">Master experts per rank.</param>
/// <param name="RedundantSlotsPerRank">Redundant (replica) slots per rank.</param>
/// <param name="RanksPerNode">Ranks per node.</param>
/// <param name="RanksPerDomain">Ranks per scale-up domain.</param>
/// <param name="TokensPerRank">Tokens each rank routes per layer and microbatch.</param>
/// <param name="TopK">Experts per token.</param>
public sealed record MoeDeployment(
    int Ranks,
    int ExpertsPerRank,
    int RedundantSlotsPerRank,
    int RanksPerNode,
    int RanksPerDomain,
    int TokensPerRank,
    int TopK)
{
    /// <summary>Redundant slots per rank in the default deployment: 2, as UltraEP's README.</summary>
    public const int DefaultRedundantSlots = 2;

    /// <summary>Tokens per rank in the default deployment: 8192, as UltraEP's README.</summary>
    public const int DefaultTokensPerRank = 8192;

    /// <summary>
    /// The deployment of a model on a machine: <c>model.Experts / model.ExpertsPerRank</c> ranks (EP64 for DeepSeek-V3,
    /// EP32 for the 128-expert models), 2 redundant slots and 8192 tokens per rank unless given. The node is the
    /// machine's node, or the largest divisor of the ranks below it when the ranks are fewer; the domain is the largest
    /// multiple of the node that divides the ranks and does not exceed the machine's domain (an NVL72-class domain gives
    /// EP64 one 64-rank domain).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="hardware">The machine.</param>
    /// <param name="redundantSlotsPerRank">Redundant slots per rank (default 2).</param>
    /// <param name="tokensPerRank">Tokens per rank (default 8192).</param>
    /// <returns>The deployment.</returns>
    /// <exception cref="PlanningInputException">A size is out of range.</exception>
    public static MoeDeployment For(MoeModelConfig model, MoeHardwareConfig hardware, int redundantSlotsPerRank = DefaultRedundantSlots, int tokensPerRank = DefaultTokensPerRank)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hardware);
        if (redundantSlotsPerRank < 0)
        {
            throw new PlanningInputException("redundantSlotsPerRank", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {redundantSlotsPerRank}"));
        }

        if (tokensPerRank <= 0)
        {
            throw new PlanningInputException("tokensPerRank", string.Create(CultureInfo.InvariantCulture, $"must be positive, got {tokensPerRank}"));
        }

        var ranks = model.Ranks;
        var node = LargestDivisorAtMost(ranks, hardware.RanksPerNode);
        var domain = node;
        for (var d = node; d <= Math.Min(ranks, hardware.RanksPerDomain); d += node)
        {
            if (ranks % d == 0)
            {
                domain = d;
            }
        }

        return new MoeDeployment(ranks, model.ExpertsPerRank, redundantSlotsPerRank, node, domain, tokensPerRank, model.TopK);
    }

    /// <summary>The settings that generate a workload of this deployment's shape.</summary>
    /// <param name="family">The workload family.</param>
    /// <param name="imbalance">The target initial imbalance.</param>
    /// <param name="microbatches">The number of microbatches.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="layers">MoE layers per microbatch (default 1).</param>
    /// <returns>The settings, other knobs at their defaults.</returns>
    public MoeWorkloadSettings WorkloadSettings(MoeWorkloadFamily family, double imbalance, int microbatches, int seed, int layers = 1) => new()
    {
        Family = family,
        Ranks = Ranks,
        RanksPerNode = RanksPerNode,
        RanksPerDomain = RanksPerDomain,
        ExpertsPerRank = ExpertsPerRank,
        RedundantSlotsPerRank = RedundantSlotsPerRank,
        Layers = layers,
        TokensPerRank = TokensPerRank,
        TopK = TopK,
        TargetImbalance = imbalance,
        Microbatches = microbatches,
        Seed = seed,
    };

    private static int LargestDivisorAtMost(int n, int limit)
    {
        for (var d = Math.Min(n, limit); d > 1; d--)
        {
            if (n % d == 0)
            {
                return d;
            }
        }

        return 1;
    }
}
