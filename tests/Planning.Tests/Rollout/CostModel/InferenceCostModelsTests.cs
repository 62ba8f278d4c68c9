using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class InferenceCostModelsTests
{
    [Fact]
    public void Names_RoundTrip_DefaultIsModern()
    {
        foreach (var kind in Enum.GetValues<InferenceCostModelKind>())
        {
            Assert.Equal(kind, InferenceCostModels.Parse(InferenceCostModels.Name(kind)));
        }

        Assert.Equal(new[] { "modern", "splitwise" }, InferenceCostModels.Names.ToArray());
        Assert.Equal(InferenceCostModelKind.Modern, InferenceCostModels.Default);
    }

    [Fact]
    public void Parse_Unknown_RejectedNamingTheField()
    {
        var ex = Assert.Throws<PlanningInputException>(() => InferenceCostModels.Parse("roofline", "--cost-model"));

        Assert.Equal("--cost-model", ex.Field);
        Assert.Equal("must be one of modern, splitwise, got \"roofline\"", ex.Problem);
    }

    [Fact]
    public void ForModel_EachKind_TheModelOfThatName()
    {
        var modern = InferenceCostModels.ForModel(InferenceCostModelKind.Modern, "14b");
        var splitwise = InferenceCostModels.ForModel(InferenceCostModelKind.Splitwise, "14b");

        Assert.IsType<ModernCostModel>(modern);
        Assert.IsType<CalibratedCostModel>(splitwise);
        Assert.Equal(ModernCostModel.ForModel("14b").DecodeIterationSeconds(3, 900, 2), modern.DecodeIterationSeconds(3, 900, 2));
        Assert.Equal(CalibratedCostModel.ForModel("14b").DecodeIterationSeconds(3, 900, 2), splitwise.DecodeIterationSeconds(3, 900, 2));
        Assert.Equal("model", Assert.Throws<PlanningInputException>(() => InferenceCostModels.ForModel(InferenceCostModelKind.Modern, "1t")).Field);
    }
}
