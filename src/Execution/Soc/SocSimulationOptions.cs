namespace Planning.Execution.Soc;

/// <summary>How <see cref="SocSimulator"/> runs.</summary>
public sealed record SocSimulationOptions
{
    /// <summary>The defaults.</summary>
    public static SocSimulationOptions Default { get; } = new();

    /// <summary>Whether the result keeps every run (<see cref="SocSimulationResult.Timeline"/>) for tests and plots. Default true.</summary>
    public bool RecordTimeline { get; init; } = true;
}
