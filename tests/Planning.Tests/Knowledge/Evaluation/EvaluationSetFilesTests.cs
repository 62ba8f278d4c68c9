using System.Text.Json;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;

namespace Planning.Tests.Knowledge.Evaluation;

public sealed class EvaluationSetFilesTests
{
    [Fact]
    public void WriteExperiences_AnyIds_WritesLineNumbersAsIds()
    {
        Experience[] experiences =
        [
            new(42, "Find a flight", "web", null, ["Open the site"], "Fine.", null, ExperienceOutcome.Success, null, null, []),
            new(0, "Fix the build", "code", "hard", ["Read the log", "Fix it"], "Done.", "Read first", ExperienceOutcome.Failure, "timeout", "x", ["https://example.invalid"]),
        ];
        using var writer = new StringWriter();

        int count = EvaluationSetFiles.WriteExperiences(writer, experiences);

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, count);
        Assert.Equal(2, lines.Length);
        Assert.Equal(1, JsonDocument.Parse(lines[0]).RootElement.GetProperty("id").GetInt64());
        Assert.Equal(2, JsonDocument.Parse(lines[1]).RootElement.GetProperty("id").GetInt64());
        Experience[] read = [.. ExperienceJson.ReadJsonl(new StringReader(writer.ToString()), "x.jsonl")];
        Assert.Equal(experiences.Select(e => e with { Id = 0 }).Select(e => (e.Task, e.Domain, e.Difficulty, string.Join("|", e.Plan), e.Outcome, e.OutcomeReason)),
            read.Select(e => (e.Task, e.Domain, e.Difficulty, string.Join("|", e.Plan), e.Outcome, e.OutcomeReason)));
    }
}
