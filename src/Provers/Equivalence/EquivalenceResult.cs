namespace Planning.Provers.Equivalence;

/// <summary>The outcome of <see cref="StatementEquivalence.Check"/>.</summary>
/// <param name="Verdict">Equivalent, not equivalent, or unknown.</param>
/// <param name="Reason">
/// Why, in words: <c>hypotheses and conclusions equivalent</c>; <c>hypotheses differ</c>, <c>conclusions differ</c>,
/// <c>vacuous: the first statement's hypotheses are unsatisfiable</c> (or the second's, or both statements'); for
/// <see cref="EquivalenceVerdict.Unknown"/> the backend's reason (<c>timeout</c>, Z3's own) or
/// <c>unsupported: &lt;construct&gt;</c>.
/// </param>
/// <param name="Counterexample">
/// For <see cref="EquivalenceVerdict.NotEquivalent"/> with a model: the statement variables' values (SMT values such as
/// <c>5</c>, <c>-1/3</c>), under the first statement's names for aligned variables and under the second statement's
/// names, renamed apart where they clash (see <see cref="SecondNames"/>), for unaligned ones of the second.
/// </param>
/// <param name="FirstVacuous">Whether the first statement's hypotheses were proven unsatisfiable.</param>
/// <param name="SecondVacuous">Whether the second statement's hypotheses were proven unsatisfiable.</param>
/// <param name="Elapsed">The time the whole check took.</param>
public sealed record EquivalenceResult(
    EquivalenceVerdict Verdict,
    string Reason,
    IReadOnlyDictionary<string, string>? Counterexample,
    bool FirstVacuous,
    bool SecondVacuous,
    TimeSpan Elapsed)
{
    /// <summary>The alignment of the second statement's variables with the first's that the checks used.</summary>
    public VariableAlignment? Alignment { get; init; }

    /// <summary>
    /// The name each second-statement variable had in the checks (and has in <see cref="Counterexample"/>): the first
    /// statement's name for an aligned variable, its own name or a renamed one (suffix <c>₂</c>) for an unaligned one;
    /// <see langword="null"/> when the statements were not translated.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SecondNames { get; init; }

    /// <summary>Whether the two translations were identical after alignment, so that no equivalence query was needed.</summary>
    public bool Identical { get; init; }

    /// <summary>The number of SMT checks run.</summary>
    public int SmtChecks { get; init; }

    /// <summary>
    /// Whether both statements are closed (no variables). Two closed statements are <see cref="EquivalenceVerdict.Equivalent"/>
    /// only as truth values: two different true facts are equivalent that way without being the same formalization,
    /// which is why selection counts a closed pair as one formalization only when the translations are identical.
    /// </summary>
    public bool Closed { get; init; }

    /// <summary>
    /// The verdict on the statements as theorems: <see cref="EquivalenceVerdict.Equivalent"/> when, for every value of the
    /// aligned variables, the first's hypotheses imply its conclusion exactly when the second's imply its own (so one
    /// theorem holds exactly when the other does; a pair that differs only in a side condition that does not change
    /// what the theorem says is equivalent this way and not strictly); <see cref="EquivalenceVerdict.NotEquivalent"/>
    /// when some value satisfies one implication and not the other (<see cref="TheoremCounterexample"/>); otherwise
    /// <see cref="EquivalenceVerdict.Unknown"/>. A strictly equivalent pair is equivalent as theorems.
    /// </summary>
    public EquivalenceVerdict TheoremVerdict { get; init; } = EquivalenceVerdict.Unknown;

    /// <summary>For a <see cref="TheoremVerdict"/> of <see cref="EquivalenceVerdict.NotEquivalent"/> with a model: the values (named as in <see cref="Counterexample"/>).</summary>
    public IReadOnlyDictionary<string, string>? TheoremCounterexample { get; init; }
}
