namespace Planning.Graph;

/// <summary>What a vertex of the <see cref="PlanGraph"/> stands for: hardware (domain, node, device) or work.</summary>
public enum VertexKind
{
    /// <summary>A scale-up domain (an NVLink domain, or a system-on-chip's shared memory): devices joined by the fast fabric.</summary>
    Domain,

    /// <summary>A server node (or a system-on-chip): a host that holds devices.</summary>
    Node,

    /// <summary>A device that runs work: a GPU, CPU, integrated GPU or NPU. In expert parallelism a device is a rank.</summary>
    Device,

    /// <summary>Work: a logical MoE expert of one layer, placed on devices with token quotas.</summary>
    Expert,

    /// <summary>Work: an agentic-RL trajectory (turns of generation separated by tool calls), placed on an instance.</summary>
    Trajectory,

    /// <summary>Work and resource: a model-serving instance spanning devices (its tensor-parallel group); trajectories run on it.</summary>
    Instance,

    /// <summary>Work: a kernel of a heterogeneous execution graph (a layer group's prefill chunk, attention or decode step), placed on one accelerator.</summary>
    Kernel,
}

/// <summary>
/// A vertex of the <see cref="PlanGraph"/>. Vertices are small immutable records with value equality, so the same
/// (kind, index, attributes) always denotes the same vertex.
/// </summary>
public abstract record Vertex
{
    // The vertex kinds are the IR's closed set: only this assembly derives from Vertex.
    private protected Vertex()
    {
    }

    /// <summary>What the vertex stands for.</summary>
    public abstract VertexKind Kind { get; }

    /// <summary>The vertex's index among the vertices of its kind.</summary>
    public abstract int Index { get; }

    /// <summary>Whether the vertex is work that an assignment places (expert, trajectory, instance, kernel).</summary>
    public bool IsWork => Kind is VertexKind.Expert or VertexKind.Trajectory or VertexKind.Instance or VertexKind.Kernel;
}

/// <summary>A scale-up domain: the devices one connected component of scale-up links joins.</summary>
/// <param name="Index">The domain's index (domains are numbered by their lowest device).</param>
public sealed record DomainVertex(int Index) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Domain;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A server node, or a system-on-chip: the host of its devices.</summary>
/// <param name="Index">The node's index.</param>
public sealed record NodeVertex(int Index) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Node;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A device that runs work; in expert parallelism, a rank.</summary>
/// <param name="Index">The device's index in the cluster (its rank).</param>
/// <param name="Node">The index of the node that holds the device.</param>
/// <param name="Domain">The index of the device's scale-up domain.</param>
/// <param name="DeviceKind">What kind of device it is.</param>
public sealed record DeviceVertex(int Index, int Node, int Domain, DeviceKind DeviceKind) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Device;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A logical MoE expert; its master copy lives on <paramref name="MasterRank"/> (a problem fact).</summary>
/// <param name="Index">The expert's logical index.</param>
/// <param name="MasterRank">The device (rank) that holds the expert's master copy.</param>
public sealed record ExpertVertex(int Index, int MasterRank) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Expert;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>An agentic-RL trajectory.</summary>
/// <param name="Index">The trajectory's index in its trace.</param>
/// <param name="Id">The trajectory's identifier in its trace.</param>
public sealed record TrajectoryVertex(int Index, string Id) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Trajectory;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A model-serving instance: a tensor-parallel group of <paramref name="TensorParallelDegree"/> devices.</summary>
/// <param name="Index">The instance's index in its layout.</param>
/// <param name="TensorParallelDegree">How many devices the instance spans.</param>
public sealed record InstanceVertex(int Index, int TensorParallelDegree) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Instance;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A kernel of a heterogeneous execution graph (Agent.xpu), placed whole on one accelerator.</summary>
/// <param name="Index">The kernel's index in its graph (execution order).</param>
/// <param name="Name">The kernel's stable name, such as <c>prefill[0:256]/layers[0:7]</c>.</param>
public sealed record KernelVertex(int Index, string Name) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Kernel;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}
