namespace Planning.Solving;

/// <summary>
/// How a solver call may run. A time limit is always set: a solve that reaches it returns the best it has, or
/// <see cref="SolveStatus.Unknown"/>, and never hangs.
/// </summary>
public sealed record SolverOptions
{
    /// <summary>The default options: 10 s, seed 0, workers chosen from the machine.</summary>
    public static SolverOptions Default { get; } = new();

    /// <summary>Wall-clock limit of one solve. Must be positive. Default 10 s.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Random seed of the solver's search; with one worker, a fixed seed gives the same result every run.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Parallel search workers; 0 (the default) means one per processor, at most 8. With more than one worker the
    /// search is parallel and the solution found before the time limit may vary between runs; a proven optimum's
    /// objective does not.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>
    /// An optional limit on the search's work in CP-SAT's deterministic time units (about a second of one core's work
    /// each), checked besides <see cref="TimeLimit"/>; <see langword="null"/> (the default) for none. With one worker
    /// and a fixed seed, a solve that stops on this limit returns the same solution however loaded the machine is,
    /// where one that stops on the wall-clock limit may not. Linear programs ignore it.
    /// </summary>
    public double? DeterministicTimeLimit { get; init; }

    /// <summary>The clock used to measure wall time; inject a fake one in tests.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The number of workers a solve will actually use.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Checks the options and throws <see cref="PlanningInputException"/> naming the bad field.</summary>
    /// <returns>These options.</returns>
    public SolverOptions Validate()
    {
        if (TimeLimit <= TimeSpan.Zero)
        {
            throw new PlanningInputException("timeLimit", $"must be positive, got {TimeLimit.TotalSeconds:0.###} s");
        }

        if (DeterministicTimeLimit is { } work && !(work > 0 && double.IsFinite(work)))
        {
            throw new PlanningInputException("deterministicTimeLimit", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be positive and finite, got {work}"));
        }

        if (Workers < 0)
        {
            throw new PlanningInputException("workers", $"must be 0 (automatic) or positive, got {Workers}");
        }

        return this;
    }
}
