using System.Collections.Frozen;
using System.Collections.Immutable;
using QuikGraph;

namespace Planning.Graph;

/// <summary>
/// The shared graph IR: hardware (domains, nodes, devices, links) and work (experts, trajectories, instances) in one
/// typed, directed graph, with a plan's decisions as <see cref="EdgeKind.AssignedTo"/> edges. A <see cref="PlanGraph"/>
/// is frozen: it is built by a <see cref="PlanGraphBuilder"/> (usually through <see cref="ClusterGraph.Build"/> and
/// <see cref="ClusterGraph.Annotate"/>), cannot change afterwards and so can be shared across threads and planners.
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
        Devices = OfKind<DeviceVertex>();
        Experts = OfKind<ExpertVertex>();
    }

    /// <summary>The underlying read-only QuikGraph graph, for graph algorithms (paths, flows, traversals).</summary>
    public IBidirectionalGraph<Vertex, PlanEdge> Graph => _graph;

    /// <summary>The devices (ranks), ordered by index.</summary>
    public ImmutableArray<DeviceVertex> Devices { get; }

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

    /// <summary>Every assignment of the plan, in the order it was annotated.</summary>
    public IEnumerable<Assignment> Assignments =>
        _graph.Edges.Where(e => e.Kind == EdgeKind.AssignedTo).Select(e => new Assignment(e.Source, e.Target, e.Amount));

    /// <summary>Where a piece of work runs: its assignments, in the order they were annotated.</summary>
    /// <param name="work">The work vertex.</param>
    /// <returns>Its assignments.</returns>
    public IEnumerable<Assignment> AssignmentsOf(Vertex work) =>
        OutEdges(work, EdgeKind.AssignedTo).Select(e => new Assignment(e.Source, e.Target, e.Amount));

    /// <summary>What runs on a resource: the assignments to it, in the order they were annotated.</summary>
    /// <param name="resource">The device or instance.</param>
    /// <returns>The assignments to it.</returns>
    public IEnumerable<Assignment> AssignedTo(Vertex resource) =>
        InEdges(resource, EdgeKind.AssignedTo).Select(e => new Assignment(e.Source, e.Target, e.Amount));

    /// <summary>The works that must finish before <paramref name="work"/> starts: sources of its <see cref="EdgeKind.Precedes"/> edges.</summary>
    /// <param name="work">The work vertex.</param>
    /// <returns>Its predecessors, in insertion order.</returns>
    public IEnumerable<Vertex> PredecessorsOf(Vertex work) => InEdges(work, EdgeKind.Precedes).Select(e => e.Source);

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
            nameof(DeviceVertex) => VertexKind.Device,
            nameof(ExpertVertex) => VertexKind.Expert,
            nameof(TrajectoryVertex) => VertexKind.Trajectory,
            nameof(InstanceVertex) => VertexKind.Instance,
            nameof(KernelVertex) => VertexKind.Kernel,
            _ => throw new ArgumentException($"{typeof(T).Name} is not a concrete vertex type.", nameof(T)),
        };
}
