using Google.OrTools.Sat;

namespace Planning.Solving;

/// <summary>
/// A solved CP-SAT model: the <see cref="SolveResult"/> and, when it succeeded, the values of the variables.
/// </summary>
public sealed class CpSatSolution
{
    private readonly CpSolver _solver;

    internal CpSatSolution(CpSolver solver, SolveResult result)
    {
        _solver = solver;
        Result = result;
    }

    /// <summary>Status, objective, bound, gap and wall time of the solve.</summary>
    public SolveResult Result { get; }

    /// <summary>The value of an integer expression in the best solution.</summary>
    /// <param name="expression">A variable or linear expression of the solved model.</param>
    /// <returns>Its value.</returns>
    /// <exception cref="InvalidOperationException">The solve found no solution.</exception>
    public long Value(LinearExpr expression)
    {
        EnsureSolution();
        return _solver.Value(expression);
    }

    /// <summary>The value of a Boolean variable in the best solution.</summary>
    /// <param name="literal">A Boolean variable of the solved model.</param>
    /// <returns>Its value.</returns>
    /// <exception cref="InvalidOperationException">The solve found no solution.</exception>
    public bool Value(BoolVar literal)
    {
        EnsureSolution();
        return _solver.BooleanValue(literal);
    }

    private void EnsureSolution()
    {
        if (!Result.IsSuccess)
        {
            throw new InvalidOperationException($"The solve ended {Result.Status}: there is no solution to read.");
        }
    }
}

/// <summary>
/// Runs OR-Tools CP-SAT with <see cref="SolverOptions"/>: time limit, seed and workers always set, cancellation
/// wired to <see cref="CpSolver.StopSearch"/>, and the result mapped to <see cref="SolveResult"/>.
/// </summary>
public static class CpSat
{
    /// <summary>Solves <paramref name="model"/>.</summary>
    /// <param name="model">The model; it is not changed.</param>
    /// <param name="options">Time limit, seed, workers and clock.</param>
    /// <param name="cancellationToken">Stops the search early; the best solution so far is kept.</param>
    /// <returns>The solution handle.</returns>
    public static CpSatSolution Solve(CpModel model, SolverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var solver = new CpSolver
        {
            StringParameters = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"max_time_in_seconds:{options.TimeLimit.TotalSeconds} random_seed:{options.Seed} num_workers:{options.EffectiveWorkers} log_search_progress:false{(options.DeterministicTimeLimit is { } work ? $" max_deterministic_time:{work}" : string.Empty)}"),
        };

        var started = options.Clock.GetTimestamp();
        CpSolverStatus status;
        using (cancellationToken.Register(solver.StopSearch))
        {
            status = cancellationToken.IsCancellationRequested ? CpSolverStatus.Unknown : solver.Solve(model);
        }

        var wall = options.Clock.GetElapsedTime(started);
        var mapped = status switch
        {
            CpSolverStatus.Optimal => SolveStatus.Optimal,
            CpSolverStatus.Feasible => SolveStatus.Feasible,
            CpSolverStatus.Infeasible => SolveStatus.Infeasible,
            CpSolverStatus.ModelInvalid => SolveStatus.ModelInvalid,
            _ => SolveStatus.Unknown,
        };
        var hasSolution = mapped is SolveStatus.Optimal or SolveStatus.Feasible;
        var searched = solver.Response is not null;
        var result = new SolveResult(
            mapped,
            hasSolution ? solver.ObjectiveValue : null,
            searched && (hasSolution || mapped == SolveStatus.Unknown) ? solver.BestObjectiveBound : double.NaN,
            wall);
        return new CpSatSolution(solver, result);
    }
}
