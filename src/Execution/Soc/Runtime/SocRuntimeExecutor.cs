using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// The real executor of Agent.xpu's schedule: it drives a <see cref="SocScheduler"/> (the one the simulator drives)
/// with wall-clock arrivals and lane events, and runs every kernel the scheduler starts as a real ONNX Runtime run on
/// the lane it names. Each lane (<see cref="SocRuntimeOptions.Lanes"/>) is its own thread with its own sessions and
/// thread budget; a kernel runs the synthetic chunk model of its kind (<see cref="SocChunkShape"/>) at the rows the
/// lane's calibration chooses for the scheduler's predicted time times the time scale (<see cref="SocRuntimeOptions.TimeScale"/>).
/// A <see cref="SocAbort"/> sets <c>RunOptions.Terminate</c> on the lane's run, which stops between two nodes; the lane
/// then reports <see cref="SocScheduler.Aborted"/> and runs the next kernel with the flag reset. Preemption is the
/// scheduler's: it starts kernels only on idle lanes, so a reactive request waits for at most the chunk in flight.
/// </summary>
/// <remarks>
/// Construction calibrates every lane and shape (<see cref="Calibrations"/>), a few seconds of runs. One executor runs
/// one workload at a time; its lanes are reused from run to run. The clock is the injected <see cref="TimeProvider"/>;
/// waits for lane events block the calling thread until the next arrival or the scheduler's
/// <see cref="SocScheduler.NextWakeMs"/>.
/// </remarks>
public sealed class SocRuntimeExecutor : IDisposable
{
    private readonly Dictionary<DeviceKind, OnnxLane> lanes = [];
    private readonly Dictionary<(DeviceKind Lane, string Shape), SocLaneCalibration> calibrations = [];
    private readonly BlockingCollection<LaneOutcome> events = new();
    private readonly TimeProvider time;
    private long origin;
    private double scale = 1;
    private long nextJob;
    private bool running;

    /// <summary>Builds the lanes and calibrates every lane's chunk models on this machine.</summary>
    /// <param name="options">Lanes, time scale, shapes and calibration settings (default <see cref="SocRuntimeOptions.Default"/>).</param>
    /// <param name="time">The clock (default <see cref="TimeProvider.System"/>).</param>
    /// <exception cref="PlanningInputException">An option is out of range.</exception>
    public SocRuntimeExecutor(SocRuntimeOptions? options = null, TimeProvider? time = null)
    {
        Options = (options ?? SocRuntimeOptions.Default).Validate();
        this.time = time ?? TimeProvider.System;
        origin = this.time.GetTimestamp();
        SocChunkShape[] shapes = [Options.PrefillShape, Options.DecodeShape];
        try
        {
            foreach (var budget in Options.Lanes)
            {
                lanes.Add(budget.Lane, new OnnxLane(budget, shapes, NowMs, events.Add));
            }

            // One lane at a time, the others idle: each line is measured without the others' contention, as the cost
            // model's predictions are uncontended.
            var built = ImmutableArray.CreateBuilder<SocLaneCalibration>();
            foreach (var budget in Options.Lanes)
            {
                foreach (var shape in shapes)
                {
                    var calibration = SocLaneCalibrator.Calibrate(lanes[budget.Lane], shape, Options);
                    calibrations.Add((budget.Lane, shape.Name), calibration);
                    built.Add(calibration);
                }
            }

            Calibrations = built.ToImmutable();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The options the executor runs with.</summary>
    public SocRuntimeOptions Options { get; }

    /// <summary>Every lane's calibration of every chunk shape, lane by lane.</summary>
    public ImmutableArray<SocLaneCalibration> Calibrations { get; }

    /// <summary>The chunk model a kernel runs: decode steps the decode shape, every other kind the prefill shape.</summary>
    /// <param name="kernel">The kernel.</param>
    /// <returns>Its shape.</returns>
    public SocChunkShape ShapeOf(SocKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return kernel.Kind == SocKernelKind.DecodeStep ? Options.DecodeShape : Options.PrefillShape;
    }

    /// <summary>
    /// Runs a workload: feeds each request to the scheduler when the clock passes its arrival, calls
    /// <see cref="SocScheduler.Decide"/> after every arrival and lane event and at <see cref="SocScheduler.NextWakeMs"/>,
    /// starts and aborts runs on the lanes as it says, and records every run. Ends when every request has arrived and
    /// the scheduler is drained, or at <paramref name="horizonMs"/> or when <paramref name="stopWhen"/> says so (runs
    /// still in flight are then terminated and recorded as aborted; requests not done are reported unfinished).
    /// </summary>
    /// <param name="workload">The requests (any order; arrival times in ms from the start of the run).</param>
    /// <param name="scheduler">A fresh scheduler whose lanes are among this executor's.</param>
    /// <param name="horizonMs">When to stop at the latest, in the SoC's ms from the start (default: never).</param>
    /// <param name="timeScale">Wall ms per SoC ms for this run (default <see cref="SocRuntimeOptions.TimeScale"/>).</param>
    /// <param name="stopWhen">
    /// Asked after every decision with the time and the scheduler's completion records so far: true ends the run as the
    /// horizon does (default: never; the run drains or meets the horizon).
    /// </param>
    /// <param name="cancellationToken">Stops the run like the horizon.</param>
    /// <returns>The scheduler's completion records and every lane run.</returns>
    /// <exception cref="PlanningInputException">A request is malformed or two share an id.</exception>
    /// <exception cref="InvalidOperationException">The scheduler uses a lane this executor does not have, has already served requests, or has requests left but nothing to run and no time to wake.</exception>
    public SocRuntimeResult Run(
        IReadOnlyList<SocRequest> workload,
        SocScheduler scheduler,
        double horizonMs = double.PositiveInfinity,
        double? timeScale = null,
        Func<double, IReadOnlyList<SocCompletion>, bool>? stopWhen = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (double.IsNaN(horizonMs) || horizonMs <= 0)
        {
            throw new PlanningInputException("horizonMs", string.Create(CultureInfo.InvariantCulture, $"must be above 0, got {horizonMs}"));
        }

        if (timeScale is { } given && (!double.IsFinite(given) || given <= 0))
        {
            throw new PlanningInputException("timeScale", string.Create(CultureInfo.InvariantCulture, $"must be a finite number above 0, got {given}"));
        }

        if (running)
        {
            throw new InvalidOperationException("the executor runs one workload at a time");
        }

        var missing = scheduler.Lanes.Where(l => !lanes.ContainsKey(l)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"the scheduler's policy uses {string.Join(", ", missing.Select(SocSpec.Name))}, which this executor has no lane for");
        }

        if (!scheduler.IsDrained || scheduler.Completions.Count > 0)
        {
            throw new InvalidOperationException("the scheduler has already served requests: give each run a fresh one");
        }

        var arrivals = Arrivals(workload);
        scale = timeScale ?? Options.TimeScale;
        running = true;
        try
        {
            return RunLoop(arrivals, scheduler, horizonMs, stopWhen, cancellationToken);
        }
        finally
        {
            running = false;
        }
    }

    /// <summary>Stops the lanes' threads and releases their sessions.</summary>
    public void Dispose()
    {
        foreach (var lane in lanes.Values)
        {
            lane.Dispose();
        }

        lanes.Clear();
        events.Dispose();
    }

    /// <summary>Checks every request (errors name <c>workload[i]</c> and the member) and that ids are unique.</summary>
    internal static void CheckRequests(IReadOnlyList<SocRequest> workload)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < workload.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"workload[{i}]");
            if (workload[i] is null)
            {
                throw new PlanningInputException(field, "must be a request");
            }

            workload[i].Validate(field);
            if (!ids.Add(workload[i].Id))
            {
                throw new PlanningInputException(field + ".id", $"\"{workload[i].Id}\" is used by an earlier request");
            }
        }
    }

    private static ImmutableArray<SocRequest> Arrivals(IReadOnlyList<SocRequest> workload)
    {
        CheckRequests(workload);

        // A stable sort: requests arriving together reach the scheduler in the workload's order.
        return [.. workload.OrderBy(r => r.ArrivalMs)];
    }

    /// <summary>
    /// The scheduler's clock: wall ms since the start of the run over the run's time scale, so that arrivals, predicted
    /// kernel times and wake times stay in the SoC's milliseconds whatever the scale.
    /// </summary>
    private double NowMs() => time.GetElapsedTime(Volatile.Read(ref origin)).TotalMilliseconds / scale;

    private SocRuntimeResult RunLoop(
        ImmutableArray<SocRequest> arrivals, SocScheduler scheduler, double horizonMs, Func<double, IReadOnlyList<SocCompletion>, bool>? stopWhen, CancellationToken cancellationToken)
    {
        while (events.TryTake(out _))
        {
            // Nothing is in flight between runs; an event left over would belong to no job of this run.
        }

        Volatile.Write(ref origin, time.GetTimestamp());
        var inFlight = new Dictionary<DeviceKind, (long Job, SocKernelRun Run, SocChunkShape Shape, int Rows, double DecidedMs)>();
        var timeline = ImmutableArray.CreateBuilder<SocRuntimeRun>();
        var next = 0;
        var fed = new double[arrivals.Length];
        Array.Fill(fed, double.NaN);
        var stopped = false;
        var lastEventMs = 0.0;

        void Handle(LaneOutcome outcome)
        {
            if (outcome.Failure is { } failure)
            {
                throw new InvalidOperationException($"lane {outcome.Lane} failed to run {outcome.Job.Shape} at {outcome.Job.Rows} rows", failure);
            }

            var (job, run, shape, rows, decided) = inFlight[outcome.Lane];
            if (job != outcome.Job.Id)
            {
                throw new InvalidOperationException($"lane {outcome.Lane} reported job {outcome.Job.Id} while job {job} held it");
            }

            inFlight.Remove(outcome.Lane);

            // The scheduler is told the lane's own end time, so token times are when the run ended rather than when this
            // thread noticed; kept from running backwards across reports of different lanes.
            lastEventMs = Math.Max(lastEventMs, outcome.EndMs);
            timeline.Add(new SocRuntimeRun(outcome.Lane, run, shape, rows, decided, outcome.StartMs, outcome.EndMs, outcome.Aborted, Math.Max(NowMs(), lastEventMs)));
            if (stopped)
            {
                return;
            }

            if (outcome.Aborted)
            {
                scheduler.Aborted(outcome.Lane, lastEventMs);
            }
            else
            {
                scheduler.Completed(outcome.Lane, lastEventMs);
            }
        }

        while (true)
        {
            var now = Math.Max(NowMs(), lastEventMs);
            if (now >= horizonMs || cancellationToken.IsCancellationRequested || stopWhen?.Invoke(now, scheduler.Completions) == true)
            {
                stopped = true;
                foreach (var (lane, flight) in inFlight)
                {
                    lanes[lane].Terminate(flight.Job);
                }

                while (inFlight.Count > 0)
                {
                    Handle(events.Take(CancellationToken.None));
                }

                break;
            }

            while (next < arrivals.Length && arrivals[next].ArrivalMs <= now)
            {
                scheduler.Arrive(arrivals[next], now);
                fed[next] = now;
                next++;
            }

            while (events.TryTake(out var outcome))
            {
                Handle(outcome);
            }

            // Read the clock again: the decision comes after every report and arrival handed over above.
            now = Math.Max(NowMs(), lastEventMs);
            foreach (var dispatch in scheduler.Decide(now))
            {
                switch (dispatch)
                {
                    case SocStart start:
                        if (!lanes.TryGetValue(start.Lane, out var lane))
                        {
                            throw new InvalidOperationException($"the scheduler started {start.Run.Kernel.Name} on the {SocSpec.Name(start.Lane)}, which this executor has no lane for");
                        }

                        var shape = ShapeOf(start.Run.Kernel);
                        var rows = calibrations[(start.Lane, shape.Name)].RowsFor(start.Run.PredictedMs * scale);
                        var job = new LaneJob(++nextJob, shape, rows);
                        inFlight.Add(start.Lane, (job.Id, start.Run, shape, rows, now));
                        lane.Start(job);
                        break;
                    case SocAbort abort:
                        if (inFlight.TryGetValue(abort.Lane, out var victim))
                        {
                            lanes[abort.Lane].Terminate(victim.Job);
                        }

                        break;
                    default:
                        throw new InvalidOperationException($"unknown dispatch {dispatch.GetType().Name}");
                }
            }

            if (next == arrivals.Length && inFlight.Count == 0 && scheduler.IsDrained)
            {
                break;
            }

            var wake = Math.Min(horizonMs, next < arrivals.Length ? arrivals[next].ArrivalMs : double.PositiveInfinity);
            if (scheduler.NextWakeMs is { } asked)
            {
                // A wake time at or before now was just served by Decide; wait at least a millisecond so a scheduler
                // that keeps asking for the past cannot spin the loop.
                wake = Math.Min(wake, Math.Max(asked, now + 1));
            }

            if (double.IsPositiveInfinity(wake) && inFlight.Count == 0)
            {
                throw new InvalidOperationException("the scheduler has requests left but started nothing and asked for no wake time");
            }

            var waitMs = double.IsPositiveInfinity(wake) ? Timeout.Infinite : (int)Math.Ceiling(Math.Max(0, (wake - NowMs()) * scale));
            try
            {
                if (events.TryTake(out var first, waitMs, cancellationToken))
                {
                    Handle(first);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped from outside: the loop's head terminates what is in flight.
            }
        }

        var endMs = Math.Max(NowMs(), lastEventMs);
        return new SocRuntimeResult(arrivals, [.. fed], [.. scheduler.Completions], timeline.ToImmutable(), endMs, stopped);
    }
}
