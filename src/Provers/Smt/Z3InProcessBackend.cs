using System.Collections.Immutable;
using System.Runtime.ExceptionServices;

using Microsoft.Z3;

namespace Planning.Provers.Smt;

/// <summary>
/// Z3 in-process through Microsoft.Z3, with a hard time limit: one Z3 context and one long-lived solver at a time, used
/// by a thread of its own, a scope pushed and popped around each check (and the solver reset every thousand checks,
/// which keeps Z3's memory flat). On Linux this runs on Debian's libz3 4.8.12 through the native shim
/// (src/Provers/Native/README.md), which makes the managed API's finalizer-thread releases safe.
/// </summary>
/// <remarks>
/// <para>
/// Every check returns by its limit plus <see cref="Z3InProcessOptions.HardLimitMargin"/>, whatever Z3 does. A watchdog
/// calls <c>Z3_interrupt</c> at the limit. Z3's own <c>timeout</c> parameter is deliberately not set: in Z3 4.8.12 it arms
/// a timer from a process-wide pool whose entry stays locked by a check that never returns while the pool hands it out
/// again, so that one stuck check made later checks of every context in the process block in <c>Z3_solver_check</c>
/// (seen under gdb: a fresh context's check waiting on such a timer's mutex). Z3 4.8.12 does not always listen to the
/// interrupt either: its complete procedure for nonlinear real arithmetic (nlsat), once it runs unbounded, polls a private
/// resource limit that neither reaches (fixed upstream in Z3 4.15), and such a query can run for minutes or for good.
/// So the check itself runs on the context's own thread, and the caller waits for it until the limit plus the margin;
/// then the check answers <c>unknown</c> (reason <see cref="Unknown.TimeoutReason"/>) and the context is abandoned to
/// that thread: nothing touches it again while the native call runs (no interrupt, no dispose, no release from another
/// thread: the shim queues the finalizers' releases for the thread that owns the context), and the next check starts on a
/// fresh context and thread. When the native call returns at last, the abandoned thread disposes its own context and
/// ends.
/// </para>
/// <para>
/// An abandoned thread keeps one core busy until Z3 returns, which may be never (then until the process ends). To
/// bound them, while <see cref="Z3InProcessOptions.MaxStuckChecks"/> of this backend's abandoned checks are still inside
/// Z3, its checks go to a <see cref="Z3ProcessBackend"/> (started on first need; it kills z3 at the limit), so one
/// backend leaves at most that many busy threads (one by default), and a process with one backend per worker at most
/// that many per worker. Setting <see cref="Z3InProcessOptions.UseNlsat"/> to false avoids the unbounded path altogether
/// (the query answers <c>unknown</c> well within its limit), at the price of some nonlinear queries Z3
/// would decide (docs/benchmarks.md measures both).
/// </para>
/// <para>
/// An unknown answer that comes at the limit is reported as <see cref="Unknown.TimeoutReason"/>. One instance serves
/// one caller at a time; use one per worker thread, and dispose it: its check thread waits for checks until then.
/// </para>
/// </remarks>
public sealed class Z3InProcessBackend : ISmtBackend
{
    /// <summary>
    /// Checks between solver resets. Z3 4.8.12's solver keeps some memory per push/pop (about 0.4 MB per thousand checks
    /// of the soak); a reset every thousand checks keeps it flat for about 0.01 ms per check.
    /// </summary>
    internal const int ChecksPerReset = 1000;

    /// <summary>Z3's parameter that lets the arithmetic solver call nlsat (<see cref="Z3InProcessOptions.UseNlsat"/>).</summary>
    internal const string NlsatParameter = "smt.arith.nl.nra";

    /// <summary>The stack of a check thread: as a process's main thread has, for Z3's recursive rewriters on deep terms.</summary>
    private const int CheckThreadStackBytes = 8 << 20;

    /// <summary>The longest span a timer or a wait takes (about 24 days).</summary>
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    private readonly Lock _gate = new();
    private readonly Z3InProcessOptions _options;
    private CheckThread? _current;
    private Z3ProcessBackend? _fallback;
    private long _nextCheck;
    private readonly CheckCounters _counters = new();
    private int _fallbackChecks;
    private bool _disposed;

    /// <summary>Creates a Z3 context and solver, with the default settings and the given clock.</summary>
    /// <param name="timeProvider">The clock of the limits; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="InvalidOperationException">Z3 cannot be used in-process here (on Linux: the shim or libz3-4 is missing).</exception>
#pragma warning disable RS0027 // The shipped constructor keeps its optional clock; the options constructor is the full one.
    public Z3InProcessBackend(TimeProvider? timeProvider = null)
#pragma warning restore RS0027
        : this(new Z3InProcessOptions { TimeProvider = timeProvider ?? TimeProvider.System })
    {
    }

    /// <summary>Creates a Z3 context and solver.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its clock is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The margin is not positive or longer than a day, or <see cref="Z3InProcessOptions.MaxStuckChecks"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">Z3 cannot be used in-process here (on Linux: the shim or libz3-4 is missing).</exception>
    public Z3InProcessBackend(Z3InProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HardLimitMargin, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.HardLimitMargin, TimeSpan.FromDays(1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStuckChecks, 1, nameof(options));
        _options = options;
        Z3NativeShim.EnsureUsable();
        _current = new CheckThread(_options, _counters);
    }

    /// <summary>
    /// A backend dropped without <see cref="Dispose"/>: its idle check thread is told to release the context and end
    /// (the thread does not keep the backend reachable, so this runs; a check in progress would).
    /// </summary>
    ~Z3InProcessBackend()
    {
        _current?.Dispose();
    }

    /// <inheritdoc />
    public string Name => "z3-inprocess";

    /// <summary>How many checks the watchdog interrupted (for tests and diagnostics).</summary>
    internal int Interrupts => Volatile.Read(ref _counters.Interrupts);

    /// <summary>How many checks ran past the limit plus the margin, so that their context was abandoned.</summary>
    internal int AbandonedChecks => Volatile.Read(ref _counters.Abandoned);

    /// <summary>How many abandoned checks are still inside Z3 (each keeps its thread busy).</summary>
    internal int StuckChecks => Volatile.Read(ref _counters.Stuck);

    /// <summary>How many checks went to the process backend because too many checks were stuck.</summary>
    internal int FallbackChecks => Volatile.Read(ref _fallbackChecks);

    /// <summary>The settings in use.</summary>
    internal Z3InProcessOptions Options => _options;

    /// <inheritdoc />
    SmtResult ISmtBackend.Check(IReadOnlyList<Term> assertions, TimeSpan limit) => Check(assertions, limit);

    /// <inheritdoc cref="ISmtBackend.Check" />
    internal SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit)
    {
        var free = Validate(assertions, limit);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var started = _options.TimeProvider.GetTimestamp();
            if (Volatile.Read(ref _counters.Stuck) >= _options.MaxStuckChecks)
            {
                return CheckOnProcessBackend(assertions, limit);
            }

            try
            {
                _current ??= new CheckThread(_options, _counters);
            }
            catch (Z3Exception e)
            {
                return new Unknown("z3 error: " + e.Message);
            }

            var check = new CheckRequest(++_nextCheck, assertions, free, limit);
            var hardLimit = TimerSpan(TimerSpan(limit) + _options.HardLimitMargin) - _options.TimeProvider.GetElapsedTime(started);
            if (_current.Run(check, hardLimit, out var result))
            {
                return result!;
            }

            // Past the limit plus the margin and still inside Z3: the thread keeps the context, this backend forgets both.
            _current = null;
            Interlocked.Increment(ref _counters.Abandoned);
            return new Unknown(Unknown.TimeoutReason);
        }
    }

    /// <summary>Releases the solver and the Z3 context, and the fallback process if one was started. Abandoned checks release their own when Z3 returns.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            GC.SuppressFinalize(this);
            _current?.Dispose();
            _current = null;
            _fallback?.Dispose();
            _fallback = null;
        }
    }

    /// <summary>When the watchdog interrupts a check: at the limit (Z3's own timeout is not used; see the type's remarks).</summary>
    internal static TimeSpan WatchdogDelay(TimeSpan limit) => TimerSpan(limit);

    /// <summary>A span a timer or a wait accepts (at most about 24 days; longer limits are not meant to be reached).</summary>
    private static TimeSpan TimerSpan(TimeSpan span) => span < MaxTimerSpan ? span : MaxTimerSpan;

    internal static IReadOnlyList<Variable> Validate(IReadOnlyList<Term> assertions, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(assertions);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        for (var i = 0; i < assertions.Count; i++)
        {
            if (assertions[i] is null)
            {
                throw new ArgumentException($"assertion {i} is null", nameof(assertions));
            }

            if (assertions[i].Sort != SmtSort.BoolSort)
            {
                throw new ArgumentException($"assertion {i} is not a formula (sort {Term.Describe(assertions[i].Sort)}): {assertions[i]}", nameof(assertions));
            }
        }

        return Terms.FreeVariables(assertions);
    }

    internal static string NormalizeReason(string? reason)
    {
        var text = (reason ?? string.Empty).Trim();
        return text.Length == 0 ? "unknown"
            : text.Contains("timeout", StringComparison.OrdinalIgnoreCase) || text.Contains("canceled", StringComparison.OrdinalIgnoreCase) ? Unknown.TimeoutReason
            : text;
    }

    /// <summary>A check while too many abandoned checks are still inside Z3: the process backend answers it, with the same Z3 settings.</summary>
    private SmtResult CheckOnProcessBackend(IReadOnlyList<Term> assertions, TimeSpan limit)
    {
        Interlocked.Increment(ref _fallbackChecks);
        if (_fallback is null)
        {
            var settings = (_options.Fallback ?? new Z3ProcessOptions()) with { UseNlsat = _options.UseNlsat };
            try
            {
                _fallback = new Z3ProcessBackend(settings);
            }
            catch (InvalidOperationException e)
            {
                return new Unknown($"{Volatile.Read(ref _counters.Stuck)} abandoned checks are still inside Z3 and the process backend could not start: {e.Message}");
            }
        }

        return _fallback.Check(assertions, limit);
    }

    /// <summary>
    /// The counters a backend shares with its check threads (which must not reference the backend itself, or an
    /// undisposed backend could never be finalized).
    /// </summary>
    private sealed class CheckCounters
    {
        /// <summary>Checks the watchdog interrupted.</summary>
        public int Interrupts;

        /// <summary>Checks abandoned at the hard limit.</summary>
        public int Abandoned;

        /// <summary>Abandoned checks whose native call has not returned yet.</summary>
        public int Stuck;
    }

    /// <summary>One check handed to the check thread.</summary>
    private sealed record CheckRequest(long Number, IReadOnlyList<Term> Assertions, IReadOnlyList<Variable> Free, TimeSpan Limit);

    /// <summary>
    /// A Z3 context and solver with the one thread that uses them. The caller hands it a check and waits for the answer
    /// until the hard limit; a check that is not back by then leaves the context to this thread for good (see the type's
    /// remarks), and the thread releases it once Z3 returns.
    /// </summary>
    private sealed class CheckThread : IDisposable
    {
        private readonly Z3InProcessOptions _options;
        private readonly CheckCounters _counters;
        private readonly Context _context;
        private readonly Solver _solver;
        private readonly Thread _thread;

        // _sync guards the hand-over: the request, the answer, and whether the caller gave up (abandoned) or closed.
        private readonly object _sync = new();
        private CheckRequest? _request;
        private long _answered;
        private SmtResult? _answer;
        private ExceptionDispatchInfo? _failure;
        private long _deadlinePassed;
        private bool _abandoned;
        private bool _closing;

        // _interruptGate orders the watchdog's Z3_interrupt against the end of the native call and the context's release.
        private readonly Lock _interruptGate = new();
        private long _runningCheck;
        private bool _released;

        // Used only by the check thread.
        private int _checksSinceReset;

        public CheckThread(Z3InProcessOptions options, CheckCounters counters)
        {
            _options = options;
            _counters = counters;
            _context = new Context(new Dictionary<string, string>(StringComparer.Ordinal) { ["model"] = "true" });
            try
            {
                _solver = _context.MkSolver();
                ApplySettings();
            }
            catch
            {
                _context.Dispose();
                throw;
            }

            _thread = new Thread(Loop, CheckThreadStackBytes) { IsBackground = true, Name = "z3-inprocess-check" };
            _thread.Start();
        }

        /// <summary>
        /// Hands a check to the thread and waits for its answer until <paramref name="hardLimit"/> (on the owner's clock).
        /// False when the time ran out: the context is then abandoned to the thread.
        /// </summary>
        public bool Run(CheckRequest check, TimeSpan hardLimit, out SmtResult? result)
        {
            var clock = _options.TimeProvider;
            var started = clock.GetTimestamp();
            lock (_sync)
            {
                _request = check;
                Monitor.PulseAll(_sync);
            }

            using var watchdog = clock.CreateTimer(Interrupt, check.Number, WatchdogDelay(check.Limit), Timeout.InfiniteTimeSpan);
            using var deadline = clock.CreateTimer(DeadlinePassed, check.Number, hardLimit > TimeSpan.Zero ? hardLimit : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            lock (_sync)
            {
                while (_answered != check.Number)
                {
                    var left = hardLimit - clock.GetElapsedTime(started);
                    if (_deadlinePassed == check.Number || left <= TimeSpan.Zero)
                    {
                        _abandoned = true;
                        Interlocked.Increment(ref _counters.Stuck);
                        result = null;
                        return false;
                    }

                    // The deadline timer wakes this wait on any clock; the timeout is a second guard on the system clock
                    // (a starved timer pool cannot stretch the limit), and a mere re-check on a manual one.
                    Monitor.Wait(_sync, left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : TimerSpan(left));
                }

                _failure?.Throw();
                result = _answer;
                _answer = null;
                return true;
            }
        }

        /// <summary>
        /// Ends the thread when it is idle (the backend is disposed): it releases the solver and context and exits. Never
        /// called on an abandoned thread, which releases its own when Z3 returns.
        /// </summary>
        public void Dispose()
        {
            lock (_sync)
            {
                _closing = true;
                Monitor.PulseAll(_sync);
            }

            // The thread is idle (a check in progress keeps its caller here): it ends as soon as it has released the context.
            _ = _thread.Join(TimeSpan.FromSeconds(30));
        }

        private void Loop()
        {
            var abandoned = false;
            while (true)
            {
                CheckRequest request;
                lock (_sync)
                {
                    while (_request is null && !_closing && !_abandoned)
                    {
                        Monitor.Wait(_sync);
                    }

                    // Abandoned before the check began (the thread was not scheduled in time): nothing to run.
                    if (_request is null || _abandoned)
                    {
                        abandoned = _abandoned;
                        break;
                    }

                    request = _request;
                    _request = null;
                }

                SmtResult? answer = null;
                ExceptionDispatchInfo? failure = null;
                try
                {
                    answer = Execute(request);
                }
#pragma warning disable CA1031 // An exception must not end the process from this thread: it is handed to the caller, who rethrows it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }

                lock (_sync)
                {
                    if (_abandoned)
                    {
                        abandoned = true;
                        break;
                    }

                    _answer = answer;
                    _failure = failure;
                    _answered = request.Number;
                    Monitor.PulseAll(_sync);
                }
            }

            Release();
            if (abandoned)
            {
                Interlocked.Decrement(ref _counters.Stuck);
            }
        }

        /// <summary>Disposes the solver and the context on this thread, the context's own, after which the watchdog leaves it alone.</summary>
        private void Release()
        {
            lock (_interruptGate)
            {
                _released = true;
            }

            try
            {
                _solver.Dispose();
                _context.Dispose();
            }
            catch (Z3Exception)
            {
                // Nothing is left to report to: the context goes either way.
            }
        }

        private SmtResult Execute(CheckRequest request)
        {
            var clock = _options.TimeProvider;
            var pushed = false;
            try
            {
                if (++_checksSinceReset > ChecksPerReset)
                {
                    _solver.Reset();
                    _checksSinceReset = 1;
                    ApplySettings();
                }

                _solver.Push();
                pushed = true;
                var translator = new Z3Translator(_context);
                var formulas = request.Assertions.Select(translator.Formula).ToArray();
                _solver.Assert(formulas);

                var started = clock.GetTimestamp();
                Status status;
                Solver answered = _solver;
                Solver? nlsat = null;
                lock (_interruptGate)
                {
                    _runningCheck = request.Number;
                }

                try
                {
                    _options.BeforeNativeCheck?.Invoke();
                    status = Status.UNKNOWN;
                    if (NonlinearRealQuery.Prepare(request.Assertions) is { } prepared)
                    {
                        // Z3's nlsat tactic first, on a one-shot solver of this context (the watchdog's interrupt reaches it).
                        using var tactic = _context.MkTactic(NonlinearRealQuery.Tactic);
                        nlsat = _context.MkSolver(tactic);
                        nlsat.Assert(ReferenceEquals(prepared, request.Assertions) ? formulas : [.. prepared.Select(translator.Formula)]);
                        status = nlsat.Check();
                        answered = nlsat;
                    }

                    // Without the tactic the solver always checks: an interrupt that came before the native call is
                    // pending in the context until a check consumes it.
                    if (nlsat is null || (status == Status.UNKNOWN && clock.GetElapsedTime(started) < request.Limit * 0.95))
                    {
                        status = _solver.Check();
                        answered = _solver;
                    }
                }
                finally
                {
                    lock (_interruptGate)
                    {
                        _runningCheck = 0;
                    }
                }

                try
                {
                    return status switch
                    {
                        Status.UNSATISFIABLE => Unsat.Instance,
                        Status.SATISFIABLE => new Sat(ReadModel(answered, translator, request.Free)),
                        // Z3 4.8.12 sometimes names the theory it gave up in when the time ran out: at the limit, it is a timeout.
                        _ when clock.GetElapsedTime(started) >= request.Limit * 0.95 => new Unknown(Unknown.TimeoutReason),
                        _ => new Unknown(NormalizeReason(answered.ReasonUnknown)),
                    };
                }
                finally
                {
                    nlsat?.Dispose();
                }
            }
            catch (Z3Exception e)
            {
                return new Unknown("z3 error: " + e.Message);
            }
            finally
            {
                if (pushed)
                {
                    _solver.Pop();
                }
            }
        }

        private void ApplySettings()
        {
            if (!_options.UseNlsat)
            {
                _solver.Set(NlsatParameter, false);
            }
        }

        /// <summary>
        /// The watchdog (a timer callback): <c>Z3_interrupt</c> on the check it was started for, only while its native call
        /// runs and never after the context is released. Microsoft.Z3 reads the context's error code after the call and
        /// throws when it is set (the running check may have set it); nothing may escape a timer callback, which would end
        /// the process, and there is nothing to do about it here: the hard limit still holds.
        /// </summary>
        private void Interrupt(object? state)
        {
            try
            {
                lock (_interruptGate)
                {
                    if (!_released && _runningCheck != 0 && _runningCheck == (long)state!)
                    {
                        _context.Interrupt();
                        Interlocked.Increment(ref _counters.Interrupts);
                    }
                }
            }
#pragma warning disable CA1031 // A timer callback must not throw (see above).
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        /// <summary>The hard limit's timer callback: wakes the waiting caller, which then abandons the check.</summary>
        private void DeadlinePassed(object? state)
        {
            lock (_sync)
            {
                _deadlinePassed = (long)state!;
                Monitor.PulseAll(_sync);
            }
        }

        private static ImmutableSortedDictionary<string, string> ReadModel(Solver solver, Z3Translator translator, IReadOnlyList<Variable> free)
        {
            var model = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (free.Count == 0)
            {
                return model.ToImmutable();
            }

            using var z3Model = solver.Model;
            foreach (var variable in free)
            {
                if (variable.IsFunction)
                {
                    // A function symbol's interpretation is not a value; models report constants only.
                    continue;
                }

                using var value = z3Model.Eval(translator.FreeConstant(variable), completion: true);
                model[variable.Name] = SmtValues.Normalize(value.ToString());
            }

            return model.ToImmutable();
        }
    }
}
