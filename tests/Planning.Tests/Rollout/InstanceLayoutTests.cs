using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class InstanceLayoutTests
{
    private static readonly HardwareSpec H100 = HardwareSpec.Load("h100");

    [Fact]
    public void Assignments_H100_InstancesTakeTheDevicesInOrderWithAmountOne()
    {
        var cluster = H100.Build(16);
        var layout = new InstanceLayout([8, 4, 2, 2]);

        var assignments = layout.Assignments(cluster);

        Assert.Equal(16, assignments.Length);
        Assert.All(assignments, a => Assert.Equal(1, a.Amount));
        Assert.Equal(
            [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (1, 8), (1, 9), (1, 10), (1, 11), (2, 12), (2, 13), (3, 14), (3, 15)],
            assignments.Select(a => (a.Work.Index, a.Resource.Index)).ToArray());
        Assert.Equal(new InstanceVertex(1, 4), assignments[8].Work);
        Assert.Equal(cluster.Devices[8], assignments[8].Resource);
    }

    [Fact]
    public void Annotate_H100_InstancesReadBackWithTheirNodes()
    {
        var cluster = H100.Build(16);

        var plan = new InstanceLayout([4, 8, 4]).Annotate(cluster);
        var devices = InstanceLayout.DevicesOfInstances(plan);

        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11], [12, 13, 14, 15]], devices.Select(d => d.ToArray()).ToArray());
        Assert.Equal([true, false, true], devices.Select(d => cluster.InOneNode(d)).ToArray());
        Assert.Equal(3, plan.OfKind<InstanceVertex>().Length);
        Assert.Equal(16, plan.Assignments.Count());
    }

    [Property(MaxTest = 100)]
    public Property Annotate_AnyLayout_ReadsBackContiguousGroupsEachDeviceOnce() =>
        Prop.ForAll(
            (from count in Gen.Choose(1, 8) from degrees in Gen.ArrayOf(Gen.Choose(1, 8), count) select degrees).ToArbitrary(),
            Gen.Choose(0, 9).ToArbitrary(),
            (degrees, spare) =>
            {
                var cluster = H100.Build(degrees.Sum() + spare);

                var devices = InstanceLayout.DevicesOfInstances(new InstanceLayout(degrees).Annotate(cluster));

                var first = 0;
                for (var i = 0; i < degrees.Length; i++)
                {
                    Assert.Equal(Enumerable.Range(first, degrees[i]).ToArray(), devices[i].ToArray());
                    first += degrees[i];
                }

                Assert.Equal(devices.Sum(d => d.Length), devices.SelectMany(d => d).Distinct().Count());
                return true;
            });

    [Fact]
    public void Annotate_WithAPlacement_BothInOneGraph()
    {
        var cluster = H100.Build(4);
        var layout = new InstanceLayout([2, 2]);
        var trajectory = new TrajectoryVertex(0, "t0");

        var plan = layout.Annotate(cluster, [new Assignment(trajectory, layout.Instances[1], 30)]);

        Assert.Equal([[0, 1], [2, 3]], InstanceLayout.DevicesOfInstances(plan).Select(d => d.ToArray()).ToArray());
        Assert.Equal(new Assignment(trajectory, new InstanceVertex(1, 2), 30), Assert.Single(plan.AssignedTo(layout.Instances[1])));
    }

    [Fact]
    public void Assignments_MoreDevicesThanTheCluster_RejectedNamingGpus()
    {
        var error = Assert.Throws<PlanningInputException>(() => new InstanceLayout([8, 8]).Assignments(H100.Build(12)));

        Assert.Equal("gpus", error.Field);
        Assert.Contains("8+8 needs 16 GPUs", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyOrNonPositiveDegree_RejectedNamingIt()
    {
        Assert.Equal("degrees", Assert.Throws<PlanningInputException>(() => new InstanceLayout([])).Field);
        Assert.Equal("degrees[1]", Assert.Throws<PlanningInputException>(() => new InstanceLayout([2, 0])).Field);
    }

    [Fact]
    public void DevicesOfInstances_NoInstanceOrAnInstanceShortOfItsDegree_Throws()
    {
        var cluster = H100.Build(4);
        var shortOfItsDegree = cluster.Annotate([new Assignment(new InstanceVertex(0, 2), cluster.Devices[0], 1)]);

        Assert.Throws<ArgumentException>(() => InstanceLayout.DevicesOfInstances(cluster.Graph));
        Assert.Throws<ArgumentException>(() => InstanceLayout.DevicesOfInstances(shortOfItsDegree));
    }
}
