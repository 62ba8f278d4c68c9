namespace Planning.Solving;

/// <summary>How a solve ended.</summary>
public enum SolveStatus
{
    /// <summary>A solution was found and proven optimal.</summary>
    Optimal,

    /// <summary>A solution was found; it is not proven optimal (the time limit or cancellation stopped the proof).</summary>
    Feasible,

    /// <summary>The model has no solution.</summary>
    Infeasible,

    /// <summary>No solution was found and none was ruled out: the time limit or cancellation came first.</summary>
    Unknown,

    /// <summary>The model is malformed (a solver-side validation error).</summary>
    ModelInvalid,
}

/// <summary>
/// The outcome of one solver call: status, objective of the best solution, the proven bound, the relative gap and
/// the wall time. Only <see cref="SolveStatus.Optimal"/> and <see cref="SolveStatus.Feasible"/> count as success.
/// </summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Objective">The objective of the best solution found, when there is one.</param>
/// <param name="BestBound">The best proven bound on the objective (a lower bound when minimising).</param>
/// <param name="WallTime">Wall-clock time of the solve.</param>
public sealed record SolveResult(SolveStatus Status, double? Objective, double BestBound, TimeSpan WallTime)
{
    /// <summary>Whether the solve produced a usable solution (optimal or feasible).</summary>
    public bool IsSuccess => Status is SolveStatus.Optimal or SolveStatus.Feasible;

    /// <summary>
    /// Relative gap between the objective and the bound, <c>|objective - bound| / max(|objective|, 1e-9)</c>;
    /// 0 when optimal, <see langword="null"/> without a solution.
    /// </summary>
    public double? RelativeGap => Objective is { } objective
        ? Status == SolveStatus.Optimal ? 0.0 : Math.Abs(objective - BestBound) / Math.Max(Math.Abs(objective), 1e-9)
        : null;
}
