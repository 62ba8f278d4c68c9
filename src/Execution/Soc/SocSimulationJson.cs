using System.Text;
using System.Text.Json;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>
/// The JSON document of <c>plan soc simulate --format json</c>, which other tools read (docs/contracts.md):
/// <c>reactive.p50LatencyMs</c>, <c>reactive.p95LatencyMs</c>, <c>reactive.count</c>, <c>proactive.tokensPerSecond</c>,
/// <c>proactive.count</c> and the rest of the result. A figure with no value (no reactive request, say) is null.
/// </summary>
public static class SocSimulationJson
{
    /// <summary>The document, indented, as the command prints it (without the final line break).</summary>
    /// <param name="result">The result.</param>
    /// <param name="workload">Where the workload came from (a file name), for the report.</param>
    /// <param name="soc">The SoC's name.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(SocSimulationResult result, string workload, string soc)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(soc);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, result, workload, soc);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the document as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="result">The result.</param>
    /// <param name="workload">Where the workload came from.</param>
    /// <param name="soc">The SoC's name.</param>
    public static void Write(Utf8JsonWriter writer, SocSimulationResult result, string workload, string soc)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteString("policy", result.Policy);
        writer.WriteString("settings", result.Settings);
        writer.WriteString("model", result.Model);
        writer.WriteString("soc", soc);
        writer.WriteString("workload", workload);
        writer.WriteNumber("requests", result.Requests);
        writer.WriteStartObject("reactive");
        writer.WriteNumber("count", result.Reactive.Count);
        Number(writer, "p50LatencyMs", result.Reactive.P50LatencyMs);
        Number(writer, "p95LatencyMs", result.Reactive.P95LatencyMs);
        Number(writer, "meanLatencyMs", result.Reactive.MeanLatencyMs);
        Number(writer, "p50FirstTokenMs", result.Reactive.P50FirstTokenMs);
        Number(writer, "p50LowerBoundMs", result.Reactive.P50LowerBoundMs);
        writer.WriteEndObject();
        writer.WriteStartObject("proactive");
        writer.WriteNumber("count", result.Proactive.Count);
        Number(writer, "tokensPerSecond", result.Proactive.TokensPerSecond);
        writer.WriteNumber("outputTokens", result.Proactive.OutputTokens);
        Number(writer, "spanMs", result.Proactive.SpanMs);
        Number(writer, "meanLatencyMs", result.Proactive.MeanLatencyMs);
        writer.WriteEndObject();
        Number(writer, "makespanMs", result.MakespanMs);
        Number(writer, "peakDramUtilization", result.PeakDramUtilization);
        writer.WriteStartArray("lanes");
        foreach (var lane in result.Lanes)
        {
            writer.WriteStartObject();
            writer.WriteString("lane", SocSpec.Name(lane.Lane));
            Number(writer, "busyMs", lane.BusyMs);
            writer.WriteNumber("runs", lane.Runs);
            Number(writer, "utilization", result.MakespanMs > 0 ? lane.BusyMs / result.MakespanMs : double.NaN);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
