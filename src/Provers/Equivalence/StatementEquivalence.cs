using System.Collections.Immutable;
using System.Diagnostics;

using Planning.Provers.Evaluation;
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
/// The side conditions are the range facts of ℕ variables and the definitions of the fresh variables of the translations
/// (<c>Real.sqrt</c>, <c>Nat.gcd</c>, ...), which hold for exactly one value of those variables whatever the others are;
/// a fresh variable of the second defined like one of the first shares its name and definition.
/// </para>
/// <para>
/// Smaller queries first, each sound on its own: hypotheses both statements have (up to bound names) are assumed and
/// only the others compared, first pair by pair in order, then as conjunctions; conclusions are first compared without
/// the hypotheses (briefly, a quarter of the limit), then under them. Components the same up to bound names need no
/// query, and translations the same up to the alignment (hypotheses in any order) are equivalent without one (vacuity is
/// still checked). Hypotheses over function and set variables are first rewritten for the vacuity check
/// (<see cref="VacuityReductions"/>: definitions dropped, recurrences unrolled, functions narrowed to constants). A
/// vacuity check Z3 cannot decide in time is settled as satisfiable by an exact search for a model of the hypotheses
/// (<see cref="EquivalenceOptions.VacuityModelAssignments"/>). Closed statements Z3 or the translation leaves undecided
/// are evaluated exactly; the same untranslatable statement twice is equivalent when its hypotheses hold at the answer
/// its conclusion pins. A check refuted under the alignment is
/// retried under other orders of the variables not aligned by name (<see cref="VariableAligner.Alternatives"/>).
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

    /// <summary>
    /// The reason when a check is refuted by a model that interprets an uninterpreted function (a function or set variable,
    /// or a symbol such as <c>pow</c> or <c>Real.log</c> constrained by axioms only): the model is not checked against
    /// Lean's semantics, so it is not reported as a counterexample.
    /// </summary>
    public const string UninterpretedCounterexampleReason = "counterexample uses an uninterpreted function";

    /// <summary>The reason when a check is refuted by a model that gives a ℚ variable an irrational value (ℚ ranges as ℝ).</summary>
    public const string IrrationalCounterexampleReason = "counterexample is irrational for a ℚ variable";

    /// <summary>The suffix that renames an unaligned variable of the second statement apart from the first's names.</summary>
    public const string RenameSuffix = "₂";

    /// <summary>How many candidate models of each kind a vacuity check with quantified hypotheses asks Z3 to confirm.</summary>
    private const int QuantifiedModelCandidates = 2;

    /// <summary>How many statements' vacuity results <see cref="_vacuity"/> keeps before it starts over.</summary>
    private const int VacuityCacheSize = 256;

    private readonly ISmtBackend _backend;
    private readonly TimeSpan _limit;

    // Vacuity is a property of one statement, checked again in every pair it is part of (k - 1 times in a selection,
    // once per rewrite and mutation in the benchmark): remembered per statement, for this checker's limit.
    private readonly Dictionary<FormalStatement, SmtResult> _vacuity = [];

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
        bool closed = first.Variables.IsDefaultOrEmpty && second.Variables.IsDefaultOrEmpty;

        // A helper variable one statement defines by an equation (and the other does not name) is written in place: the
        // theorem is the same, and the statements can then be compared hypothesis by hypothesis.
        (first, second) = HelperDefinitions.EliminateFresh(first, second);
        VariableAlignment alignment = VariableAligner.Align(first, second);
        TranslationResult firstTranslation = LeanToSmt.TryTranslate(first);
        TranslationResult secondTranslation = LeanToSmt.TryTranslate(second);
        if (firstTranslation.Statement is not TranslatedStatement a || secondTranslation.Statement is not TranslatedStatement b)
        {
            string reason = (firstTranslation.Error ?? secondTranslation.Error)?.Message ?? "unsupported: translation";
            EquivalenceResult untranslated = new(EquivalenceVerdict.Unknown, reason, null, false, false, Stopwatch.GetElapsedTime(started))
            {
                Alignment = alignment,
                Closed = closed,
            };
            if (closed && Evaluated(first, second, untranslated, started) is { } truthValues)
            {
                return truthValues;
            }

            // The same statement twice is equivalent to itself whenever it is not vacuous, translated or not: without
            // hypotheses it cannot be (every type a statement quantifies over has a member); otherwise the answer a "show
            // that" conclusion names is a candidate model (with it in place, a sum up to n has literal bounds), and
            // failing that, the hypotheses alone, when they translate, go through the vacuity check.
            bool unhypothesised = first.Hypotheses.IsDefaultOrEmpty;
            return SameStatement(first, second) && (unhypothesised || (!closed && (AnswerSatisfiesHypotheses(first) || HypothesesSatisfiable(first))))
                ? untranslated with
                {
                    Verdict = EquivalenceVerdict.Equivalent,
                    Reason = EquivalentReason,
                    Identical = true,
                    TheoremVerdict = EquivalenceVerdict.Equivalent,
                    Elapsed = Stopwatch.GetElapsedTime(started),
                }
                : untranslated;
        }

        EquivalenceResult result = CheckAligned(first, second, a, b, alignment, started, null, out Vacuities vacuities, out Run run) with { Closed = closed };
        if (closed && result.Verdict == EquivalenceVerdict.Unknown && Evaluated(first, second, result, started) is { } evaluated)
        {
            return evaluated;
        }

        bool refuted = result.Verdict == EquivalenceVerdict.NotEquivalent
            || (result.Verdict == EquivalenceVerdict.Unknown && result.Reason is UninterpretedCounterexampleReason or IrrationalCounterexampleReason);
        if (!refuted || result.FirstVacuous || result.SecondVacuous)
        {
            return AsTheorems(run, result);
        }

        // Refuted under this alignment: variables with symmetric roles may have been paired wrongly; other pairings of the
        // variables not matched by name are tried while the check has spent less than twice the limit. Any alignment is a
        // sound basis for a proof, so the first one that proves equivalence is the answer.
        foreach (VariableAlignment alternative in VariableAligner.Alternatives(first, second, alignment, Options.MaxAlternativeAlignments))
        {
            if (Stopwatch.GetElapsedTime(started) > 2 * _limit)
            {
                break;
            }

            EquivalenceResult retry = CheckAligned(first, second, a, b, alternative, started, vacuities, out _, out _);
            if (retry.Verdict == EquivalenceVerdict.Equivalent)
            {
                return retry with { Closed = closed, TheoremVerdict = EquivalenceVerdict.Equivalent };
            }
        }

        // As theorems last, under the first alignment, so that the query does not eat the alternatives' time.
        return AsTheorems(run, result);
    }

    /// <summary>Whether two statements have the same variables, hypotheses (in order, names aside) and conclusion.</summary>
    private static bool SameStatement(FormalStatement first, FormalStatement second)
    {
        ImmutableArray<FormalHypothesis> a = first.Hypotheses.IsDefault ? [] : first.Hypotheses;
        ImmutableArray<FormalHypothesis> b = second.Hypotheses.IsDefault ? [] : second.Hypotheses;
        return (first.Variables.IsDefault ? [] : first.Variables).SequenceEqual(second.Variables.IsDefault ? [] : second.Variables)
            && a.Select(static h => h.Proposition).SequenceEqual(b.Select(static h => h.Proposition))
            && first.Conclusion == second.Conclusion;
    }

    /// <summary>
    /// Whether the hypotheses hold for some values with the variables the conclusion pins (<c>n = 97</c>, or a
    /// conjunction of such equations with numerals) set to those values, as Z3 proves: a model there is a model of the
    /// hypotheses, so the statement is not vacuous. False when the conclusion pins nothing or Z3 finds no model in time.
    /// </summary>
    private bool AnswerSatisfiesHypotheses(FormalStatement statement)
    {
        Dictionary<string, FormalExpr> answer = new(StringComparer.Ordinal);
        if (statement.Hypotheses.IsDefaultOrEmpty || !Pinned(statement.Conclusion, statement, answer) || answer.Count == 0)
        {
            return false;
        }

        FormalStatement atAnswer = statement with
        {
            Variables = [.. statement.Variables.Where(v => !answer.ContainsKey(v.Name))],
            Hypotheses = [.. statement.Hypotheses.Select(h => h with { Proposition = answer.Aggregate(h.Proposition, static (p, pin) => ExprTree.Substitute(p, pin.Key, pin.Value)) })],
            Conclusion = answer.Aggregate(statement.Conclusion, static (p, pin) => ExprTree.Substitute(p, pin.Key, pin.Value)),
        };
        return LeanToSmt.TryTranslate(atAnswer).Statement is { } translated
            && _backend.Check([.. translated.SideConditions, .. translated.Hypotheses], _limit) is Sat;

        static bool Pinned(FormalExpr conclusion, FormalStatement statement, Dictionary<string, FormalExpr> answer)
        {
            switch (conclusion)
            {
                case LogicalExpr { Operator: LogicalOperator.And } both:
                    return Pinned(both.Left, statement, answer) && Pinned(both.Right, statement, answer);
                case RelationExpr { Operator: RelationOperator.Equal } equation:
                    (FormalExpr side, FormalExpr value) = equation.Left is VariableExpr ? (equation.Left, equation.Right) : (equation.Right, equation.Left);
                    if (side is VariableExpr variable && value is NumeralExpr or NegateExpr { Operand: NumeralExpr }
                        && statement.Variables.Any(v => v.Name == variable.Name && v.Type == value.Type))
                    {
                        return answer.TryAdd(variable.Name, value) || answer[variable.Name] == value;
                    }

                    return false;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Whether the hypotheses of a statement whose conclusion does not translate hold for some values: the statement with
    /// the conclusion <c>True</c> is checked against itself, so the vacuity check (its equisatisfiable rewrites and model
    /// searches included) decides; an <c>equivalent</c> verdict there means the hypotheses are satisfiable. False when the
    /// hypotheses do not translate either, or the check is not sure.
    /// </summary>
    private bool HypothesesSatisfiable(FormalStatement statement)
    {
        if (statement.Hypotheses.IsDefaultOrEmpty)
        {
            return false;
        }

        FormalStatement hypothesesOnly = WithoutImpliedFiniteness(statement) with { Conclusion = new CallExpr(FormalFunction.TrueProp, [], FormalType.Prop) };
        if (LeanToSmt.TryTranslate(hypothesesOnly).Statement is null)
        {
            return false;
        }

        EquivalenceResult result = Check(hypothesesOnly, hypothesesOnly);
        return result.Verdict == EquivalenceVerdict.Equivalent && !result.FirstVacuous;
    }

    /// <summary>
    /// The statement without its <c>Fintype s</c> hypotheses that the others already imply: Z3 proves that no k + 1
    /// distinct members of <c>s</c> exist (k = 2, 4, 8; ordered <c>x₁ &lt; … &lt; xₖ₊₁</c> on ℕ, ℤ, ℚ and ℝ, pairwise
    /// different on ℂ) under the other hypotheses, so in every model <c>s</c> has at most k members and the hypothesis
    /// holds. Without them the statement is equivalent. The others are the hypotheses without a <c>Fintype</c>.
    /// </summary>
    private FormalStatement WithoutImpliedFiniteness(FormalStatement statement)
    {
        ImmutableArray<FormalHypothesis> others = [.. statement.Hypotheses.Where(static h => h.Proposition is not CallExpr { Function: FormalFunction.Fintype })];
        if (others.Length == statement.Hypotheses.Length)
        {
            return statement;
        }

        ImmutableArray<FormalHypothesis> kept = [.. statement.Hypotheses.Where(h => h.Proposition is not CallExpr { Function: FormalFunction.Fintype } finite || !AtMostFinitelyMany(statement, others, finite.Arguments[0]))];
        return statement with { Hypotheses = kept };
    }

    /// <summary>Whether Z3 proves that <paramref name="set"/> has at most 8 members under <paramref name="others"/> (see <see cref="WithoutImpliedFiniteness"/>).</summary>
    private bool AtMostFinitelyMany(FormalStatement statement, ImmutableArray<FormalHypothesis> others, FormalExpr set)
    {
        if (set.Type.Element is not FormalType element || element.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Rat or FormalTypeKind.Real or FormalTypeKind.Complex))
        {
            return false;
        }

        HashSet<string> used = [.. statement.Variables.Select(static v => v.Name)];
        foreach (int bound in (ReadOnlySpan<int>)[2, 4, 8])
        {
            List<VariableExpr> members = [];
            for (int i = 0; members.Count <= bound; i++)
            {
                string name = "member" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!used.Contains(name))
                {
                    members.Add(new VariableExpr(name, element));
                }
            }

            List<FormalHypothesis> distinct = [.. others, .. members.Select(m => new FormalHypothesis("_", new RelationExpr(RelationOperator.Member, m, set)))];
            for (int i = 0; i < members.Count; i++)
            {
                for (int j = i + 1; j < members.Count; j++)
                {
                    if (element.Kind == FormalTypeKind.Complex)
                    {
                        distinct.Add(new FormalHypothesis("_", new RelationExpr(RelationOperator.NotEqual, members[i], members[j])));
                    }
                    else if (j == i + 1)
                    {
                        distinct.Add(new FormalHypothesis("_", new RelationExpr(RelationOperator.Less, members[i], members[j])));
                    }
                }
            }

            FormalStatement crowded = statement with
            {
                Variables = [.. statement.Variables, .. members.Select(static m => new FormalVariable(m.Name, m.Type))],
                Hypotheses = [.. distinct],
                Conclusion = new CallExpr(FormalFunction.FalseProp, [], FormalType.Prop),
            };
            if (LeanToSmt.TryTranslate(crowded).Statement is null)
            {
                return false;
            }

            // The vacuity check of the crowded statement (with its equisatisfiable rewrites and model searches): vacuous
            // means Z3 proved that no k + 1 distinct members exist; satisfiable, that they do, so a larger k is tried.
            EquivalenceResult result = Check(crowded, crowded);
            if (result.FirstVacuous)
            {
                return true;
            }

            if (result.Verdict != EquivalenceVerdict.Equivalent)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Two closed statements Z3 left undecided (huge literals, products it does not unroll), decided by exact evaluation
    /// (<see cref="LeanEvaluator"/>): a false hypothesis makes its statement vacuous; otherwise the conclusions' truth
    /// values are compared, as for any closed pair. Null when a part does not evaluate.
    /// </summary>
    private static EquivalenceResult? Evaluated(FormalStatement first, FormalStatement second, EquivalenceResult undecided, long started)
    {
        if (Truth(first) is not (bool firstHolds, bool firstConclusion) || Truth(second) is not (bool secondHolds, bool secondConclusion))
        {
            return null;
        }

        (EquivalenceVerdict verdict, string reason) = (firstHolds, secondHolds) switch
        {
            (false, false) => (EquivalenceVerdict.NotEquivalent, BothVacuousReason),
            (false, true) => (EquivalenceVerdict.NotEquivalent, FirstVacuousReason),
            (true, false) => (EquivalenceVerdict.NotEquivalent, SecondVacuousReason),
            _ when firstConclusion == secondConclusion => (EquivalenceVerdict.Equivalent, EquivalentReason),
            _ => (EquivalenceVerdict.NotEquivalent, ConclusionsDifferReason),
        };
        bool asTheorems = (!firstHolds || firstConclusion) == (!secondHolds || secondConclusion);
        return undecided with
        {
            Verdict = verdict,
            Reason = reason,
            Counterexample = null,
            FirstVacuous = !firstHolds,
            SecondVacuous = !secondHolds,
            Elapsed = Stopwatch.GetElapsedTime(started),
            TheoremVerdict = asTheorems ? EquivalenceVerdict.Equivalent : EquivalenceVerdict.NotEquivalent,
            TheoremCounterexample = null,
        };

        static (bool Hypotheses, bool Conclusion)? Truth(FormalStatement statement)
        {
            StatementEvaluation evaluation = LeanEvaluator.EvaluateStatement(statement, ImmutableDictionary<string, Rational>.Empty);
            bool hypotheses = true;
            foreach (EvaluationResult hypothesis in evaluation.Hypotheses)
            {
                if (hypothesis is not EvaluatedTruth truth)
                {
                    return null;
                }

                hypotheses &= truth.Value;
            }

            return evaluation.InDomain && evaluation.Conclusion is EvaluatedTruth conclusion ? (hypotheses, conclusion.Value) : null;
        }
    }

    private static EquivalenceResult AsTheorems(Run run, EquivalenceResult strict)
    {
        try
        {
            return run.AsTheorems(strict);
        }
        catch (ArgumentException)
        {
            // An ill-sorted query (a bug rather than a property of the statements): the theorem verdict stays unknown.
            return strict;
        }
    }

    private EquivalenceResult CheckAligned(
        FormalStatement first,
        FormalStatement second,
        TranslatedStatement a,
        TranslatedStatement b,
        VariableAlignment alignment,
        long started,
        Vacuities? known,
        out Vacuities vacuities,
        out Run run)
    {
        Dictionary<string, string> renaming = SecondRenaming(a, b, second, alignment);
        Dictionary<string, string> secondNames = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in second.Variables.IsDefault ? [] : second.Variables)
        {
            secondNames[variable.Name] = renaming.GetValueOrDefault(variable.Name, variable.Name);
        }

        FreshPairing fresh = PairFreshVariables(a, b, renaming, Count(first), Count(second));
        run = new(this, (first, a), (second, Rename(b, fresh.Renaming)), FirstStatementNames(first, second, secondNames), started, alignment, secondNames)
        {
            SharedDefinitions = fresh.SecondDefinitions,
            RationalNames = RationalNames(first, second, secondNames),
        };
        try
        {
            return run.Decide(Identical(a, b, fresh), known);
        }
        catch (ArgumentException exception)
        {
            // An ill-sorted query (a bug rather than a property of the statements): undecided, never a wrong verdict.
            return run.Result(EquivalenceVerdict.Unknown, "error: " + exception.Message, null, false, false);
        }
        finally
        {
            vacuities = run.Vacuities;
        }
    }

    /// <summary>The vacuity checks' results of both statements (null: no hypotheses); they do not depend on the alignment.</summary>
    private readonly record struct Vacuities(SmtResult? First, SmtResult? Second);

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
    /// Pairs fresh variables of the second translation with fresh variables of the first that have the same definition
    /// (<see cref="AlphaEquivalence"/> under the alignment's renaming and the pairs found so far; definitions only mention
    /// fresh variables defined before them, so pairing in order works). The top-level fresh variables are functions of the
    /// statement's variables (<c>Real.sqrt</c>, <c>Nat.gcd</c>, <c>Nat.lcm</c>: each definition has exactly one solution),
    /// so paired variables are equal and can share a name: the queries then carry one definition instead of two, which
    /// matters for the quantified gcd and lcm definitions.
    /// </summary>
    private static FreshPairing PairFreshVariables(TranslatedStatement a, TranslatedStatement b, Dictionary<string, string> renaming, int firstCount, int secondCount)
    {
        int firstFresh = a.Variables.Length - firstCount;
        int secondFresh = b.Variables.Length - secondCount;

        // Side conditions: the range facts of the statement's variables, then one definition per fresh variable, in order.
        int firstRange = a.SideConditions.Length - firstFresh;
        int secondRange = b.SideConditions.Length - secondFresh;
        Dictionary<string, string> extended = new(renaming, StringComparer.Ordinal);
        HashSet<int> shared = [];
        if (firstRange < 0 || secondRange < 0)
        {
            return new FreshPairing(extended, shared, false, Math.Max(firstRange, 0), Math.Max(secondRange, 0));
        }

        bool[] paired = new bool[firstFresh];
        for (int j = 0; j < secondFresh; j++)
        {
            Variable variable = b.Variables[secondCount + j];
            Term definition = b.SideConditions[secondRange + j];
            string ownName = extended[variable.Name];
            for (int i = 0; i < firstFresh; i++)
            {
                Variable candidate = a.Variables[firstCount + i];
                if (paired[i] || candidate.Sort != variable.Sort)
                {
                    continue;
                }

                extended[variable.Name] = candidate.Name;
                if (AlphaEquivalence.Equivalent(a.SideConditions[firstRange + i], definition, extended))
                {
                    paired[i] = true;
                    shared.Add(secondRange + j);
                    break;
                }

                extended[variable.Name] = ownName;
            }
        }

        return new FreshPairing(extended, shared, shared.Count == secondFresh && secondFresh == firstFresh, firstRange, secondRange);
    }

    /// <summary>
    /// Whether the translations are the same up to the alignment, the pairing of fresh variables and the names of bound
    /// variables: every fresh variable paired, the range conditions and the hypotheses the same in any order, the
    /// conclusions the same. The translations number fresh and bound variables in the order they meet them, so reordered
    /// hypotheses number them differently; this sees through it.
    /// </summary>
    private static bool Identical(TranslatedStatement a, TranslatedStatement b, FreshPairing fresh)
    {
        return fresh.AllPaired
            && fresh.FirstRange == fresh.SecondRange
            && a.Hypotheses.Length == b.Hypotheses.Length
            && AlphaEquivalence.Equivalent(a.Conclusion, b.Conclusion, fresh.Renaming)
            && SameUpToRenaming(a.SideConditions[..fresh.FirstRange], b.SideConditions[..fresh.SecondRange], fresh.Renaming)
            && SameUpToRenaming(a.Hypotheses, b.Hypotheses, fresh.Renaming);
    }

    /// <summary>The renaming of the second translation's variables extended with paired fresh variables, and the indices of the second's side conditions that define paired ones.</summary>
    private sealed record FreshPairing(Dictionary<string, string> Renaming, HashSet<int> SecondDefinitions, bool AllPaired, int FirstRange, int SecondRange);

    /// <summary>Whether the terms are alpha-equivalent one to one, in any order.</summary>
    private static bool SameUpToRenaming(ImmutableArray<Term> first, ImmutableArray<Term> second, Dictionary<string, string> identity)
    {
        (_, List<Term> firstOnly, List<Term> secondOnly) = SplitShared(first, second, identity);
        return firstOnly.Count == 0 && secondOnly.Count == 0;
    }

    /// <summary>
    /// The terms both lists have (alpha-equivalent under <paramref name="identity"/>, matched one to one, first match
    /// first), and those only one list has, each in its order.
    /// </summary>
    private static (List<Term> Shared, List<Term> FirstOnly, List<Term> SecondOnly) SplitShared(
        ImmutableArray<Term> first, ImmutableArray<Term> second, Dictionary<string, string> identity)
    {
        bool[] matched = new bool[first.Length];
        List<Term> shared = [];
        List<Term> secondOnly = [];
        foreach (Term term in second)
        {
            int match = -1;
            for (int i = 0; i < first.Length && match < 0; i++)
            {
                if (!matched[i] && AlphaEquivalence.Equivalent(first[i], term, identity))
                {
                    match = i;
                }
            }

            if (match < 0)
            {
                secondOnly.Add(term);
            }
            else
            {
                matched[match] = true;
                shared.Add(first[match]);
            }
        }

        return (shared, [.. first.Where((_, index) => !matched[index])], secondOnly);
    }

    /// <summary>The query names of both statements' ℚ variables (the second's under their new names).</summary>
    private static HashSet<string> RationalNames(FormalStatement first, FormalStatement second, Dictionary<string, string> secondNames)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        foreach (FormalVariable variable in first.Variables.IsDefault ? [] : first.Variables)
        {
            if (variable.Type.Kind == FormalTypeKind.Rat)
            {
                names.Add(variable.Name);
            }
        }

        foreach (FormalVariable variable in second.Variables.IsDefault ? [] : second.Variables)
        {
            if (variable.Type.Kind == FormalTypeKind.Rat)
            {
                names.Add(secondNames.GetValueOrDefault(variable.Name, variable.Name));
            }
        }

        return names;
    }

    /// <summary>The names a counterexample reports: the first statement's variables and the second's under their new names.</summary>
    private static HashSet<string> FirstStatementNames(FormalStatement first, FormalStatement second, Dictionary<string, string> secondNames)
    {
        HashSet<string> names = new(secondNames.Values, StringComparer.Ordinal);
        foreach (FormalVariable variable in first.Variables.IsDefault ? [] : first.Variables)
        {
            names.Add(variable.Name);
            if (variable.Type.Kind == FormalTypeKind.Complex)
            {
                // A ℂ variable is its real part under its own name and its imaginary part under this one (LeanToSmt).
                names.Add(variable.Name + ".im");
            }
        }

        foreach (FormalVariable variable in second.Variables.IsDefault ? [] : second.Variables)
        {
            if (variable.Type.Kind == FormalTypeKind.Complex)
            {
                names.Add(secondNames[variable.Name] + ".im");
            }
        }

        return names;
    }

    /// <summary>One check of a pair: the translations, the queries run and the result.</summary>
    private sealed class Run(
        StatementEquivalence owner,
        (FormalStatement Source, TranslatedStatement Translation) firstStatement,
        (FormalStatement Source, TranslatedStatement Translation) secondStatement,
        HashSet<string> reportedNames,
        long started,
        VariableAlignment alignment,
        IReadOnlyDictionary<string, string> secondNames)
    {
        private readonly TranslatedStatement first = firstStatement.Translation;
        private readonly TranslatedStatement second = secondStatement.Translation;
        private int _checks;
        private bool _identical;

        /// <summary>Indices of the second translation's side conditions that define fresh variables paired with the first's.</summary>
        public HashSet<int> SharedDefinitions { get; init; } = [];

        /// <summary>The query names of ℚ variables (ranging as ℝ): a counterexample must give them rational values.</summary>
        public HashSet<string> RationalNames { get; init; } = [];

        /// <summary>The vacuity results once <see cref="Decide"/> has computed them.</summary>
        public Vacuities Vacuities { get; private set; }

        /// <summary>
        /// Adds the verdict as theorems to this run's strict result: equivalent when strictly equivalent; otherwise, when
        /// the options ask for it, one more equivalence query.
        /// </summary>
        /// <param name="strict">This run's strict result.</param>
        /// <returns>The result with <see cref="EquivalenceResult.TheoremVerdict"/> set.</returns>
        public EquivalenceResult AsTheorems(EquivalenceResult strict)
        {
            if (strict.Verdict == EquivalenceVerdict.Equivalent)
            {
                return strict with { TheoremVerdict = EquivalenceVerdict.Equivalent };
            }

            if (!owner.Options.CheckAsTheorems || strict.Reason.StartsWith("error: ", StringComparison.Ordinal))
            {
                return strict;
            }

            // As theorems: for every value of the variables, (H1 -> C1) holds exactly when (H2 -> C2) does, under the
            // range facts and fresh-variable definitions of both.
            ImmutableArray<Term> sideConditions =
                [.. first.SideConditions, .. second.SideConditions.Where((_, index) => !SharedDefinitions.Contains(index))];
            ProofResult theorem = Equivalent(
                new Implication(Terms.All(first.Hypotheses), first.Conclusion),
                new Implication(Terms.All(second.Hypotheses), second.Conclusion),
                sideConditions,
                owner._limit);
            EquivalenceVerdict verdict = theorem.Verdict switch
            {
                ProofVerdict.Proven => EquivalenceVerdict.Equivalent,
                ProofVerdict.Refuted => EquivalenceVerdict.NotEquivalent,
                _ => EquivalenceVerdict.Unknown,
            };
            return strict with
            {
                TheoremVerdict = verdict,
                TheoremCounterexample = verdict == EquivalenceVerdict.NotEquivalent ? Report(theorem.Counterexample) : null,
                SmtChecks = _checks,
                Elapsed = Stopwatch.GetElapsedTime(started),
            };
        }

        /// <summary>Decides the pair strictly.</summary>
        /// <param name="identical">Whether the translations are the same after the alignment.</param>
        /// <param name="known">The vacuity results of an earlier check of the same statements, if any.</param>
        public EquivalenceResult Decide(bool identical, Vacuities? known)
        {
            _identical = identical;

            // Vacuity of each side; identical translations are vacuous together. It does not depend on the alignment.
            SmtResult? firstVacuity = known is { } k1 ? k1.First : Vacuity(firstStatement.Source, first);
            SmtResult? secondVacuity = known is { } k2 ? k2.Second : identical ? firstVacuity : Vacuity(secondStatement.Source, second);
            Vacuities = new Vacuities(firstVacuity, secondVacuity);
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

            // The second's definitions of fresh variables paired with the first's are the first's (same name, same definition).
            ImmutableArray<Term> sideConditions =
                [.. first.SideConditions, .. second.SideConditions.Where((_, index) => !SharedDefinitions.Contains(index))];
            Dictionary<string, string> none = new(StringComparer.Ordinal);

            // Hypotheses: their conjunctions agree everywhere (under the range facts and fresh-variable definitions). The
            // hypotheses both statements share (up to bound names) are assumed; only the others are compared, first one
            // pair at a time in their order without the rest (a rewrite changes a few hypotheses in place; small queries
            // are easy), then as conjunctions.
            (List<Term> shared, List<Term> firstOnly, List<Term> secondOnly) = SplitShared(first.Hypotheses, second.Hypotheses, none);
            if (firstOnly.Count > 0 || secondOnly.Count > 0)
            {
                ImmutableArray<Term> common = [.. sideConditions, .. shared];
                if (!PairwiseEquivalent(firstOnly, secondOnly, common))
                {
                    ProofResult hypotheses = Equivalent(Terms.All(firstOnly), Terms.All(secondOnly), common, owner._limit);
                    if (hypotheses.Verdict == ProofVerdict.Refuted)
                    {
                        return Result(EquivalenceVerdict.NotEquivalent, HypothesesDifferReason, Report(hypotheses.Counterexample), false, false);
                    }

                    unknown ??= hypotheses.Reason;
                }
            }

            // Conclusions: they agree wherever both statements' hypotheses hold. Most rewrites keep them equivalent
            // outright, which is a smaller query than one under non-linear hypotheses: tried first, briefly.
            if (!AlphaEquivalence.Equivalent(first.Conclusion, second.Conclusion, none)
                && !Equivalent(first.Conclusion, second.Conclusion, sideConditions, ShortLimit).IsProven)
            {
                ProofResult conclusions = Equivalent(
                    first.Conclusion, second.Conclusion, [.. sideConditions, .. first.Hypotheses, .. second.Hypotheses], owner._limit);
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

        /// <summary>
        /// Whether the side conditions and hypotheses can hold together; null when there are no hypotheses (the side
        /// conditions always can). When Z3 cannot tell in time (non-linear integer hypotheses often defeat it), an exact
        /// search for an assignment satisfying the hypotheses settles it as satisfiable when it finds one.
        /// </summary>
        private SmtResult? Vacuity(FormalStatement source, TranslatedStatement statement)
        {
            if (statement.Hypotheses.IsDefaultOrEmpty)
            {
                return null;
            }

            if (owner._vacuity.TryGetValue(source, out SmtResult? known))
            {
                return known;
            }

            _checks++;
            // An equisatisfiable rewrite, when one applies, goes first: Z3 rarely decides the quantified hypotheses it
            // replaces within the limit, and the rewrite is quantifier-free or nearly so.
            SmtResult result = Rewritten(source) is (Sat or Unsat) and var settled
                ? settled
                : owner._backend.Check([.. HypothesisContext(source, statement), .. statement.Hypotheses], owner._limit);
            if (result is Unknown && ConstantWitness(source) is { } witness)
            {
                result = witness;
            }

            // Narrowed models (functions the identity, ℂ numbers real): a model of either is one of the hypotheses.
            foreach (Func<FormalStatement, FormalStatement?> narrowing in (ReadOnlySpan<Func<FormalStatement, FormalStatement?>>)[VacuityReductions.IdentityFunctions, VacuityReductions.RealComplexVariables])
            {
                if (result is Unknown && narrowing(source) is { } narrowed && Satisfiability(narrowed, owner._limit) is Sat narrowedModel)
                {
                    result = narrowedModel;
                }
            }

            if (result is Unknown && owner.Options.VacuityModelAssignments > 0
                && (WitnessSearch.FindModel(source, new WitnessSearchOptions { MaxAssignments = owner.Options.VacuityModelAssignments })
                    ?? ProvenQuantifiedModel(source)) is { } model)
            {
                result = new Sat(model.ToImmutableSortedDictionary(static pair => pair.Key, static pair => pair.Value.ToString(), StringComparer.Ordinal));
            }

            if (owner._vacuity.Count >= VacuityCacheSize)
            {
                owner._vacuity.Clear();
            }

            owner._vacuity[source] = result;
            return result;
        }

        /// <summary>
        /// The hypotheses' satisfiability through the equisatisfiable rewrites of <see cref="VacuityReductions"/>:
        /// definitions the other hypotheses do not depend on dropped, recurrences unrolled. Null when neither applies.
        /// </summary>
        private SmtResult? Rewritten(FormalStatement source)
        {
            FormalStatement current = source;
            bool rewritten = false;
            if (VacuityReductions.WithoutDefinitions(current, Unsatisfiable) is { } defined)
            {
                (current, rewritten) = (defined, true);
            }

            if (VacuityReductions.Unrolled(current) is { } unrolled)
            {
                (current, rewritten) = (unrolled, true);
            }

            return rewritten ? Satisfiability(current, owner._limit) : null;
        }

        /// <summary>
        /// A model of the hypotheses with every numeric function constant (<see cref="VacuityReductions.ConstantFunctions"/>;
        /// a ℚ-valued constant must come out rational); null when there is none or Z3 finds none in time.
        /// </summary>
        private Sat? ConstantWitness(FormalStatement source)
        {
            return VacuityReductions.ConstantFunctions(source, out ImmutableDictionary<string, FormalVariable> constants) is { } narrowed
                && Satisfiability(narrowed, owner._limit) is Sat model
                && constants.Values.All(c => c.Type.Kind != FormalTypeKind.Rat || !model.Model.TryGetValue(c.Name, out string? value) || IsRational(value))
                ? model
                : null;
        }

        /// <summary>Whether the statement's side conditions and hypotheses are satisfiable (null when it does not translate).</summary>
        private SmtResult? Satisfiability(FormalStatement statement, TimeSpan limit)
        {
            if (statement.Hypotheses.IsDefaultOrEmpty)
            {
                return new Sat(ImmutableSortedDictionary<string, string>.Empty);
            }

            if (LeanToSmt.TryTranslate(statement) is not { Statement: { } translated })
            {
                return null;
            }

            _checks++;
            return owner._backend.Check([.. HypothesisContext(statement, translated), .. translated.Hypotheses], limit);
        }

        /// <summary>Whether the statement's hypotheses are proven unsatisfiable within the check limit.</summary>
        private bool Unsatisfiable(FormalStatement statement) => Satisfiability(statement, owner._limit) is Unsat;

        /// <summary>
        /// A model of hypotheses that quantify (<c>∀ x, ...</c>), which exact evaluation cannot check: candidate values of
        /// the statement's variables come from the exact search over the quantifier-free hypotheses, first together with
        /// the conclusion (the intended answer of a "show that it is" statement), and Z3 proves that every hypothesis
        /// holds at each candidate (the statement translated with the candidate's values in place, side conditions ∧ ¬(∧H)
        /// unsatisfiable; with the variables fixed, the negated quantifiers become existential and Z3 decides them far more
        /// easily, and value-dependent encodings such as the gcd table apply). Null when no candidate is
        /// proven within the check limit each (at most four candidates; only statements whose vacuity Z3 left undecided
        /// get here).
        /// </summary>
        private ImmutableSortedDictionary<string, Rational>? ProvenQuantifiedModel(FormalStatement source)
        {
            ImmutableArray<FormalHypothesis> hypotheses = source.Hypotheses.IsDefault ? [] : source.Hypotheses;
            if (!hypotheses.Any(static h => ExprTree.Descendants(h.Proposition).Any(static e => e is QuantifierExpr)))
            {
                return null;
            }

            FormalStatement quantifierFree = source with
            {
                Hypotheses = [.. hypotheses.Where(static h => !ExprTree.Descendants(h.Proposition).Any(static e => e is QuantifierExpr))],
            };
            FormalStatement answered = quantifierFree with { Hypotheses = [.. quantifierFree.Hypotheses, new FormalHypothesis("conclusion", source.Conclusion)] };
            WitnessSearchOptions search = new() { MaxAssignments = owner.Options.VacuityModelAssignments };
            IEnumerable<ImmutableSortedDictionary<string, Rational>> candidates =
                WitnessSearch.FindModels(answered, QuantifiedModelCandidates, search).Concat(WitnessSearch.FindModels(quantifierFree, QuantifiedModelCandidates, search));
            HashSet<string> tried = [];
            foreach (ImmutableSortedDictionary<string, Rational> candidate in candidates)
            {
                if (!tried.Add(string.Join(",", candidate.Values)) || LeanToSmt.TryTranslateAt(source, candidate) is not { } fixedAt)
                {
                    continue;
                }

                // Translated at the candidate rather than pinned afterwards, so that value-dependent encodings apply
                // (Nat.gcd (6n + k) (6n + 3) at k = 5 has a quantifier-free form).
                _checks++;
                if (owner._backend.Check([.. fixedAt.SideConditions, new LogicalNot(Terms.All(fixedAt.Hypotheses))], owner._limit) is Unsat)
                {
                    return candidate;
                }
            }

            return null;
        }

        /// <summary>
        /// The side conditions the hypotheses need: every range fact, and the definitions of the fresh variables the
        /// hypotheses mention (and of those such definitions mention). A fresh variable's definition has exactly one
        /// solution for any values of its arguments, so leaving out the definitions of fresh variables only the conclusion
        /// uses keeps the query equisatisfiable, and spares Z3 their non-linear constraints (<c>Real.sqrt 10</c> in a
        /// conclusion once kept a four-variable polynomial system undecided).
        /// </summary>
        private static ImmutableArray<Term> HypothesisContext(FormalStatement source, TranslatedStatement statement)
        {
            int own = Count(source);
            int fresh = statement.Variables.Length - own;
            int range = statement.SideConditions.Length - fresh;
            if (fresh <= 0 || range < 0)
            {
                return statement.SideConditions;
            }

            HashSet<string> needed = [.. Terms.FreeVariables(statement.Hypotheses).Select(static v => v.Name)];
            bool[] keep = new bool[fresh];

            // Definitions only mention fresh variables defined before them, so one backward pass closes the set.
            for (int j = fresh - 1; j >= 0; j--)
            {
                if (needed.Contains(statement.Variables[own + j].Name))
                {
                    keep[j] = true;
                    needed.UnionWith(Terms.FreeVariables([statement.SideConditions[range + j]]).Select(static v => v.Name));
                }
            }

            return [.. statement.SideConditions.Take(range), .. Enumerable.Range(0, fresh).Where(j => keep[j]).Select(j => statement.SideConditions[range + j])];
        }

        /// <summary>
        /// Whether <paramref name="left"/> ↔ <paramref name="right"/> holds under the assumptions, as two queries, one per
        /// direction (left ∧ ¬right, then right ∧ ¬left): each is a conjunction Z3 preprocesses well, and a refutation in
        /// the first spares the second.
        /// </summary>
        private ProofResult Equivalent(Term left, Term right, ImmutableArray<Term> assumptions, TimeSpan limit)
        {
            ProofResult forward = Direction(left, right, assumptions, limit);
            if (forward.Verdict == ProofVerdict.Refuted)
            {
                return forward;
            }

            ProofResult backward = Direction(right, left, assumptions, limit);
            return backward.Verdict == ProofVerdict.Proven ? forward : backward;
        }

        private ProofResult Direction(Term premise, Term conclusion, ImmutableArray<Term> assumptions, TimeSpan limit)
        {
            _checks++;
            Term[] query = [.. assumptions, premise, new LogicalNot(conclusion)];
            ProofResult result = ProofResult.FromNegation(owner._backend.Check(query, limit));
            return result.Verdict == ProofVerdict.Refuted ? Witnessed(result, query) : result;
        }

        /// <summary>
        /// A refutation kept only when its model is a counterexample in Lean's semantics: not when the query has an
        /// uninterpreted function (the model interprets it, and only the axioms constrain that interpretation), nor when
        /// a ℚ variable got an irrational value; those are undecided.
        /// </summary>
        private ProofResult Witnessed(ProofResult refuted, Term[] query)
        {
            if (Terms.FreeVariables(query).Any(static v => v.IsFunction))
            {
                return ProofResult.Undecided(UninterpretedCounterexampleReason);
            }

            foreach (string name in RationalNames)
            {
                if (refuted.Counterexample!.TryGetValue(name, out string? value) && !IsRational(value))
                {
                    return ProofResult.Undecided(IrrationalCounterexampleReason);
                }
            }

            return refuted;
        }

        /// <summary>Whether a model value (<see cref="SmtValues"/>' form) is a rational number rather than an algebraic one.</summary>
        private static bool IsRational(string value)
        {
            try
            {
                _ = Rational.Parse(value);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        /// <summary>The limit of the quick attempts that may spare a larger query: a quarter of the check limit.</summary>
        private TimeSpan ShortLimit => owner._limit / 4;

        /// <summary>
        /// Whether the hypotheses only one side has are equivalent pair by pair, in order, under the assumptions alone
        /// (each pair briefly); then their conjunctions are equivalent. False when the counts differ or a pair is not proven.
        /// </summary>
        private bool PairwiseEquivalent(List<Term> firstOnly, List<Term> secondOnly, ImmutableArray<Term> assumptions)
        {
            if (firstOnly.Count != secondOnly.Count || firstOnly.Count > 3)
            {
                return false;
            }

            for (int i = 0; i < firstOnly.Count; i++)
            {
                if (!Equivalent(firstOnly[i], secondOnly[i], assumptions, ShortLimit).IsProven)
                {
                    return false;
                }
            }

            return true;
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
