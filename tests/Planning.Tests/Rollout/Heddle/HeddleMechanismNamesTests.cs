using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class HeddleMechanismNamesTests
{
    [Theory]
    [InlineData("priority,placement", HeddleMechanisms.Priority | HeddleMechanisms.Placement)]
    [InlineData(" Resources , migration ", HeddleMechanisms.Resources | HeddleMechanisms.Migration)]
    [InlineData("all", HeddleMechanisms.All)]
    [InlineData("none", HeddleMechanisms.None)]
    [InlineData("", HeddleMechanisms.None)]
    public void Parse_Names_TheSet(string text, HeddleMechanisms expected)
    {
        Assert.Equal(expected, HeddleMechanismNames.Parse(text));
    }

    [Fact]
    public void Parse_UnknownName_RejectedNamingTheField()
    {
        var error = Assert.Throws<PlanningInputException>(() => HeddleMechanismNames.Parse("priority,magic", "--mechanisms"));

        Assert.Equal("--mechanisms", error.Field);
        Assert.Contains("\"magic\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_EverySubset_ParsesBackToItself()
    {
        for (var flags = 0; flags <= (int)HeddleMechanisms.All; flags++)
        {
            var mechanisms = (HeddleMechanisms)flags;

            Assert.Equal(mechanisms, HeddleMechanismNames.Parse(HeddleMechanismNames.Format(mechanisms)));
        }
    }
}
