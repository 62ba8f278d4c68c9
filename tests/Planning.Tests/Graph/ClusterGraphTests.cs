using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;

namespace Planning.Tests.Graph;

public sealed class ClusterGraphTests
{
    [Fact]
    public void Build_Shape_HierarchyAndContainment()
    {
        var cluster = ClusterGraph.Build(new ClusterShape(16, 4, 8));

        Assert.Equal(16, cluster.Devices.Length);
        Assert.Equal(4, cluster.Nodes.Length);
        Assert.Equal(2, cluster.Domains.Length);
        Assert.Equal(new DeviceVertex(9, 2, 1, DeviceKind.Gpu), cluster.Devices[9]);
        Assert.Equal([8, 9, 10, 11], cluster.DevicesOfNode(2).ToArray());
        Assert.Equal([2, 3], cluster.Graph.OutEdges(new DomainVertex(1), EdgeKind.Contains).Select(e => e.Target.Index));
    }

    [Fact]
    public void Build_Shape_LinkClassesFollowTheDomains()
    {
        var cluster = ClusterGraph.Build(new ClusterShape(16, 4, 8));

        Assert.Equal(LinkClass.NvLink, cluster.LinkClassBetween(1, 6));
        Assert.Equal(LinkClass.Network, cluster.LinkClassBetween(1, 9));
        Assert.Equal(16 * 15, cluster.Graph.Graph.Edges.Count(e => e.Kind == EdgeKind.Link));
        Assert.Throws<ArgumentException>(() => cluster.LinkClassBetween(3, 3));
    }

    [Property(MaxTest = 100)]
    public Property Build_AnyShape_DomainsAreTheComponentsOfTheScaleUpLinks() =>
        Prop.ForAll(
            Gen.Choose(1, 40).ToArbitrary(),
            Gen.Choose(1, 8).ToArbitrary(),
            Gen.Choose(1, 4).ToArbitrary(),
            (devices, perNode, nodesPerDomain) =>
            {
                var shape = new ClusterShape(devices, perNode, perNode * nodesPerDomain);

                var cluster = ClusterGraph.Build(shape);

                // Independent oracle: the domain of a device is its index divided by the domain size.
                Assert.Equal(shape.Domains, cluster.Domains.Length);
                Assert.All(cluster.Devices, d => Assert.Equal(d.Index / shape.DevicesPerDomain, d.Domain));
                Assert.All(cluster.Devices, d => Assert.Equal(d.Index / perNode, d.Node));

                // Two devices share a domain exactly when some path of scale-up links joins them.
                foreach (var a in cluster.Devices)
                {
                    foreach (var b in cluster.Devices.Where(b => b.Index != a.Index))
                    {
                        Assert.Equal(a.Domain == b.Domain, cluster.LinkClassBetween(a.Index, b.Index) == LinkClass.NvLink);
                    }
                }

                return true;
            });

    [Fact]
    public void Build_H800_ReadsFiguresByLinkClass()
    {
        var hardware = HardwareSpec.Load("h800");

        var cluster = hardware.Build(32);

        Assert.Equal(4, cluster.Domains.Length);
        Assert.Equal(200e9, cluster.LinkBetween(0, 7).BytesPerSecond);
        Assert.Equal(50e9, cluster.LinkBetween(0, 8).BytesPerSecond);
        Assert.Equal(989e12 * 0.55, cluster.DeviceSpec(31).SustainedFlops);
        Assert.Throws<PlanningInputException>(() => cluster.Link(LinkClass.Pcie));
    }

    [Fact]
    public void Build_H100_HostBusLinksEveryDeviceToItsNode()
    {
        var cluster = HardwareSpec.Load("h100").Build(12);

        Assert.Equal(2, cluster.Nodes.Length);
        Assert.Equal([8, 9, 10, 11], cluster.DevicesOfNode(1).ToArray());
        var pcie = cluster.Graph.OutEdges(cluster.Nodes[1], EdgeKind.Link).ToArray();
        Assert.All(pcie, e => Assert.Equal(LinkClass.Pcie, e.LinkClass));
        Assert.Equal([8, 9, 10, 11], pcie.Select(e => e.Target.Index));
        Assert.True(cluster.InOneNode([8, 11]));
        Assert.False(cluster.InOneScaleUpDomain([7, 8]));
    }

    [Fact]
    public void Build_SystemOnChip_DevicesOfThreeKindsOnSharedDram()
    {
        var soc = HardwareSpec.Load("core-ultra-5-125h");

        var cluster = soc.Build(soc.DevicesPerNode);

        Assert.Equal([DeviceKind.Cpu, DeviceKind.IntegratedGpu, DeviceKind.Npu], cluster.Devices.Select(d => d.DeviceKind));
        Assert.Single(cluster.Domains);
        Assert.Equal(LinkClass.SharedDram, cluster.LinkClassBetween(1, 2));
        Assert.True(cluster.LinkBetween(1, 2).Shared);
        Assert.Equal(11.5e12, cluster.DeviceSpec(2).PeakFlops);
    }

    [Fact]
    public void Build_HeterogeneousNodeSplit_ThrowsNamingTheField()
    {
        var soc = HardwareSpec.Load("core-ultra-5-125h");

        var error = Assert.Throws<PlanningInputException>(() => ClusterGraph.Build(new ClusterShape(2, 2, 2), soc));

        Assert.Equal("devicesPerNode", error.Field);
    }

    [Fact]
    public void Build_SeveralDomainsWithoutNetwork_ThrowsNamingTheLink()
    {
        var soc = HardwareSpec.Load("core-ultra-5-125h");

        var error = Assert.Throws<PlanningInputException>(() => soc.Build(6));

        Assert.Equal("hardware.links.network", error.Field);
    }

    [Fact]
    public void Build_ShapeOnly_HasNoFigures()
    {
        var cluster = ClusterGraph.Build(new ClusterShape(4, 4, 4));

        Assert.Null(cluster.Hardware);
        Assert.Throws<InvalidOperationException>(() => cluster.DeviceSpec(0));
    }

    [Fact]
    public void Annotate_RolloutLayoutAndPlacement_ReadBackFromTheGraph()
    {
        var cluster = HardwareSpec.Load("h100").Build(8);
        var instance0 = new InstanceVertex(0, 2);
        var instance1 = new InstanceVertex(1, 6);
        var trajectory = new TrajectoryVertex(0, "t0");
        Assignment[] plan =
        [
            new(instance0, cluster.Devices[0], 1), new(instance0, cluster.Devices[1], 1),
            .. Enumerable.Range(2, 6).Select(d => new Assignment(instance1, cluster.Devices[d], 1)),
            new(trajectory, instance1, 512),
        ];

        var graph = cluster.Annotate(plan);

        Assert.Equal([0, 1], graph.AssignmentsOf(instance0).Select(a => a.Resource.Index));
        Assert.Equal(512, Assert.Single(graph.AssignedTo(instance1), a => a.Work is TrajectoryVertex).Amount);
        Assert.Equal(plan, graph.Assignments.ToArray());
    }

    [Fact]
    public void Annotate_BadAssignments_Throw()
    {
        var cluster = ClusterGraph.Build(new ClusterShape(2, 2, 2));
        var expert = new ExpertVertex(0, 0);

        Assert.Throws<ArgumentException>(() => cluster.Annotate([new Assignment(cluster.Devices[0], cluster.Devices[1], 1)]));
        Assert.Throws<ArgumentException>(() => cluster.Annotate([new Assignment(expert, new DeviceVertex(5, 0, 0, DeviceKind.Gpu), 1)]));
        Assert.Throws<ArgumentException>(() => cluster.Annotate([new Assignment(expert, cluster.Devices[0], -1)]));
        Assert.Throws<ArgumentException>(() => cluster.Annotate([new Assignment(expert, new InstanceVertex(0, 1), 1)]));
    }
}
