using Planning.Execution.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class CacheAwareRouterTests
{
    /// <summary>Three workers: trajectory 0 (group a, prompt 100) sent to worker 0, trajectory 1 (group b, prompt 200) to worker 1.</summary>
    private static CacheAwareRouter Seeded()
    {
        var router = new CacheAwareRouter();
        router.Reset(3);
        Assert.Equal(0, router.Route([0, 0, 0], 0, "a", 100, 100)); // no match anywhere: the smallest tree, the first on ties
        Assert.Equal(1, router.Route([1, 0, 0], 1, "b", 200, 200)); // no match: trees 100, 0, 0
        return router;
    }

    [Fact]
    public void Route_BalancedAndASiblingHoldsThePrompt_PrefixAffinityWins()
    {
        var router = Seeded();

        // A GRPO sibling of trajectory 0 matches its whole prompt on worker 0 (rate 1 > 0.3), although worker 2 is idle.
        Assert.Equal(0, router.Route([5, 5, 0], 2, "a", 100, 100));
    }

    [Fact]
    public void Route_LaterTurnAboveTheCacheThreshold_ReturnsToItsWorker()
    {
        var router = Seeded();

        // Trajectory 0's second turn: 300 tokens of context, 100 of them sent to worker 0 before: 100 / 300 > 0.3.
        Assert.Equal(0, router.Route([3, 3, 3], 0, "a", 100, 300));
        Assert.Equal(300 + 200, router.TreeTokens(0) + router.TreeTokens(1));
    }

    [Fact]
    public void Route_LaterTurnAtOrBelowTheCacheThreshold_GoesToTheSmallestTree()
    {
        var router = Seeded();

        // 100 / 400 = 0.25 <= 0.3: the worker with the smallest tree (worker 2, empty) takes it and its whole context.
        Assert.Equal(2, router.Route([3, 3, 3], 0, "a", 100, 400));
        Assert.Equal((100L, 200L, 400L), (router.TreeTokens(0), router.TreeTokens(1), router.TreeTokens(2)));
    }

    [Fact]
    public void Route_ImbalancedBeyondBothThresholds_GoesToTheLeastLoaded()
    {
        var router = Seeded();

        // max - min = 100 - 30 = 70 > 64 and 100 > 1.5 x 30 = 45: imbalanced, so the least loaded (worker 1), not the prefix.
        Assert.Equal(1, router.Route([100, 30, 40], 2, "a", 100, 100));

        // ... and the request enters that worker's tree: its later turn matches there now.
        Assert.Equal(100, router.Match(1, 2, "a", 100, 150));
    }

    [Theory]
    [InlineData(200, 135, 140)] // gap 65 > 64, but 200 <= 1.5 x 135 = 202.5
    [InlineData(60, 0, 10)] // 60 > 1.5 x 0, but the gap 60 <= 64
    public void Route_OnlyOneThresholdExceeded_StillPrefixAffinity(int load0, int load1, int load2)
    {
        var router = Seeded();

        Assert.Equal(0, router.Route([load0, load1, load2], 2, "a", 100, 100));
    }

    [Fact]
    public void Match_OwnEarlierRequestSiblingOrStranger_SharedPrefixTokens()
    {
        var router = Seeded();

        Assert.Equal(100, router.Match(0, 0, "a", 100, 250)); // its own earlier request: the shorter context
        Assert.Equal(100, router.Match(0, 7, "a", 100, 250)); // a sibling: the prompt
        Assert.Equal(0, router.Match(0, 9, "z", 100, 250)); // another prompt: nothing
    }
}
