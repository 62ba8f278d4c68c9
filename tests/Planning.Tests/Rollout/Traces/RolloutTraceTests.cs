using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class RolloutTraceTests
{
    private static Trajectory Make(string id, string group = "g", int turns = 1) =>
        new(id, group, 10, [.. Enumerable.Repeat(5, turns)], [.. Enumerable.Repeat(2, turns - 1)], [.. Enumerable.Repeat(0.5, turns - 1)]);

    [Fact]
    public void Constructor_DuplicateId_NamesTheLaterIndex()
    {
        var ex = Assert.Throws<PlanningInputException>(() => new RolloutTrace([Make("a"), Make("b"), Make("a")]));

        Assert.Equal("trace[2].id", ex.Field);
        Assert.Contains("trace[0].id", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Empty_Rejected()
    {
        var ex = Assert.Throws<PlanningInputException>(() => new RolloutTrace([]));

        Assert.Equal("trace", ex.Field);
    }

    [Fact]
    public void Groups_InFirstAppearanceOrder_WithTotals()
    {
        var trace = new RolloutTrace([Make("a", "g2", 2), Make("b", "g1", 3), Make("c", "g2", 1)]);

        var groups = trace.Groups();

        Assert.Equal(["g2", "g1"], groups.Select(g => g.Key).ToArray());
        Assert.Equal(["a", "c"], groups[0].Select(t => t.Id).ToArray());
        Assert.Equal(30, trace.TotalOutputTokens);
        Assert.Equal(3, trace.Count);
    }
}
