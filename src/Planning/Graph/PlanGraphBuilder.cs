using QuikGraph;

namespace Planning.Graph;

/// <summary>
/// Builds a <see cref="PlanGraph"/>. The builder is mutable and single-threaded; <see cref="Freeze"/> returns the
/// immutable graph that planners share. <see cref="ClusterGraph.Build"/> lays hardware out with it.
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
    /// <exception cref="ArgumentException">An end of the edge is not in the graph, or a link edge has no class.</exception>
    public PlanGraphBuilder AddEdge(PlanEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (!_graph.ContainsVertex(edge.Source) || !_graph.ContainsVertex(edge.Target))
        {
            throw new ArgumentException($"Both ends of the {edge.Kind} edge {edge.Source} -> {edge.Target} must be added first.", nameof(edge));
        }

        if (edge.Kind == EdgeKind.Link && edge.LinkClass is null)
        {
            throw new ArgumentException($"The link {edge.Source} -> {edge.Target} needs a link class.", nameof(edge));
        }

        _graph.AddEdge(edge);
        return this;
    }

    /// <summary>Freezes what was built into an immutable <see cref="PlanGraph"/>; the builder may be reused afterwards.</summary>
    /// <returns>The frozen graph.</returns>
    public PlanGraph Freeze() => new(_graph);
}
