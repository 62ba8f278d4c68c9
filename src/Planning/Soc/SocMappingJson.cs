using System.Text.Json;
using Planning.Solving;

namespace Planning.Soc;

/// <summary>
/// The JSON of <c>plan soc map</c> (docs/contracts.md): <c>status</c>, <c>makespanMs</c>, <c>lowerBoundMs</c>,
/// <c>assignments</c> (<c>kernel</c>, <c>accelerator</c>) and <c>solveMilliseconds</c>, extended with the objective,
/// the gap, the bottleneck model's optimum and bound, the bounds that make up the lower bound, the busy times and each
/// kernel's times.
/// </summary>
public static class SocMappingJson
{
    /// <summary>Writes a mapping.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="result">The mapping.</param>
    /// <param name="cost">The cost model it was made with (model, SoC and chunk are reported).</param>
    /// <param name="promptTokens">The prompt it maps.</param>
    public static void Write(Utf8JsonWriter writer, SocMappingResult result, SocCostModel cost, int promptTokens)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cost);
        writer.WriteStartObject();
        writer.WriteString("status", Status(result.Status));
        Number(writer, "makespanMs", result.MakespanMilliseconds);
        writer.WriteNumber("lowerBoundMs", result.LowerBoundMilliseconds);
        Number(writer, "gap", result.Gap);
        writer.WriteString("objective", result.Objective == SocMappingObjective.Makespan ? "makespan" : "bottleneck");
        Number(writer, "bottleneckMs", result.BottleneckMilliseconds);
        writer.WriteString("bottleneckStatus", Status(result.BottleneckStatus));
        writer.WriteNumber("bottleneckBoundMs", result.BottleneckBoundMilliseconds);
        writer.WriteNumber("criticalPathMs", result.CriticalPathMilliseconds);
        writer.WriteNumber("dramMs", result.DramMilliseconds);
        writer.WriteNumber("peakDramBytesPerSecond", result.PeakDramBytesPerSecond);
        writer.WriteNumber("solveMilliseconds", result.SolveMilliseconds);
        writer.WriteString("model", cost.Model.Name);
        writer.WriteString("soc", cost.Soc.Hardware.Name);
        writer.WriteNumber("promptTokens", promptTokens);
        writer.WriteNumber("chunkTokens", cost.ChunkTokens);
        writer.WriteStartObject("busyMs");
        foreach (var accelerator in cost.Soc.Accelerators)
        {
            if (result.BusyMilliseconds.TryGetValue(accelerator, out var busy))
            {
                writer.WriteNumber(SocSpec.Name(accelerator), busy);
            }
        }

        writer.WriteEndObject();
        writer.WriteStartArray("infeasibleConstraints");
        foreach (var family in result.InfeasibleConstraints)
        {
            writer.WriteStringValue(family);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("assignments");
        foreach (var assignment in result.Assignments)
        {
            writer.WriteStartObject();
            writer.WriteString("kernel", assignment.Kernel.Name);
            writer.WriteString("accelerator", SocSpec.Name(assignment.Accelerator));
            writer.WriteNumber("startMs", assignment.StartMilliseconds);
            writer.WriteNumber("endMs", assignment.EndMilliseconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The contract's name of a status: <c>optimal</c>, <c>feasible</c>, <c>infeasible</c>, <c>unknown</c>, <c>model-invalid</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>Its name.</returns>
    public static string Status(SolveStatus status) => status switch
    {
        SolveStatus.Optimal => "optimal",
        SolveStatus.Feasible => "feasible",
        SolveStatus.Infeasible => "infeasible",
        SolveStatus.ModelInvalid => "model-invalid",
        _ => "unknown",
    };

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
