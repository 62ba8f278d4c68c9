using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>The inference cost models the rollout simulator and planners can run on.</summary>
public enum InferenceCostModelKind
{
    /// <summary><c>modern</c>: <see cref="ModernCostModel"/>, fitted to public measurements of today's engines (NIM, vLLM); the default.</summary>
    Modern,

    /// <summary><c>splitwise</c>: <see cref="CalibratedCostModel"/>, fitted to Splitwise's 2023 measurements of Llama-2-70B; the sensitivity check.</summary>
    Splitwise,
}

/// <summary>
/// The one place that maps a cost model's name (as the command line spells it: <c>modern</c>, <c>splitwise</c>) to
/// the <see cref="IInferenceCostModel"/> of a named model on some hardware.
/// </summary>
public static class InferenceCostModels
{
    /// <summary>The names, in the order of <see cref="InferenceCostModelKind"/>'s values; the first is the default.</summary>
    public static ImmutableArray<string> Names { get; } = ["modern", "splitwise"];

    /// <summary>The default: <see cref="InferenceCostModelKind.Modern"/>.</summary>
    public static InferenceCostModelKind Default => InferenceCostModelKind.Modern;

    /// <summary>The command-line name of a cost model.</summary>
    /// <param name="kind">The cost model.</param>
    /// <returns>Its name, such as <c>modern</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined cost model.</exception>
    public static string Name(InferenceCostModelKind kind) =>
        Enum.IsDefined(kind) ? Names[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined cost model");

    /// <summary>Looks a cost model up by its command-line name (exact, lower case).</summary>
    /// <param name="name">The name.</param>
    /// <param name="field">The field errors name, such as <c>--cost-model</c>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <paramref name="field"/>).</exception>
    public static InferenceCostModelKind Parse(string? name, string field = "costModel")
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        return index >= 0
            ? (InferenceCostModelKind)index
            : throw new PlanningInputException(field, $"must be one of {string.Join(", ", Names)}, got \"{name}\"");
    }

    /// <summary>The cost model of an embedded model (<see cref="CalibratedCostModel.ModelNames"/>) on some hardware.</summary>
    /// <param name="kind">Which cost model.</param>
    /// <param name="model">An embedded model, such as <c>8b</c>.</param>
    /// <param name="hardware">The GPU and engine; null for <see cref="CalibratedCostModel.DefaultHardware"/>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The model is unknown or fits at no degree of the hardware (field <c>model</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not a defined cost model.</exception>
    public static IInferenceCostModel ForModel(InferenceCostModelKind kind, string model, InferenceHardware? hardware = null) => kind switch
    {
        InferenceCostModelKind.Modern => ModernCostModel.ForModel(model, hardware),
        InferenceCostModelKind.Splitwise => CalibratedCostModel.ForModel(model, hardware),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined cost model"),
    };
}
