using System.Globalization;
using Google.OrTools.LinearSolver;

namespace Planning.Solving;

/// <summary>The OR-Tools linear solver backends this library uses.</summary>
public enum LinearBackend
{
    /// <summary>GLOP: continuous linear programs (relaxations, fast bounds).</summary>
    Glop,

    /// <summary>SCIP: mixed-integer linear programs.</summary>
    Scip,

    /// <summary>CBC: mixed-integer linear programs (an alternative to SCIP).</summary>
    Cbc,
}

/// <summary>
/// Runs an OR-Tools linear solver (LP or MILP) with <see cref="SolverOptions"/>: time limit always set, seed passed
/// where the backend takes one, cancellation wired to <see cref="Solver.InterruptSolve"/>.
/// </summary>
public static class LinearProgram
{
    /// <summary>Creates an empty solver for the backend.</summary>
    /// <param name="backend">The backend.</param>
    /// <returns>The solver; dispose it when done.</returns>
    /// <exception cref="InvalidOperationException">The backend is not available in this build of OR-Tools.</exception>
    public static Solver Create(LinearBackend backend)
    {
        var id = backend switch
        {
            LinearBackend.Glop => "GLOP",
            LinearBackend.Scip => "SCIP",
            LinearBackend.Cbc => "CBC",
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown backend."),
        };
        return Solver.CreateSolver(id) ?? throw new InvalidOperationException($"The OR-Tools {id} backend is not available.");
    }

    /// <summary>Solves the model held by <paramref name="solver"/>.</summary>
    /// <param name="solver">A solver built with <see cref="Create"/> holding variables, constraints and objective.</param>
    /// <param name="options">Time limit, seed, workers and clock.</param>
    /// <param name="cancellationToken">Interrupts the solve; the best solution so far is kept.</param>
    /// <returns>The result; read variable values from the solver when it succeeded.</returns>
    public static SolveResult Solve(Solver solver, SolverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        solver.SetTimeLimit((long)Math.Ceiling(options.TimeLimit.TotalMilliseconds));
        solver.SetNumThreads(options.EffectiveWorkers);
        if (solver.SolverVersion().StartsWith("SCIP", StringComparison.Ordinal))
        {
            // SCIP's own seed; GLOP and CBC take none through this interface and are deterministic as run here.
            solver.SetSolverSpecificParametersAsString(string.Create(CultureInfo.InvariantCulture, $"randomization/randomseedshift = {options.Seed}"));
        }

        using var parameters = new MPSolverParameters();
        var started = options.Clock.GetTimestamp();
        Solver.ResultStatus status;
        using (cancellationToken.Register(() => solver.InterruptSolve()))
        {
            status = cancellationToken.IsCancellationRequested ? Solver.ResultStatus.NOT_SOLVED : solver.Solve(parameters);
        }

        var wall = options.Clock.GetElapsedTime(started);
        var mapped = status switch
        {
            Solver.ResultStatus.OPTIMAL => SolveStatus.Optimal,
            Solver.ResultStatus.FEASIBLE => SolveStatus.Feasible,
            Solver.ResultStatus.INFEASIBLE => SolveStatus.Infeasible,
            Solver.ResultStatus.MODEL_INVALID => SolveStatus.ModelInvalid,
            _ => SolveStatus.Unknown,
        };
        var hasSolution = mapped is SolveStatus.Optimal or SolveStatus.Feasible;
        var objective = solver.Objective();
        var bound = hasSolution ? (mapped == SolveStatus.Optimal && solver.IsMip() is false ? objective.Value() : objective.BestBound()) : double.NaN;
        return new SolveResult(mapped, hasSolution ? objective.Value() : null, bound, wall);
    }
}
