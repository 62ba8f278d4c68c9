using System.Collections.Frozen;
using System.Collections.Immutable;
using QuikGraph;

namespace Planning.Graph;

/// <summary>
/// The shared graph IR: hardware (domains, nodes, ranks, links) and work (experts, replicas, trajectories, instances,
/// kernels, requests) in one typed, directed graph. A <see cref="PlanGraph"/> is frozen: it is built by a
/// <see cref="PlanGraphBuilder"/>, cannot change afterwards and so can be shared across threads and planners. A planner
/// that annotates it (say, with the replicas it placed) builds a new graph with <see cref="ToBuilder()"/>.
/// </summary>
public sealed class PlanGraph
{
    private readonly ArrayBidirectionalGraph<Vertex, PlanEdge> _graph;
    private readonly FrozenDictionary<VertexKind, ImmutableArray<Vertex>> _byKind;

    internal PlanGraph(BidirectionalGraph<Vertex, PlanEdge> graph)
    {
        _graph = new ArrayBidirectionalGraph<Vertex, PlanEdge>(graph);
        _byKind = _graph.Vertices
            .GroupBy(v => v.Kind)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(v => v.Index).ToImmutableArray());
        Ranks = OfKind<RankVertex>();
        Experts = OfKind<ExpertVertex>();
        Nodes = OfKind<NodeVertex>();
        Domains = OfKind<DomainVertex>();
    }

    /// <summary>The underlying read-only QuikGraph graph, for graph algorithms (paths, flows, traversals).</summary>
    public IBidirectionalGraph<Vertex, PlanEdge> Graph => _graph;

    /// <summary>The ranks, ordered by index.</summary>
    public ImmutableArray<RankVertex> Ranks { get; }

    /// <summary>The nodes, ordered by index.</summary>
    public ImmutableArray<NodeVertex> Nodes { get; }

    /// <summary>The scale-up domains, ordered by index.</summary>
    public ImmutableArray<DomainVertex> Domains { get; }

    /// <summary>The logical experts, ordered by index.</summary>
    public ImmutableArray<ExpertVertex> Experts { get; }

    /// <summary>The number of vertices.</summary>
    public int VertexCount => _graph.VertexCount;

    /// <summary>The number of edges.</summary>
    public int EdgeCount => _graph.EdgeCount;

    /// <summary>The vertices of one type, ordered by index.</summary>
    /// <typeparam name="T">The vertex type.</typeparam>
    /// <returns>The vertices of that type.</returns>
    public ImmutableArray<T> OfKind<T>()
        where T : Vertex
    {
        var kind = KindOf<T>();
        return _byKind.TryGetValue(kind, out var vertices)
            ? vertices.Cast<T>().ToImmutableArray()
            : [];
    }

    /// <summary>Whether the graph contains <paramref name="vertex"/>.</summary>
    /// <param name="vertex">The vertex.</param>
    /// <returns><see langword="true"/> when the vertex is in the graph.</returns>
    public bool Contains(Vertex vertex) => _graph.ContainsVertex(vertex);

    /// <summary>The edges of one kind that leave <paramref name="vertex"/>.</summary>
    /// <param name="vertex">The source vertex.</param>
    /// <param name="kind">The edge kind.</param>
    /// <returns>The edges, in insertion order.</returns>
    public IEnumerable<PlanEdge> OutEdges(Vertex vertex, EdgeKind kind) =>
        _graph.OutEdges(vertex).Where(e => e.Kind == kind);

    /// <summary>The edges of one kind that enter <paramref name="vertex"/>.</summary>
    /// <param name="vertex">The target vertex.</param>
    /// <param name="kind">The edge kind.</param>
    /// <returns>The edges, in insertion order.</returns>
    public IEnumerable<PlanEdge> InEdges(Vertex vertex, EdgeKind kind) =>
        _graph.InEdges(vertex).Where(e => e.Kind == kind);

    /// <summary>The link from rank <paramref name="from"/> to rank <paramref name="to"/>, if the graph has one.</summary>
    /// <param name="from">The sending rank.</param>
    /// <param name="to">The receiving rank.</param>
    /// <returns>The link's capacity, or <see langword="null"/> when there is no direct link.</returns>
    public LinkCapacity? Link(RankVertex from, RankVertex to) =>
        _graph.TryGetEdge(from, to, out _)
            ? _graph.OutEdges(from).FirstOrDefault(e => e.Kind == EdgeKind.Link && e.Target.Equals(to))?.Capacity
            : null;

    /// <summary>The replicas (master copies included) placed in the graph, ordered by index.</summary>
    public ImmutableArray<ReplicaVertex> Replicas => OfKind<ReplicaVertex>();

    /// <summary>Starts a builder that holds a copy of this graph, to annotate it and freeze the result as a new graph.</summary>
    /// <returns>A builder with every vertex and edge of this graph.</returns>
    public PlanGraphBuilder ToBuilder() => ToBuilder(static _ => true);

    /// <summary>
    /// Starts a builder that holds the vertices of this graph that <paramref name="keep"/> accepts and the edges
    /// between them; used to replace one annotation (say, a placement) by another.
    /// </summary>
    /// <param name="keep">Which vertices to copy.</param>
    /// <returns>The builder.</returns>
    public PlanGraphBuilder ToBuilder(Func<Vertex, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var builder = new PlanGraphBuilder();
        foreach (var vertex in _graph.Vertices.Where(keep))
        {
            builder.AddVertex(vertex);
        }

        foreach (var edge in _graph.Edges.Where(e => keep(e.Source) && keep(e.Target)))
        {
            builder.AddEdge(edge);
        }

        return builder;
    }

    private static VertexKind KindOf<T>()
        where T : Vertex => typeof(T).Name switch
        {
            nameof(DomainVertex) => VertexKind.Domain,
            nameof(NodeVertex) => VertexKind.Node,
            nameof(RankVertex) => VertexKind.Rank,
            nameof(ExpertVertex) => VertexKind.Expert,
            nameof(ReplicaVertex) => VertexKind.Replica,
            nameof(TrajectoryVertex) => VertexKind.Trajectory,
            nameof(InstanceVertex) => VertexKind.Instance,
            nameof(KernelVertex) => VertexKind.Kernel,
            nameof(RequestVertex) => VertexKind.Request,
            _ => throw new ArgumentException($"{typeof(T).Name} is not a concrete vertex type.", nameof(T)),
        };
}
