using System.Collections.Immutable;

using Planning.Provers.Equivalence;

namespace Planning.Provers.Benchmarks;

/// <summary>The outcome of <see cref="MiniF2FBenchmark.Run"/> over a miniF2F file.</summary>
/// <param name="Total">How many entries were read.</param>
/// <param name="Parsed">How many statements parsed.</param>
/// <param name="Translated">How many parsed statements translated to SMT.</param>
/// <param name="Unsupported">Why statements were not parsed or translated, by construct (<c>unsupported: Rat.den</c>), most frequent first.</param>
/// <param name="Families">Per problem family: entries, parsed, translated; by family name.</param>
/// <param name="Timings">Durations of all equivalence checks made.</param>
/// <param name="Mutations">The rewrite and mutation benchmark over the translated statements.</param>
internal sealed record MiniF2FReport(
    int Total, int Parsed, int Translated, ImmutableArray<ConstructCount> Unsupported, ImmutableArray<FamilyRow> Families,
    CheckTimings Timings, MutationBenchmarkResult Mutations)
{
    /// <summary>Parsed / total (0 when there are no entries).</summary>
    public double ParseRate => Total == 0 ? 0 : (double)Parsed / Total;

    /// <summary>Translated / total (0 when there are no entries).</summary>
    public double TranslationRate => Total == 0 ? 0 : (double)Translated / Total;
}

/// <summary>How many statements a construct kept from being parsed or translated.</summary>
/// <param name="Construct">The construct, as the parser or translator names it (<c>parse: Finset.filter</c>, <c>translate: ℂ</c>, <c>syntax</c>).</param>
/// <param name="Count">How many statements.</param>
internal sealed record ConstructCount(string Construct, int Count);

/// <summary>Parse and translation counts of one problem family.</summary>
/// <param name="Family">The family (<see cref="MiniF2FDataset.FamilyOf"/>).</param>
/// <param name="Total">Entries of the family.</param>
/// <param name="Parsed">How many parsed.</param>
/// <param name="Translated">How many translated.</param>
internal sealed record FamilyRow(string Family, int Total, int Parsed, int Translated);

/// <summary>Durations of equivalence checks, in milliseconds.</summary>
/// <param name="Count">How many checks.</param>
/// <param name="MedianMs">The median.</param>
/// <param name="P90Ms">The 90th percentile.</param>
/// <param name="MaxMs">The longest.</param>
internal sealed record CheckTimings(int Count, double MedianMs, double P90Ms, double MaxMs)
{
    /// <summary>Summarises durations (all zero when there are none).</summary>
    /// <param name="durations">The durations.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="durations"/> is <see langword="null"/>.</exception>
    public static CheckTimings Of(IEnumerable<TimeSpan> durations)
    {
        ArgumentNullException.ThrowIfNull(durations);
        double[] sorted = [.. durations.Select(static duration => duration.TotalMilliseconds).Order()];
        if (sorted.Length == 0)
        {
            return new CheckTimings(0, 0, 0, 0);
        }

        double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new CheckTimings(sorted.Length, median, Percentile(0.9), sorted[^1]);
    }
}

/// <summary>The rewrite and mutation benchmark: equivalence verdicts against exact-evaluation witnesses.</summary>
/// <param name="Statements">How many translated statements were checked.</param>
/// <param name="SelfProven">How many were proven equivalent to their renamed, reordered selves.</param>
/// <param name="WithThreeRewritesProven">How many had at least 3 generated rewrites proven equivalent.</param>
/// <param name="Rewrites">Per rewrite kind.</param>
/// <param name="Mutations">Per mutation kind.</param>
/// <param name="Details">Per statement, in input order.</param>
internal sealed record MutationBenchmarkResult(
    int Statements, int SelfProven, int WithThreeRewritesProven, ImmutableArray<RewriteKindRow> Rewrites, ImmutableArray<MutationKindRow> Mutations,
    ImmutableArray<StatementBenchmark> Details)
{
    /// <summary>Self-equivalence proven / statements (1 when there are none).</summary>
    public double SelfRate => Statements == 0 ? 1 : (double)SelfProven / Statements;

    /// <summary>Statements with at least 3 proven rewrites / statements (1 when there are none).</summary>
    public double ThreeRewritesRate => Statements == 0 ? 1 : (double)WithThreeRewritesProven / Statements;

    /// <summary>Equivalent verdicts on witnessed (semantics-changing) mutations, over all kinds: must be 0.</summary>
    public int FalseEquivalents => Mutations.Sum(static row => row.FalseEquivalents);

    /// <summary>Statements whose self-check was not proven, with the checker's reason.</summary>
    public IEnumerable<StatementBenchmark> SelfFailures => Details.Where(static detail => detail.Self.Verdict != EquivalenceVerdict.Equivalent);

    /// <summary>The mutations answered equivalent although a witness shows they change the meaning.</summary>
    public IEnumerable<(StatementBenchmark Statement, MutationOutcome Mutation)> FalseEquivalentMutations =>
        Details.SelectMany(static detail => detail.Mutations.Where(static mutation => mutation.IsFalseEquivalent).Select(mutation => (detail, mutation)));
}

/// <summary>Verdicts on the rewrites of one kind.</summary>
/// <param name="Kind">The rewrite kind.</param>
/// <param name="Total">How many rewrites were checked.</param>
/// <param name="Proven">How many were proven equivalent.</param>
/// <param name="Unknown">How many were left undecided.</param>
/// <param name="Refuted">How many were answered not equivalent (each a checker error: rewrites preserve meaning).</param>
/// <param name="Witnessed">How many an exact witness shows to change meaning (each a rewrite bug; expected 0).</param>
internal sealed record RewriteKindRow(RewriteKind Kind, int Total, int Proven, int Unknown, int Refuted, int Witnessed);

/// <summary>Verdicts on the mutations of one kind.</summary>
/// <param name="Kind">The mutation kind.</param>
/// <param name="Total">How many mutations were checked.</param>
/// <param name="Witnessed">How many a witness shows to change meaning (including witnesses outside one statement's types).</param>
/// <param name="EquivalentVerdicts">How many were answered equivalent.</param>
/// <param name="FalseEquivalents">How many were answered equivalent although witnessed: must be 0.</param>
/// <param name="NotEquivalent">How many were answered not equivalent.</param>
/// <param name="Unknown">How many were left undecided.</param>
/// <param name="EquivalentAcrossTypes">How many were answered equivalent with only an outside-the-types witness (<see cref="MutationOutcome.IsEquivalentAcrossTypes"/>).</param>
internal sealed record MutationKindRow(
    MutationKind Kind, int Total, int Witnessed, int EquivalentVerdicts, int FalseEquivalents, int NotEquivalent, int Unknown, int EquivalentAcrossTypes);

/// <summary>One equivalence check of the benchmark.</summary>
/// <param name="Verdict">The checker's verdict.</param>
/// <param name="Reason">The checker's reason.</param>
/// <param name="Elapsed">How long the check took.</param>
internal sealed record CheckOutcome(EquivalenceVerdict Verdict, string Reason, TimeSpan Elapsed);

/// <summary>A rewrite and its check.</summary>
/// <param name="Kind">The rewrite kind.</param>
/// <param name="Description">What was rewritten.</param>
/// <param name="Check">The equivalence check of the original against the rewrite.</param>
/// <param name="Witness">A witness that the rewrite changes meaning (a rewrite bug), if the sanity search found one.</param>
internal sealed record RewriteOutcome(RewriteKind Kind, string Description, CheckOutcome Check, Witness? Witness);

/// <summary>A mutation, its check and its witness.</summary>
/// <param name="Kind">The mutation kind.</param>
/// <param name="Description">What was changed.</param>
/// <param name="MutatedText">The mutated statement as Lean text.</param>
/// <param name="Check">The equivalence check of the original against the mutation.</param>
/// <param name="Witness">An assignment on which they differ, when the search found one.</param>
internal sealed record MutationOutcome(MutationKind Kind, string Description, string MutatedText, CheckOutcome Check, Witness? Witness)
{
    /// <summary>
    /// Whether the checker answered equivalent although a witness shows the meaning changed: an assignment valid in both
    /// statements' variable types on which their hypotheses or conclusions differ (the definition).
    /// </summary>
    public bool IsFalseEquivalent => Check.Verdict == EquivalenceVerdict.Equivalent && Witness is { OutsideDomain: false };

    /// <summary>
    /// Whether the checker answered equivalent and the only witness lies outside one statement's variable types (for
    /// instance x = -1 against ℕ-for-ℝ): not a false verdict by the definition, since the ℕ statement has no such
    /// value, but the checker's blind spot, reported separately. Typical case: a statement with no hypotheses whose
    /// conclusion holds for all reals and for all naturals.
    /// </summary>
    public bool IsEquivalentAcrossTypes => Check.Verdict == EquivalenceVerdict.Equivalent && Witness is { OutsideDomain: true };
}

/// <summary>The benchmark's results for one statement.</summary>
/// <param name="Name">The theorem name.</param>
/// <param name="Family">The problem family.</param>
/// <param name="Self">The check against the renamed, reordered statement.</param>
/// <param name="Rewrites">The rewrites and their checks.</param>
/// <param name="Mutations">The mutations, their checks and witnesses.</param>
internal sealed record StatementBenchmark(
    string Name, string Family, CheckOutcome Self, ImmutableArray<RewriteOutcome> Rewrites, ImmutableArray<MutationOutcome> Mutations)
{
    /// <summary>How many rewrites were proven equivalent.</summary>
    public int ProvenRewrites => Rewrites.Count(static rewrite => rewrite.Check.Verdict == EquivalenceVerdict.Equivalent);
}
