using System.Text.Json;

using Planning.Provers.Equivalence;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>The <c>plan formal equiv --format json</c> shape, byte for byte, as the CLI wrote it before the library did.</summary>
public sealed class EquivalenceResultJsonTests
{
    [Fact]
    public void ToJson_NotEquivalentWithCounterexample_GoldenText()
    {
        // Counterexample keys arrive out of order and are written by ordinal name; the elapsed time is rounded to
        // microseconds (1234.5678 ms -> 1234.568); the writer's default encoder escapes '+' and non-ASCII.
        EquivalenceResult result = new(
            EquivalenceVerdict.NotEquivalent,
            "conclusions differ: x + 1 ≤ 5",
            new Dictionary<string, string> { ["y₂"] = "-1/3", ["x"] = "5" },
            FirstVacuous: false,
            SecondVacuous: true,
            TimeSpan.FromTicks(12_345_678));

        string json = EquivalenceResultJson.ToJson(result);

        Assert.Equal(
            """
            {
              "verdict": "not-equivalent",
              "reason": "conclusions differ: x \u002B 1 \u2264 5",
              "milliseconds": 1234.568,
              "firstVacuous": false,
              "secondVacuous": true,
              "counterexample": {
                "x": "5",
                "y\u2082": "-1/3"
              },
              "closed": false,
              "theoremVerdict": "unknown"
            }
            """,
            json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ToJson_NoCounterexample_OmitsTheField()
    {
        EquivalenceResult result = new(EquivalenceVerdict.Unknown, "timeout", null, false, false, TimeSpan.Zero);

        using JsonDocument document = JsonDocument.Parse(EquivalenceResultJson.ToJson(result));

        Assert.Equal("unknown", document.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("milliseconds").GetDouble());
        Assert.False(document.RootElement.TryGetProperty("counterexample", out _));
    }

    [Fact]
    public void ToJson_ClosedPairNotEquivalentAsTheorems_WritesTheTheoremVerdictAndItsCounterexample()
    {
        EquivalenceResult result = new EquivalenceResult(EquivalenceVerdict.NotEquivalent, "hypotheses differ", null, false, false, TimeSpan.Zero)
        {
            Closed = true,
            TheoremVerdict = EquivalenceVerdict.NotEquivalent,
            TheoremCounterexample = new Dictionary<string, string> { ["x"] = "6" },
        };

        using JsonDocument document = JsonDocument.Parse(EquivalenceResultJson.ToJson(result));

        Assert.True(document.RootElement.GetProperty("closed").GetBoolean());
        Assert.Equal("not-equivalent", document.RootElement.GetProperty("theoremVerdict").GetString());
        Assert.Equal("6", document.RootElement.GetProperty("theoremCounterexample").GetProperty("x").GetString());
        Assert.False(document.RootElement.TryGetProperty("counterexample", out _));
    }

    [Theory]
    [InlineData(EquivalenceVerdict.Equivalent, "equivalent")]
    [InlineData(EquivalenceVerdict.NotEquivalent, "not-equivalent")]
    [InlineData(EquivalenceVerdict.Unknown, "unknown")]
    public void VerdictName_EachVerdict_ContractSpelling(EquivalenceVerdict verdict, string expected)
    {
        Assert.Equal(expected, EquivalenceResultJson.VerdictName(verdict));
    }

    [Fact]
    public void Write_IntoACallersWriter_SameTextAsToJson()
    {
        EquivalenceResult result = new(EquivalenceVerdict.Equivalent, "hypotheses and conclusions equivalent", null, false, false, TimeSpan.FromMilliseconds(2));
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            EquivalenceResultJson.Write(writer, result);
        }

        Assert.Equal(EquivalenceResultJson.ToJson(result), System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
