using Planning.Knowledge.Evaluation;

namespace Planning.Tests.Knowledge.Evaluation;

public sealed class LabelledQueryJsonTests
{
    [Fact]
    public void Read_WrittenQueries_RoundTrips()
    {
        LabelledQuery[] queries =
        [
            new("q1", "How do I \"quote\" a path like C:\\temp?", [3, 17], ["synonyms", "surface"], ["Open the site", "Sort by price"], "'Sort by price' went wrong"),
            new("q2", "naïve query ✓", [1], [], [], ""),
        ];
        using var writer = new StringWriter();

        LabelledQueryJson.Write(writer, queries);
        var read = LabelledQueryJson.Read(new StringReader(writer.ToString()), "queries.jsonl");

        Assert.Equal(2, read.Count);
        for (int i = 0; i < queries.Length; i++)
        {
            Assert.Equal(queries[i].Id, read[i].Id);
            Assert.Equal(queries[i].Query, read[i].Query);
            Assert.Equal(queries[i].Relevant, read[i].Relevant);
            Assert.Equal(queries[i].Variations, read[i].Variations);
            Assert.Equal(queries[i].Plan, read[i].Plan);
            Assert.Equal(queries[i].Summary, read[i].Summary);
        }

        Assert.Equal(2, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Read_MinimalLineAndBlankLines_DefaultsTheOptionalFields()
    {
        var read = LabelledQueryJson.Read(new StringReader("\n{\"id\":\"a\",\"query\":\"find it\",\"relevant\":[4],\"extra\":true}\n\n"), "q.jsonl");

        LabelledQuery query = Assert.Single(read);
        Assert.Equal([4L], query.Relevant);
        Assert.Empty(query.Variations);
        Assert.Empty(query.Plan);
        Assert.Equal("", query.Summary);
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"query\":\"x\"", "q.jsonl line 1")]
    [InlineData("[1]", "q.jsonl line 1")]
    [InlineData("{\"query\":\"x\",\"relevant\":[1]}", "q.jsonl line 1: id")]
    [InlineData("{\"id\":\"a\",\"query\":\"  \",\"relevant\":[1]}", "q.jsonl line 1: query")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[]}", "q.jsonl line 1: relevant")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[1,0]}", "q.jsonl line 1: relevant[1]")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[1,\"2\"]}", "q.jsonl line 1: relevant[1]")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[2,2]}", "q.jsonl line 1: relevant[1]")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[1],\"plan\":[3]}", "q.jsonl line 1: plan[0]")]
    [InlineData("{\"id\":\"a\",\"query\":\"x\",\"relevant\":[1],\"summary\":5}", "q.jsonl line 1: summary")]
    public void Read_BadLine_ThrowsNamingLineAndField(string line, string field)
    {
        var error = Assert.Throws<PlanningInputException>(() => LabelledQueryJson.Read(new StringReader(line), "q.jsonl"));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Read_RepeatedId_ThrowsNamingTheSecondLine()
    {
        const string text = "{\"id\":\"a\",\"query\":\"x\",\"relevant\":[1]}\n{\"id\":\"a\",\"query\":\"y\",\"relevant\":[2]}\n";

        var error = Assert.Throws<PlanningInputException>(() => LabelledQueryJson.Read(new StringReader(text), "q.jsonl"));

        Assert.Equal("q.jsonl line 2: id", error.Field);
    }
}
