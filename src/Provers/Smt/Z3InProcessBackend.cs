using System.Collections.Immutable;

using Microsoft.Z3;

namespace Planning.Provers.Smt;

/// <summary>
/// Z3 in-process through Microsoft.Z3: one Z3 context and one long-lived solver per instance, a scope pushed and
/// popped around each check (and the solver reset every thousand checks, which keeps Z3's memory flat). On Linux this runs on Debian's libz3 4.8.12 through the native shim
/// (src/Provers/Native/README.md), which makes the managed API's finalizer-thread releases safe.
/// </summary>
/// <remarks>
/// The time limit is Z3's own (the solver's <c>timeout</c> parameter): soft, checked by Z3 at its own pace, and
/// overshot on hard nonlinear queries (Pell's equation x^2 - 61y^2 = 1: 1.8 s for a 1 s limit), and on a long-lived
/// context a mixed integer/real nonlinear query was seen to run minutes past it. A watchdog therefore interrupts the
/// check at twice the limit plus 100 ms (see <see cref="WatchdogDelay"/>). An unknown answer that comes at the limit
/// is reported as <see cref="Unknown.TimeoutReason"/>. Callers that need a hard wall-clock limit that holds even when
/// Z3 does not poll for cancellation use <see cref="Z3ProcessBackend"/>. One instance serves one caller at a time; use one
/// per worker thread.
/// </remarks>
public sealed class Z3InProcessBackend : ISmtBackend
{
    /// <summary>
    /// Checks between solver resets. Z3 4.8.12's solver keeps some memory per push/pop (about 0.4 MB per thousand checks
    /// of the soak); a reset every thousand checks keeps it flat for about 0.01 ms per check.
    /// </summary>
    internal const int ChecksPerReset = 1000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Context _context;
    private readonly Solver _solver;
    private uint _timeoutMilliseconds;
    private int _checksSinceReset;
    private readonly Lock _interruptGate = new();
    private bool _disposed;
    private long _checkNumber;
    private long _runningCheck;
    private int _interrupts;

    /// <summary>Creates a Z3 context and solver.</summary>
    /// <param name="timeProvider">The clock that tells whether an unknown answer came at the limit; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="InvalidOperationException">Z3 cannot be used in-process here (on Linux: the shim or libz3-4 is missing).</exception>
    public Z3InProcessBackend(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        Z3NativeShim.EnsureUsable();
        _context = new Context(new Dictionary<string, string>(StringComparer.Ordinal) { ["model"] = "true" });
        _solver = _context.MkSolver();
    }

    /// <inheritdoc />
    public string Name => "z3-inprocess";

    /// <inheritdoc />
    SmtResult ISmtBackend.Check(IReadOnlyList<Term> assertions, TimeSpan limit) => Check(assertions, limit);

    /// <inheritdoc cref="ISmtBackend.Check" />
    internal SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit)
    {
        var free = Validate(assertions, limit);
        var timeout = (uint)Math.Clamp(Math.Ceiling(limit.TotalMilliseconds), 1, uint.MaxValue);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var pushed = false;
            try
            {
                if (++_checksSinceReset > ChecksPerReset)
                {
                    _solver.Reset();
                    _checksSinceReset = 1;
                    _timeoutMilliseconds = 0;
                }

                if (timeout != _timeoutMilliseconds)
                {
                    _solver.Set("timeout", timeout);
                    _timeoutMilliseconds = timeout;
                }

                _solver.Push();
                pushed = true;
                var translator = new Z3Translator(_context);
                foreach (var assertion in assertions)
                {
                    _solver.Assert(translator.Formula(assertion));
                }

                var started = _timeProvider.GetTimestamp();
                Status status;
                using (var watchdog = _timeProvider.CreateTimer(Interrupt, ++_checkNumber, WatchdogDelay(limit), Timeout.InfiniteTimeSpan))
                {
                    lock (_interruptGate)
                    {
                        _runningCheck = _checkNumber;
                    }

                    try
                    {
                        status = _solver.Check();
                    }
                    finally
                    {
                        lock (_interruptGate)
                        {
                            _runningCheck = 0;
                        }
                    }
                }

                return status switch
                {
                    Status.UNSATISFIABLE => Unsat.Instance,
                    Status.SATISFIABLE => new Sat(ReadModel(translator, free)),
                    // Z3 4.8.12 sometimes names the theory it gave up in when the time ran out: at the limit, it is a timeout.
                    _ when _timeProvider.GetElapsedTime(started) >= limit * 0.95 => new Unknown(Unknown.TimeoutReason),
                    _ => new Unknown(NormalizeReason(_solver.ReasonUnknown)),
                };
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
    }

    /// <summary>Releases the solver and the Z3 context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            lock (_interruptGate)
            {
                _disposed = true;
            }

            _solver.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>
    /// When the watchdog interrupts a check: Z3's soft timeout normally answers first (it overshoots by up to 2x on
    /// hard nonlinear queries), so the watchdog fires only for a query that ignores it.
    /// </summary>
    internal static TimeSpan WatchdogDelay(TimeSpan limit) => (limit * 2) + TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The watchdog: Z3_interrupt from the timer's thread (Z3 allows it from any thread) cancels the running check,
    /// which then answers unknown ("canceled", reported as a timeout). Long-lived contexts occasionally run a
    /// nonlinear query far past the solver's own timeout; this bounds it. Only the check the timer was started for
    /// is interrupted, and never after the context is disposed.
    /// </summary>
    private void Interrupt(object? state)
    {
        lock (_interruptGate)
        {
            if (!_disposed && _runningCheck != 0 && _runningCheck == (long)state!)
            {
                _context.Interrupt();
                Interlocked.Increment(ref _interrupts);
            }
        }
    }

    /// <summary>How many checks the watchdog interrupted (for tests and diagnostics).</summary>
    internal int Interrupts => Volatile.Read(ref _interrupts);

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

    private ImmutableSortedDictionary<string, string> ReadModel(Z3Translator translator, IReadOnlyList<Variable> free)
    {
        var model = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (free.Count == 0)
        {
            return model.ToImmutable();
        }

        using var z3Model = _solver.Model;
        foreach (var variable in free)
        {
            using var value = z3Model.Eval(translator.FreeConstant(variable), completion: true);
            model[variable.Name] = SmtValues.Normalize(value.ToString());
        }

        return model.ToImmutable();
    }
}
