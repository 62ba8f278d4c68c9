using System.Collections.Immutable;

using FsCheck;
using FsCheck.Xunit;

using Planning.Provers.Selection;

namespace Planning.Provers.Tests.Selection;

/// <summary>The <c>plan formal select</c> JSON: the candidates document read, and the result written byte for byte.</summary>
public sealed class SelectionJsonTests
{
    [Fact]
    public void ToJson_ScoredAndUnparsedCandidates_GoldenText()
    {
        // Scores rounded to 6 places, milliseconds to 1; an unparsed candidate has null scores and its error (the
        // default encoder escapes the apostrophes).
        CandidateScore first = new(0.5, 0.81234567, 0.3333333333, 0.4444444444, -1.23456789);
        CandidateScore second = new(0.25, -0.1, 0.2, 0.1, -2);
        SelectionResult result = new(
            0,
            [[0, 2], [1], [3]],
            [first, second, first, null],
            [null, null, null, "line 1, column 47: expected a term but found ')'"],
            ["Show that x = 6.", "Show that x = 6.", "Show that p = 6.", null],
            EquivalenceChecks: 3,
            SkippedPairs: 1,
            IdenticalPairs: 0,
            TimeSpan.FromMilliseconds(1234.56));

        string json = SelectionJson.ToJson(result);

        Assert.Equal(
            """
            {
              "selected": 0,
              "clusters": [
                [
                  0,
                  2
                ],
                [
                  1
                ],
                [
                  3
                ]
              ],
              "scores": [
                {
                  "symbolic": 0.5,
                  "semantic": 0.812346,
                  "combined": -1.234568,
                  "normalizedSymbolic": 0.333333,
                  "normalizedSemantic": 0.444444,
                  "informalization": "Show that x = 6."
                },
                {
                  "symbolic": 0.25,
                  "semantic": -0.1,
                  "combined": -2,
                  "normalizedSymbolic": 0.2,
                  "normalizedSemantic": 0.1,
                  "informalization": "Show that x = 6."
                },
                {
                  "symbolic": 0.5,
                  "semantic": 0.812346,
                  "combined": -1.234568,
                  "normalizedSymbolic": 0.333333,
                  "normalizedSemantic": 0.444444,
                  "informalization": "Show that p = 6."
                },
                {
                  "symbolic": null,
                  "semantic": null,
                  "combined": null,
                  "error": "line 1, column 47: expected a term but found \u0027)\u0027"
                }
              ],
              "equivalenceChecks": 3,
              "skippedPairs": 1,
              "milliseconds": 1234.6
            }
            """,
            json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ReadCandidates_Document_InformalAndStatementsInOrder()
    {
        SelectionCandidates candidates = SelectionJson.ReadCandidates(
            """{ "informal": "Show that x = 6.", "candidates": [ "theorem a : 1 = 1", "theorem b : 2 = 2" ], "extra": 1 }""");

        Assert.Equal("Show that x = 6.", candidates.Informal);
        Assert.Equal<string>(["theorem a : 1 = 1", "theorem b : 2 = 2"], candidates.Statements);
    }

    [Property(MaxTest = 100)]
    public void ReadCandidates_WrittenCandidates_RoundTrip(NonWhiteSpaceString informal, NonEmptyArray<NonNull<string>> statements)
    {
        SelectionCandidates written = new(informal.Get, [.. statements.Get.Select(static statement => statement.Get)]);

        SelectionCandidates read = SelectionJson.ReadCandidates(SelectionJson.ToJson(written));

        Assert.Equal(written.Informal, read.Informal);
        Assert.Equal<string>(written.Statements, read.Statements);
    }

    [Theory]
    [InlineData("{\"candidates\": [\"theorem t : 1 = 1\"]}", "informal", "expected a non-empty string")]
    [InlineData("{\"informal\": \"  \", \"candidates\": [\"theorem t : 1 = 1\"]}", "informal", "expected a non-empty string")]
    [InlineData("{\"informal\": \"x\", \"candidates\": []}", "candidates", "expected a non-empty array of Lean statements")]
    [InlineData("{\"informal\": \"x\", \"candidates\": \"theorem t : 1 = 1\"}", "candidates", "expected a non-empty array of Lean statements")]
    [InlineData("{\"informal\": \"x\", \"candidates\": [\"theorem t : 1 = 1\", 7]}", "candidates[1]", "expected a string, got number")]
    [InlineData("[1, 2]", "CANDIDATES.json", "expected a JSON object with 'informal' and 'candidates'")]
    public void ReadCandidates_BadField_ThrowsNamingTheField(string json, string field, string problem)
    {
        ProversInputException error = Assert.Throws<ProversInputException>(() => SelectionJson.ReadCandidates(json, "CANDIDATES.json"));

        Assert.Equal(field, error.Field);
        Assert.Equal(problem, error.Problem);
        Assert.Equal($"{field}: {problem}", error.Message);
    }

    [Fact]
    public void ReadCandidates_MalformedJson_ThrowsNamingTheDocument()
    {
        ProversInputException error = Assert.Throws<ProversInputException>(() => SelectionJson.ReadCandidates("{\"informal\": ", "--input"));

        Assert.Equal("--input", error.Field);
        Assert.StartsWith("malformed JSON: ", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Candidates_InformalThenCandidates()
    {
        SelectionCandidates candidates = new("informal", ImmutableArray.Create("theorem a : 1 = 1"));

        Assert.Equal(
            """
            {
              "informal": "informal",
              "candidates": [
                "theorem a : 1 = 1"
              ]
            }
            """,
            SelectionJson.ToJson(candidates).ReplaceLineEndings("\n"));
    }
}
