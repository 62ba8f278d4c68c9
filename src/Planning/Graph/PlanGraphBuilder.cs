using QuikGraph;

namespace Planning.Graph;

/// <summary>
/// Builds a <see cref="PlanGraph"/>. The builder is mutable and single-threaded; <see cref="Freeze"/> returns the
/// immutable graph that planners share. Helper methods add the hardware hierarchy with its containment edges.
/// </summary>
public sealed class PlanGraphBuilder
{
    private readonly BidirectionalGraph<Vertex, PlanEdge> _graph = new(allowParallelEdges: true);

    /// <summary>Adds a vertex; adding an equal vertex twice is a no-op.</summary>
    /// <param name="vertex">The vertex.</param>
    /// <returns>This builder.</returns>
    public PlanGraphBuilder AddVertex(Vertex vertex)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        _graph.AddVertex(vertex);
        return this;
    }

    /// <summary>Adds an edge whose two ends must already be in the graph.</summary>
    /// <param name="edge">The edge.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">An end of the edge is not in the graph.</exception>
    public PlanGraphBuilder AddEdge(PlanEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (!_graph.ContainsVertex(edge.Source) || !_graph.ContainsVertex(edge.Target))
        {
            throw new ArgumentException($"Both ends of the {edge.Kind} edge {edge.Source} -> {edge.Target} must be added first.", nameof(edge));
        }

        _graph.AddEdge(edge);
        return this;
    }

    /// <summary>
    /// Adds a homogeneous cluster: <paramref name="ranks"/> ranks in nodes of <paramref name="ranksPerNode"/>, nodes
    /// in scale-up domains of <paramref name="ranksPerDomain"/> ranks, with domain-to-node and node-to-rank
    /// containment edges. A domain smaller than a node (several domains per node) is not supported: the domain is
    /// the larger fabric.
    /// </summary>
    /// <param name="ranks">The number of ranks.</param>
    /// <param name="ranksPerNode">Ranks per node; must divide <paramref name="ranks"/>.</param>
    /// <param name="ranksPerDomain">Ranks per domain; a multiple of <paramref name="ranksPerNode"/> that divides <paramref name="ranks"/>.</param>
    /// <param name="accelerator">The kind of every rank.</param>
    /// <returns>This builder.</returns>
    public PlanGraphBuilder AddCluster(int ranks, int ranksPerNode, int ranksPerDomain, AcceleratorKind accelerator = AcceleratorKind.Gpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranksPerNode);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranksPerDomain);
        if (ranks % ranksPerNode != 0 || ranks % ranksPerDomain != 0 || ranksPerDomain % ranksPerNode != 0)
        {
            throw new ArgumentException(
                $"ranks ({ranks}) must be a multiple of ranksPerDomain ({ranksPerDomain}), which must be a multiple of ranksPerNode ({ranksPerNode}).");
        }

        var nodesPerDomain = ranksPerDomain / ranksPerNode;
        for (var d = 0; d < ranks / ranksPerDomain; d++)
        {
            AddVertex(new DomainVertex(d));
        }

        for (var n = 0; n < ranks / ranksPerNode; n++)
        {
            var node = new NodeVertex(n, n / nodesPerDomain);
            AddVertex(node);
            AddEdge(new PlanEdge(new DomainVertex(node.Domain), node, EdgeKind.Contains));
        }

        for (var r = 0; r < ranks; r++)
        {
            var rank = new RankVertex(r, r / ranksPerNode, r / ranksPerDomain, accelerator);
            AddVertex(rank);
            AddEdge(new PlanEdge(new NodeVertex(rank.Node, rank.Domain), rank, EdgeKind.Contains));
        }

        return this;
    }

    /// <summary>Adds a directed link between two ranks already in the graph.</summary>
    /// <param name="from">The sending rank.</param>
    /// <param name="to">The receiving rank.</param>
    /// <param name="capacity">Bandwidth and latency of the link.</param>
    /// <returns>This builder.</returns>
    public PlanGraphBuilder AddLink(RankVertex from, RankVertex to, LinkCapacity capacity)
    {
        if (capacity.BytesPerSecond <= 0 || capacity.LatencySeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A link needs positive bandwidth and non-negative latency.");
        }

        return AddEdge(new PlanEdge(from, to, EdgeKind.Link, capacity));
    }

    /// <summary>Freezes what was built into an immutable <see cref="PlanGraph"/>; the builder may be reused afterwards.</summary>
    /// <returns>The frozen graph.</returns>
    public PlanGraph Freeze() => new(_graph);
}
