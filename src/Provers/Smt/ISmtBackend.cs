namespace Planning.Provers.Smt;

/// <summary>
/// A satisfiability checker over <see cref="Term"/>s. An instance serves one caller at a time (concurrent calls wait
/// for each other); use one instance per worker thread for parallel checks.
/// </summary>
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
    SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit);
}
