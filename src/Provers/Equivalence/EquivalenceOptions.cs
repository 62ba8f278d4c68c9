namespace Planning.Provers.Equivalence;

/// <summary>Settings of <see cref="StatementEquivalence"/>.</summary>
public sealed record EquivalenceOptions
{
    /// <summary>The defaults: a 2 s limit per SMT check.</summary>
    public static EquivalenceOptions Default { get; } = new();

    /// <summary>The time limit of each SMT check (vacuity of each side, hypotheses, conclusions); positive. 2 s by default.</summary>
    public TimeSpan CheckLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When Z3 cannot decide whether a statement's hypotheses are satisfiable within the limit, how many assignments an
    /// exact search (<see cref="WitnessSearch.FindModel"/>) evaluates for one on which they all hold; a found
    /// assignment proves the statement is not vacuous. 0 turns the search off. 10,000 by default.
    /// </summary>
    public int VacuityModelAssignments { get; init; } = 10_000;

    /// <summary>
    /// When the check is refuted under the first alignment, how many other alignments (<see cref="VariableAligner.Alternatives"/>)
    /// are tried at most, while the whole check has spent less than twice <see cref="CheckLimit"/>. 23 by default (all
    /// orders of 4 variables of one type); 0 turns it off.
    /// </summary>
    public int MaxAlternativeAlignments { get; init; } = 23;

    /// <summary>
    /// Whether a pair that is not strictly equivalent is also checked as theorems (<see cref="EquivalenceResult.TheoremVerdict"/>):
    /// one more equivalence query (two SMT checks at most). On by default; selection, which needs only the strict
    /// verdict, turns it off.
    /// </summary>
    public bool CheckAsTheorems { get; init; } = true;
}
