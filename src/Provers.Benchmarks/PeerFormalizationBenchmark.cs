using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.RegularExpressions;

using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Benchmarks;

/// <summary>
/// One problem formalized twice, by us and by a peer: the verdict on the pair when the texts differ.
/// </summary>
/// <param name="Name">The problem's name (the theorem's).</param>
/// <param name="Ours">Our statement's text.</param>
/// <param name="Theirs">The peer's statement's text.</param>
/// <param name="Verdict">The strict verdict (ours first); <see cref="EquivalenceVerdict.Unknown"/> when a side does not parse.</param>
/// <param name="TheoremVerdict">The verdict as theorems.</param>
/// <param name="Reason">Why (the checker's reason, or <c>parse: ...</c>).</param>
/// <param name="Milliseconds">Time of the check.</param>
internal sealed record PeerPair(
    string Name, string Ours, string Theirs, EquivalenceVerdict Verdict, EquivalenceVerdict TheoremVerdict, string Reason, double Milliseconds)
{
    /// <summary>
    /// Whether both sides parse to the same statement (the same IR, printed by <see cref="LeanPrinter"/>): the texts then
    /// differ only in spelling the parser reads the same way (<c>∑ x ∈ s</c> and <c>∑ x in s</c>, redundant parentheses,
    /// line breaks), and an <c>equivalent</c> verdict needs no hand review.
    /// </summary>
    public bool SameParse { get; init; }
}

/// <summary>What <see cref="PeerFormalizationBenchmark"/> found.</summary>
/// <param name="Problems">Problems both files formalize (by theorem name).</param>
/// <param name="IdenticalText">Of those, pairs whose texts are the same up to white space (not checked).</param>
/// <param name="Pairs">The pairs whose texts differ, each checked, in name order.</param>
internal sealed record PeerReport(int Problems, int IdenticalText, ImmutableArray<PeerPair> Pairs)
{
    /// <summary>Differing pairs with a verdict (equivalent or not).</summary>
    public int Decided => Pairs.Count(static p => p.Verdict != EquivalenceVerdict.Unknown);

    /// <summary>Share of the differing pairs decided.</summary>
    public double DecidedRate => Pairs.IsEmpty ? 0 : (double)Decided / Pairs.Length;

    /// <summary>The reasons for <c>unknown</c>, most frequent first (reasons cut at the first digit or quote, so that similar ones group).</summary>
    public ImmutableArray<(string Reason, int Count)> UnknownReasons =>
    [
        .. Pairs.Where(static p => p.Verdict == EquivalenceVerdict.Unknown)
            .GroupBy(static p => PeerFormalizationBenchmark.ReasonGroup(p.Reason))
            .Select(static g => (g.Key, g.Count()))
            .OrderByDescending(static g => g.Item2)
            .ThenBy(static g => g.Key, StringComparer.Ordinal),
    ];
}

/// <summary>
/// Checks our miniF2F statements against another public formalization of the same problems: for every problem both
/// formalize whose texts differ beyond white space, the strict and the theorem verdict, ours as the first statement.
/// The pairs called equivalent are the ones to review by hand (a false one would be a soundness bug); the decided
/// rate says how much of real formalization variety the checker covers.
/// </summary>
internal sealed class PeerFormalizationBenchmark
{
    private readonly Func<ISmtBackend> _backendFactory;
    private readonly TimeSpan _checkLimit;
    private readonly int _workers;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="backendFactory">Makes one backend per pair (the benchmark disposes them).</param>
    /// <param name="checkLimit">Time limit of each solver check.</param>
    /// <param name="workers">Pairs checked at once, at least 1.</param>
    public PeerFormalizationBenchmark(Func<ISmtBackend> backendFactory, TimeSpan checkLimit, int workers)
    {
        ArgumentNullException.ThrowIfNull(backendFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _backendFactory = backendFactory;
        _checkLimit = checkLimit;
        _workers = workers;
    }

    /// <summary>Runs the comparison.</summary>
    /// <param name="ours">Our statements.</param>
    /// <param name="theirs">The peer's statements.</param>
    /// <param name="progress">Told the number of pairs checked so far.</param>
    /// <returns>The report.</returns>
    public PeerReport Run(IReadOnlyList<MiniF2FEntry> ours, IReadOnlyList<MiniF2FEntry> theirs, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(theirs);
        Dictionary<string, MiniF2FEntry> peerByName = theirs.GroupBy(static e => e.Name, StringComparer.Ordinal).ToDictionary(static g => g.Key, static g => g.First(), StringComparer.Ordinal);
        List<(MiniF2FEntry Ours, MiniF2FEntry Theirs)> common =
            [.. ours.Where(e => peerByName.ContainsKey(e.Name)).DistinctBy(static e => e.Name).OrderBy(static e => e.Name, StringComparer.Ordinal).Select(e => (e, peerByName[e.Name]))];
        List<(MiniF2FEntry Ours, MiniF2FEntry Theirs)> differing = [.. common.Where(static pair => Normalise(pair.Ours.FormalStatement) != Normalise(pair.Theirs.FormalStatement))];
        PeerPair[] results = new PeerPair[differing.Count];
        int next = -1;
        int done = 0;
        void Work()
        {
            for (int index = Interlocked.Increment(ref next); index < differing.Count; index = Interlocked.Increment(ref next))
            {
                // A fresh backend (Z3 context) per pair: a context carries solver state from one check to the next, which
                // made a pair's verdict depend on the pairs checked before it (aime_1990_p15, imo_2001_p6 flapped between
                // equivalent and timeout); a pair's result is now the same in any order and with any number of workers.
                using ISmtBackend backend = _backendFactory();
                StatementEquivalence checker = new(backend, new EquivalenceOptions { CheckLimit = _checkLimit });
                results[index] = Check(checker, differing[index].Ours, differing[index].Theirs);
                progress?.Report(Interlocked.Increment(ref done));
            }
        }

        Task[] tasks = [.. Enumerable.Range(0, Math.Min(_workers, Math.Max(1, differing.Count))).Select(_ => Task.Factory.StartNew(
            Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        Task.WaitAll(tasks);
        return new PeerReport(common.Count, common.Count - differing.Count, [.. results]);
    }

    /// <summary>
    /// The group a reason for <c>unknown</c> belongs to: the text, without a parser's <c>line N, column M:</c>, before its
    /// first digit, quote or parenthesis.
    /// </summary>
    /// <param name="reason">The reason.</param>
    /// <returns>Its group.</returns>
    public static string ReasonGroup(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        reason = Regex.Replace(reason, @"line \d+, column \d+: ", string.Empty);
        int cut = reason.IndexOfAny(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '"', '\'', '(', '`']);
        return (cut < 0 ? reason : reason[..cut]).TrimEnd(' ', ':', ',');
    }

    private static PeerPair Check(StatementEquivalence checker, MiniF2FEntry ours, MiniF2FEntry theirs)
    {
        long started = Stopwatch.GetTimestamp();
        FormalStatement first;
        FormalStatement second;
        try
        {
            first = LeanStatementParser.Parse(ours.FormalStatement);
            second = LeanStatementParser.Parse(theirs.FormalStatement);
        }
        catch (FormalParseException exception)
        {
            return new PeerPair(ours.Name, ours.FormalStatement, theirs.FormalStatement, EquivalenceVerdict.Unknown, EquivalenceVerdict.Unknown,
                "parse: " + exception.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        EquivalenceResult result = checker.Check(first, second);
        return new PeerPair(ours.Name, ours.FormalStatement, theirs.FormalStatement, result.Verdict, result.TheoremVerdict, result.Reason,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds)
        {
            SameParse = string.Equals(LeanPrinter.Print(first), LeanPrinter.Print(second with { Name = first.Name }), StringComparison.Ordinal),
        };
    }

    private static string Normalise(string text) => Regex.Replace(text, @"\s+", " ").Trim();
}
