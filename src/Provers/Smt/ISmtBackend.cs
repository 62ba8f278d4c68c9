namespace Planning.Provers.Smt;

/// <summary>
/// The SMT solver that <see cref="Equivalence.StatementEquivalence"/> and <see cref="Selection.CandidateSelector"/> run
/// their queries on: <see cref="Z3InProcessBackend"/> (fast; a hard limit by abandoning a context Z3 does not give back
/// in time) or <see cref="Z3ProcessBackend"/> (a hard limit by killing the z3 process). An instance serves one caller at a time (concurrent calls wait for each other); use one
/// instance per worker thread for parallel checks. The caller owns it and disposes it.
/// </summary>
/// <remarks>
/// The term language the checks are posed in (<see cref="Term"/> and its records) is the package's own, internal
/// representation of a translated statement, so the package implements this interface itself and a consumer chooses
/// one of its backends; that keeps the terms free to change with the translation.
/// </remarks>
public interface ISmtBackend : IDisposable
{
    /// <summary>A short name for reports, for instance <c>z3-inprocess</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Checks whether the conjunction of the assertions is satisfiable. Each call is independent of the others (the
    /// backend pushes a scope, asserts, checks and pops). Running out of time, incompleteness and solver failures are
    /// results (<see cref="Unknown"/>), never exceptions.
    /// </summary>
    /// <param name="assertions">Formulas (Bool terms); their free variables are the model's.</param>
    /// <param name="limit">The time limit for this check; positive.</param>
    /// <returns><see cref="Sat"/> with a model, <see cref="Unsat"/>, or <see cref="Unknown"/> with a reason.</returns>
    /// <exception cref="ArgumentException">An assertion is not a formula, or a variable name has two sorts.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    internal SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit);
}
