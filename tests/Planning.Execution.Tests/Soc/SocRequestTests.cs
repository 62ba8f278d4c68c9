using Planning.Execution.Soc;

namespace Planning.Execution.Tests.Soc;

public sealed class SocRequestTests
{
    [Theory]
    [InlineData("", 0, 1, 1, "r[2].id")]
    [InlineData("x", double.NaN, 1, 1, "r[2].arrivalMs")]
    [InlineData("x", -0.5, 1, 1, "r[2].arrivalMs")]
    [InlineData("x", 0, 0, 1, "r[2].promptTokens")]
    [InlineData("x", 0, 1, 0, "r[2].outputTokens")]
    [InlineData("x", 0, 1, 200_000, "r[2].outputTokens")]
    public void Validate_OutOfRange_NamesMember(string id, double arrival, int prompt, int output, string field)
    {
        var request = new SocRequest(id, arrival, SocRequestKind.Reactive, prompt, output);

        Assert.Equal(field, Assert.Throws<PlanningInputException>(() => request.Validate("r[2]")).Field);
    }

    [Fact]
    public void Validate_UndefinedKind_NamesKind()
    {
        var request = new SocRequest("x", 0, (SocRequestKind)7, 1, 1);

        Assert.Equal("request.kind", Assert.Throws<PlanningInputException>(() => request.Validate()).Field);
    }

    [Fact]
    public void KindName_BothKinds_ContractNames()
    {
        Assert.Equal("reactive", SocRequest.KindName(SocRequestKind.Reactive));
        Assert.Equal("proactive", SocRequest.KindName(SocRequestKind.Proactive));
    }
}
