using System.Collections.Immutable;
using Planning.Graph;

namespace Planning.Moe;

/// <summary>
/// One MoE expert-parallel balancing case (the contract's CASE.json): the cluster shape, the slots per rank and
/// the tokens each source rank routes to each logical expert in each layer. Expert <c>e</c>'s master lives on rank
/// <c>e / ExpertsPerRank</c>. Construct it with <see cref="Create"/>, which checks every field.
/// </summary>
public sealed record MoeCase
{
    private MoeCase(
        int ranks,
        int ranksPerDomain,
        int ranksPerNode,
        int expertsPerRank,
        int redundantSlotsPerRank,
        int? expertGroups,
        ImmutableArray<LayerTokens> layers)
    {
        Ranks = ranks;
        RanksPerDomain = ranksPerDomain;
        RanksPerNode = ranksPerNode;
        ExpertsPerRank = expertsPerRank;
        RedundantSlotsPerRank = redundantSlotsPerRank;
        ExpertGroups = expertGroups;
        Layers = layers;
    }

    /// <summary>The number of ranks (expert-parallel degree).</summary>
    public int Ranks { get; }

    /// <summary>Ranks per scale-up domain.</summary>
    public int RanksPerDomain { get; }

    /// <summary>Ranks per server node.</summary>
    public int RanksPerNode { get; }

    /// <summary>Master experts per rank.</summary>
    public int ExpertsPerRank { get; }

    /// <summary>Redundant (replica) slots per rank.</summary>
    public int RedundantSlotsPerRank { get; }

    /// <summary>EPLB's expert groups as given, or <see langword="null"/> for the default (the number of nodes).</summary>
    public int? ExpertGroups { get; }

    /// <summary>Per layer, the tokens each source rank routes to each logical expert.</summary>
    public ImmutableArray<LayerTokens> Layers { get; }

    /// <summary>The number of logical experts: <c>Ranks x ExpertsPerRank</c>.</summary>
    public int Experts => Ranks * ExpertsPerRank;

    /// <summary>The number of server nodes.</summary>
    public int Nodes => Ranks / RanksPerNode;

    /// <summary>EPLB's expert groups: <see cref="ExpertGroups"/>, else the number of nodes.</summary>
    public int EffectiveExpertGroups => ExpertGroups ?? Nodes;

    /// <summary>Creates a case after checking every field; errors name the field and the value.</summary>
    /// <param name="ranks">The number of ranks.</param>
    /// <param name="ranksPerDomain">Ranks per scale-up domain.</param>
    /// <param name="ranksPerNode">Ranks per node.</param>
    /// <param name="expertsPerRank">Master experts per rank.</param>
    /// <param name="redundantSlotsPerRank">Redundant slots per rank.</param>
    /// <param name="expertGroups">EPLB's expert groups, or <see langword="null"/> for the number of nodes.</param>
    /// <param name="layers">Per layer, the token matrix.</param>
    /// <returns>The case.</returns>
    /// <exception cref="PlanningInputException">A field is out of range or a shape does not match.</exception>
    public static MoeCase Create(
        int ranks,
        int ranksPerDomain,
        int ranksPerNode,
        int expertsPerRank,
        int redundantSlotsPerRank,
        int? expertGroups,
        IEnumerable<LayerTokens> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Positive("ranks", ranks);
        Positive("ranksPerDomain", ranksPerDomain);
        Positive("ranksPerNode", ranksPerNode);
        Positive("expertsPerRank", expertsPerRank);
        if (redundantSlotsPerRank < 0)
        {
            throw new PlanningInputException("redundantSlotsPerRank", $"must be non-negative, got {redundantSlotsPerRank}");
        }

        if (ranks % ranksPerNode != 0)
        {
            throw new PlanningInputException("ranksPerNode", $"must divide ranks ({ranks}), got {ranksPerNode}");
        }

        if (ranks % ranksPerDomain != 0 || ranksPerDomain % ranksPerNode != 0)
        {
            throw new PlanningInputException(
                "ranksPerDomain",
                $"must divide ranks ({ranks}) and be a multiple of ranksPerNode ({ranksPerNode}), got {ranksPerDomain}");
        }

        var experts = ranks * expertsPerRank;
        if (expertGroups is { } groups && (groups <= 0 || experts % groups != 0))
        {
            throw new PlanningInputException("expertGroups", $"must be positive and divide the number of experts ({experts}), got {groups}");
        }

        var layerArray = layers.ToImmutableArray();
        if (layerArray.IsEmpty)
        {
            throw new PlanningInputException("tokensPerRankLayer", "must hold at least one layer, got none");
        }

        for (var l = 0; l < layerArray.Length; l++)
        {
            var layer = layerArray[l];
            if (layer.SourceRanks != ranks)
            {
                throw new PlanningInputException($"tokensPerRankLayer[{l}]", $"must have one row per rank ({ranks}), got {layer.SourceRanks}");
            }

            if (layer.Experts != experts)
            {
                throw new PlanningInputException(
                    $"tokensPerRankLayer[{l}][0]",
                    $"must have one count per expert (ranks x expertsPerRank = {experts}), got {layer.Experts}");
            }
        }

        return new MoeCase(ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundantSlotsPerRank, expertGroups, layerArray);
    }

    /// <summary>The master rank of a logical expert.</summary>
    /// <param name="expert">The expert's index.</param>
    /// <returns>The rank that holds its master copy.</returns>
    public int MasterRank(int expert) => expert / ExpertsPerRank;

    /// <summary>The case's cluster: its ranks as GPUs in nodes and scale-up domains, known by shape only (no figures).</summary>
    /// <returns>The frozen cluster graph.</returns>
    public ClusterGraph ToCluster() => ClusterGraph.Build(new ClusterShape(Ranks, RanksPerNode, RanksPerDomain));

    /// <summary>The shared graph IR for this case: the cluster, and every expert with its master rank (a problem fact).</summary>
    /// <returns>The frozen graph.</returns>
    public PlanGraph ToGraph() => ExpertGraph(ToCluster(), Experts, ExpertsPerRank);

    /// <summary>A cluster's graph with <paramref name="experts"/> experts added, expert e's master on rank <c>e / expertsPerRank</c>.</summary>
    internal static PlanGraph ExpertGraph(ClusterGraph cluster, int experts, int expertsPerRank)
    {
        var builder = cluster.Graph.ToBuilder();
        for (var e = 0; e < experts; e++)
        {
            builder.AddVertex(new ExpertVertex(e, e / expertsPerRank));
        }

        return builder.Freeze();
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw new PlanningInputException(field, $"must be a positive integer, got {value}");
        }
    }
}
