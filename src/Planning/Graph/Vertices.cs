namespace Planning.Graph;

/// <summary>What a vertex of the <see cref="PlanGraph"/> stands for.</summary>
public enum VertexKind
{
    /// <summary>A scale-up domain (for example an NVLink domain): ranks that reach each other over the fast fabric.</summary>
    Domain,

    /// <summary>A server node.</summary>
    Node,

    /// <summary>A rank: one device (GPU, CPU, iGPU or NPU) that runs work.</summary>
    Rank,

    /// <summary>A logical MoE expert of one layer.</summary>
    Expert,

    /// <summary>A placed copy of an expert's weights on a rank (the master copy or a replica).</summary>
    Replica,

    /// <summary>An agentic-RL trajectory: turns of generation separated by tool calls.</summary>
    Trajectory,

    /// <summary>A model-serving instance spanning one or more ranks (its tensor-parallel degree).</summary>
    Instance,

    /// <summary>A kernel of an on-device agent workload.</summary>
    Kernel,

    /// <summary>A serving request.</summary>
    Request,
}

/// <summary>The kind of device a rank is.</summary>
public enum AcceleratorKind
{
    /// <summary>A data-center GPU.</summary>
    Gpu,

    /// <summary>A CPU.</summary>
    Cpu,

    /// <summary>An integrated GPU of a system-on-chip.</summary>
    IntegratedGpu,

    /// <summary>A neural processing unit of a system-on-chip.</summary>
    Npu,
}

/// <summary>
/// A vertex of the <see cref="PlanGraph"/>. Vertices are small immutable records with value equality, so the same
/// (kind, index) always denotes the same vertex.
/// </summary>
public abstract record Vertex
{
    /// <summary>What the vertex stands for.</summary>
    public abstract VertexKind Kind { get; }

    /// <summary>The vertex's index among the vertices of its kind.</summary>
    public abstract int Index { get; }
}

/// <summary>A scale-up domain: ranks connected by the fast fabric.</summary>
/// <param name="Index">The domain's index.</param>
public sealed record DomainVertex(int Index) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Domain;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A server node.</summary>
/// <param name="Index">The node's index.</param>
/// <param name="Domain">The index of the domain the node belongs to.</param>
public sealed record NodeVertex(int Index, int Domain) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Node;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A rank: one device that runs work.</summary>
/// <param name="Index">The rank's index.</param>
/// <param name="Node">The index of the node that holds the rank.</param>
/// <param name="Domain">The index of the scale-up domain of the rank.</param>
/// <param name="Accelerator">The kind of device.</param>
public sealed record RankVertex(int Index, int Node, int Domain, AcceleratorKind Accelerator) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Rank;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A logical MoE expert.</summary>
/// <param name="Index">The expert's logical index.</param>
/// <param name="MasterRank">The rank that holds the expert's master copy.</param>
public sealed record ExpertVertex(int Index, int MasterRank) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Expert;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A placed copy of an expert on a rank; the master copy is a replica too, with <paramref name="IsMaster"/> set.</summary>
/// <param name="Index">The replica's index among all placed copies.</param>
/// <param name="Expert">The logical expert.</param>
/// <param name="Rank">The rank that hosts the copy.</param>
/// <param name="IsMaster">Whether this is the expert's master copy.</param>
public sealed record ReplicaVertex(int Index, int Expert, int Rank, bool IsMaster) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Replica;

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

/// <summary>A model-serving instance spanning <paramref name="TensorParallelDegree"/> ranks.</summary>
/// <param name="Index">The instance's index.</param>
/// <param name="TensorParallelDegree">How many ranks the instance spans.</param>
public sealed record InstanceVertex(int Index, int TensorParallelDegree) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Instance;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A kernel of an on-device workload.</summary>
/// <param name="Index">The kernel's index.</param>
/// <param name="Name">The kernel's name (for example <c>gemv</c> or <c>attention</c>).</param>
public sealed record KernelVertex(int Index, string Name) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Kernel;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}

/// <summary>A serving request.</summary>
/// <param name="Index">The request's index in its workload.</param>
/// <param name="Id">The request's identifier in its workload.</param>
public sealed record RequestVertex(int Index, string Id) : Vertex
{
    /// <inheritdoc />
    public override VertexKind Kind => VertexKind.Request;

    /// <inheritdoc />
    public override int Index { get; } = Index;
}
