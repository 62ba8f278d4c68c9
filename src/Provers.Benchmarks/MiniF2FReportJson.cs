using System.Text.Json;

using Planning.Provers.Equivalence;

namespace Planning.Provers.Benchmarks;

/// <summary>
/// Writes a <see cref="MiniF2FReport"/> in the output shape of <c>plan formal minif2f --format json</c>: the counts and
/// rates, unsupported constructs, families, check timings, and the rewrite and mutation benchmark. Fields are only ever
/// added, never renamed or dropped.
/// </summary>
internal static class MiniF2FReportJson
{
    /// <summary>Writes the report as one JSON object.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="report">The report.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void Write(Utf8JsonWriter writer, MiniF2FReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        writer.WriteNumber("total", report.Total);
        writer.WriteNumber("parsed", report.Parsed);
        writer.WriteNumber("translated", report.Translated);
        writer.WriteNumber("parseRate", Math.Round(report.ParseRate, 4));
        writer.WriteNumber("translationRate", Math.Round(report.TranslationRate, 4));
        writer.WriteStartArray("unsupported");
        foreach (ConstructCount construct in report.Unsupported)
        {
            writer.WriteStartObject();
            writer.WriteString("construct", construct.Construct);
            writer.WriteNumber("count", construct.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("families");
        foreach (FamilyRow family in report.Families)
        {
            writer.WriteStartObject();
            writer.WriteString("family", family.Family);
            writer.WriteNumber("total", family.Total);
            writer.WriteNumber("parsed", family.Parsed);
            writer.WriteNumber("translated", family.Translated);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("checks");
        writer.WriteNumber("count", report.Timings.Count);
        writer.WriteNumber("medianMilliseconds", Math.Round(report.Timings.MedianMs, 2));
        writer.WriteNumber("p90Milliseconds", Math.Round(report.Timings.P90Ms, 2));
        writer.WriteNumber("maxMilliseconds", Math.Round(report.Timings.MaxMs, 2));
        writer.WriteEndObject();
        MutationBenchmarkResult mutations = report.Mutations;
        writer.WriteStartObject("mutationBenchmark");
        writer.WriteNumber("statements", mutations.Statements);
        writer.WriteNumber("selfProven", mutations.SelfProven);
        writer.WriteStartArray("selfNotProven");
        foreach (StatementBenchmark failure in mutations.SelfFailures)
        {
            writer.WriteStartObject();
            writer.WriteString("name", failure.Name);
            writer.WriteString("verdict", EquivalenceResultJson.VerdictName(failure.Self.Verdict));
            writer.WriteString("reason", failure.Self.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("withThreeRewritesProven", mutations.WithThreeRewritesProven);
        writer.WriteNumber("falseEquivalents", mutations.FalseEquivalents);
        writer.WriteStartArray("rewrites");
        foreach (RewriteKindRow row in mutations.Rewrites)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", row.Kind.ToString());
            writer.WriteNumber("total", row.Total);
            writer.WriteNumber("proven", row.Proven);
            writer.WriteNumber("unknown", row.Unknown);
            writer.WriteNumber("refuted", row.Refuted);
            writer.WriteNumber("witnessed", row.Witnessed);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("mutations");
        foreach (MutationKindRow row in mutations.Mutations)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", row.Kind.ToString());
            writer.WriteNumber("total", row.Total);
            writer.WriteNumber("witnessed", row.Witnessed);
            writer.WriteNumber("equivalentVerdicts", row.EquivalentVerdicts);
            writer.WriteNumber("falseEquivalents", row.FalseEquivalents);
            writer.WriteNumber("notEquivalent", row.NotEquivalent);
            writer.WriteNumber("unknown", row.Unknown);
            writer.WriteNumber("equivalentAcrossTypes", row.EquivalentAcrossTypes);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The report as an indented JSON document, as <c>plan formal minif2f --format json</c> prints it.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text (no trailing newline).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is <see langword="null"/>.</exception>
    public static string ToJson(MiniF2FReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonText.Indented(writer => Write(writer, report));
    }
}
