using System.Text;
using System.Text.Json;

using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class ExperienceJsonTests
{
    private const string Valid = """{"task":"Restart the pod","domain":"ops","plan":["check logs","restart"],"experience":"logs first","outcome":"success"}""";

    private static PlanningInputException ReadError(string jsonl, string source = "in.jsonl") =>
        Assert.Throws<PlanningInputException>(() => ExperienceJson.ReadJsonl(new StringReader(jsonl), source).ToList());

    private static PlanningInputException ReadBytesError(byte[] bytes) =>
        Assert.Throws<PlanningInputException>(() => ExperienceJson.ReadJsonl(new MemoryStream(bytes), "in.jsonl").ToList());

    private static string With(string field, string json)
    {
        using JsonDocument document = JsonDocument.Parse(Valid);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name != field)
                {
                    property.WriteTo(writer);
                }
            }

            if (json.Length > 0)
            {
                writer.WritePropertyName(field);
                writer.WriteRawValue(json, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void ReadJsonl_ValidLines_AllFieldsRead()
    {
        string full = """{"task":"t","domain":"d","difficulty":"hard","plan":["a","b"],"experience":"e","suggestions":"s","outcome":"failure","outcomeReason":"timeout","source":"smolagents","links":["https://x"],"unknown":{"x":1}}""";
        List<Experience> read = [.. ExperienceJson.ReadJsonl(new StringReader(Valid + "\n\n" + full + "\n"), "in.jsonl")];
        Assert.Equal(2, read.Count);
        Experience second = read[1];
        Assert.Equal(0, second.Id);
        Assert.Equal(("t", "d", "hard", "e", "s", ExperienceOutcome.Failure, "timeout", "smolagents"),
            (second.Task, second.Domain, second.Difficulty, second.ExperienceText, second.Suggestions, second.Outcome, second.OutcomeReason, second.SourceFramework));
        Assert.Equal(["a", "b"], second.Plan);
        Assert.Equal(["https://x"], second.Links);
        Assert.Null(read[0].Difficulty);
        Assert.Empty(read[0].Links);
    }

    [Theory]
    [InlineData("task", "", "in.jsonl line 2: task", "is required")]
    [InlineData("task", "null", "in.jsonl line 2: task", "is required")]
    [InlineData("task", "\"   \"", "in.jsonl line 2: task", "is empty")]
    [InlineData("task", "42", "in.jsonl line 2: task", "expected a string, got a number")]
    [InlineData("domain", "", "in.jsonl line 2: domain", "is required")]
    [InlineData("experience", "", "in.jsonl line 2: experience", "is required")]
    [InlineData("outcome", "", "in.jsonl line 2: outcome", "is required")]
    [InlineData("outcome", "\"partial\"", "in.jsonl line 2: outcome", "'partial' is not one of 'success', 'failure'")]
    [InlineData("outcome", "\"Success\"", "in.jsonl line 2: outcome", "'Success' is not one of 'success', 'failure'")]
    [InlineData("plan", "", "in.jsonl line 2: plan", "is required")]
    [InlineData("plan", "[]", "in.jsonl line 2: plan", "needs at least one step")]
    [InlineData("plan", "\"one step\"", "in.jsonl line 2: plan", "expected an array of strings, got a string")]
    [InlineData("plan", "[\"a\", 3]", "in.jsonl line 2: plan[1]", "expected a string, got a number")]
    [InlineData("plan", "[\"a\", \"\"]", "in.jsonl line 2: plan[1]", "is empty")]
    [InlineData("links", "[\"ok\", null]", "in.jsonl line 2: links[1]", "expected a string, got null")]
    [InlineData("difficulty", "7", "in.jsonl line 2: difficulty", "expected a string or null, got a number")]
    [InlineData("domain", "\"ops\\u0007\"", "in.jsonl line 2: domain", "holds the control character U+0007 at character 3")]
    [InlineData("domain", "\"o\\tps\"", "in.jsonl line 2: domain", "holds the control character U+0009 at character 1")]
    [InlineData("experience", "\"a\\u0000b\"", "in.jsonl line 2: experience", "holds the control character U+0000 at character 1")]
    [InlineData("experience", "\"a\\u0085b\"", "in.jsonl line 2: experience", "holds the control character U+0085 at character 1")]
    [InlineData("task", "\"bad \\ud800 surrogate\"", "in.jsonl line 2: task", "holds an unpaired surrogate (invalid Unicode)")]
    public void ReadJsonl_BrokenRule_ErrorNamesLineAndField(string field, string json, string expectedField, string expectedProblem)
    {
        PlanningInputException error = ReadError(Valid + "\n" + With(field, json) + "\n");
        Assert.Equal(expectedField, error.Field);
        Assert.Equal(expectedProblem, error.Problem);
        Assert.Equal($"{expectedField}: {expectedProblem}", error.Message);
    }

    [Fact]
    public void ReadJsonl_FreeTextWhiteSpaceControls_Allowed()
    {
        Experience read = ExperienceJson.ReadJsonl(new StringReader(With("experience", "\"line one\\nline\\ttwo\\r\\n\"")), "in.jsonl").Single();
        Assert.Equal("line one\nline\ttwo\r\n", read.ExperienceText);
    }

    [Theory]
    [InlineData("task", ExperienceLimits.MaxTaskChars)]
    [InlineData("domain", ExperienceLimits.MaxDomainChars)]
    [InlineData("experience", ExperienceLimits.MaxExperienceChars)]
    [InlineData("suggestions", ExperienceLimits.MaxSuggestionsChars)]
    [InlineData("outcomeReason", ExperienceLimits.MaxOutcomeReasonChars)]
    [InlineData("source", ExperienceLimits.MaxSourceChars)]
    [InlineData("difficulty", ExperienceLimits.MaxDifficultyChars)]
    public void ReadJsonl_TextAtAndOverLimit_OverRejected(string field, int limit)
    {
        Assert.Single(ExperienceJson.ReadJsonl(new StringReader(With(field, $"\"{new string('x', limit)}\"")), "in.jsonl"));
        PlanningInputException error = ReadError(With(field, $"\"{new string('x', limit + 1)}\""));
        Assert.Equal($"in.jsonl line 1: {field}", error.Field);
        Assert.Equal($"{limit + 1} characters, more than the limit of {limit}", error.Problem);
    }

    [Fact]
    public void ReadJsonl_TooManyStepsOrLinks_Rejected()
    {
        string steps = "[" + string.Join(',', Enumerable.Repeat("\"s\"", ExperienceLimits.MaxSteps + 1)) + "]";
        PlanningInputException error = ReadError(With("plan", steps));
        Assert.Equal("in.jsonl line 1: plan", error.Field);
        Assert.Equal($"{ExperienceLimits.MaxSteps + 1} entries, more than the limit of {ExperienceLimits.MaxSteps}", error.Problem);
        string links = "[" + string.Join(',', Enumerable.Repeat("\"l\"", ExperienceLimits.MaxLinks + 1)) + "]";
        Assert.Equal("in.jsonl line 1: links", ReadError(With("links", links)).Field);
        PlanningInputException longStep = ReadError(With("plan", $"[\"ok\", \"{new string('s', ExperienceLimits.MaxStepChars + 1)}\"]"));
        Assert.Equal("in.jsonl line 1: plan[1]", longStep.Field);
    }

    [Fact]
    public void ReadJsonl_MalformedOrNotAnObject_ErrorNamesLine()
    {
        PlanningInputException malformed = ReadError(Valid + "\n" + Valid + "\n{\"task\": \n");
        Assert.Equal("in.jsonl line 3", malformed.Field);
        Assert.StartsWith("malformed JSON at byte", malformed.Problem, StringComparison.Ordinal);
        PlanningInputException array = ReadError("[1, 2]");
        Assert.Equal("in.jsonl line 1", array.Field);
        Assert.Equal("expected a JSON object, got an array", array.Problem);
    }

    [Fact]
    public void ReadJsonl_InvalidUtf8Bytes_RejectedWithLineAndByte()
    {
        byte[] good = Encoding.UTF8.GetBytes(Valid + "\n");
        byte[] bad = Encoding.UTF8.GetBytes(With("task", "\"caf\u00e9\"")); // "café": é is C3 A9
        int e = Array.IndexOf(bad, (byte)0xC3);
        bad[e + 1] = 0x28; // C3 28: a lead byte without its continuation
        PlanningInputException error = ReadBytesError([.. good, .. bad, (byte)'\n']);
        Assert.Equal("in.jsonl line 2", error.Field);
        Assert.Equal($"not valid UTF-8 (byte {e + 1} of the line)", error.Problem);
    }

    [Fact]
    public void ReadJsonl_BytesWithBomAndCrLf_SameAsText()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Valid + "\r\n\r\n" + With("task", "\"Zürich 東京 🚀\"") + "\r\n")];
        List<Experience> read = [.. ExperienceJson.ReadJsonl(new MemoryStream(bytes), "in.jsonl")];
        Assert.Equal(["Restart the pod", "Zürich 東京 🚀"], read.Select(static experience => experience.Task));
        Assert.Equal(["check logs", "restart"], read[1].Plan);
    }

    [Fact]
    public void ReadJsonl_BytesLineOverLimit_Rejected()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Valid + "\n"), .. Encoding.UTF8.GetBytes(With("experience", $"\"{new string('x', ExperienceLimits.MaxLineBytes)}\"")), (byte)'\n'];
        PlanningInputException error = ReadBytesError(bytes);
        Assert.Equal("in.jsonl line 2", error.Field);
        Assert.Equal($"the line has more than {ExperienceLimits.MaxLineBytes} bytes", error.Problem);
    }

    [Fact]
    public void Parse_EmptyLocation_FieldAlone()
    {
        using JsonDocument document = JsonDocument.Parse(With("outcome", "\"maybe\""));
        PlanningInputException error = Assert.Throws<PlanningInputException>(() => ExperienceJson.Parse(document.RootElement, string.Empty));
        Assert.Equal("outcome", error.Field);
    }

    [Fact]
    public void Write_ThenParse_SameExperience()
    {
        var experience = new Experience(7, "t \"quoted\" 🚀", "d", "easy", ["a", "b\nc"], "e", null, ExperienceOutcome.Failure, "r", "src", ["l1", "l2"]);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ExperienceJson.Write(writer, experience);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(7, document.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("failure", document.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("suggestions").ValueKind);
        Experience back = ExperienceJson.Parse(document.RootElement, "x");
        Assert.Equal(experience with { Id = 0, Plan = back.Plan, Links = back.Links }, back);
        Assert.Equal(experience.Plan, back.Plan);
        Assert.Equal(experience.Links, back.Links);
    }
}
