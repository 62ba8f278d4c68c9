using Planning.Execution.Soc;

namespace Planning.Execution.Tests.Soc;

public sealed class SocWorkloadJsonTests
{
    [Fact]
    public void Parse_ContractExample_ReadsEveryField()
    {
        var requests = SocWorkloadJson.Parse("""
            {"id":"r1","arrivalMs":1200,"kind":"reactive","promptTokens":420,"outputTokens":80}

            {"id":"p1","arrivalMs":0.5,"kind":"proactive","promptTokens":2048,"outputTokens":12}
            """);

        Assert.Equal(
            [new SocRequest("r1", 1200, SocRequestKind.Reactive, 420, 80), new SocRequest("p1", 0.5, SocRequestKind.Proactive, 2048, 12)],
            requests.ToArray());
    }

    [Fact]
    public void Serialize_ThenParse_RoundTripsExactly()
    {
        SocRequest[] requests =
        [
            new("a", 0, SocRequestKind.Reactive, 1, 1),
            new("b", 1234.5678901234, SocRequestKind.Proactive, 131_072, 7),
        ];

        var text = SocWorkloadJson.Serialize(requests);

        Assert.Equal(
            "{\"id\":\"a\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":1,\"outputTokens\":1}\n" +
            "{\"id\":\"b\",\"arrivalMs\":1234.5678901234,\"kind\":\"proactive\",\"promptTokens\":131072,\"outputTokens\":7}\n",
            text);
        Assert.Equal(requests, SocWorkloadJson.Parse(text).ToArray());
    }

    [Theory]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":0,\"outputTokens\":5}", "requests[0].promptTokens", "got 0")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":0,\"kind\":\"urgent\",\"promptTokens\":3,\"outputTokens\":5}", "requests[0].kind", "\"urgent\"")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":-1,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":5}", "requests[0].arrivalMs", "got -1")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":\"soon\",\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":5}", "requests[0].arrivalMs", "\"soon\"")]
    [InlineData("{\"id\":\"\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":5}", "requests[0].id", "\"\"")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3}", "requests[0].outputTokens", "is required")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":2.5}", "requests[0].outputTokens", "got 2.5")]
    [InlineData("{\"id\":\"r1\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":131073,\"outputTokens\":2}", "requests[0].promptTokens", "got 131073")]
    [InlineData("[1,2]", "requests[0]", "JSON object")]
    [InlineData("{\"id\":\"r1\",", "requests[0]", "malformed JSON")]
    public void Parse_BadLine_NamesLineFieldAndValue(string line, string field, string value)
    {
        var ex = Assert.Throws<PlanningInputException>(() => SocWorkloadJson.Parse(line));

        Assert.Equal(field, ex.Field);
        Assert.Contains(value, ex.Problem, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadThirdLineAfterBlank_CountsTheBlankLine()
    {
        var text = "{\"id\":\"a\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":5}\n\n" +
                   "{\"id\":\"b\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":-5}\n";

        var ex = Assert.Throws<PlanningInputException>(() => SocWorkloadJson.Parse(text));

        Assert.Equal("requests[2].outputTokens", ex.Field);
        Assert.Contains("line 3", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateId_NamesBothLines()
    {
        var text = "{\"id\":\"a\",\"arrivalMs\":0,\"kind\":\"reactive\",\"promptTokens\":3,\"outputTokens\":5}\n" +
                   "{\"id\":\"a\",\"arrivalMs\":1,\"kind\":\"proactive\",\"promptTokens\":3,\"outputTokens\":5}\n";

        var ex = Assert.Throws<PlanningInputException>(() => SocWorkloadJson.Parse(text));

        Assert.Equal("requests[1].id", ex.Field);
        Assert.Contains("requests[0].id", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoRequest_Rejected()
    {
        Assert.Equal("requests", Assert.Throws<PlanningInputException>(() => SocWorkloadJson.Parse("\n  \n")).Field);
    }
}
