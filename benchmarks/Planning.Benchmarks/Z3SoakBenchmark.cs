using System.Diagnostics;
using System.Globalization;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

using Planning.Provers.Smt;

namespace Planning.Benchmarks;

/// <summary>
/// Z3 soak: equivalence checks with known answers (quadratic roots over the reals, residues modulo m against an
/// existential witness; half of them refutable) on one and two threads, one backend per thread, for both backends.
/// Op/s is checks per second (each invocation runs <see cref="ChecksPerInvoke"/> checks, split over the threads).
/// After each iteration the objects dropped by the checks are collected and finalized; the cleanup prints the
/// process's resident memory after each iteration (it must stay flat), the z3 child processes' peak, the native shim's
/// counters, and fails the run if any answer was wrong.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Planning.Benchmarks -- --filter *Z3Soak*</c>; for a longer soak
/// without BenchmarkDotNet, call <see cref="Soak"/>.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10)]
public class Z3SoakBenchmark
{
    /// <summary>Checks per benchmark invocation, over all threads.</summary>
    public const int ChecksPerInvoke = 2000;

    private readonly List<long> _residentAfterIteration = [];
    private ISmtBackend[] _backends = [];
    private long _wrong;
    private int _invocation;

    /// <summary>The backend: <c>z3-inprocess</c> or <c>z3-process</c>.</summary>
    [Params("z3-inprocess", "z3-process")]
    public string Backend { get; set; } = "z3-inprocess";

    /// <summary>Worker threads, one backend each.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _backends = [.. Enumerable.Range(0, Threads).Select(_ => Create(Backend))];
        _residentAfterIteration.Clear();
        _wrong = 0;
    }

    [Benchmark(OperationsPerInvoke = ChecksPerInvoke)]
    public long Checks()
    {
        var wrong = Run(_backends, ChecksPerInvoke / Threads, _invocation++ * ChecksPerInvoke, collectEvery: 0);
        _wrong += wrong;
        return wrong;
    }

    [IterationCleanup]
    public void AfterIteration()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _residentAfterIteration.Add(Environment.WorkingSet);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var childPeak = ChildPeakMegabytes();
        foreach (var backend in _backends)
        {
            backend.Dispose();
        }

        var shim = Z3NativeShim.Describe()?.Statistics;
        Console.WriteLine(FormattableString.Invariant(
            $"// Z3Soak {Backend} threads={Threads}: wrong={_wrong}; RSS after each iteration (MB): {string.Join(' ', _residentAfterIteration.Select(static b => b >> 20))}; peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MB; z3 children peak {childPeak} MB"));
        if (shim is not null)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"// Z3Soak shim: releases queued {shim.ReleasesQueued}, applied {shim.QueuedReleasesApplied}, direct {shim.ReleasedDirectly}, pending {shim.ReleasesPending}, contexts {shim.ContextsCreated}/{shim.ContextsDeleted}"));
        }

        if (_wrong != 0)
        {
            throw new InvalidOperationException($"{_wrong} wrong answers from {Backend}");
        }
    }

    /// <summary>
    /// A soak without BenchmarkDotNet: <paramref name="threads"/> threads, one backend each, checking for
    /// <paramref name="duration"/>, with a forced collection every 500 checks per thread.
    /// </summary>
    /// <param name="backend"><c>z3-inprocess</c> or <c>z3-process</c>.</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="duration">How long to run.</param>
    /// <returns>The checks done, the wrong answers, checks/s, and resident memory after the first and last rounds and at peak.</returns>
    public static Z3SoakReport Soak(string backend, int threads, TimeSpan duration)
    {
        var backends = Enumerable.Range(0, threads).Select(_ => Create(backend)).ToArray();
        try
        {
            const int round = 500;
            var watch = Stopwatch.StartNew();
            long checks = 0;
            long wrong = 0;
            long firstResident = 0;
            long lastResident = 0;
            while (watch.Elapsed < duration)
            {
                wrong += Run(backends, round, (int)(checks % int.MaxValue), collectEvery: round);
                checks += (long)round * threads;
                lastResident = Environment.WorkingSet;
                firstResident = firstResident == 0 ? lastResident : firstResident;
            }

            watch.Stop();
            return new Z3SoakReport(backend, threads, checks, wrong, checks / watch.Elapsed.TotalSeconds,
                firstResident >> 20, lastResident >> 20, Process.GetCurrentProcess().PeakWorkingSet64 >> 20, ChildPeakMegabytes());
        }
        finally
        {
            foreach (var b in backends)
            {
                b.Dispose();
            }
        }
    }

    private static ISmtBackend Create(string backend) => backend switch
    {
        "z3-inprocess" => new Z3InProcessBackend(),
        "z3-process" => new Z3ProcessBackend(),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "z3-inprocess or z3-process"),
    };

    /// <summary>Runs <paramref name="checksPerThread"/> checks on each backend, one thread each; returns the wrong answers.</summary>
    private static long Run(ISmtBackend[] backends, int checksPerThread, int seedBase, int collectEvery)
    {
        long wrong = 0;
        if (backends.Length == 1)
        {
            return RunOne(backends[0], checksPerThread, seedBase, collectEvery);
        }

        var threads = backends.Select((backend, index) => new Thread(() =>
        {
            var w = RunOne(backend, checksPerThread, seedBase + (index * 1_000_003), collectEvery);
            Interlocked.Add(ref wrong, w);
        })).ToList();
        threads.ForEach(static t => t.Start());
        threads.ForEach(static t => t.Join());
        return wrong;
    }

    private static long RunOne(ISmtBackend backend, int checks, int seedBase, int collectEvery)
    {
        long wrong = 0;
        for (var i = 0; i < checks; i++)
        {
            if (!CheckOne(backend, seedBase + i))
            {
                wrong++;
            }

            if (collectEvery > 0 && (i + 1) % collectEvery == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        return wrong;
    }

    /// <summary>One check whose answer is known; true when the backend gave it.</summary>
    private static bool CheckOne(ISmtBackend backend, int seed)
    {
        var limit = TimeSpan.FromSeconds(30);
        seed &= int.MaxValue;
        var a = (seed % 7) - 3;
        var b = a + 1 + (seed % 5);
        var m = 2 + (seed % 3);
        var r = seed % m;
        var x = new Variable("x", SmtSort.RealSort);
        var n = new Variable("n", SmtSort.IntSort);
        var k = new Variable("k", SmtSort.IntSort);
        Term Real(long value) => new RealLiteral(value);
        Term Int(long value) => new IntLiteral(value);
        Term Eq(Term p, Term q) => new Comparison(ComparisonOperator.Equal, p, q);
        Term Product() => new Arithmetic(
            ArithmeticOperator.Multiply,
            new Arithmetic(ArithmeticOperator.Subtract, x, Real(a)),
            new Arithmetic(ArithmeticOperator.Subtract, x, Real(b)));
        Term Residue(long rest) => Eq(new Arithmetic(ArithmeticOperator.Modulo, n, Int(m)), Int(rest));
        Term Witness(long rest) => new Exists(k, Eq(n, new Arithmetic(ArithmeticOperator.Add, new Arithmetic(ArithmeticOperator.Multiply, Int(m), k), Int(rest))));

        switch (seed % 4)
        {
            case 0:
                return backend.CheckEquivalent(Eq(Product(), Real(0)), new Disjunction(Eq(x, Real(a)), Eq(x, Real(b))), limit).IsProven;
            case 1:
            {
                // Differs exactly at x = b and x = b + 1.
                var result = backend.CheckEquivalent(Eq(Product(), Real(0)), new Disjunction(Eq(x, Real(a)), Eq(x, Real(b + 1))), limit);
                var value = result.Counterexample?.GetValueOrDefault("x");
                return result.Verdict == ProofVerdict.Refuted
                    && (value == b.ToString(CultureInfo.InvariantCulture) || value == (b + 1).ToString(CultureInfo.InvariantCulture));
            }

            case 2:
                return backend.CheckEquivalent(Residue(r), Witness(r), limit).IsProven;
            default:
            {
                // n mod m = r + m never holds; the witness side holds exactly at n = r (mod m).
                var result = backend.CheckEquivalent(Residue(r + m), Witness(r + m), limit);
                var value = result.Counterexample?.GetValueOrDefault("n");
                return result.Verdict == ProofVerdict.Refuted && value is not null
                    && ((long.Parse(value, CultureInfo.InvariantCulture) % m) + m) % m == r;
            }
        }
    }

    private static long ChildPeakMegabytes()
    {
        long peak = 0;
        foreach (var process in Process.GetProcessesByName("z3"))
        {
            try
            {
                peak = Math.Max(peak, process.PeakWorkingSet64 >> 20);
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                process.Dispose();
            }
        }

        return peak;
    }
}

/// <summary>The outcome of <see cref="Z3SoakBenchmark.Soak"/>.</summary>
/// <param name="Backend">The backend.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="Checks">Checks done.</param>
/// <param name="Wrong">Checks answered wrongly (must be 0).</param>
/// <param name="ChecksPerSecond">Throughput over all threads.</param>
/// <param name="FirstRoundResidentMegabytes">Resident memory after the first round.</param>
/// <param name="LastRoundResidentMegabytes">Resident memory after the last round.</param>
/// <param name="PeakResidentMegabytes">Peak resident memory of this process.</param>
/// <param name="Z3ChildPeakMegabytes">Peak resident memory of z3 child processes alive at the end (process backend).</param>
public sealed record Z3SoakReport(
    string Backend,
    int Threads,
    long Checks,
    long Wrong,
    double ChecksPerSecond,
    long FirstRoundResidentMegabytes,
    long LastRoundResidentMegabytes,
    long PeakResidentMegabytes,
    long Z3ChildPeakMegabytes);
