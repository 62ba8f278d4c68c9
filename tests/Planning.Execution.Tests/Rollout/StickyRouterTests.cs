using FsCheck.Xunit;
using Planning.Execution.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class StickyRouterTests
{
    [Fact]
    public void Route_FirstRequests_GoToTheInstanceWithFewestRequestsAndLaterOnesStay()
    {
        var router = new StickyRouter();
        router.Reset(trajectories: 3, instances: 2);

        Assert.Equal(0, router.Route(0));
        Assert.Equal(1, router.Route(1));
        Assert.Equal(0, router.Route(0)); // sticky: instance 0 now has 2 requests, instance 1 one
        Assert.Equal(1, router.Route(2)); // fewest requests
        Assert.Equal([0], router.Members(0));
        Assert.Equal([1, 2], router.Members(1));
    }

    [Property(MaxTest = 200)]
    public bool Members_AfterAnyRoutesAndMoves_AreExactlyTheTrajectoriesAssignedToEachInstance(byte[] operations)
    {
        // Each byte is an operation: even routes trajectory (b / 2) % 7, odd moves it to instance (b / 14) % 4 (or -1).
        const int trajectories = 7;
        const int instances = 4;
        var router = new StickyRouter();
        router.Reset(trajectories, instances);
        foreach (var b in operations ?? [])
        {
            var trajectory = (b / 2) % trajectories;
            if (b % 2 == 0)
            {
                router.Route(trajectory);
            }
            else
            {
                var target = (b / 14) % (instances + 1);
                router.Assign(trajectory, target == instances ? -1 : target);
            }
        }

        for (var i = 0; i < instances; i++)
        {
            var expected = Enumerable.Range(0, trajectories).Where(t => router.InstanceOf(t) == i).ToHashSet();
            if (!expected.SetEquals(router.Members(i)) || router.Members(i).Count != expected.Count)
            {
                return false;
            }
        }

        return true;
    }
}
