using System.Diagnostics;

using Planning.Provers.Smt;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

/// <summary>The process backend's hard limit: a check past its limit is killed, reported unknown, and the next one runs.</summary>
[Collection(Z3TestGroup.Name)]
public sealed class Z3ProcessBackendTests
{
    [Fact]
    public void Check_PellThatOvershootsZ3sOwnTimeout_KilledAtTheLimitAndRestarted()
    {
        using var backend = new Z3ProcessBackend();
        var watch = Stopwatch.StartNew();
        var result = backend.Check(Pell(), TimeSpan.FromSeconds(1));
        watch.Stop();

        Assert.Equal(Unknown.TimeoutReason, Assert.IsType<Unknown>(result).Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        // Z3's own timeout is set to 90 % of the limit, and the backend reads an unknown from 85 % of it on as a timeout:
        // an answer at 0.94 s is Z3 stopping itself (seen in CI), not an early return.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.85), $"returned early: {watch.Elapsed}");

        // Whether Z3 overshoots its own soft timeout here depends on the machine (on a quiet one it may answer in time,
        // and nothing is killed); either way the answer came by the limit and the backend still works. The kill and
        // restart itself is pinned by Check_ConsecutiveProductWithoutSoftTimeout_KilledAtTheLimit.
        var (left, right) = Quadratic();
        Assert.True(backend.CheckEquivalent(left, right, TimeSpan.FromSeconds(10)).IsProven);
        Assert.InRange(backend.Starts, 1, 2);
    }

    [Fact]
    public void Check_ConsecutiveProductWithoutSoftTimeout_KilledAtTheLimit()
    {
        using var backend = new Z3ProcessBackend(new Z3ProcessOptions { SoftTimeout = false });
        var watch = Stopwatch.StartNew();
        var result = backend.CheckValid(ConsecutiveProductEven(), TimeSpan.FromSeconds(1));
        watch.Stop();

        Assert.Equal(ProofVerdict.Unknown, result.Verdict);
        Assert.Equal(Unknown.TimeoutReason, result.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.True(backend.CheckEquivalent(OddFamily().Left, OddFamily().Right, TimeSpan.FromSeconds(10)).IsProven);
        Assert.Equal(2, backend.Starts);
    }

    [Fact]
    public void Check_IssueHypothesesThatZ3CannotInterrupt_KilledAtTheLimit()
    {
        using var backend = new Z3ProcessBackend();
        var watch = Stopwatch.StartNew();
        var result = backend.Check(IssueHypotheses(), TimeSpan.FromSeconds(1));
        watch.Stop();

        Assert.Equal(Unknown.TimeoutReason, Assert.IsType<Unknown>(result).Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.IsType<Sat>(backend.Check([Gt(IntVar("n"), I(0))], TimeSpan.FromSeconds(10)));
        Assert.Equal(2, backend.Starts);
    }

    [Fact]
    public void Check_ManyTimeoutsInARow_EachWithinTheLimit()
    {
        using var backend = new Z3ProcessBackend();
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.IsType<Unknown>(backend.Check(Pell(), TimeSpan.FromMilliseconds(300)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.3), $"took {watch.Elapsed}");
            Assert.IsType<Sat>(backend.Check([Gt(IntVar("n"), I(i))], TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public void Check_ExecutableThatExits_UnknownWithTheFailureNotAnException()
    {
        using var backend = new Z3ProcessBackend(new Z3ProcessOptions { ExecutablePath = "false" });
        var result = Assert.IsType<Unknown>(backend.Check([Gt(IntVar("n"), I(0))], TimeSpan.FromSeconds(5)));
        Assert.StartsWith("z3 process failed", result.Reason, StringComparison.Ordinal);
        Assert.IsType<Unknown>(backend.Check([Gt(IntVar("n"), I(0))], TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Constructor_MissingExecutable_ThrowsWithTheName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Z3ProcessBackend(new Z3ProcessOptions { ExecutablePath = "/nonexistent/z3" }));
        Assert.Contains("/nonexistent/z3", error.Message, StringComparison.Ordinal);
    }
}
