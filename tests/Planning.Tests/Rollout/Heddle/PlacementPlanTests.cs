using Planning.Graph;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class PlacementPlanTests
{
    private static readonly Trajectory[] Trace =
    [
        new("a", "g", 10, [5], [], []),
        new("b", "g", 10, [5], [], []),
        new("c", "g", 10, [5], [], []),
    ];

    /// <summary>Instances TP2 and TP1; trajectories a and c on instance 0, b on instance 1.</summary>
    private static readonly PlacementPlan Plan = new([2, 1], [0, 1, 0], [1.5, 0.5], respectsKvCapacity: true);

    [Fact]
    public void Assignments_WithPredictions_TrajectoryToItsInstanceWithItsPredictedTokens()
    {
        var assignments = Plan.Assignments(Trace, [120.4, 0, double.NaN]);

        Assert.Equal(
            [
                new Assignment(new TrajectoryVertex(0, "a"), new InstanceVertex(0, 2), 120),
                new Assignment(new TrajectoryVertex(1, "b"), new InstanceVertex(1, 1), 1),
                new Assignment(new TrajectoryVertex(2, "c"), new InstanceVertex(0, 2), 1),
            ],
            assignments.ToArray());
    }

    [Fact]
    public void Assignments_WithoutPredictions_AmountOne()
    {
        Assert.All(Plan.Assignments(Trace), a => Assert.Equal(1, a.Amount));
    }

    [Fact]
    public void InstancesOf_AnnotatedWithTheLayout_ReadsThePlacementBack()
    {
        var cluster = HardwareSpec.Load("h100").Build(3);

        var graph = new InstanceLayout(Plan.InstanceTensorParallel).Annotate(cluster, Plan.Assignments(Trace, [7, 8, 9]));

        Assert.Equal(Plan.InstanceOf.ToArray(), PlacementPlan.InstancesOf(graph, Trace).ToArray());
        Assert.Equal([7L, 9L], graph.AssignedTo(new InstanceVertex(0, 2)).Where(a => a.Work is TrajectoryVertex).Select(a => a.Amount).ToArray());
    }

    [Fact]
    public void InstancesOf_LayoutOnly_NoTrajectoryAssigned()
    {
        var graph = new InstanceLayout([2, 1]).Annotate(HardwareSpec.Load("h100").Build(3));

        Assert.Equal([-1, -1, -1], PlacementPlan.InstancesOf(graph, Trace).ToArray());
    }

    [Fact]
    public void Assignments_TraceOrPredictionsOfAnotherLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Plan.Assignments(Trace[..2]));
        Assert.Throws<ArgumentException>(() => Plan.Assignments(Trace, [1, 2]));
    }
}
