using System.Collections.Immutable;
using System.Globalization;
using QuikGraph;
using QuikGraph.Algorithms.ConnectedComponents;

namespace Planning.Graph;

/// <summary>
/// The hardware of a plan as a graph: devices (with their kind and figures), the nodes that host them, and directed
/// links of a <see cref="LinkClass"/> between them — the scale-up fabric inside a domain, the network between domains,
/// the host bus from a node to its devices. Scale-up domains are not declared: they are the connected components of
/// the scale-up links, found by walking the graph, so a description that wires devices differently gets its domains
/// from the wiring. Built once (<see cref="Build"/>), immutable, shared by planners and simulators; a plan's
/// assignments turn it into an annotated <see cref="PlanGraph"/> (<see cref="Annotate"/>).
/// </summary>
public sealed class ClusterGraph
{
    private readonly ImmutableArray<int> _nodeFirstDevice;

    private ClusterGraph(ClusterShape shape, HardwareSpec? hardware, PlanGraph graph, ImmutableArray<DeviceVertex> devices, ImmutableArray<int> nodeFirstDevice)
    {
        Shape = shape;
        Hardware = hardware;
        Graph = graph;
        Devices = devices;
        _nodeFirstDevice = nodeFirstDevice;
        Nodes = graph.OfKind<NodeVertex>();
        Domains = graph.OfKind<DomainVertex>();
    }

    /// <summary>The shape the cluster was laid out from.</summary>
    public ClusterShape Shape { get; }

    /// <summary>The hardware's figures, or <see langword="null"/> for a cluster known by its shape only (a balancing case).</summary>
    public HardwareSpec? Hardware { get; }

    /// <summary>The graph: domains, nodes, devices, containment and link edges.</summary>
    public PlanGraph Graph { get; }

    /// <summary>The devices (ranks), by index.</summary>
    public ImmutableArray<DeviceVertex> Devices { get; }

    /// <summary>The nodes, by index.</summary>
    public ImmutableArray<NodeVertex> Nodes { get; }

    /// <summary>The scale-up domains, numbered by their lowest device.</summary>
    public ImmutableArray<DomainVertex> Domains { get; }

    /// <summary>
    /// Lays a shape out as a graph. Every pair of devices in one shape domain gets a scale-up link (NVLink, or a
    /// system-on-chip's shared DRAM), every pair in different shape domains a network link, and a hardware with a host
    /// bus a PCIe link from each node to each of its devices. Domains are then the connected components of the
    /// scale-up links.
    /// </summary>
    /// <param name="shape">The devices, nodes and domain size.</param>
    /// <param name="hardware">The figures; <see langword="null"/> for a shape-only cluster (GPUs with unknown figures).</param>
    /// <returns>The frozen cluster graph.</returns>
    /// <exception cref="PlanningInputException">The shape is invalid, or does not fit the hardware's nodes.</exception>
    public static ClusterGraph Build(ClusterShape shape, HardwareSpec? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        if (hardware is not null && !hardware.IsHomogeneous && shape.DevicesPerNode != hardware.DevicesPerNode)
        {
            throw new PlanningInputException(
                "devicesPerNode",
                string.Create(CultureInfo.InvariantCulture, $"must be {hardware.DevicesPerNode} on hardware \"{hardware.Name}\", whose nodes hold several kinds of device, got {shape.DevicesPerNode}"));
        }

        // The wiring the shape describes: a scale-up link between every two devices of one shape domain, a network
        // link between every two devices of different ones.
        var scaleUp = hardware?.ScaleUpLink ?? LinkClass.NvLink;
        var links = new List<(int From, int To, LinkClass Class)>(shape.Devices * (shape.Devices - 1));
        for (var from = 0; from < shape.Devices; from++)
        {
            for (var to = 0; to < shape.Devices; to++)
            {
                if (from != to)
                {
                    links.Add((from, to, from / shape.DevicesPerDomain == to / shape.DevicesPerDomain ? scaleUp : LinkClass.Network));
                }
            }
        }

        var domainOf = ScaleUpComponents(shape.Devices, links.Where(l => l.Class == scaleUp && l.From < l.To));
        if (hardware is not null && links.Exists(l => l.Class == LinkClass.Network))
        {
            hardware.Link(LinkClass.Network);
        }

        var builder = new PlanGraphBuilder();
        var domains = domainOf.Distinct().Order().Select(d => new DomainVertex(d)).ToArray();
        foreach (var domain in domains)
        {
            builder.AddVertex(domain);
        }

        var nodes = new NodeVertex[shape.Nodes];
        var nodeFirst = new int[shape.Nodes];
        for (var n = 0; n < nodes.Length; n++)
        {
            nodes[n] = new NodeVertex(n);
            nodeFirst[n] = n * shape.DevicesPerNode;
            builder.AddVertex(nodes[n]).AddEdge(new PlanEdge(domains[domainOf[nodeFirst[n]]], nodes[n], EdgeKind.Contains));
        }

        var devices = new DeviceVertex[shape.Devices];
        for (var d = 0; d < devices.Length; d++)
        {
            var node = shape.NodeOf(d);
            var kind = hardware?.DeviceInSlot(hardware.IsHomogeneous ? 0 : d - nodeFirst[node]).Kind ?? DeviceKind.Gpu;
            devices[d] = new DeviceVertex(d, node, domainOf[d], kind);
            builder.AddVertex(devices[d]).AddEdge(new PlanEdge(nodes[node], devices[d], EdgeKind.Contains));
            if (hardware is not null && hardware.Links.ContainsKey(LinkClass.Pcie))
            {
                builder.AddEdge(new PlanEdge(nodes[node], devices[d], EdgeKind.Link, LinkClass.Pcie))
                    .AddEdge(new PlanEdge(devices[d], nodes[node], EdgeKind.Link, LinkClass.Pcie));
            }
        }

        foreach (var (from, to, linkClass) in links)
        {
            builder.AddEdge(new PlanEdge(devices[from], devices[to], EdgeKind.Link, linkClass));
        }

        return new ClusterGraph(shape, hardware, builder.Freeze(), [.. devices], [.. nodeFirst]);
    }

    /// <summary>The figures of a device.</summary>
    /// <param name="device">The device's index.</param>
    /// <returns>Its figures.</returns>
    /// <exception cref="InvalidOperationException">The cluster was built from a shape only.</exception>
    public DeviceSpec DeviceSpec(int device)
    {
        var hardware = RequireHardware();
        return hardware.DeviceInSlot(hardware.IsHomogeneous ? 0 : device - _nodeFirstDevice[Devices[device].Node]);
    }

    /// <summary>The class of the direct link from one device to another, read from the graph.</summary>
    /// <param name="from">The sending device.</param>
    /// <param name="to">The receiving device.</param>
    /// <returns>The link's class.</returns>
    /// <exception cref="ArgumentException">The two devices are the same, or not linked.</exception>
    public LinkClass LinkClassBetween(int from, int to)
    {
        foreach (var edge in Graph.OutEdges(Devices[from], EdgeKind.Link))
        {
            if (edge.Target.Equals(Devices[to]))
            {
                return edge.LinkClass!.Value;
            }
        }

        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Devices {from} and {to} have no direct link."), nameof(to));
    }

    /// <summary>The figures of the direct link from one device to another.</summary>
    /// <param name="from">The sending device.</param>
    /// <param name="to">The receiving device.</param>
    /// <returns>The link's figures.</returns>
    public LinkSpec LinkBetween(int from, int to) => Link(LinkClassBetween(from, to));

    /// <summary>The figures of a link class.</summary>
    /// <param name="linkClass">The class.</param>
    /// <returns>Its figures.</returns>
    /// <exception cref="PlanningInputException">The hardware has no such link.</exception>
    /// <exception cref="InvalidOperationException">The cluster was built from a shape only.</exception>
    public LinkSpec Link(LinkClass linkClass) => RequireHardware().Link(linkClass);

    /// <summary>The devices of a node, in index order.</summary>
    /// <param name="node">The node's index.</param>
    /// <returns>Its devices' indices.</returns>
    public ImmutableArray<int> DevicesOfNode(int node) =>
        [.. Graph.OutEdges(Nodes[node], EdgeKind.Contains).Select(e => e.Target.Index)];

    /// <summary>Whether every given device lies in one scale-up domain (so a tensor-parallel group over them runs on the fast fabric).</summary>
    /// <param name="devices">The devices' indices.</param>
    /// <returns><see langword="true"/> when they share a domain (or there are none).</returns>
    public bool InOneScaleUpDomain(IEnumerable<int> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        return devices.Select(d => Devices[d].Domain).Distinct().Count() <= 1;
    }

    /// <summary>Whether every given device lies in one node.</summary>
    /// <param name="devices">The devices' indices.</param>
    /// <returns><see langword="true"/> when they share a node (or there are none).</returns>
    public bool InOneNode(IEnumerable<int> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        return devices.Select(d => Devices[d].Node).Distinct().Count() <= 1;
    }

    /// <summary>
    /// The plan graph of this cluster with a plan's assignments: every work vertex they name, and an
    /// <see cref="EdgeKind.AssignedTo"/> edge carrying each assignment's amount. An adapter or a simulator reads the
    /// plan back from it (<see cref="PlanGraph.AssignmentsOf"/>, <see cref="PlanGraph.AssignedTo"/>).
    /// </summary>
    /// <param name="assignments">The plan's assignments.</param>
    /// <returns>The annotated graph; this cluster is unchanged.</returns>
    /// <exception cref="ArgumentException">An assignment's work is not work, its resource is not a device or instance of this plan, or its amount is negative.</exception>
    public PlanGraph Annotate(IEnumerable<Assignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var builder = Graph.ToBuilder();
        var list = assignments.ToList();
        foreach (var assignment in list)
        {
            if (assignment.Work is null || !assignment.Work.IsWork)
            {
                throw new ArgumentException($"{assignment.Work} is not work (expert, trajectory, instance or kernel).", nameof(assignments));
            }

            if (assignment.Amount < 0)
            {
                throw new ArgumentException($"The assignment of {assignment.Work} to {assignment.Resource} has a negative amount ({assignment.Amount}).", nameof(assignments));
            }

            switch (assignment.Resource)
            {
                case DeviceVertex device when device.Index < Devices.Length && Devices[device.Index].Equals(device):
                    break;
                case InstanceVertex when assignment.Work is TrajectoryVertex:
                    builder.AddVertex(assignment.Resource);
                    break;
                default:
                    throw new ArgumentException($"{assignment.Resource} is not a device of this cluster or an instance a trajectory runs on.", nameof(assignments));
            }

            builder.AddVertex(assignment.Work);
        }

        foreach (var assignment in list)
        {
            builder.AddEdge(new PlanEdge(assignment.Work, assignment.Resource, EdgeKind.AssignedTo, Amount: assignment.Amount));
        }

        return builder.Freeze();
    }

    /// <summary>
    /// The scale-up domain of each device: the connected components (QuikGraph) of the undirected graph of the
    /// scale-up links, numbered by their lowest device.
    /// </summary>
    private static int[] ScaleUpComponents(int devices, IEnumerable<(int From, int To, LinkClass Class)> scaleUpLinks)
    {
        var fabric = new UndirectedGraph<int, SEdge<int>>(allowParallelEdges: false);
        fabric.AddVertexRange(Enumerable.Range(0, devices));
        fabric.AddEdgeRange(scaleUpLinks.Select(l => new SEdge<int>(l.From, l.To)));
        var components = new ConnectedComponentsAlgorithm<int, SEdge<int>>(fabric);
        components.Compute();
        var numbered = new Dictionary<int, int>();
        var domainOf = new int[devices];
        for (var d = 0; d < devices; d++)
        {
            // Devices are visited in index order, so a component is numbered when its lowest device is reached.
            var component = components.Components[d];
            if (!numbered.TryGetValue(component, out var domain))
            {
                domain = numbered.Count;
                numbered[component] = domain;
            }

            domainOf[d] = domain;
        }

        return domainOf;
    }

    private HardwareSpec RequireHardware() =>
        Hardware ?? throw new InvalidOperationException("This cluster was built from a shape only: it has no device or link figures.");
}
