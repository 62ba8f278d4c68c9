using System.Diagnostics;

using FsCheck.Xunit;

using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

using Xunit.Abstractions;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

/// <summary>
/// The in-process backend's hard limit: a check returns by its limit plus the margin whatever Z3 does, the context of a
/// check that does not come back is abandoned to its thread, and the backend goes on on a fresh one (or on the process
/// backend while too many are stuck).
/// </summary>
/// <remarks>
/// Some of these tests make Z3 4.8.12 enter its uninterruptible nonlinear procedure on purpose. Such a thread keeps one
/// core busy until the test host ends, which is the documented cost of the hard limit; all of them share
/// <see cref="SharedBackend"/>, so that there is at most one (its <see cref="Z3InProcessOptions.MaxStuckChecks"/> is 1,
/// and while it is stuck the checks go to the process backend).
/// </remarks>
[Collection(Z3TestGroup.Name)]
public sealed class Z3InProcessBackendTests(ITestOutputHelper output)
{
    /// <summary>The issue's statement: compared with itself it once ran for minutes in process with a 2 s limit.</summary>
    internal const string IssueExample =
        "theorem t (x : ℝ) (b c : ℕ) (h₁ : 2 * x ^ 2 = 4 * x + 9) (h₂ : x = Real.sqrt b / c) : b + c = 26";

    /// <summary>Slack for a loaded two-core machine on top of the guaranteed bound (limit + margin).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    private static readonly Lazy<Z3InProcessBackend> Shared = new(static () => new Z3InProcessBackend());

    /// <summary>The one backend the tests that may leave a thread inside Z3 use (never disposed: it lives as long as the test host).</summary>
    internal static Z3InProcessBackend SharedBackend => Shared.Value;

    [Fact]
    public void Check_NativeCallThatDoesNotReturn_TimeoutByLimitPlusMarginThenAFreshContext()
    {
        using var release = new ManualResetEventSlim(false);
        var calls = 0;
        var options = new Z3InProcessOptions
        {
            HardLimitMargin = TimeSpan.FromMilliseconds(200),
            MaxStuckChecks = 2,
            BeforeNativeCheck = () =>
            {
                // The first native check does not return until the test lets it: what nlsat does in Z3 4.8.12.
                if (Interlocked.Increment(ref calls) == 1)
                {
                    release.Wait();
                }
            },
        };
        using var backend = new Z3InProcessBackend(options);
        var n = IntVar("n");
        var limit = TimeSpan.FromMilliseconds(300);

        var watch = Stopwatch.StartNew();
        var stuck = backend.Check([Gt(n, I(3))], limit);
        watch.Stop();

        Assert.Equal(Unknown.TimeoutReason, Assert.IsType<Unknown>(stuck).Reason);
        Assert.InRange(watch.Elapsed, limit + options.HardLimitMargin - TimeSpan.FromMilliseconds(20), limit + options.HardLimitMargin + Slack);
        Assert.Equal(1, backend.AbandonedChecks);
        Assert.Equal(1, backend.StuckChecks);

        // A fresh context answers the next check while the first is still inside "Z3".
        var sat = Assert.IsType<Sat>(backend.Check([Gt(n, I(3)), Lt(n, I(5))], TimeSpan.FromSeconds(10)));
        Assert.Equal("4", sat.Model["n"]);
        Assert.Equal(0, backend.FallbackChecks);

        // When the stuck call returns, its thread releases its context and the count goes back to zero.
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => backend.StuckChecks == 0, TimeSpan.FromSeconds(30)), "the abandoned check never came back");
        Assert.Equal(1, backend.AbandonedChecks);
        Assert.IsType<Unsat>(backend.Check([Gt(n, I(3)), Lt(n, I(4))], TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Check_WhileAnAbandonedCheckIsInsideZ3_TheProcessBackendAnswersUntilItReturns()
    {
        using var release = new ManualResetEventSlim(false);
        var calls = 0;
        var options = new Z3InProcessOptions
        {
            HardLimitMargin = TimeSpan.FromMilliseconds(100),
            BeforeNativeCheck = () =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    release.Wait();
                }
            },
        };
        using var backend = new Z3InProcessBackend(options);
        var x = RealVar("x");

        Assert.IsType<Unknown>(backend.Check([Gt(x, R(0))], TimeSpan.FromMilliseconds(200)));
        Assert.Equal(1, backend.StuckChecks);

        // MaxStuckChecks is 1: the next checks go to z3 as a process, with the same answers.
        var (left, right) = Quadratic();
        Assert.True(backend.CheckEquivalent(left, right, TimeSpan.FromSeconds(10)).IsProven);
        var refuted = backend.CheckEquivalent(left, Or(Eq(x, R(2)), Eq(x, R(4))), TimeSpan.FromSeconds(10));
        Assert.Equal(ProofVerdict.Refuted, refuted.Verdict);
        Assert.Equal(2, backend.FallbackChecks);
        Assert.Equal(1, calls);

        // Once the stuck call has returned, checks run in process again.
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => backend.StuckChecks == 0, TimeSpan.FromSeconds(30)), "the abandoned check never came back");
        Assert.True(backend.CheckEquivalent(left, right, TimeSpan.FromSeconds(10)).IsProven);
        Assert.Equal(2, backend.FallbackChecks);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Check_AfterTheWatchdogInterrupted_NextChecksDecided()
    {
        var calls = 0;
        Z3InProcessBackend? created = null;
        var options = new Z3InProcessOptions
        {
            HardLimitMargin = TimeSpan.FromSeconds(10),
            // The first check stays in the interruptible window until the watchdog has interrupted it (a loaded
            // machine's timer pool can fire late, so wait for it rather than for a fixed time).
            BeforeNativeCheck = () =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    SpinWait.SpinUntil(() => Volatile.Read(ref created)?.Interrupts == 1, TimeSpan.FromSeconds(8));
                }
            },
        };
        using var backend = new Z3InProcessBackend(options);
        Volatile.Write(ref created, backend);
        var n = IntVar("n");

        var first = backend.Check([Gt(n, I(3)), Lt(n, I(5))], TimeSpan.FromMilliseconds(200));
        output.WriteLine($"interrupted check: {first}");
        Assert.Equal(1, backend.Interrupts);
        Assert.Equal(0, backend.AbandonedChecks);

        for (var i = 0; i < 3; i++)
        {
            var sat = Assert.IsType<Sat>(backend.Check([Gt(n, I(3 + i)), Lt(n, I(5 + i))], TimeSpan.FromSeconds(10)));
            Assert.Equal((4 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), sat.Model["n"]);
        }
    }

    [Fact]
    public void Check_WhileAnotherBackendsCheckIsStuckInNlsat_FreshBackendsStillDecide()
    {
        // One check left inside nlsat for good (on the shared backend, which allows one). With Z3 4.8.12's own timeout
        // set, such a check kept a pooled timer locked and later checks of other contexts blocked on it.
        if (SharedBackend.StuckChecks == 0)
        {
            // Long enough for Z3 to reach nlsat (an interrupt before that stops the check).
            Assert.IsType<Unknown>(SharedBackend.Check(IssueHypotheses(), TimeSpan.FromSeconds(2)));
        }

        Assert.Equal(1, SharedBackend.StuckChecks);
        var n = IntVar("n");
        for (var round = 0; round < 3; round++)
        {
            using var backend = new Z3InProcessBackend();
            for (var i = 0; i < 4; i++)
            {
                var sat = Assert.IsType<Sat>(backend.Check([Gt(n, I(i)), Lt(n, I(i + 2))], TimeSpan.FromSeconds(2)));
                Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), sat.Model["n"]);
            }

            Assert.Equal(0, backend.AbandonedChecks);
        }
    }

    [Fact]
    public void Check_ExceptionOnTheCheckThread_RethrownToTheCaller()
    {
        var options = new Z3InProcessOptions { BeforeNativeCheck = static () => throw new InvalidOperationException("from the check thread") };
        using var backend = new Z3InProcessBackend(options);

        var error = Assert.Throws<InvalidOperationException>(() => backend.Check([Gt(IntVar("n"), I(0))], TimeSpan.FromSeconds(5)));
        Assert.Equal("from the check thread", error.Message);
        Assert.Equal(0, backend.AbandonedChecks);
    }

    [Fact]
    public void Check_Pell_InterruptedAtTheLimitAndTheNextCheckDecided()
    {
        using var backend = new Z3InProcessBackend();
        var limit = TimeSpan.FromSeconds(1);
        var watch = Stopwatch.StartNew();
        var result = backend.Check(Pell(), limit);
        watch.Stop();
        output.WriteLine($"Pell, limit 1 s: {result} after {watch.Elapsed.TotalSeconds:F2} s; interrupts {backend.Interrupts}, abandoned {backend.AbandonedChecks}");

        Assert.Equal(Unknown.TimeoutReason, Assert.IsType<Unknown>(result).Reason);
        Assert.True(watch.Elapsed < limit + backend.Options.HardLimitMargin + Slack, $"took {watch.Elapsed}");

        // An interrupt leaves the context usable.
        var (left, right) = OddFamily();
        Assert.True(backend.CheckEquivalent(left, right, TimeSpan.FromSeconds(10)).IsProven);
    }

    [Fact]
    public void Check_IssueExampleAgainstItself_UnknownWithinLimitPlusThreeSeconds()
    {
        var statement = LeanStatementParser.Parse(IssueExample);
        var again = LeanStatementParser.Parse(IssueExample);
        var limit = TimeSpan.FromSeconds(2);
        var checker = new StatementEquivalence(SharedBackend, new EquivalenceOptions { CheckLimit = limit });

        var watch = Stopwatch.StartNew();
        var result = checker.Check(statement, again);
        watch.Stop();
        output.WriteLine($"{result.Verdict} ({result.Reason}) after {watch.Elapsed.TotalSeconds:F2} s; abandoned {SharedBackend.AbandonedChecks}, stuck {SharedBackend.StuckChecks}");

        Assert.Equal(EquivalenceVerdict.Unknown, result.Verdict);
        Assert.Equal(Unknown.TimeoutReason, result.Reason);
        Assert.True(watch.Elapsed < limit + TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Check_IssueExampleWithoutNlsat_UnknownAtOnceAndNothingAbandoned()
    {
        var statement = LeanStatementParser.Parse(IssueExample);
        using var backend = new Z3InProcessBackend(new Z3InProcessOptions { UseNlsat = false });
        // A long limit: the point is that Z3 gives up by itself (0.16-0.31 s alone; several times that on a loaded machine).
        var limit = TimeSpan.FromSeconds(20);
        var checker = new StatementEquivalence(backend, new EquivalenceOptions { CheckLimit = limit, VacuityModelAssignments = 0 });

        var watch = Stopwatch.StartNew();
        var result = checker.Check(statement, LeanStatementParser.Parse(IssueExample));
        watch.Stop();
        output.WriteLine($"{result.Verdict} ({result.Reason}) after {watch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(EquivalenceVerdict.Unknown, result.Verdict);
        Assert.Contains("incomplete", result.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < limit / 2, $"took {watch.Elapsed}");
        Assert.Equal(0, backend.AbandonedChecks);

        // Linear and easy nonlinear queries are still decided without nlsat.
        var (left, right) = Quadratic();
        Assert.True(backend.CheckEquivalent(left, right, TimeSpan.FromSeconds(10)).IsProven);
    }

    /// <summary>
    /// Generated nonlinear queries over the reals and the integers, some of the issue's shape (a quadratic in x with
    /// x = √b / c), some Pell equations, some polynomial systems: every check returns within its limit plus the margin
    /// (plus slack for the machine), and every model given satisfies the query exactly.
    /// </summary>
    [Property(MaxTest = 24)]
    public void Check_GeneratedNonlinearQueries_ReturnWithinLimitPlusMargin(int seed)
    {
        var backend = SharedBackend;
        var random = new Random(seed);
        var query = NonlinearQueries.Generate(random);
        var limit = TimeSpan.FromMilliseconds(200 + random.Next(300));

        var watch = Stopwatch.StartNew();
        var result = backend.Check(query, limit);
        watch.Stop();

        Assert.True(watch.Elapsed < limit + backend.Options.HardLimitMargin + Slack, $"{result} after {watch.Elapsed} for a {limit} limit: {string.Join(" ∧ ", query)}");
        if (result is Sat sat && sat.Model.Values.All(static value => !value.Contains("root-obj", StringComparison.Ordinal)))
        {
            Assert.All(query, assertion => Assert.True(Evaluator.Holds(assertion, sat.Model), $"{assertion} fails at {sat}"));
        }
    }
}

/// <summary>Random nonlinear queries for the hard-limit property.</summary>
internal static class NonlinearQueries
{
    public static IReadOnlyList<Term> Generate(Random random) => random.Next(4) switch
    {
        0 => RootOverNaturals(random),
        1 => PellLike(random),
        2 => RealPolynomials(random),
        _ => IntegerProducts(random),
    };

    /// <summary>
    /// The issue's shape: a·x² = p·x + q, x = s / c with s = √b (s ≥ 0, s² = b), b and c natural, Lean's x / 0 = 0.
    /// </summary>
    private static Term[] RootOverNaturals(Random random)
    {
        var x = RealVar("x");
        var s = RealVar("s");
        var b = IntVar("b");
        var c = IntVar("c");
        Term cr = new IntToReal(c);
        Term br = new IntToReal(b);
        return
        [
            Ge(b, I(0)), Ge(c, I(0)), Ge(s, R(0)), Eq(Mul(s, s), br),
            Eq(Mul(R(random.Next(1, 5)), Mul(x, x)), Add(Mul(R(random.Next(-6, 7)), x), R(random.Next(1, 12)))),
            Implies(Eq(c, I(0)), Eq(x, R(0))),
            Implies(Ne(c, I(0)), Eq(Mul(x, cr), s)),
            Eq(Add(b, c), I(random.Next(5, 40))),
        ];
    }

    /// <summary>x² − d·y² = 1 with y &gt; 0 over the integers; d not a square.</summary>
    private static Term[] PellLike(Random random)
    {
        long[] nonSquares = [2, 3, 5, 6, 7, 13, 19, 29, 31, 46, 53, 61, 94, 109];
        var x = IntVar("x");
        var y = IntVar("y");
        return [Eq(Sub(Mul(x, x), Mul(I(nonSquares[random.Next(nonSquares.Length)]), Mul(y, y))), I(1)), Gt(y, I(0))];
    }

    /// <summary>Two or three random polynomial equations and inequalities of degree up to 3 over three reals.</summary>
    private static Term[] RealPolynomials(Random random)
    {
        Variable[] vars = [RealVar("u"), RealVar("v"), RealVar("w")];
        Term Monomial()
        {
            Term term = R(random.Next(-5, 6));
            for (var degree = random.Next(1, 4); degree > 0; degree--)
            {
                term = Mul(term, vars[random.Next(vars.Length)]);
            }

            return term;
        }

        Term Polynomial() => Add(Add(Monomial(), Monomial()), R(random.Next(-9, 10)));
        Term[] equations = [Eq(Polynomial(), R(0)), Eq(Polynomial(), R(random.Next(-3, 4)))];
        return random.Next(2) == 0 ? equations : [.. equations, Lt(Polynomial(), R(0))];
    }

    /// <summary>A product of integers equal to a constant, with lower bounds, and a sum condition.</summary>
    private static Term[] IntegerProducts(Random random)
    {
        var p = IntVar("p");
        var q = IntVar("q");
        var r = IntVar("r");
        return
        [
            Eq(Mul(Mul(p, q), r), I(random.Next(30, 5000))), Gt(p, I(1)), Gt(q, I(1)), Gt(r, I(1)),
            Eq(Add(Mul(p, p), Mul(q, r)), I(random.Next(10, 400))),
        ];
    }
}
