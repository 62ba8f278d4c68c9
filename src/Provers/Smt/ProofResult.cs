namespace Planning.Provers.Smt;

/// <summary>The result of <see cref="SmtBackendExtensions.CheckValid"/> or <see cref="SmtBackendExtensions.CheckEquivalent"/>.</summary>
internal sealed record ProofResult
{
    private ProofResult(ProofVerdict verdict, IReadOnlyDictionary<string, string>? counterexample, string? reason)
    {
        Verdict = verdict;
        Counterexample = counterexample;
        Reason = reason;
    }

    /// <summary>Proven, refuted (with <see cref="Counterexample"/>) or unknown (with <see cref="Reason"/>).</summary>
    public ProofVerdict Verdict { get; }

    /// <summary>For <see cref="ProofVerdict.Refuted"/>: values of the free variables on which the claim fails.</summary>
    public IReadOnlyDictionary<string, string>? Counterexample { get; }

    /// <summary>For <see cref="ProofVerdict.Unknown"/>: why (see <see cref="Unknown.Reason"/>).</summary>
    public string? Reason { get; }

    /// <summary>Whether the claim was proven.</summary>
    public bool IsProven => Verdict == ProofVerdict.Proven;

    /// <summary>An undecided claim.</summary>
    /// <param name="reason">Why it is undecided.</param>
    /// <returns>Unknown with the reason.</returns>
    public static ProofResult Undecided(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new ProofResult(ProofVerdict.Unknown, null, reason);
    }

    /// <summary>The verdict that the satisfiability of the claim's negation implies.</summary>
    /// <param name="negationResult">The result of checking the negated claim.</param>
    /// <returns>Unsat: proven; sat: refuted with the model; unknown: unknown with the reason.</returns>
    public static ProofResult FromNegation(SmtResult negationResult) => negationResult switch
    {
        Unsat => new ProofResult(ProofVerdict.Proven, null, null),
        Sat sat => new ProofResult(ProofVerdict.Refuted, sat.Model, null),
        Unknown unknown => new ProofResult(ProofVerdict.Unknown, null, unknown.Reason),
        null => throw new ArgumentNullException(nameof(negationResult)),
        _ => throw new ArgumentException("unexpected result " + negationResult, nameof(negationResult)),
    };
}
