using System.Collections.Immutable;
using Planning.Graph;

namespace Planning.Moe;

/// <summary>
/// What a balancing policy needs to know about the cluster, read once from the frozen <see cref="ClusterGraph"/> and the
/// case's <see cref="PlanGraph"/> into arrays so that per-layer planning does no graph look-ups: ranks (the cluster's
/// devices), nodes and scale-up domains (the graph's components of scale-up links), each expert's master rank and the
/// slots per rank.
/// </summary>
public sealed class MoeTopology
{
    private MoeTopology(ClusterGraph cluster, PlanGraph graph, int expertsPerRank, int redundantSlotsPerRank, int expertGroups)
    {
        Cluster = cluster;
        Graph = graph;
        Ranks = cluster.Devices.Length;
        Nodes = cluster.Nodes.Length;
        Domains = cluster.Domains.Length;
        Experts = graph.Experts.Length;
        ExpertsPerRank = expertsPerRank;
        RedundantSlotsPerRank = redundantSlotsPerRank;
        ExpertGroups = expertGroups;
        RankNode = [.. cluster.Devices.Select(r => r.Node)];
        RankDomain = [.. cluster.Devices.Select(r => r.Domain)];
        ExpertMaster = [.. graph.Experts.Select(e => e.MasterRank)];
    }

    /// <summary>The cluster this topology was read from.</summary>
    public ClusterGraph Cluster { get; }

    /// <summary>The case's graph: the cluster and the experts with their master ranks.</summary>
    public PlanGraph Graph { get; }

    /// <summary>The number of ranks.</summary>
    public int Ranks { get; }

    /// <summary>The number of nodes.</summary>
    public int Nodes { get; }

    /// <summary>The number of scale-up domains.</summary>
    public int Domains { get; }

    /// <summary>The number of logical experts.</summary>
    public int Experts { get; }

    /// <summary>Master experts per rank.</summary>
    public int ExpertsPerRank { get; }

    /// <summary>Redundant slots per rank.</summary>
    public int RedundantSlotsPerRank { get; }

    /// <summary>All expert slots of a rank: masters plus redundant.</summary>
    public int SlotsPerRank => ExpertsPerRank + RedundantSlotsPerRank;

    /// <summary>EPLB's expert groups.</summary>
    public int ExpertGroups { get; }

    /// <summary>The node of each rank.</summary>
    public ImmutableArray<int> RankNode { get; }

    /// <summary>The scale-up domain of each rank.</summary>
    public ImmutableArray<int> RankDomain { get; }

    /// <summary>The master rank of each expert.</summary>
    public ImmutableArray<int> ExpertMaster { get; }

    /// <summary>Reads the topology of a case from its graph.</summary>
    /// <param name="moeCase">The case.</param>
    /// <returns>The topology.</returns>
    public static MoeTopology From(MoeCase moeCase)
    {
        ArgumentNullException.ThrowIfNull(moeCase);
        return From(moeCase.ToCluster(), moeCase.ExpertsPerRank, moeCase.RedundantSlotsPerRank, moeCase.EffectiveExpertGroups);
    }

    /// <summary>
    /// Reads a topology from a cluster built elsewhere (a simulator's hardware, say): its devices are the ranks, each
    /// holding <paramref name="expertsPerRank"/> masters.
    /// </summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="expertsPerRank">Master experts per rank.</param>
    /// <param name="redundantSlotsPerRank">Redundant slots per rank.</param>
    /// <param name="expertGroups">EPLB's expert groups (0 for the number of nodes).</param>
    /// <returns>The topology.</returns>
    public static MoeTopology From(ClusterGraph cluster, int expertsPerRank, int redundantSlotsPerRank, int expertGroups = 0)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var graph = MoeCase.ExpertGraph(cluster, cluster.Devices.Length * expertsPerRank, expertsPerRank);
        return new MoeTopology(cluster, graph, expertsPerRank, redundantSlotsPerRank, expertGroups > 0 ? expertGroups : cluster.Nodes.Length);
    }
}
