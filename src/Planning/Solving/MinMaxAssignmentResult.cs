using System.Collections.Immutable;

namespace Planning.Solving;

/// <summary>Where the assignment a <see cref="MinMaxAssignment"/> solve kept came from.</summary>
internal enum AssignmentSource
{
    /// <summary>No assignment: the model is infeasible or invalid, or the solver found none and no incumbent was given.</summary>
    None,

    /// <summary>The solver's: it strictly beat the incumbent (or there was none).</summary>
    Solver,

    /// <summary>The incumbent's: the solver did not beat it in time, so the warm start stands.</summary>
    Incumbent,
}

/// <summary>The outcome of <see cref="MinMaxAssignment.Solve"/>.</summary>
internal sealed record MinMaxAssignmentResult
{
    /// <summary>Where <see cref="Pieces"/> came from.</summary>
    public required AssignmentSource Source { get; init; }

    /// <summary>
    /// The kept assignment, one piece per hosted pair (fixed pairs always, with a zero amount where they serve
    /// nothing), work by work in pair order; empty when <see cref="Source"/> is <see cref="AssignmentSource.None"/>.
    /// </summary>
    public required ImmutableArray<AssignmentPiece> Pieces { get; init; }

    /// <summary>
    /// Status, objective (of the kept assignment), proven bound (clamped by the known bounds), gap and the CP-SAT
    /// solve's wall time.
    /// </summary>
    public required SolveResult Result { get; init; }

    /// <summary>The families the kept assignment makes tight (see <see cref="MinMaxAssignment.TightFamilies"/>).</summary>
    public ImmutableArray<AssignmentConstraint> TightFamilies { get; init; } = [];

    /// <summary>
    /// For an infeasible model, the families whose relaxation alone makes it feasible (each one is enough); empty
    /// otherwise, or when no single family is.
    /// </summary>
    public ImmutableArray<AssignmentConstraint> InfeasibleFamilies { get; init; } = [];
}
