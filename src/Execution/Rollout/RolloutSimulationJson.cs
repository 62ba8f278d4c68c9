using System.Text;
using System.Text.Json;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// One simulated rollout step as reported: the result, its lower bound, where the trace came from, and, for Heddle, its
/// mechanisms, its training trace and its predictor's held-out quality.
/// </summary>
/// <param name="Result">The simulation's result.</param>
/// <param name="LowerBound">The lower bound of the same trace, budget and cost model (<see cref="RolloutLowerBound.Compute"/>).</param>
/// <param name="Trace">Where the trace came from: a file name, or a generated trace's description (<see cref="RolloutTraceGenerator.Describe"/>).</param>
/// <param name="Seed">The seed of the run.</param>
public sealed record RolloutSimulationReport(RolloutSimulationResult Result, RolloutLowerBound LowerBound, string Trace, int Seed)
{
    /// <summary>Heddle's mechanisms; null for another policy.</summary>
    public HeddleMechanisms? Mechanisms { get; init; }

    /// <summary>Heddle's training trace (<see cref="HeddlePlanner.DescribeTrainingTrace"/>); null for another policy.</summary>
    public string? PredictorTrainedOn { get; init; }

    /// <summary>
    /// For Heddle, how well its predictor ranks the simulated trace's trajectories (held out: it is trained on another
    /// seed), evaluated before the rollout so that online learning does not leak into it (<see cref="HeddlePlanner.EvaluatePredictor"/>).
    /// </summary>
    public PredictorEvaluation? Predictor { get; init; }
}

/// <summary>
/// The JSON document of <c>plan rollout simulate --format json</c>, which other tools read: figures, lower
/// bound, layout, counters, per-instance figures and, for Heddle, its predictor's quality.
/// </summary>
public static class RolloutSimulationJson
{
    /// <summary>The document, indented, as the command prints it (without the final line break).</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(RolloutSimulationReport report)
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
    public static void Write(Utf8JsonWriter writer, RolloutSimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Result;
        var bound = report.LowerBound;
        writer.WriteStartObject();
        writer.WriteString("policy", r.Policy);
        if (report.Mechanisms is { } mechanisms)
        {
            writer.WriteString("mechanisms", HeddleMechanismNames.Format(mechanisms));
        }

        writer.WriteString("model", r.Model);
        writer.WriteNumber("gpus", r.Gpus);
        writer.WriteString("trace", report.Trace);
        writer.WriteNumber("seed", report.Seed);
        writer.WriteNumber("makespanSeconds", r.MakespanSeconds);
        writer.WriteNumber("tokensPerSecond", r.TokensPerSecond);
        writer.WriteNumber("trajectories", r.TrajectoriesCompleted);
        writer.WriteNumber("p99QueueSeconds", r.P99QueueSeconds);
        writer.WriteNumber("totalOutputTokens", r.TotalOutputTokens);
        writer.WriteNumber("lowerBoundSeconds", bound.Seconds);
        writer.WriteNumber("makespanOverLowerBound", r.MakespanSeconds / bound.Seconds);
        writer.WriteStartObject("lowerBound");
        writer.WriteNumber("criticalPathSeconds", bound.CriticalPathSeconds);
        writer.WriteNumber("criticalTrajectory", bound.CriticalTrajectory);
        writer.WriteNumber("throughputSeconds", bound.ThroughputSeconds);
        writer.WriteNumber("contextThroughputSeconds", bound.ContextThroughputSeconds);
        writer.WriteNumber("iterationSharingSeconds", bound.IterationSharingSeconds);
        writer.WriteEndObject();
        if (report.PredictorTrainedOn is { } training)
        {
            writer.WriteString("predictorTrainedOn", training);
        }

        if (report.Predictor is { } predictor)
        {
            // Held-out quality on the simulated trace: rank correlation and top-10% recall of remaining output tokens
            // after each number of completed turns, over the trajectories still running then.
            writer.WriteStartArray("predictor");
            foreach (var checkpoint in predictor.Checkpoints)
            {
                writer.WriteStartObject();
                writer.WriteNumber("completedTurns", checkpoint.CompletedTurns);
                writer.WriteNumber("trajectories", checkpoint.Trajectories);
                writer.WriteNumber("spearman", checkpoint.SpearmanCorrelation);
                writer.WriteNumber("tailRecall", checkpoint.TailRecall);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteStartArray("instanceDegrees");
        foreach (var d in r.InstanceDegrees)
        {
            writer.WriteNumberValue(d);
        }

        writer.WriteEndArray();
        var c = r.Counters;
        writer.WriteStartObject("counters");
        writer.WriteNumber("generatedTokens", c.GeneratedTokens);
        writer.WriteNumber("prefillTokens", c.PrefillTokens);
        writer.WriteNumber("reprefills", c.Reprefills);
        writer.WriteNumber("migrations", c.Migrations);
        writer.WriteNumber("migrationFallbacks", c.MigrationFallbacks);
        writer.WriteNumber("preemptions", c.Preemptions);
        writer.WriteNumber("evictions", c.Evictions);
        writer.WriteNumber("iterations", c.Iterations);
        writer.WriteNumber("regroups", c.Regroups);
        writer.WriteNumber("reloadSeconds", c.ReloadSeconds);
        writer.WriteEndObject();
        writer.WriteStartArray("instances");
        foreach (var i in r.Instances)
        {
            writer.WriteStartObject();
            writer.WriteNumber("tensorParallel", i.TensorParallel);
            writer.WriteNumber("kvCapacityTokens", i.KvCapacityTokens);
            writer.WriteNumber("peakKvTokens", i.PeakKvTokens);
            writer.WriteNumber("busySeconds", i.BusySeconds);
            writer.WriteBoolean("retired", i.Retired);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
