using Planning.Graph;
using Planning.Moe;

namespace Planning.Tests.Graph;

public sealed class PlanGraphTests
{
    [Fact]
    public void AddCluster_BuildsHierarchyWithContainmentEdges()
    {
        var graph = new PlanGraphBuilder().AddCluster(ranks: 16, ranksPerNode: 4, ranksPerDomain: 8).Freeze();

        Assert.Equal(16, graph.Ranks.Length);
        Assert.Equal(4, graph.Nodes.Length);
        Assert.Equal(2, graph.Domains.Length);
        Assert.Equal(new RankVertex(9, 2, 1, AcceleratorKind.Gpu), graph.Ranks[9]);
        Assert.Equal(4, graph.OutEdges(new NodeVertex(2, 1), EdgeKind.Contains).Count());
        Assert.Equal([2, 3], graph.OutEdges(new DomainVertex(1), EdgeKind.Contains).Select(e => e.Target.Index));
    }

    [Fact]
    public void Freeze_LaterBuilderChanges_DoNotReachTheFrozenGraph()
    {
        var builder = new PlanGraphBuilder().AddCluster(4, 2, 4);
        var frozen = builder.Freeze();

        builder.AddVertex(new ExpertVertex(0, 0));

        Assert.Empty(frozen.Experts);
        Assert.Single(builder.Freeze().Experts);
    }

    [Fact]
    public void AddLink_IsReadBackWithItsCapacity()
    {
        var builder = new PlanGraphBuilder().AddCluster(2, 2, 2);
        var graph0 = builder.Freeze();
        builder.AddLink(graph0.Ranks[0], graph0.Ranks[1], new LinkCapacity(450e9, 2e-6));

        var graph = builder.Freeze();

        Assert.Equal(new LinkCapacity(450e9, 2e-6), graph.Link(graph.Ranks[0], graph.Ranks[1]));
        Assert.Null(graph.Link(graph.Ranks[1], graph.Ranks[0]));
    }

    [Fact]
    public void AddEdge_EndNotInGraph_Throws()
    {
        var builder = new PlanGraphBuilder().AddCluster(2, 2, 2);

        Assert.Throws<ArgumentException>(() => builder.AddEdge(new PlanEdge(new RankVertex(0, 0, 0, AcceleratorKind.Gpu), new ExpertVertex(7, 0), EdgeKind.Hosts)));
    }

    [Fact]
    public void AddCluster_DomainNotMultipleOfNode_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PlanGraphBuilder().AddCluster(12, 4, 6));
    }

    [Fact]
    public void MoeCaseToGraph_PlacesEachMasterOnItsRank()
    {
        var moeCase = CaseFactory.FromLoads(4, 2, 2, 1, [1, 2, 3, 4, 5, 6, 7, 8]);

        var graph = moeCase.ToGraph();

        Assert.Equal(8, graph.Experts.Length);
        Assert.All(graph.Replicas, r => Assert.True(r.IsMaster));
        var hostsOfRank3 = graph.OutEdges(graph.Ranks[3], EdgeKind.Hosts).Select(e => ((ReplicaVertex)e.Target).Expert);
        Assert.Equal([6, 7], hostsOfRank3);
    }

    [Fact]
    public void Annotate_ReplacesMastersWithThePlansInstances()
    {
        var moeCase = CaseFactory.FromLoads(2, 2, 1, 1, [100, 0]);
        var topology = MoeTopology.From(moeCase);
        var plan = new EplbPolicy().Plan(new MoeLayerProblem(topology, moeCase.Layers[0].ExpertLoads));

        var annotated = plan.Annotate(topology.Graph);

        Assert.Equal(plan.Instances.Length, annotated.Replicas.Length);
        Assert.Equal(topology.Graph.Ranks.ToArray(), annotated.Ranks.ToArray());
        foreach (var replica in annotated.Replicas)
        {
            var host = Assert.Single(annotated.InEdges(replica, EdgeKind.Hosts));
            Assert.Equal(replica.Rank, host.Source.Index);
            Assert.Equal(replica.Expert, Assert.Single(annotated.OutEdges(replica, EdgeKind.CopyOf)).Target.Index);
        }

        // The input graph is unchanged.
        Assert.Equal(2, topology.Graph.Replicas.Length);
    }
}
