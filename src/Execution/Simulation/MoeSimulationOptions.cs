using System.Globalization;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Simulation;

/// <summary>How <see cref="MoeWorkloadSimulation"/> runs the policies over a workload.</summary>
public sealed record MoeSimulationOptions
{
    /// <summary>The defaults: training, an EPLB window of 4 microbatches, UltraEP's default options, the planner's time measured.</summary>
    public static MoeSimulationOptions Default { get; } = new();

    /// <summary>What a step runs. Default <see cref="MoeStepPhase.Training"/>.</summary>
    public MoeStepPhase Phase { get; init; } = MoeStepPhase.Training;

    /// <summary>
    /// The microbatches <c>eplb</c> plans from: the summed (equivalently, mean) loads of the previous
    /// <see cref="EplbWindow"/> microbatches of the same layer, as deployed; the first microbatch uses its own loads.
    /// Default 4.
    /// </summary>
    public int EplbWindow { get; init; } = 4;

    /// <summary>
    /// UltraEP's options. The simulator sets <see cref="UltraEpOptions.ExpertBytes"/> to the model's expert size; the
    /// rest (minimum replica quota, reuse slack) are used as given. Default <see cref="UltraEpOptions.Default"/>.
    /// </summary>
    public UltraEpOptions UltraEp { get; init; } = UltraEpOptions.Default;

    /// <summary>
    /// UltraEP's planner time per layer, in seconds, when fixed (for reproducible figures); <see langword="null"/>
    /// (the default) to measure it: every UltraEP solve is timed <see cref="TimedSolves"/> times after a warm-up, and
    /// the median over all of them is charged to every layer (steady state, as the balance contract measures it).
    /// </summary>
    public double? PlannerSecondsPerLayer { get; init; }

    /// <summary>Timed repeats of each UltraEP solve when the planner's time is measured. Default 5.</summary>
    public int TimedSolves { get; init; } = 5;

    /// <summary>How long the planner is warmed up before timing starts, once for fresh and once for incremental plans (at least one solve each). Default 200 ms.</summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The clock that times the planner.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Receives a line per microbatch, for progress on a console; <see langword="null"/> for none.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public MoeSimulationOptions Validate()
    {
        if (!Enum.IsDefined(Phase))
        {
            throw new PlanningInputException("phase", string.Create(CultureInfo.InvariantCulture, $"must be training or prefill, got {(int)Phase}"));
        }

        if (EplbWindow < 1)
        {
            throw new PlanningInputException("eplbWindow", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {EplbWindow}"));
        }

        ArgumentNullException.ThrowIfNull(UltraEp);
        UltraEp.Validate();
        if (PlannerSecondsPerLayer is { } fixedSeconds && (!(fixedSeconds >= 0) || double.IsInfinity(fixedSeconds)))
        {
            throw new PlanningInputException("plannerSecondsPerLayer", string.Create(CultureInfo.InvariantCulture, $"must be a non-negative number, got {fixedSeconds}"));
        }

        if (TimedSolves < 1)
        {
            throw new PlanningInputException("timedSolves", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {TimedSolves}"));
        }

        if (WarmupDuration < TimeSpan.Zero)
        {
            throw new PlanningInputException("warmupDuration", "must not be negative");
        }

        ArgumentNullException.ThrowIfNull(Clock);
        return this;
    }
}
