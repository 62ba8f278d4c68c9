using System.Diagnostics;

using Planning.Provers.Smt;

using Xunit.Abstractions;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

/// <summary>
/// The shim under load: several threads, one Z3 context each, thousands of equivalence checks, forced collections
/// between batches so that the finalizer thread releases Z3 objects (and whole contexts) while other threads are
/// inside Z3. Without the shim's queue this crashes within a second (SIGSEGV or a Z3 assertion in ast.cpp).
/// </summary>
[Collection(Z3TestGroup.Name)]
public sealed class Z3StressTests(ITestOutputHelper output)
{
    private const int Threads = 4;
    private const int Batches = 32;
    private const int ChecksPerBatch = 100;

    [Fact]
    public void InProcess_FourThreadsThousandsOfChecksUnderForcedGc_EveryAnswerRight()
    {
        var before = Z3NativeShim.Describe()?.Statistics;
        var watch = Stopwatch.StartNew();
        var wrong = new List<string>();
        var checks = 0;
        var barrier = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(worker => new Thread(() =>
        {
            var backend = new Z3InProcessBackend();
            for (var batch = 0; batch < Batches; batch++)
            {
                for (var i = 0; i < ChecksPerBatch; i++)
                {
                    var failure = CheckOne(backend, (worker * 7919) + (batch * ChecksPerBatch) + i);
                    if (failure is not null)
                    {
                        lock (wrong)
                        {
                            wrong.Add(failure);
                        }
                    }

                    Interlocked.Increment(ref checks);
                }

                if (batch % 4 == 3)
                {
                    // Drop the whole backend to the finalizer (context deleted on the finalizer thread), start a new one.
                    backend = new Z3InProcessBackend();
                }

                // Every thread collects between its batches; the others keep checking meanwhile.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            backend.Dispose();
            barrier.SignalAndWait();
        })
        {
            IsBackground = true,
            Name = "z3-stress-" + worker,
        }).ToList();

        workers.ForEach(static t => t.Start());
        foreach (var worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromMinutes(2)), "a stress worker did not finish");
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        watch.Stop();

        Assert.Empty(wrong);
        Assert.Equal(Threads * Batches * ChecksPerBatch, checks);
        output.WriteLine($"{checks} checks on {Threads} threads in {watch.Elapsed.TotalSeconds:F1} s ({checks / watch.Elapsed.TotalSeconds:F0}/s)");
        if (before is not null)
        {
            var after = Z3NativeShim.Describe()!.Statistics;
            output.WriteLine($"shim: {after.ReleasesQueued - before.ReleasesQueued} releases queued, {after.QueuedReleasesApplied - before.QueuedReleasesApplied} applied, "
                + $"{after.ReleasedDirectly - before.ReleasedDirectly} direct, {after.ContextsDeleted - before.ContextsDeleted} contexts deleted");
            Assert.True(after.ReleasesQueued - before.ReleasesQueued > 1000, "the finalizer's releases did not go through the queue");
            Assert.True(after.ContextsDeleted - before.ContextsDeleted >= Threads * (1 + (Batches / 4)) - Threads, "abandoned contexts were not deleted by the finalizer");
        }
    }

    /// <summary>One check from a family with a known answer; null when right, else a description.</summary>
    private static string? CheckOne(ISmtBackend backend, int seed)
    {
        var limit = TimeSpan.FromSeconds(30);
        var a = (seed % 7) - 3;
        var b = a + 1 + (seed % 5);
        switch (seed % 4)
        {
            case 0:
            {
                // (x - a)(x - b) = 0 <-> x = a or x = b: equivalent.
                var x = RealVar("x");
                var left = Eq(Mul(Sub(x, R(a)), Sub(x, R(b))), R(0));
                var result = backend.CheckEquivalent(left, Or(Eq(x, R(a)), Eq(x, R(b))), limit);
                return result.IsProven ? null : $"seed {seed}: roots {a}, {b}: {result.Verdict} {result.Reason}";
            }

            case 1:
            {
                // (x - a)(x - b) = 0 <-> x = a or x = b + 1: not equivalent; the counterexample must separate them.
                var x = RealVar("x");
                var left = Eq(Mul(Sub(x, R(a)), Sub(x, R(b))), R(0));
                var right = Or(Eq(x, R(a)), Eq(x, R(b + 1)));
                var result = backend.CheckEquivalent(left, right, limit);
                return result.Verdict == ProofVerdict.Refuted && Evaluator.Holds(left, result.Counterexample!) != Evaluator.Holds(right, result.Counterexample!)
                    ? null
                    : $"seed {seed}: wrong roots {a}, {b + 1}: {result.Verdict} {result.Reason}";
            }

            case 2:
            {
                // x mod m = r <-> exists k. x = m k + r, 0 <= r < m: equivalent.
                var m = 2 + (seed % 3);
                var (left, right) = OddFamily(m, seed % m);
                var result = backend.CheckEquivalent(left, right, limit);
                return result.IsProven ? null : $"seed {seed}: mod {m}: {result.Verdict} {result.Reason}";
            }

            default:
            {
                // x mod m = r + m is never true, exists k. x = m k + r + m sometimes: refuted at an x = r (mod m).
                var m = 2 + (seed % 3);
                var r = seed % m;
                var (left, right) = OddFamily(m, r + m);
                var result = backend.CheckEquivalent(left, right, limit);
                if (result.Verdict != ProofVerdict.Refuted)
                {
                    return $"seed {seed}: mod {m} shifted: {result.Verdict} {result.Reason}";
                }

                var x = Rational.Parse(result.Counterexample!["x"]).Numerator;
                return ((x % m) + m) % m == r ? null : $"seed {seed}: counterexample x = {x} is not {r} mod {m}";
            }
        }
    }
}
