using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class RolloutTraceJsonTests
{
    private const string Good = """{"id":"t1","group":"g1","promptTokens":7570,"outputTokens":[399,65,57],"observationTokens":[23,942],"toolSeconds":[0.8,1.2]}""";

    /// <summary>Traces of 1..6 trajectories with 1..5 turns, any tool seconds (including awkward doubles) and ids with JSON-escaped characters.</summary>
    public static Arbitrary<RolloutTrace> Traces()
    {
        var trajectory =
            from turns in Gen.Choose(1, 5)
            from prompt in Gen.Choose(1, 200_000)
            from outputs in Gen.ArrayOf(Gen.Choose(1, 100_000), turns)
            from observations in Gen.ArrayOf(Gen.Choose(0, 100_000), turns - 1)
            from tools in Gen.ArrayOf(Gen.Choose(0, 1_000_000).Select(x => x / 7.0), turns - 1)
            from groupName in Gen.Elements("g1", "group \"quoted\"", "grüppe", "a\\b")
            select (prompt, outputs, observations, tools, groupName);
        return (from count in Gen.Choose(1, 6)
                from items in Gen.ArrayOf(trajectory, count)
                select new RolloutTrace(items.Select((t, i) => new Trajectory(
                    string.Create(CultureInfo.InvariantCulture, $"t{i}\t\"x\""),
                    t.groupName,
                    t.prompt,
                    [.. t.outputs],
                    [.. t.observations],
                    [.. t.tools]))))
            .ToArbitrary();
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RolloutTraceJsonTests)])]
    public bool Serialize_ThenParse_GivesEqualTrajectories(RolloutTrace trace)
    {
        var text = RolloutTraceJson.Serialize(trace);
        var back = RolloutTraceJson.Parse(text);

        return back.Count == trace.Count
            && text.Split('\n').Length == trace.Count + 1
            && trace.Trajectories.Zip(back.Trajectories).All(p =>
                p.First.Id == p.Second.Id
                && p.First.Group == p.Second.Group
                && p.First.PromptTokens == p.Second.PromptTokens
                && p.First.OutputTokens.SequenceEqual(p.Second.OutputTokens)
                && p.First.ObservationTokens.SequenceEqual(p.Second.ObservationTokens)
                && p.First.ToolSeconds.SequenceEqual(p.Second.ToolSeconds));
    }

    [Fact]
    public void Parse_DesignExample_ReadsEveryField()
    {
        var trace = RolloutTraceJson.Parse(Good + "\n");

        var t = Assert.Single(trace.Trajectories);
        Assert.Equal("t1", t.Id);
        Assert.Equal("g1", t.Group);
        Assert.Equal(7570, t.PromptTokens);
        Assert.Equal([399, 65, 57], t.OutputTokens.ToArray());
        Assert.Equal([23, 942], t.ObservationTokens.ToArray());
        Assert.Equal([0.8, 1.2], t.ToolSeconds.ToArray());
        Assert.Equal(7570 + 399 + 65 + 57 + 23 + 942, t.FinalContextTokens);
    }

    [Fact]
    public void Parse_BlankLines_SkippedButCountedInTheLineIndex()
    {
        var second = Good.Replace("\"t1\"", "\"t2\"", StringComparison.Ordinal);
        var bad = Good.Replace("\"t1\"", "\"t3\"", StringComparison.Ordinal).Replace("[399,65,57]", "[399,65,0]", StringComparison.Ordinal);

        var trace = RolloutTraceJson.Parse($"\n{Good}\n   \n{second}\n\n");
        var ex = Assert.Throws<PlanningInputException>(() => RolloutTraceJson.Parse($"{Good}\n\n{bad}\n"));

        Assert.Equal(["t1", "t2"], trace.Trajectories.Select(t => t.Id).ToArray());
        Assert.Equal("trace[2].outputTokens[2]", ex.Field);
        Assert.Contains("0", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "trace")]
    [InlineData("\n  \n", "trace")]
    public void Parse_NoTrajectory_Rejected(string text, string field)
    {
        var ex = Assert.Throws<PlanningInputException>(() => RolloutTraceJson.Parse(text));

        Assert.Equal(field, ex.Field);
    }

    public static TheoryData<string, string> BadLines() => new()
    {
        { "{\"id\":\"t9\",", "trace[3]" },
        { "[1,2]", "trace[3]" },
        { "{\"group\":\"g\",\"promptTokens\":5,\"outputTokens\":[1],\"observationTokens\":[],\"toolSeconds\":[]}", "trace[3].id" },
        { Good.Replace("\"t1\"", "7", StringComparison.Ordinal), "trace[3].id" },
        { Good.Replace("\"t1\"", "\"\"", StringComparison.Ordinal), "trace[3].id" },
        { Good.Replace("\"g1\"", "null", StringComparison.Ordinal), "trace[3].group" },
        { Good.Replace("\"g1\"", "\"\"", StringComparison.Ordinal), "trace[3].group" },
        { Good.Replace("7570", "0", StringComparison.Ordinal), "trace[3].promptTokens" },
        { Good.Replace("7570", "1.5", StringComparison.Ordinal), "trace[3].promptTokens" },
        { Good.Replace("7570", "\"7570\"", StringComparison.Ordinal), "trace[3].promptTokens" },
        { Good.Replace("7570", "99999999999", StringComparison.Ordinal), "trace[3].promptTokens" },
        { Good.Replace("\"promptTokens\":7570,", string.Empty, StringComparison.Ordinal), "trace[3].promptTokens" },
        { Good.Replace("[399,65,57]", "[]", StringComparison.Ordinal), "trace[3].outputTokens" },
        { Good.Replace("[399,65,57]", "399", StringComparison.Ordinal), "trace[3].outputTokens" },
        { Good.Replace("[399,65,57]", "[399,65,-1]", StringComparison.Ordinal), "trace[3].outputTokens[2]" },
        { Good.Replace("[399,65,57]", "[399,\"65\",57]", StringComparison.Ordinal), "trace[3].outputTokens[1]" },
        { Good.Replace("[23,942]", "[23]", StringComparison.Ordinal), "trace[3].observationTokens" },
        { Good.Replace("[23,942]", "[23,-942]", StringComparison.Ordinal), "trace[3].observationTokens[1]" },
        { Good.Replace("[23,942]", "[23,9.5]", StringComparison.Ordinal), "trace[3].observationTokens[1]" },
        { Good.Replace("[0.8,1.2]", "[0.8]", StringComparison.Ordinal), "trace[3].toolSeconds" },
        { Good.Replace("[0.8,1.2]", "[-0.8,1.2]", StringComparison.Ordinal), "trace[3].toolSeconds[0]" },
        { Good.Replace("[0.8,1.2]", "[0.8,\"1.2\"]", StringComparison.Ordinal), "trace[3].toolSeconds[1]" },
        { Good.Replace("[0.8,1.2]", "[0.8,1e999]", StringComparison.Ordinal), "trace[3].toolSeconds[1]" },
        { Good.Replace("\"toolSeconds\":[0.8,1.2]", "\"toolSeconds\":{}", StringComparison.Ordinal), "trace[3].toolSeconds" },
        { Good.Replace("\"t1\"", "\"a\"", StringComparison.Ordinal), "trace[3].id" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Parse_BadFieldOnFourthLine_RejectedNamingTheField(string line, string field)
    {
        var others = string.Join('\n', new[] { "a", "b", "c" }.Select(id => Good.Replace("\"t1\"", $"\"{id}\"", StringComparison.Ordinal)));

        var ex = Assert.Throws<PlanningInputException>(() => RolloutTraceJson.Parse($"{others}\n{line}\n"));

        Assert.Equal(field, ex.Field);
        Assert.StartsWith(field + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateId_NamesTheSecondLineAndTheFirst()
    {
        var ex = Assert.Throws<PlanningInputException>(() => RolloutTraceJson.Parse($"{Good}\n\n{Good}"));

        Assert.Equal("trace[2].id", ex.Field);
        Assert.Contains("trace[0].id", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_GeneratedTrace_OneLinePerTrajectoryAndReadBackEqual()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, prompts: 4, samplesPerPrompt: 3, seed: 5);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        RolloutTraceJson.Write(writer, trace);
        var text = writer.ToString();

        Assert.Equal(12, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(text, RolloutTraceJson.Serialize(RolloutTraceJson.Read(new StringReader(text))));
        Assert.Equal(trace.TotalOutputTokens, RolloutTraceJson.Parse(text).TotalOutputTokens);
        ImmutableArray<int> first = trace.Trajectories[0].OutputTokens;
        Assert.Equal(first.ToArray(), RolloutTraceJson.Parse(text).Trajectories[0].OutputTokens.ToArray());
    }
}
