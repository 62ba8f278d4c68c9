using System.Globalization;
using Planning.Moe.Reordering;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Moe;

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
    /// Microbatches per batch for <c>ultraep-reorder</c>: the masters are reordered across domains before every
    /// batch, from the previous batch's loads. Default 8.
    /// </summary>
    public int ReorderEvery { get; init; } = 8;

    /// <summary>
    /// The microbatches <c>ultraep-reorder</c> reorders from: the summed loads of the last <see cref="ReorderWindow"/>
    /// microbatches before the batch (at most the previous batch). Default 2: expert popularity drifts, so the latest
    /// loads predict the next batch better than older ones, and two microbatches halve the routing noise of one.
    /// </summary>
    public int ReorderWindow { get; init; } = 2;

    /// <summary>
    /// Whether <c>ultraep-reorder</c> knows the batch's own loads before it starts, as RL training does from routing
    /// replay (the rollout recorded every token's experts; ReLibra's setting): the reordering then balances the batch's
    /// own microbatches instead of the last <see cref="ReorderWindow"/> before it. Default <see langword="false"/>
    /// (history, as pre-training must).
    /// </summary>
    public bool ReorderFromReplay { get; init; }

    /// <summary>How <c>ultraep-reorder</c> reorders (tolerance, least gain, swap budget). Default <see cref="DomainReorderingOptions.Default"/>.</summary>
    public DomainReorderingOptions Reordering { get; init; } = DomainReorderingOptions.Default;

    /// <summary>
    /// Bytes that move with one expert when <c>ultraep-reorder</c> swaps it to another domain; <see langword="null"/>
    /// (the default) for the model's <see cref="MoeModelConfig.ExpertStateBytes"/> in the phase (weights, plus in
    /// training fp32 main weights and Adam's two moments).
    /// </summary>
    public long? ReorderBytesPerExpert { get; init; }

    /// <summary>
    /// UltraEP's planner time per layer, in seconds, when fixed (for reproducible figures); <see langword="null"/>
    /// (the default) to measure it: every solve of <c>ultraep</c> (of <c>ultraep-reorder</c> when <c>ultraep</c> does not
    /// run) is timed <see cref="TimedSolves"/> times after a warm-up, and the median over all of them is charged to every
    /// layer of both (steady state, as the balance contract measures it).
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

        if (ReorderEvery < 1)
        {
            throw new PlanningInputException("reorderEvery", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {ReorderEvery}"));
        }

        if (ReorderWindow < 1)
        {
            throw new PlanningInputException("reorderWindow", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {ReorderWindow}"));
        }

        if (ReorderBytesPerExpert is < 0)
        {
            throw new PlanningInputException("reorderBytesPerExpert", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {ReorderBytesPerExpert}"));
        }

        ArgumentNullException.ThrowIfNull(Reordering);
        Reordering.Validate();
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
