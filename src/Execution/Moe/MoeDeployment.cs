using System.Globalization;
using Planning.Graph;
using Planning.Moe.Workloads;

namespace Planning.Execution.Moe;

/// <summary>
/// How a model is laid out on a machine for the simulator: the expert-parallel degree, masters and redundant slots per
/// rank, tokens per rank, and the cluster those ranks form on the hardware (<see cref="Cluster"/>: one rank per device,
/// the nodes and scale-up domains the hardware gives that many ranks, the devices' and links' figures). The step
/// simulator times on that cluster and the policies plan on a topology read from it, so both see one description.
/// </summary>
public sealed class MoeDeployment
{
    /// <summary>Redundant slots per rank in the default deployment: 2, as UltraEP's README.</summary>
    public const int DefaultRedundantSlots = 2;

    /// <summary>Tokens per rank in the default deployment: 8192, as UltraEP's README.</summary>
    public const int DefaultTokensPerRank = 8192;

    private MoeDeployment(ClusterGraph cluster, int expertsPerRank, int redundantSlotsPerRank, int tokensPerRank, int topK)
    {
        Cluster = cluster;
        ExpertsPerRank = expertsPerRank;
        RedundantSlotsPerRank = redundantSlotsPerRank;
        TokensPerRank = tokensPerRank;
        TopK = topK;
    }

    /// <summary>The ranks laid out on the hardware: devices with their figures, nodes, scale-up domains and links.</summary>
    public ClusterGraph Cluster { get; }

    /// <summary>The hardware the cluster was laid out from.</summary>
    public HardwareSpec Hardware => Cluster.Hardware!;

    /// <summary>The expert-parallel degree: the cluster's devices.</summary>
    public int Ranks => Cluster.Shape.Devices;

    /// <summary>Master experts per rank.</summary>
    public int ExpertsPerRank { get; }

    /// <summary>Redundant (replica) slots per rank.</summary>
    public int RedundantSlotsPerRank { get; }

    /// <summary>Ranks per node.</summary>
    public int RanksPerNode => Cluster.Shape.DevicesPerNode;

    /// <summary>Ranks per scale-up domain.</summary>
    public int RanksPerDomain => Cluster.Shape.DevicesPerDomain;

    /// <summary>Tokens each rank routes per layer and microbatch.</summary>
    public int TokensPerRank { get; }

    /// <summary>Experts per token.</summary>
    public int TopK { get; }

    /// <summary>
    /// The deployment of a model on a machine: <c>model.Experts / model.ExpertsPerRank</c> ranks (EP64 for DeepSeek-V3,
    /// EP32 for the 128-expert models), 2 redundant slots and 8192 tokens per rank unless given. The node is the
    /// hardware's node, or the largest divisor of the ranks below it when the ranks are fewer; the domain is the largest
    /// multiple of the node that divides the ranks and does not exceed the hardware's scale-up domain (an NVL72-class
    /// domain gives EP64 one 64-rank domain). The cluster is those ranks laid out on the hardware
    /// (<see cref="ClusterGraph.Build"/>).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="hardware">The machine: one kind of device per node, a network link where the ranks span several domains.</param>
    /// <param name="redundantSlotsPerRank">Redundant slots per rank (default 2).</param>
    /// <param name="tokensPerRank">Tokens per rank (default 8192).</param>
    /// <returns>The deployment.</returns>
    /// <exception cref="PlanningInputException">
    /// A size is out of range; the hardware's nodes hold several kinds of device (<c>hardware.devices</c>: expert
    /// parallelism puts one alike rank on every device); or the ranks span several domains and the hardware has no
    /// network link (<c>hardware.links.network</c>).
    /// </exception>
    public static MoeDeployment For(MoeModelConfig model, HardwareSpec hardware, int redundantSlotsPerRank = DefaultRedundantSlots, int tokensPerRank = DefaultTokensPerRank)
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

        // Every rank holds the same slots and the planners balance token counts, so the ranks must be alike; a node of
        // several kinds (a system-on-chip's CPU, iGPU and NPU) has no such devices to spread the experts over.
        if (!hardware.IsHomogeneous)
        {
            throw new PlanningInputException(
                "hardware.devices",
                string.Create(CultureInfo.InvariantCulture, $"must be one kind of device for an expert-parallel deployment (one alike rank per device), but hardware \"{hardware.Name}\" has {hardware.Devices.Length} kinds per node"));
        }

        var ranks = model.Ranks;
        var node = LargestDivisorAtMost(ranks, hardware.DevicesPerNode);
        var domain = node;
        for (var d = node; d <= Math.Min(ranks, hardware.EffectiveDevicesPerDomain); d += node)
        {
            if (ranks % d == 0)
            {
                domain = d;
            }
        }

        var cluster = ClusterGraph.Build(new ClusterShape(ranks, node, domain), hardware);
        return new MoeDeployment(cluster, model.ExpertsPerRank, redundantSlotsPerRank, tokensPerRank, model.TopK);
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
