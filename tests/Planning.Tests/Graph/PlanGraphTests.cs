using Planning.Graph;
using Planning.Moe;

namespace Planning.Tests.Graph;

public sealed class PlanGraphTests
{
    [Fact]
    public void Freeze_LaterBuilderChanges_DoNotReachTheFrozenGraph()
    {
        var builder = ClusterGraph.Build(new ClusterShape(4, 2, 4)).Graph.ToBuilder();
        var frozen = builder.Freeze();

        builder.AddVertex(new ExpertVertex(0, 0));

        Assert.Empty(frozen.Experts);
        Assert.Single(builder.Freeze().Experts);
    }

    [Fact]
    public void PredecessorsOf_KernelsWithPrecedences_ReadsThemBack()
    {
        var soc = ClusterGraph.Build(new ClusterShape(2, 2, 2));
        KernelVertex first = new(0, "prefill[0:256]/layers[0:7]"), second = new(1, "attention[0:256]/layers[0:7]");
        var builder = soc.Annotate([new Assignment(first, soc.Devices[0], 10), new Assignment(second, soc.Devices[1], 5)]).ToBuilder();
        builder.AddEdge(new PlanEdge(first, second, EdgeKind.Precedes));

        var graph = builder.Freeze();

        Assert.Equal([first, second], graph.OfKind<KernelVertex>().ToArray());
        Assert.Equal([first], graph.PredecessorsOf(second).ToArray());
        Assert.Empty(graph.PredecessorsOf(first));
        Assert.True(first.IsWork);
        Assert.Equal(soc.Devices[1], Assert.Single(graph.AssignmentsOf(second)).Resource);
    }

    [Fact]
    public void AddEdge_EndNotInGraph_Throws()
    {
        var builder = ClusterGraph.Build(new ClusterShape(2, 2, 2)).Graph.ToBuilder();

        Assert.Throws<ArgumentException>(() => builder.AddEdge(new PlanEdge(new DeviceVertex(0, 0, 0, DeviceKind.Gpu), new ExpertVertex(7, 0), EdgeKind.AssignedTo)));
    }

    [Fact]
    public void AddEdge_LinkWithoutClass_Throws()
    {
        var cluster = ClusterGraph.Build(new ClusterShape(2, 2, 2));
        var builder = cluster.Graph.ToBuilder();

        Assert.Throws<ArgumentException>(() => builder.AddEdge(new PlanEdge(cluster.Devices[0], cluster.Devices[1], EdgeKind.Link)));
    }

    [Fact]
    public void MoeCaseToGraph_EveryExpertKnowsItsMasterRank()
    {
        var moeCase = CaseFactory.FromLoads(4, 2, 2, 1, [1, 2, 3, 4, 5, 6, 7, 8]);

        var graph = moeCase.ToGraph();

        Assert.Equal(4, graph.Devices.Length);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], graph.Experts.Select(e => e.MasterRank));
        Assert.Empty(graph.Assignments);
    }

    [Fact]
    public void Annotate_LayerPlan_EveryInstanceIsAnAssignmentWithItsQuota()
    {
        var moeCase = CaseFactory.FromLoads(2, 2, 1, 1, [100, 0]);
        var topology = MoeTopology.From(moeCase);
        var plan = new EplbPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads));

        var annotated = plan.Annotate(topology);

        var read = annotated.Assignments.Select(a => new ExpertInstance(a.Work.Index, a.Resource.Index, a.Amount)).ToArray();
        Assert.Equal(plan.Instances.ToArray(), read);
        for (var r = 0; r < topology.Ranks; r++)
        {
            Assert.Equal(plan.RankLoads[r], annotated.AssignedTo(annotated.Devices[r]).Sum(a => a.Amount));
        }

        // The topology's graphs are unchanged.
        Assert.Empty(topology.Graph.Assignments);
        Assert.Empty(topology.Cluster.Graph.Assignments);
    }
}
