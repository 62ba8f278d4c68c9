using Planning.Moe;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// Times the solves of the planner on the critical path: a warm-up per path (fresh, then incremental), then every
/// solve repeated <see cref="MoeSimulationOptions.TimedSolves"/> times; or, when the options fix the time, plans once
/// untimed and reports the fixed figure.
/// </summary>
/// <param name="options">The simulation's options (fixed time, repeats, warm-up, clock).</param>
internal sealed class MoePlannerTimer(MoeSimulationOptions options)
{
    private readonly List<double> _samples = [];
    private bool _warmFresh;
    private bool _warmIncremental;

    /// <summary>Plans a layer, timing it unless the time is fixed.</summary>
    /// <param name="planner">The planner.</param>
    /// <param name="problem">The layer.</param>
    /// <returns>The plan (the last of the timed repeats: the planner is deterministic).</returns>
    public LayerPlan Plan(IBalancingPolicy planner, MoeLayerProblem problem)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(problem);
        if (options.PlannerSecondsPerLayer is not null)
        {
            return planner.Plan(problem);
        }

        // Warm up each path once (a fresh plan, then the first incremental one): both reach steady state untimed.
        var clock = options.Clock;
        var incremental = problem.Previous is not null;
        if (incremental ? !_warmIncremental : !_warmFresh)
        {
            var started = clock.GetTimestamp();
            for (var i = 0; i < 10_000 && (i == 0 || clock.GetElapsedTime(started) < options.WarmupDuration); i++)
            {
                planner.Plan(problem);
            }

            _warmFresh |= !incremental;
            _warmIncremental |= incremental;
        }

        LayerPlan? plan = null;
        for (var i = 0; i < options.TimedSolves; i++)
        {
            var started = clock.GetTimestamp();
            plan = planner.Plan(problem);
            _samples.Add(clock.GetElapsedTime(started).TotalMicroseconds);
        }

        return plan!;
    }

    /// <summary>The time to charge per layer: the fixed time, or the median and 99th percentile of the timed solves (0 when none was timed).</summary>
    /// <returns>Median and p99, in seconds.</returns>
    public (double Median, double P99) Result()
    {
        if (options.PlannerSecondsPerLayer is { } fixedSeconds)
        {
            return (fixedSeconds, fixedSeconds);
        }

        var timing = SolveTiming.From(_samples);
        return (timing.MedianMicroseconds / 1e6, timing.P99Microseconds / 1e6);
    }
}
