using QuikGraph;

namespace Planning.Graph;

/// <summary>What an edge of the <see cref="PlanGraph"/> says about its two vertices.</summary>
public enum EdgeKind
{
    /// <summary>Containment in the hardware hierarchy: domain to node, node to rank.</summary>
    Contains,

    /// <summary>A directed communication link between two ranks, with bandwidth and latency.</summary>
    Link,

    /// <summary>A rank hosts a replica, or an instance spans a rank.</summary>
    Hosts,

    /// <summary>A replica is a copy of an expert.</summary>
    CopyOf,

    /// <summary>Work (trajectory, kernel, request) is assigned to where it runs (instance or rank).</summary>
    AssignedTo,
}

/// <summary>A directed link's capacity.</summary>
/// <param name="BytesPerSecond">Sustained bandwidth of the link, in bytes per second.</param>
/// <param name="LatencySeconds">One-way latency of the link, in seconds.</param>
public readonly record struct LinkCapacity(double BytesPerSecond, double LatencySeconds);

/// <summary>A directed, typed edge of the <see cref="PlanGraph"/>.</summary>
/// <param name="Source">The edge's source vertex.</param>
/// <param name="Target">The edge's target vertex.</param>
/// <param name="Kind">What the edge says.</param>
/// <param name="Capacity">For <see cref="EdgeKind.Link"/> edges, the link's bandwidth and latency.</param>
public sealed record PlanEdge(Vertex Source, Vertex Target, EdgeKind Kind, LinkCapacity? Capacity = null) : IEdge<Vertex>;
