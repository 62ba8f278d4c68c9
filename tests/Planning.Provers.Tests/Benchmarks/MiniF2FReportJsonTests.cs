using System.Collections.Immutable;

using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;

namespace Planning.Provers.Tests.Benchmarks;

/// <summary>The <c>plan formal minif2f --format json</c> shape, byte for byte, as the CLI wrote it before the harness did.</summary>
public sealed class MiniF2FReportJsonTests
{
    [Fact]
    public void ToJson_SmallReport_GoldenText()
    {
        // Rates rounded to 4 places, timings to 2; only the statement whose self-check was not proven is listed; every
        // kind row is written in the report's order.
        CheckOutcome proven = new(EquivalenceVerdict.Equivalent, "hypotheses and conclusions equivalent", TimeSpan.FromMilliseconds(1));
        CheckOutcome timeout = new(EquivalenceVerdict.Unknown, "timeout", TimeSpan.FromMilliseconds(2000));
        StatementBenchmark good = new("mathd_algebra_24", "mathd_algebra", proven, [], []);
        StatementBenchmark slow = new("amc12a_2015_p10", "amc12", timeout, [], []);
        MutationBenchmarkResult mutations = new(
            2,
            1,
            0,
            [new RewriteKindRow(RewriteKind.Commute, 4, 3, 1, 0, 0)],
            [new MutationKindRow(MutationKind.ChangedConstant, 5, 4, 1, 0, 3, 1, 1)],
            [good, slow]);
        MiniF2FReport report = new(
            3,
            2,
            2,
            [new ConstructCount("parse: SYNTAX", 1)],
            [new FamilyRow("amc12", 1, 1, 1), new FamilyRow("mathd_algebra", 2, 1, 1)],
            new CheckTimings(7, 1.23456, 2000.004, 2000.0051),
            mutations);

        string json = MiniF2FReportJson.ToJson(report);

        Assert.Equal(
            """
            {
              "total": 3,
              "parsed": 2,
              "translated": 2,
              "parseRate": 0.6667,
              "translationRate": 0.6667,
              "unsupported": [
                {
                  "construct": "parse: SYNTAX",
                  "count": 1
                }
              ],
              "families": [
                {
                  "family": "amc12",
                  "total": 1,
                  "parsed": 1,
                  "translated": 1
                },
                {
                  "family": "mathd_algebra",
                  "total": 2,
                  "parsed": 1,
                  "translated": 1
                }
              ],
              "checks": {
                "count": 7,
                "medianMilliseconds": 1.23,
                "p90Milliseconds": 2000,
                "maxMilliseconds": 2000.01
              },
              "mutationBenchmark": {
                "statements": 2,
                "selfProven": 1,
                "selfNotProven": [
                  {
                    "name": "amc12a_2015_p10",
                    "verdict": "unknown",
                    "reason": "timeout"
                  }
                ],
                "withThreeRewritesProven": 0,
                "falseEquivalents": 0,
                "rewrites": [
                  {
                    "kind": "Commute",
                    "total": 4,
                    "proven": 3,
                    "unknown": 1,
                    "refuted": 0,
                    "witnessed": 0
                  }
                ],
                "mutations": [
                  {
                    "kind": "ChangedConstant",
                    "total": 5,
                    "witnessed": 4,
                    "equivalentVerdicts": 1,
                    "falseEquivalents": 0,
                    "notEquivalent": 3,
                    "unknown": 1,
                    "equivalentAcrossTypes": 1
                  }
                ]
              }
            }
            """,
            json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ToJson_NoEntries_ZeroRatesAndEmptyLists()
    {
        MiniF2FReport report = new(0, 0, 0, [], [], CheckTimings.Of([]), new MutationBenchmarkResult(0, 0, 0, [], [], ImmutableArray<StatementBenchmark>.Empty));

        string json = MiniF2FReportJson.ToJson(report);

        Assert.Contains("\"parseRate\": 0,", json, StringComparison.Ordinal);
        Assert.Contains("\"selfNotProven\": []", json, StringComparison.Ordinal);
    }
}
