using System.Collections.Immutable;
using System.Diagnostics;

using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Translation;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Decides whether two Lean statements say the same thing, component by component: after aligning their variables
/// (<see cref="VariableAligner"/>), the hypotheses must be equivalent (their conjunctions agree for all values) and, under
/// both statements' hypotheses, so must the conclusions. Equivalence of the two implications is deliberately not the
/// criterion: any two true theorems would pass it. A statement whose hypotheses are unsatisfiable is vacuous, flagged, and
/// never equivalent to anything.
/// </summary>
/// <remarks>
/// <para>
/// Both statements are translated with <see cref="LeanToSmt"/> (Lean's semantics: truncated ℕ subtraction, division by zero,
/// ...); the second one's free variables are renamed to the first's names where aligned and apart from them otherwise
/// (so a ℕ <c>x</c> and a ℝ <c>x</c> stay two variables). The checks, each with <see cref="EquivalenceOptions.CheckLimit"/>:
/// vacuity of each side (side conditions ∧ hypotheses satisfiable?), then side conditions of both ⊢ ∧H₁ ↔ ∧H₂, then side
/// conditions ∧ H₁ ∧ H₂ ⊢ C₁ ↔ C₂, each equivalence as two queries, one per direction (a refuted direction ends it).
/// Components that are the same terms after the alignment (hypotheses in any order) need no query. The side conditions are the range facts of ℕ variables and the definitions of the fresh
/// variables of the translations (<c>Real.sqrt</c>, <c>Nat.gcd</c>, ...), which hold for some value of those variables
/// whatever the others are. Translations that are identical after the alignment are equivalent without a query (vacuity
/// is still checked).
/// </para>
/// <para>
/// <see cref="EquivalenceVerdict.Equivalent"/> is only answered when every check was decided that way; a refuted check
/// gives <see cref="EquivalenceVerdict.NotEquivalent"/> with the counterexample; anything undecided (time limit, Z3 giving
/// up, an unsupported construct) gives <see cref="EquivalenceVerdict.Unknown"/>. Verdicts are relative to the alignment:
/// a poor alignment can make equivalent statements look different, never the reverse.
/// </para>
/// </remarks>
public sealed class StatementEquivalence
{
    /// <summary>The reason of an <see cref="EquivalenceVerdict.Equivalent"/> verdict.</summary>
    public const string EquivalentReason = "hypotheses and conclusions equivalent";

    /// <summary>The reason when the conjunctions of the hypotheses differ.</summary>
    public const string HypothesesDifferReason = "hypotheses differ";

    /// <summary>The reason when the conclusions differ under both statements' hypotheses.</summary>
    public const string ConclusionsDifferReason = "conclusions differ";

    /// <summary>The reason when the first statement's hypotheses are unsatisfiable.</summary>
    public const string FirstVacuousReason = "vacuous: the first statement's hypotheses are unsatisfiable";

    /// <summary>The reason when the second statement's hypotheses are unsatisfiable.</summary>
    public const string SecondVacuousReason = "vacuous: the second statement's hypotheses are unsatisfiable";

    /// <summary>The reason when both statements' hypotheses are unsatisfiable.</summary>
    public const string BothVacuousReason = "vacuous: both statements' hypotheses are unsatisfiable";

    /// <summary>The suffix that renames an unaligned variable of the second statement apart from the first's names.</summary>
    public const string RenameSuffix = "₂";

    private readonly ISmtBackend _backend;
    private readonly TimeSpan _limit;

    /// <summary>Creates a checker over a backend (which it uses but does not own or dispose).</summary>
    /// <param name="backend">The SMT backend; one caller at a time, like the backend itself.</param>
    /// <param name="options">The settings; <see cref="EquivalenceOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The check limit is not positive.</exception>
    public StatementEquivalence(ISmtBackend backend, EquivalenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        Options = options ?? EquivalenceOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Options.CheckLimit, TimeSpan.Zero, nameof(options));
        _limit = Options.CheckLimit;
    }

    /// <summary>The settings in use.</summary>
    public EquivalenceOptions Options { get; }

    /// <summary>Checks whether two statements are equivalent (see the type's summary).</summary>
    /// <param name="first">The reference statement; the counterexample uses its variable names.</param>
    /// <param name="second">The candidate statement.</param>
    /// <returns>The verdict, its reason, a counterexample when refuted, and the vacuity flags.</returns>
    public EquivalenceResult Check(FormalStatement first, FormalStatement second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        long started = Stopwatch.GetTimestamp();
        VariableAlignment alignment = VariableAligner.Align(first, second);
        TranslationResult firstTranslation = LeanToSmt.TryTranslate(first);
        TranslationResult secondTranslation = LeanToSmt.TryTranslate(second);
        if (firstTranslation.Statement is not TranslatedStatement a || secondTranslation.Statement is not TranslatedStatement b)
        {
            string reason = (firstTranslation.Error ?? secondTranslation.Error)?.Message ?? "unsupported: translation";
            return new EquivalenceResult(EquivalenceVerdict.Unknown, reason, null, false, false, Stopwatch.GetElapsedTime(started))
            {
                Alignment = alignment,
            };
        }

        Dictionary<string, string> renaming = SecondRenaming(a, b, second, alignment);
        Dictionary<string, string> secondNames = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in second.Variables.IsDefault ? [] : second.Variables)
        {
            secondNames[variable.Name] = renaming.GetValueOrDefault(variable.Name, variable.Name);
        }

        Run run = new(this, a, Rename(b, renaming), FirstStatementNames(first, secondNames), started, alignment, secondNames);
        try
        {
            return run.Decide(Identical(a, b, renaming, Count(first), Count(second)));
        }
        catch (ArgumentException exception)
        {
            // An ill-sorted query (a bug rather than a property of the statements): undecided, never a wrong verdict.
            return run.Result(EquivalenceVerdict.Unknown, "error: " + exception.Message, null, false, false);
        }
    }

    /// <summary>
    /// The new names of the second translation's free variables: aligned statement variables take the first's name; the
    /// others (and the translation's fresh variables) keep theirs unless that clashes with a name of the first translation,
    /// in which case they get the suffix <see cref="RenameSuffix"/> (repeated until the name is unused).
    /// </summary>
    private static Dictionary<string, string> SecondRenaming(TranslatedStatement a, TranslatedStatement b, FormalStatement second, VariableAlignment alignment)
    {
        HashSet<string> firstNames = new(a.Variables.Length, StringComparer.Ordinal);
        foreach (Variable variable in a.Variables)
        {
            firstNames.Add(variable.Name);
        }

        HashSet<string> statementNames = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in second.Variables.IsDefault ? [] : second.Variables)
        {
            statementNames.Add(variable.Name);
        }

        HashSet<string> reserved = new(firstNames, StringComparer.Ordinal);
        foreach (Variable variable in b.Variables)
        {
            reserved.Add(variable.Name);
        }

        Dictionary<string, string> renaming = new(b.Variables.Length, StringComparer.Ordinal);
        foreach (Variable variable in b.Variables)
        {
            if (statementNames.Contains(variable.Name) && alignment.SecondToFirst.TryGetValue(variable.Name, out string? target))
            {
                renaming[variable.Name] = target;
            }
        }

        HashSet<string> assigned = new(renaming.Values, StringComparer.Ordinal);
        foreach (Variable variable in b.Variables)
        {
            if (renaming.ContainsKey(variable.Name))
            {
                continue;
            }

            string name = variable.Name;
            if (firstNames.Contains(name) || assigned.Contains(name))
            {
                do
                {
                    name += RenameSuffix;
                }
                while (reserved.Contains(name) || assigned.Contains(name));
            }

            assigned.Add(name);
            renaming[variable.Name] = name;
        }

        return renaming;
    }

    private static int Count(FormalStatement statement)
    {
        return statement.Variables.IsDefault ? 0 : statement.Variables.Length;
    }

    private static TranslatedStatement Rename(TranslatedStatement statement, IReadOnlyDictionary<string, string> renaming)
    {
        return new TranslatedStatement(
            statement.Name,
            [.. statement.Variables.Select(v => (Variable)TermRenaming.Rename(v, renaming))],
            RenameAll(statement.SideConditions, renaming),
            RenameAll(statement.Hypotheses, renaming),
            TermRenaming.Rename(statement.Conclusion, renaming));
    }

    private static ImmutableArray<Term> RenameAll(ImmutableArray<Term> terms, IReadOnlyDictionary<string, string> renaming)
    {
        ImmutableArray<Term>.Builder renamed = ImmutableArray.CreateBuilder<Term>(terms.Length);
        foreach (Term term in terms)
        {
            renamed.Add(TermRenaming.Rename(term, renaming));
        }

        return renamed.MoveToImmutable();
    }

    /// <summary>
    /// Whether the translations are the same up to the alignment and a one-to-one renaming of the fresh variables
    /// (the i-th fresh variable of one for the i-th of the other): same side conditions in the same order (so the fresh
    /// variables are defined alike), the same hypotheses in any order, the same conclusion.
    /// </summary>
    private static bool Identical(TranslatedStatement a, TranslatedStatement b, Dictionary<string, string> renaming, int firstCount, int secondCount)
    {
        int freshCount = a.Variables.Length - firstCount;
        if (freshCount != b.Variables.Length - secondCount
            || a.SideConditions.Length != b.SideConditions.Length
            || a.Hypotheses.Length != b.Hypotheses.Length)
        {
            return false;
        }

        Dictionary<string, string> identity = new(renaming, StringComparer.Ordinal);
        for (int i = 0; i < freshCount; i++)
        {
            Variable firstFresh = a.Variables[firstCount + i];
            Variable secondFresh = b.Variables[secondCount + i];
            if (firstFresh.Sort != secondFresh.Sort)
            {
                return false;
            }

            identity[secondFresh.Name] = firstFresh.Name;
        }

        if (TermRenaming.Rename(b.Conclusion, identity) != a.Conclusion)
        {
            return false;
        }

        for (int i = 0; i < a.SideConditions.Length; i++)
        {
            if (TermRenaming.Rename(b.SideConditions[i], identity) != a.SideConditions[i])
            {
                return false;
            }
        }

        return SameMultiset(a.Hypotheses, RenameAll(b.Hypotheses, identity));
    }

    private static bool SameMultiset(ImmutableArray<Term> first, ImmutableArray<Term> second)
    {
        if (first.Length != second.Length)
        {
            return false;
        }

        if (first.SequenceEqual(second))
        {
            return true;
        }

        Dictionary<Term, int> counts = [];
        foreach (Term term in first)
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }

        foreach (Term term in second)
        {
            int count = counts.GetValueOrDefault(term);
            if (count == 0)
            {
                return false;
            }

            counts[term] = count - 1;
        }

        return true;
    }

    /// <summary>The names a counterexample reports: the first statement's variables and the second's under their new names.</summary>
    private static HashSet<string> FirstStatementNames(FormalStatement first, Dictionary<string, string> secondNames)
    {
        HashSet<string> names = new(secondNames.Values, StringComparer.Ordinal);
        foreach (FormalVariable variable in first.Variables.IsDefault ? [] : first.Variables)
        {
            names.Add(variable.Name);
        }

        return names;
    }

    /// <summary>One check of a pair: the translations, the queries run and the result.</summary>
    private sealed class Run(
        StatementEquivalence owner,
        TranslatedStatement first,
        TranslatedStatement second,
        HashSet<string> reportedNames,
        long started,
        VariableAlignment alignment,
        IReadOnlyDictionary<string, string> secondNames)
    {
        private int _checks;
        private bool _identical;

        public EquivalenceResult Decide(bool identical)
        {
            _identical = identical;

            // Vacuity of each side; identical translations are vacuous together.
            SmtResult? firstVacuity = Vacuity(first);
            SmtResult? secondVacuity = identical ? firstVacuity : Vacuity(second);
            bool firstVacuous = firstVacuity is Unsat;
            bool secondVacuous = secondVacuity is Unsat;
            if (firstVacuous || secondVacuous)
            {
                string reason = firstVacuous && secondVacuous ? BothVacuousReason : firstVacuous ? FirstVacuousReason : SecondVacuousReason;
                return Result(EquivalenceVerdict.NotEquivalent, reason, null, firstVacuous, secondVacuous);
            }

            string? unknown = (firstVacuity as Unknown)?.Reason ?? (secondVacuity as Unknown)?.Reason;
            if (identical)
            {
                return unknown is null
                    ? Result(EquivalenceVerdict.Equivalent, EquivalentReason, null, false, false)
                    : Result(EquivalenceVerdict.Unknown, unknown, null, false, false);
            }

            ImmutableArray<Term> sideConditions = [.. first.SideConditions, .. second.SideConditions];

            // Hypotheses: their conjunctions agree everywhere (under the range facts and fresh-variable definitions).
            if (!SameMultiset(first.Hypotheses, second.Hypotheses))
            {
                ProofResult hypotheses = Equivalent(Terms.All(first.Hypotheses), Terms.All(second.Hypotheses), sideConditions);
                if (hypotheses.Verdict == ProofVerdict.Refuted)
                {
                    return Result(EquivalenceVerdict.NotEquivalent, HypothesesDifferReason, Report(hypotheses.Counterexample), false, false);
                }

                unknown ??= hypotheses.Reason;
            }

            // Conclusions: they agree wherever both statements' hypotheses hold.
            if (first.Conclusion != second.Conclusion)
            {
                ProofResult conclusions = Equivalent(first.Conclusion, second.Conclusion, [.. sideConditions, .. first.Hypotheses, .. second.Hypotheses]);
                if (conclusions.Verdict == ProofVerdict.Refuted)
                {
                    return Result(EquivalenceVerdict.NotEquivalent, ConclusionsDifferReason, Report(conclusions.Counterexample), false, false);
                }

                unknown ??= conclusions.Reason;
            }

            return unknown is null
                ? Result(EquivalenceVerdict.Equivalent, EquivalentReason, null, false, false)
                : Result(EquivalenceVerdict.Unknown, unknown, null, false, false);
        }

        public EquivalenceResult Result(
            EquivalenceVerdict verdict, string reason, IReadOnlyDictionary<string, string>? counterexample, bool firstVacuous, bool secondVacuous)
        {
            return new EquivalenceResult(verdict, reason, counterexample, firstVacuous, secondVacuous, Stopwatch.GetElapsedTime(started))
            {
                Alignment = alignment,
                SecondNames = secondNames,
                Identical = _identical,
                SmtChecks = _checks,
            };
        }

        /// <summary>Whether the side conditions and hypotheses can hold together; null when there are no hypotheses (the side conditions always can).</summary>
        private SmtResult? Vacuity(TranslatedStatement statement)
        {
            if (statement.Hypotheses.IsDefaultOrEmpty)
            {
                return null;
            }

            _checks++;
            return owner._backend.Check([.. statement.SideConditions, .. statement.Hypotheses], owner._limit);
        }

        /// <summary>
        /// Whether <paramref name="left"/> ↔ <paramref name="right"/> holds under the assumptions, as two queries, one per
        /// direction (left ∧ ¬right, then right ∧ ¬left): each is a conjunction Z3 preprocesses well, and a refutation in
        /// the first spares the second.
        /// </summary>
        private ProofResult Equivalent(Term left, Term right, ImmutableArray<Term> assumptions)
        {
            ProofResult forward = Direction(left, right, assumptions);
            if (forward.Verdict == ProofVerdict.Refuted)
            {
                return forward;
            }

            ProofResult backward = Direction(right, left, assumptions);
            return backward.Verdict == ProofVerdict.Proven ? forward : backward;
        }

        private ProofResult Direction(Term premise, Term conclusion, ImmutableArray<Term> assumptions)
        {
            _checks++;
            return ProofResult.FromNegation(owner._backend.Check([.. assumptions, premise, new LogicalNot(conclusion)], owner._limit));
        }

        private ImmutableSortedDictionary<string, string>? Report(IReadOnlyDictionary<string, string>? model)
        {
            if (model is null)
            {
                return null;
            }

            ImmutableSortedDictionary<string, string>.Builder values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in model)
            {
                if (reportedNames.Contains(pair.Key))
                {
                    values[pair.Key] = pair.Value;
                }
            }

            return values.ToImmutable();
        }
    }
}
