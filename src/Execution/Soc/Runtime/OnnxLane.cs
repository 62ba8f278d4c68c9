using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Planning.Graph;

namespace Planning.Execution.Soc.Runtime;

/// <summary>A chunk-model run a lane is asked for: which model and how many rows; <see cref="Id"/> names it to the executor.</summary>
internal sealed record LaneJob(long Id, SocChunkShape Shape, int Rows);

/// <summary>How a lane's run ended, on the executor's clock.</summary>
internal sealed record LaneOutcome(DeviceKind Lane, LaneJob Job, double StartMs, double EndMs, bool Aborted, Exception? Failure = null);

/// <summary>
/// One lane of the real executor: its own thread, and one ONNX Runtime session per chunk shape, all with the lane's
/// thread budget, sequential execution and no spinning (idle lanes must not burn a core the others need). It runs one
/// job at a time; <see cref="Terminate"/> sets <see cref="RunOptions.Terminate"/> on the run in flight, which ONNX
/// Runtime checks between nodes, and the flag is reset before the next run.
/// </summary>
internal sealed class OnnxLane : IDisposable
{
    private readonly Dictionary<string, ShapeSession> sessions = new(StringComparer.Ordinal);
    private readonly BlockingCollection<LaneJob> inbox = new();
    private readonly RunOptions runOptions = new();
    private readonly Lock gate = new();
    private readonly Func<double> nowMs;
    private readonly Action<LaneOutcome> report;
    private readonly Thread thread;
    private long inFlight = -1;
    private long queued = -1;
    private bool terminateQueued;
    private bool busy;
    private bool disposed;

    /// <param name="budget">The lane and its threads.</param>
    /// <param name="shapes">The chunk shapes it can run (one session each).</param>
    /// <param name="nowMs">The executor's clock, in ms.</param>
    /// <param name="report">Called on the lane's thread when a job ends.</param>
    public OnnxLane(SocLaneBudget budget, IEnumerable<SocChunkShape> shapes, Func<double> nowMs, Action<LaneOutcome> report)
    {
        Budget = budget.Validate();
        this.nowMs = nowMs;
        this.report = report;
        foreach (var shape in shapes)
        {
            sessions.Add(shape.Name, new ShapeSession(shape, budget));
        }

        thread = new Thread(Loop) { IsBackground = true, Name = "soc-lane-" + budget.Lane };
        thread.Start();
    }

    /// <summary>The lane and its thread budget.</summary>
    public SocLaneBudget Budget { get; }

    /// <summary>The accelerator the lane stands in for.</summary>
    public DeviceKind Lane => Budget.Lane;

    /// <summary>Whether a job has been started and has not reported yet.</summary>
    public bool IsBusy
    {
        get
        {
            lock (gate)
            {
                return busy;
            }
        }
    }

    /// <summary>Queues a job; the lane must be idle (the scheduler never starts a kernel on a busy lane).</summary>
    public void Start(LaneJob job)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        lock (gate)
        {
            if (busy)
            {
                throw new InvalidOperationException($"lane {Lane} is busy: a job was started before the previous one reported");
            }

            busy = true;
            queued = job.Id;
        }

        inbox.Add(job);
    }

    /// <summary>
    /// Asks the run of <paramref name="jobId"/> to stop, whether it is still queued or running. The flag is only set
    /// while that job holds the lane, so a late request cannot abort the next job.
    /// </summary>
    /// <returns>Whether the job still held the lane.</returns>
    public bool Terminate(long jobId)
    {
        lock (gate)
        {
            if (inFlight == jobId)
            {
                runOptions.Terminate = true;
                return true;
            }

            if (queued == jobId)
            {
                terminateQueued = true;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="rows"/> rows of a shape's model on the calling thread (the lane must be idle): the
    /// calibration's measurement, with the lane's session and thread budget.
    /// </summary>
    /// <returns>Wall time of the run in ms.</returns>
    public double Measure(SocChunkShape shape, int rows)
    {
        if (IsBusy)
        {
            throw new InvalidOperationException($"lane {Lane} is busy: measure it while idle");
        }

        var clock = Stopwatch.StartNew();
        sessions[shape.Name].Run(rows, runOptions);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The output of the last run of a shape (first <paramref name="rows"/> rows), for the tests' oracle.</summary>
    internal float[] LastOutput(SocChunkShape shape, int rows) => sessions[shape.Name].Output(rows);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        inbox.CompleteAdding();
        lock (gate)
        {
            runOptions.Terminate = true;
        }

        thread.Join();
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        runOptions.Dispose();
        inbox.Dispose();
    }

    private void Loop()
    {
        foreach (var job in inbox.GetConsumingEnumerable())
        {
            if (Volatile.Read(ref disposed))
            {
                // Shutting down: a job still queued is dropped, not run.
                continue;
            }

            var aborted = false;
            Exception? failure = null;
            double start;
            lock (gate)
            {
                // The flag is per run: reset it, then honour an abort that arrived while the job was queued.
                runOptions.Terminate = terminateQueued;
                terminateQueued = false;
                queued = -1;
                inFlight = job.Id;
                start = nowMs();
            }

            try
            {
                sessions[job.Shape.Name].Run(job.Rows, runOptions);
            }
            catch (OnnxRuntimeException) when (runOptions.Terminate)
            {
                aborted = true;
            }
            catch (Exception error) when (error is OnnxRuntimeException or InvalidOperationException or KeyNotFoundException)
            {
                failure = error;
            }

            double end;
            lock (gate)
            {
                end = nowMs();
                inFlight = -1;
                runOptions.Terminate = false;
                busy = false;
            }

            report(new LaneOutcome(Lane, job, start, end, aborted, failure));
        }
    }

    /// <summary>A session of one chunk shape with its input and output buffers, reused from run to run.</summary>
    private sealed class ShapeSession : IDisposable
    {
        private readonly SessionOptions options;
        private readonly InferenceSession session;
        private readonly string[] inputNames = [OnnxChunkModel.InputName];
        private readonly string[] outputNames = [OnnxChunkModel.OutputName];
        private float[] input = [];
        private float[] output = [];

        public ShapeSession(SocChunkShape shape, SocLaneBudget budget)
        {
            Shape = shape;
            options = new SessionOptions
            {
                IntraOpNumThreads = budget.IntraOpThreads,
                InterOpNumThreads = budget.InterOpThreads,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            session = new InferenceSession(OnnxChunkModel.Build(shape), options);
        }

        public SocChunkShape Shape { get; }

        public void Run(int rows, RunOptions run)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
            var length = rows * Shape.Width;
            if (input.Length < length)
            {
                // All ones: the weights keep every value near 1 (OnnxChunkModel), so the data never changes the run time.
                input = new float[length];
                Array.Fill(input, 1f);
                output = new float[length];
            }

            long[] dimensions = [rows, Shape.Width];
            using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, length), dimensions);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, length), dimensions);
            session.Run(run, inputNames, [inputValue], outputNames, [outputValue]);
        }

        public float[] Output(int rows) => output.AsSpan(0, rows * Shape.Width).ToArray();

        public void Dispose()
        {
            session.Dispose();
            options.Dispose();
        }
    }
}
