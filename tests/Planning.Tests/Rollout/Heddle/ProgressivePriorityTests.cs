using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ProgressivePriorityTests
{
    public static Arbitrary<WorkItemSample> Waiting() =>
        (from count in Gen.Choose(0, 30)
         from seed in Gen.Choose(0, 1_000_000)
         select new WorkItemSample(RolloutArbitraries.RandomItems(seed, count).Select((item, i) => item with { Trajectory = (i * 7919) % 101 }).ToArray()))
        .ToArbitrary();

    [Property(MaxTest = 200, Arbitrary = [typeof(ProgressivePriorityTests)])]
    public bool Order_LongestFirstTiesByTrajectory_AndIsAPermutation(WorkItemSample sample)
    {
        var items = sample.Items;
        var ordered = new ProgressivePriority().Order(items);
        Assert.Equal(items.Length, ordered.Length);
        Assert.Equal(items.OrderBy(i => i.Trajectory).ThenBy(i => i.PredictedTokens), ordered.OrderBy(i => i.Trajectory).ThenBy(i => i.PredictedTokens));
        for (var k = 1; k < ordered.Length; k++)
        {
            var (a, b) = (ordered[k - 1], ordered[k]);
            Assert.True(a.PredictedTokens > b.PredictedTokens || (a.PredictedTokens == b.PredictedTokens && a.Trajectory <= b.Trajectory));
        }

        return true;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(ProgressivePriorityTests)])]
    public bool Compare_IsAntisymmetricAndOrderIndependent(WorkItemSample sample)
    {
        var items = sample.Items;
        var priority = new ProgressivePriority();
        foreach (var a in items)
        {
            foreach (var b in items)
            {
                Assert.Equal(Math.Sign(priority.Compare(a, b)), -Math.Sign(priority.Compare(b, a)));
            }
        }

        var reversed = priority.Order(items.Reverse());
        return priority.Order(items).Select(i => (i.Trajectory, i.PredictedTokens)).SequenceEqual(reversed.Select(i => (i.Trajectory, i.PredictedTokens)));
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(ProgressivePriorityTests)])]
    public bool ChooseVictim_OnlyWhenFullAndByMargin_TheLowestPriority(WorkItemSample sample)
    {
        var items = sample.Items;
        if (items.Length < 2)
        {
            return true;
        }

        var priority = new ProgressivePriority(new ProgressivePriorityOptions { RelativeMargin = 0.2, AbsoluteMarginTokens = 10 });
        var waiting = items[0];
        var running = items[1..];
        Assert.Equal(-1, priority.ChooseVictim(waiting, running, batchFull: false));
        var victim = priority.ChooseVictim(waiting, running, batchFull: true);
        var lowest = running.Min(i => i.PredictedTokens);
        if (victim >= 0)
        {
            Assert.Equal(lowest, running[victim].PredictedTokens);
            Assert.True(waiting.PredictedTokens > (1.2 * running[victim].PredictedTokens) && waiting.PredictedTokens - running[victim].PredictedTokens > 10);
        }
        else
        {
            Assert.False(waiting.PredictedTokens > (1.2 * lowest) && waiting.PredictedTokens - lowest > 10);
        }

        return true;
    }

    [Fact]
    public void ShouldPreempt_NeverForEqualOrShorterWork()
    {
        var priority = new ProgressivePriority(new ProgressivePriorityOptions { RelativeMargin = 0, AbsoluteMarginTokens = 0 });
        Assert.False(priority.ShouldPreempt(new(0, 100, 0, 0), new(1, 100, 0, 0), batchFull: true));
        Assert.False(priority.ShouldPreempt(new(0, 99, 0, 0), new(1, 100, 0, 0), batchFull: true));
        Assert.True(priority.ShouldPreempt(new(0, 101, 0, 0), new(1, 100, 0, 0), batchFull: true));
    }

    [Fact]
    public void Options_NegativeMargin_Throws()
    {
        var error = Assert.Throws<PlanningInputException>(() => new ProgressivePriority(new ProgressivePriorityOptions { RelativeMargin = -1 }));
        Assert.Equal("relativeMargin", error.Field);
    }
}
