using Planning.Execution.Adapters.Moe;
using Planning.Moe;

namespace Planning.Execution.Tests.Adapters;

public sealed class ExpertSlotLayoutTests
{
    [Fact]
    public void FromPlacements_ShortRanks_PadsWithTheMostLoadedCopyNotOnTheRank()
    {
        var layout = ExpertSlotLayout.FromPlacements(AdapterFixtures.SmallCase(), AdapterFixtures.SmallPlan(), 3);

        Assert.Equal(AdapterFixtures.SmallMap.ToArray(), layout.PhysicalToLogical[0].ToArray());
        Assert.Equal([2], layout.PaddedSlots.ToArray());
        Assert.Equal(12, layout.PhysicalSlots);
        Assert.Equal(4, layout.RedundantExperts);
    }

    [Fact]
    public void LogicalToAllPhysical_SmallLayout_ListsSlotsInAscendingOrder()
    {
        var layout = ExpertSlotLayout.FromPlacements(AdapterFixtures.SmallCase(), AdapterFixtures.SmallPlan(), 3);

        var all = layout.LogicalToAllPhysical(0);

        Assert.Equal([[0, 9], [1, 3, 6], [4], [5], [7], [2, 8], [10], [11]], all.Select(slots => slots.ToArray()));
    }

    [Fact]
    public void FromPlacements_RankOverItsSlots_NamesThePlacement()
    {
        var error = Assert.Throws<PlanningInputException>(() => ExpertSlotLayout.FromPlacements(AdapterFixtures.SmallCase(), AdapterFixtures.SmallPlan(), 2));

        Assert.Equal("plan.layers[0].placement", error.Field);
        Assert.Contains("3 instances on rank 1", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPlacements_ExpertWithoutInstance_NamesThePlacement()
    {
        var plan = AdapterFixtures.SmallPlan();
        IReadOnlyList<IReadOnlyList<ExpertInstance>> without7 = [[.. plan[0].Where(i => i.Expert != 7)]];

        var error = Assert.Throws<PlanningInputException>(() => ExpertSlotLayout.FromPlacements(AdapterFixtures.SmallCase(), without7, 3));

        Assert.Equal("plan.layers[0].placement", error.Field);
        Assert.Contains("expert 7 no instance", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2 }, "physical_to_logical_map[0]", "not a positive multiple")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 8 }, "physical_to_logical_map[0][11]", "logical expert in [0, 8)")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3 }, "physical_to_logical_map[0]", "logical expert 7 no physical slot")]
    public void Create_BrokenMap_NamesTheEntry(int[] map, string field, string problem)
    {
        var error = Assert.Throws<PlanningInputException>(() => ExpertSlotLayout.Create(4, 8, [map], "physical_to_logical_map"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }
}
