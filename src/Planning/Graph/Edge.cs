using QuikGraph;

namespace Planning.Graph;

/// <summary>What an edge of the <see cref="PlanGraph"/> says about its two vertices.</summary>
public enum EdgeKind
{
    /// <summary>Containment in the hardware hierarchy: domain to node, node to device.</summary>
    Contains,

    /// <summary>A directed communication link of a <see cref="LinkClass"/>: device to device, or host (node) to device.</summary>
    Link,

    /// <summary>An assignment: work (expert, trajectory, instance, kernel) to the resource it runs on (device or instance), with an amount.</summary>
    AssignedTo,

    /// <summary>A precedence between two works: the source must finish before the target starts (a kernel that writes what the next reads).</summary>
    Precedes,
}

/// <summary>A directed, typed edge of the <see cref="PlanGraph"/>.</summary>
/// <param name="Source">The edge's source vertex.</param>
/// <param name="Target">The edge's target vertex.</param>
/// <param name="Kind">What the edge says.</param>
/// <param name="LinkClass">For <see cref="EdgeKind.Link"/> edges, the class of the link (its figures are the hardware's, by class).</param>
/// <param name="Amount">For <see cref="EdgeKind.AssignedTo"/> edges, the assignment's amount (an expert's token quota, for example).</param>
public sealed record PlanEdge(Vertex Source, Vertex Target, EdgeKind Kind, LinkClass? LinkClass = null, long Amount = 0) : IEdge<Vertex>;

/// <summary>
/// One decision of a plan in the shape every planner produces: <paramref name="Work"/> runs on
/// <paramref name="Resource"/> with <paramref name="Amount"/>. MoE placement assigns an expert to a device with its
/// token quota; a rollout layout assigns an instance to each device of its tensor-parallel group (amount 1); trajectory
/// placement assigns a trajectory to an instance (amount: its predicted output tokens, or 1).
/// </summary>
/// <param name="Work">The work vertex: an <see cref="ExpertVertex"/>, <see cref="TrajectoryVertex"/> or <see cref="InstanceVertex"/>.</param>
/// <param name="Resource">Where it runs: a <see cref="DeviceVertex"/>, or an <see cref="InstanceVertex"/> for a trajectory.</param>
/// <param name="Amount">How much of the work the resource takes; non-negative.</param>
public readonly record struct Assignment(Vertex Work, Vertex Resource, long Amount);
