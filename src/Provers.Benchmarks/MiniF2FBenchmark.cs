using System.Collections.Immutable;

using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Translation;

namespace Planning.Provers.Benchmarks;

/// <summary>Settings of <see cref="MiniF2FBenchmark"/>.</summary>
internal sealed record MiniF2FBenchmarkOptions
{
    /// <summary>The defaults: 2 s per check, all statements, seed 0, one worker, 1500 witness assignments.</summary>
    public static MiniF2FBenchmarkOptions Default { get; } = new();

    /// <summary>The time limit of each SMT check inside an equivalence check.</summary>
    public TimeSpan CheckLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many translated statements to run the rewrite and mutation benchmark on (all when null); the rest are only counted.</summary>
    public int? MaxStatements { get; init; }

    /// <summary>The seed of the rewrites, mutations and witness searches.</summary>
    public int Seed { get; init; }

    /// <summary>How many statements are checked in parallel, each worker with its own backend; the results do not depend on it.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>How many assignments a witness search for a mutation evaluates at most.</summary>
    public int WitnessAssignments { get; init; } = 1500;

    /// <summary>How many assignments the sanity search on each rewrite evaluates (0 skips it).</summary>
    public int RewriteWitnessAssignments { get; init; } = 100;
}

/// <summary>
/// The miniF2F benchmark of the equivalence checker: parse and translation rates (overall, per family, unsupported
/// constructs), then for each translated statement the check against its renamed, reordered self, against every generated
/// rewrite (<see cref="StatementRewrites"/>) and against every generated mutation (<see cref="StatementMutations"/>), each
/// mutation also searched for a witness (<see cref="WitnessSearch"/>) so that an <c>equivalent</c> verdict on a
/// semantics-changing mutation is caught. The library never prints; progress goes to an optional callback.
/// </summary>
internal sealed class MiniF2FBenchmark
{
    private readonly Func<ISmtBackend> _backendFactory;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="backendFactory">Makes one backend per statement, used for all of its checks (the benchmark disposes them).</param>
    /// <param name="options">The settings; <see cref="MiniF2FBenchmarkOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="backendFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The check limit is not positive or there are no workers.</exception>
    public MiniF2FBenchmark(Func<ISmtBackend> backendFactory, MiniF2FBenchmarkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backendFactory);
        _backendFactory = backendFactory;
        Options = options ?? MiniF2FBenchmarkOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Options.CheckLimit, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Workers, 1, nameof(options));
    }

    /// <summary>The settings in use.</summary>
    public MiniF2FBenchmarkOptions Options { get; }

    /// <summary>Runs the benchmark.</summary>
    /// <param name="entries">The miniF2F entries (see <see cref="MiniF2FDataset.Read"/>).</param>
    /// <param name="progress">Receives the number of statements benchmarked so far, after each one.</param>
    /// <param name="cancellationToken">Stops the run between statements.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entries"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public MiniF2FReport Run(IReadOnlyList<MiniF2FEntry> entries, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Dictionary<string, int> unsupported = new(StringComparer.Ordinal);
        Dictionary<string, (int Total, int Parsed, int Translated)> families = new(StringComparer.Ordinal);
        List<(MiniF2FEntry Entry, FormalStatement Statement)> translated = [];
        int parsed = 0;
        foreach (MiniF2FEntry entry in entries)
        {
            string family = entry.Family;
            (int total, int familyParsed, int familyTranslated) = families.GetValueOrDefault(family);
            total++;
            FormalParseResult parse = LeanStatementParser.TryParse(entry.FormalStatement);
            if (parse.Statement is FormalStatement statement)
            {
                parsed++;
                familyParsed++;
                TranslationResult translation = LeanToSmt.TryTranslate(statement);
                if (translation.Succeeded)
                {
                    familyTranslated++;
                    translated.Add((entry, statement));
                }
                else
                {
                    Count(unsupported, "translate: " + (translation.Error?.Construct ?? "unknown"));
                }
            }
            else
            {
                FormalParseException error = parse.Error!;
                Count(unsupported, error.IsUnsupported ? "parse: " + (error.Construct ?? error.Reason) : "parse: " + error.Kind.ToString().ToUpperInvariant());
            }

            families[family] = (total, familyParsed, familyTranslated);
        }

        int limit = Math.Min(translated.Count, Options.MaxStatements ?? int.MaxValue);
        StatementBenchmark[] details = RunStatements(translated.Take(limit).ToList(), progress, cancellationToken);
        MutationBenchmarkResult mutations = Summarise(details);
        CheckTimings timings = CheckTimings.Of(details.SelectMany(static detail =>
            detail.Rewrites.Select(static rewrite => rewrite.Check.Elapsed)
                .Concat(detail.Mutations.Select(static mutation => mutation.Check.Elapsed))
                .Append(detail.Self.Elapsed)));
        return new MiniF2FReport(
            entries.Count,
            parsed,
            translated.Count,
            [.. unsupported.OrderByDescending(static pair => pair.Value).ThenBy(static pair => pair.Key, StringComparer.Ordinal)
                .Select(static pair => new ConstructCount(pair.Key, pair.Value))],
            [.. families.OrderBy(static pair => pair.Key, StringComparer.Ordinal)
                .Select(static pair => new FamilyRow(pair.Key, pair.Value.Total, pair.Value.Parsed, pair.Value.Translated))],
            timings,
            mutations);
    }

    /// <summary>Benchmarks one statement: self, rewrites, mutations (deterministic for the options' seed and the index).</summary>
    /// <param name="statement">The statement (it should translate).</param>
    /// <param name="family">The problem family, for the report.</param>
    /// <param name="checker">The equivalence checker to use.</param>
    /// <param name="index">The statement's index, mixed into the seed.</param>
    /// <returns>The statement's results.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public StatementBenchmark RunStatement(FormalStatement statement, string family, StatementEquivalence checker, int index)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(checker);
        int seed = unchecked((Options.Seed * 7919) + index);
        CheckOutcome self = Check(checker, statement, StatementRewrites.RenameAndReorder(statement, seed).Statement);
        ImmutableArray<RewriteOutcome> rewrites =
        [
            .. StatementRewrites.Generate(statement, seed).Select(rewrite => new RewriteOutcome(
                rewrite.Kind,
                rewrite.Description,
                Check(checker, statement, rewrite.Statement),
                Options.RewriteWitnessAssignments > 0
                    ? WitnessSearch.Find(statement, rewrite.Statement, new WitnessSearchOptions { MaxAssignments = Options.RewriteWitnessAssignments, Seed = seed })
                    : null)),
        ];
        ImmutableArray<MutationOutcome> mutations =
        [
            .. StatementMutations.Generate(statement, seed).Select(mutation => new MutationOutcome(
                mutation.Kind,
                mutation.Description,
                LeanPrinter.Print(mutation.Statement),
                Check(checker, statement, mutation.Statement),
                WitnessSearch.Find(statement, mutation.Statement, new WitnessSearchOptions { MaxAssignments = Options.WitnessAssignments, Seed = seed }))),
        ];
        return new StatementBenchmark(statement.Name, family, self, rewrites, mutations);
    }

    private static CheckOutcome Check(StatementEquivalence checker, FormalStatement first, FormalStatement second)
    {
        EquivalenceResult result = checker.Check(first, second);
        return new CheckOutcome(result.Verdict, result.Reason, result.Elapsed);
    }

    private StatementBenchmark[] RunStatements(
        List<(MiniF2FEntry Entry, FormalStatement Statement)> statements, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        StatementBenchmark[] results = new StatementBenchmark[statements.Count];
        int next = -1;
        int done = 0;
        void Work()
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int index = Interlocked.Increment(ref next);
                if (index >= statements.Count)
                {
                    return;
                }

                // A backend (Z3 context) per statement, for all of its checks: a context carries solver state from check
                // to check, and with one per worker a statement's verdicts depended on the statements before it
                // (mathd_algebra_73 proved itself alone in 0.1 s and timed out after other statements' checks).
                using ISmtBackend backend = _backendFactory();

                // The benchmark measures the strict verdict (false equivalents, decided rate, time); the verdict as
                // theorems would add a query to every refuted mutation.
                StatementEquivalence checker = new(backend, new EquivalenceOptions { CheckLimit = Options.CheckLimit, CheckAsTheorems = false });
                (MiniF2FEntry entry, FormalStatement statement) = statements[index];
                results[index] = RunStatement(statement, entry.Family, checker, index);
                progress?.Report(Interlocked.Increment(ref done));
            }
        }

        int workers = Math.Min(Options.Workers, Math.Max(1, statements.Count));
        if (workers == 1)
        {
            Work();
        }
        else
        {
            Task[] tasks = [.. Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(
                Work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
            Task.WaitAll(tasks, cancellationToken);
        }

        return results;
    }

    private static MutationBenchmarkResult Summarise(StatementBenchmark[] details)
    {
        ImmutableArray<RewriteKindRow> rewrites =
        [
            .. Enum.GetValues<RewriteKind>().Where(static kind => kind != RewriteKind.RenameAndReorder).Select(kind =>
            {
                RewriteOutcome[] outcomes = [.. details.SelectMany(static detail => detail.Rewrites).Where(rewrite => rewrite.Kind == kind)];
                return new RewriteKindRow(
                    kind,
                    outcomes.Length,
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.Equivalent),
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.Unknown),
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.NotEquivalent),
                    outcomes.Count(static outcome => outcome.Witness is not null));
            }),
        ];
        ImmutableArray<MutationKindRow> mutations =
        [
            .. Enum.GetValues<MutationKind>().Select(kind =>
            {
                MutationOutcome[] outcomes = [.. details.SelectMany(static detail => detail.Mutations).Where(mutation => mutation.Kind == kind)];
                return new MutationKindRow(
                    kind,
                    outcomes.Length,
                    outcomes.Count(static outcome => outcome.Witness is not null),
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.Equivalent),
                    outcomes.Count(static outcome => outcome.IsFalseEquivalent),
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.NotEquivalent),
                    outcomes.Count(static outcome => outcome.Check.Verdict == EquivalenceVerdict.Unknown),
                    outcomes.Count(static outcome => outcome.IsEquivalentAcrossTypes));
            }),
        ];
        return new MutationBenchmarkResult(
            details.Length,
            details.Count(static detail => detail.Self.Verdict == EquivalenceVerdict.Equivalent),
            details.Count(static detail => detail.ProvenRewrites >= 3),
            rewrites,
            mutations,
            [.. details]);
    }

    private static void Count(Dictionary<string, int> counts, string key)
    {
        counts[key] = counts.GetValueOrDefault(key) + 1;
    }
}
