using System.Text;
using System.Text.Json;
using Planning.Soc;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// The JSON document of <c>plan soc run --format json</c>: the lanes and their calibration, and per case the reactive
/// latencies (<c>reactive.p50LatencyMs</c>, <c>reactive.p95LatencyMs</c>, <c>reactive.count</c>, as
/// <c>plan soc simulate</c> names them) and the proactive throughput (<c>proactive.tokensPerSecond</c>,
/// <c>proactive.count</c>), then the target's two ratios.
/// </summary>
public static class SocRuntimeJson
{
    /// <summary>The document, indented, as the command prints it (without the final line break).</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(SocRuntimeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, report);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the document as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="report">The report.</param>
    public static void Write(Utf8JsonWriter writer, SocRuntimeReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        writer.WriteString("model", report.Model);
        writer.WriteString("workload", report.Workload);
        writer.WriteString("policy", report.Settings.Policy);
        writer.WriteString("baseline", report.Settings.Baseline);
        writer.WriteNumber("durationMs", report.Settings.DurationMs);
        writer.WriteNumber("capMs", report.Settings.DurationMs * report.Settings.CapFactor);
        writer.WriteNumber("timeScale", report.TimeScale);
        writer.WriteStartArray("lanes");
        foreach (var lane in report.Options.Lanes)
        {
            writer.WriteStartObject();
            writer.WriteString("lane", SocSpec.Name(lane.Lane));
            writer.WriteNumber("intraOpThreads", lane.IntraOpThreads);
            writer.WriteNumber("interOpThreads", lane.InterOpThreads);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("calibration");
        foreach (var c in report.Calibrations)
        {
            writer.WriteStartObject();
            writer.WriteString("lane", SocSpec.Name(c.Lane));
            writer.WriteString("shape", c.Shape.Name);
            writer.WriteNumber("width", c.Shape.Width);
            writer.WriteNumber("depth", c.Shape.Depth);
            writer.WriteNumber("fixedMs", c.FixedMs);
            writer.WriteNumber("msPerRow", c.MsPerRow);
            writer.WriteNumber("maxAbsError", c.MaxAbsError);
            writer.WriteStartArray("checks");
            foreach (var check in c.Checks)
            {
                writer.WriteStartObject();
                writer.WriteNumber("targetMs", check.TargetMs);
                writer.WriteNumber("rows", check.Rows);
                writer.WriteNumber("measuredMs", check.MeasuredMs);
                writer.WriteNumber("error", check.Error);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("cases");
        foreach (var c in report.Cases)
        {
            var r = c.Result;
            writer.WriteStartObject();
            writer.WriteString("name", c.Name);
            writer.WriteString("policy", c.Policy);
            writer.WriteNumber("round", c.Round);
            writer.WriteNumber("elapsedMs", r.ElapsedMs);
            writer.WriteBoolean("reachedHorizon", r.ReachedHorizon);
            writer.WriteNumber("runs", r.Timeline.Length);
            writer.WriteNumber("abortedRuns", r.Timeline.Count(run => run.Aborted));
            writer.WriteStartObject("reactive");
            WriteNullable(writer, "p50LatencyMs", c.ReactiveP50Ms);
            WriteNullable(writer, "p95LatencyMs", c.ReactiveP95Ms);
            writer.WriteNumber("count", r.Count(SocRequestKind.Reactive));
            writer.WriteNumber("unfinished", r.Unfinished(SocRequestKind.Reactive));
            writer.WriteEndObject();
            writer.WriteStartObject("proactive");
            writer.WriteNumber("tokensPerSecond", c.ProactiveTokensPerSecond);
            writer.WriteNumber("count", r.Count(SocRequestKind.Proactive));
            writer.WriteNumber("unfinished", r.Unfinished(SocRequestKind.Proactive));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("target");
        writer.WriteNumber("rounds", report.Settings.Rounds);
        WriteNullable(writer, "reactiveP95Ratio", report.ReactiveP95Ratio);
        WriteNullable(writer, "proactiveThroughputRatio", report.ProactiveThroughputRatio);
        writer.WriteBoolean("met", report.MeetsTarget);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
