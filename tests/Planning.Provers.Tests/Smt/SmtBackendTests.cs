using System.Diagnostics;

using Planning.Provers.Smt;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

/// <summary>The same queries on both backends (the note's examples and the model format).</summary>
[Collection(Z3TestGroup.Name)]
public sealed class SmtBackendTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_QuadraticAndItsRoots_Proven(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var (left, right) = Quadratic();
        var result = backend.CheckEquivalent(left, right, Limit);
        Assert.Equal(ProofVerdict.Proven, result.Verdict);
        Assert.Null(result.Counterexample);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_UninterpretedFunction_CongruenceDecidedAndModelHasConstantsOnly(string backendName)
    {
        using var backend = Backends.Create(backendName);
        Variable f = new("f", SmtSort.IntSort, [SmtSort.IntSort, SmtSort.RealSort]);
        Term fx = new Application(f, [IntVar("x"), R(1)]);
        Term fy = new Application(f, [IntVar("y"), R(1)]);

        Assert.IsType<Unsat>(backend.Check([Eq(fx, I(1)), Eq(fy, I(2)), Eq(IntVar("x"), IntVar("y"))], Limit));
        var sat = Assert.IsType<Sat>(backend.Check([Eq(fx, I(1)), Eq(fy, I(2))], Limit));
        Assert.Equal(["x", "y"], sat.Model.Keys.Order(StringComparer.Ordinal));
        Assert.NotEqual(sat.Model["x"], sat.Model["y"]);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_PowerSumSystem_DecidedByTheNlsatTactic(string backendName)
    {
        // aime_1990_p15: a x^k + b y^k = 3, 7, 16, 42 for k = 1..4. The incremental solver answers unknown
        // (incomplete arithmetic) even after a minute; nlsat finds a model and proves the next power sum is 20.
        using var backend = Backends.Create(backendName);
        var (a, b, x, y) = (RealVar("a"), RealVar("b"), RealVar("x"), RealVar("y"));
        Term PowerSum(int k)
        {
            Term xk = x;
            Term yk = y;
            for (var i = 1; i < k; i++)
            {
                xk = Mul(xk, x);
                yk = Mul(yk, y);
            }

            return Add(Mul(a, xk), Mul(b, yk));
        }

        Term[] system = [Eq(PowerSum(1), R(3)), Eq(PowerSum(2), R(7)), Eq(PowerSum(3), R(16)), Eq(PowerSum(4), R(42))];
        var limit = TimeSpan.FromSeconds(2);

        var model = Assert.IsType<Sat>(backend.Check(system, limit));
        Assert.Equal(["a", "b", "x", "y"], model.Model.Keys.Order(StringComparer.Ordinal));
        Assert.IsType<Unsat>(backend.Check([.. system, Ne(PowerSum(5), R(20))], limit));
        Assert.IsType<Sat>(backend.Check([.. system, Ne(PowerSum(5), R(21))], limit));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_NonlinearRealWithFunctionApplications_KeepsCongruence(string backendName)
    {
        // f(x)·f(y) = 2 with f(x) = 1 needs f(y) = 2, so x ≠ y: the constants that stand for f(x) and f(y) in the nlsat
        // query must still be equal when x = y.
        using var backend = Backends.Create(backendName);
        Variable f = new("f", SmtSort.RealSort, [SmtSort.RealSort]);
        var (x, y) = (RealVar("x"), RealVar("y"));
        Term fx = new Application(f, [x]);
        Term fy = new Application(f, [Mul(y, y)]);

        Assert.IsType<Unsat>(backend.Check([Eq(Mul(fx, fy), R(2)), Eq(fx, R(1)), Eq(x, Mul(y, y))], Limit));
        var sat = Assert.IsType<Sat>(backend.Check([Eq(Mul(fx, fy), R(2)), Eq(fx, R(1)), Gt(y, R(2))], Limit));
        Assert.Equal(["x", "y"], sat.Model.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_IssueHypothesesWithoutNlsat_UnknownAtOnceOnBothBackends(string backendName)
    {
        using ISmtBackend backend = backendName == Backends.InProcess
            ? new Z3InProcessBackend(new Z3InProcessOptions { UseNlsat = false })
            : new Z3ProcessBackend(new Z3ProcessOptions { UseNlsat = false });
        var limit = TimeSpan.FromSeconds(20);
        var watch = Stopwatch.StartNew();
        var result = Assert.IsType<Unknown>(backend.Check(IssueHypotheses(), limit));
        watch.Stop();

        // Z3 gives up (incomplete arithmetic) instead of running until the limit.
        Assert.Contains("incomplete", result.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < limit / 2, $"took {watch.Elapsed}");
        var (left, right) = Quadratic();
        Assert.True(backend.CheckEquivalent(left, right, Limit).IsProven);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_ModTwoAndExistsOddWitness_Proven(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var (left, right) = OddFamily();
        Assert.Equal(ProofVerdict.Proven, backend.CheckEquivalent(left, right, Limit).Verdict);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_HalfGreaterThanOne_ProvenForTwoRefutedForOne(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var x = RealVar("x");
        var half = Gt(Div(x, R(2)), R(1));
        Assert.True(backend.CheckEquivalent(half, Gt(x, R(2)), Limit).IsProven);

        var wrong = Gt(x, R(1));
        var refuted = backend.CheckEquivalent(half, wrong, Limit);
        Assert.Equal(ProofVerdict.Refuted, refuted.Verdict);
        var counterexample = refuted.Counterexample!;
        Assert.NotEqual(Evaluator.Holds(half, counterexample), Evaluator.Holds(wrong, counterexample));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_WrongRoots_RefutedWithAVerifiedCounterexample(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var (left, right) = Quadratic(c: 6, root1: 2, root2: 4);
        var result = backend.CheckEquivalent(left, right, Limit);
        Assert.Equal(ProofVerdict.Refuted, result.Verdict);
        var x = Rational.Parse(result.Counterexample!["x"]);
        Assert.Contains(x, new[] { new Rational(3, 1), new Rational(4, 1) });
        Assert.NotEqual(Evaluator.Holds(left, result.Counterexample), Evaluator.Holds(right, result.Counterexample));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_SquareIsFourAndXIsTwo_CounterexampleIsMinusTwo(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var x = IntVar("x");
        var result = backend.CheckEquivalent(Eq(Mul(x, x), I(4)), Eq(x, I(2)), Limit);
        Assert.Equal(ProofVerdict.Refuted, result.Verdict);
        Assert.Equal("-2", result.Counterexample!["x"]);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void CheckEquivalent_UnderAssumptions_UsesThem(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var x = IntVar("x");
        // x^2 = 4 -> x = 2 holds once x >= 0 is assumed.
        Assert.True(backend.CheckEquivalent(Eq(Mul(x, x), I(4)), Eq(x, I(2)), Limit, [Ge(x, I(0))]).IsProven);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_Model_SameTextOnBothBackends(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var result = backend.Check(
            [
                Eq(IntVar("n"), I(-3)),
                Eq(Mul(R(2), RealVar("y")), R(-5)),
                Eq(RealVar("w"), R(7)),
                BoolVar("p"),
                Eq(Mul(RealVar("z"), RealVar("z")), R(2)),
                Gt(RealVar("z"), R(0)),
                Eq(Sub(IntVar("a b"), IntVar("x₀")), I(1)),
                Eq(IntVar("x₀"), I(41)),
            ],
            Limit);
        var model = Assert.IsType<Sat>(result).Model;
        Assert.Equal("-3", model["n"]);
        Assert.Equal("-5/2", model["y"]);
        Assert.Equal("7", model["w"]);
        Assert.Equal("true", model["p"]);
        Assert.Equal("(root-obj (+ (^ x 2) (- 2)) 2)", model["z"]);
        Assert.Equal("42", model["a b"]);
        Assert.Equal("41", model["x₀"]);
        Assert.Equal(7, model.Count);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_BoundNameShadowsFreeOne_KeepsThemApart(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var x = IntVar("x");
        var y = RealVar("x");
        // x = 5 (free, Int) and for every real x, x*x >= 0: satisfiable, with the free x = 5.
        var result = backend.Check([Eq(x, I(5)), new ForAll(y, Ge(Mul(y, y), R(0)))], Limit);
        Assert.Equal("5", Assert.IsType<Sat>(result).Model["x"]);
        // exists k: 2k = x with x = 5 is false.
        Assert.IsType<Unsat>(backend.Check([Eq(x, I(5)), new Exists(IntVar("x"), Eq(Mul(I(2), IntVar("x")), I(5)))], Limit));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_EuclideanDivisionAndConversions_FollowSmtLib(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var q = IntVar("q");
        var r = IntVar("r");
        var result = backend.Check(
            [Eq(q, IntDiv(I(-7), I(2))), Eq(r, Mod(I(-7), I(2))), Eq(IntVar("f"), new RealToInt(R(-7, 2))), Eq(RealVar("t"), new IntToReal(I(3)))],
            Limit);
        var model = Assert.IsType<Sat>(result).Model;
        Assert.Equal("-4", model["q"]);
        Assert.Equal("1", model["r"]);
        Assert.Equal("-4", model["f"]);
        Assert.Equal("3", model["t"]);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_EmptyAndTrivialQueries_SatAndUnsat(string backendName)
    {
        using var backend = Backends.Create(backendName);
        Assert.Empty(Assert.IsType<Sat>(backend.Check([], Limit)).Model);
        Assert.IsType<Unsat>(backend.Check([BoolLiteral.False], Limit));
        Assert.IsType<Unsat>(backend.Check([Lt(IntVar("n"), I(0)), Gt(IntVar("n"), I(0))], Limit));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_ConsecutiveProductEven_UnknownTimeoutNearTheLimit(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var watch = Stopwatch.StartNew();
        var result = backend.CheckValid(ConsecutiveProductEven(), TimeSpan.FromMilliseconds(500));
        watch.Stop();
        Assert.Equal(ProofVerdict.Unknown, result.Verdict);
        Assert.Equal(Unknown.TimeoutReason, result.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");

        // The backend still answers.
        Assert.True(backend.CheckEquivalent(Quadratic().Left, Quadratic().Right, Limit).IsProven);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_InvalidArguments_Throw(string backendName)
    {
        using var backend = Backends.Create(backendName);
        Assert.Throws<ArgumentException>(() => backend.Check([IntVar("n")], Limit));
        Assert.Throws<ArgumentException>(() => backend.Check([Gt(IntVar("x"), I(0)), Gt(RealVar("x"), R(0))], Limit));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Check([BoolLiteral.True], TimeSpan.Zero));
        backend.Dispose();
        Assert.Throws<ObjectDisposedException>(() => backend.Check([BoolLiteral.True], Limit));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Check_ManyChecksAcrossSolverResets_StayIndependentAndKeepTheLimit(string backendName)
    {
        using var backend = Backends.Create(backendName);
        var x = IntVar("x");
        for (var i = 0; i < 1100; i++)
        {
            // Each check sees only its own assertions: x = i is satisfiable every time (the solver is reset after 1000).
            var model = Assert.IsType<Sat>(backend.Check([Eq(x, I(i))], Limit)).Model;
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), model["x"]);
        }

        var watch = Stopwatch.StartNew();
        Assert.Equal(Unknown.TimeoutReason, backend.CheckValid(ConsecutiveProductEven(), TimeSpan.FromMilliseconds(300)).Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
    }
}

[CollectionDefinition(Name)]
public sealed class Z3TestGroup
{
    // Z3-heavy tests run one after another: the stress test and the timing tests share two cores.
    public const string Name = "z3";
}
