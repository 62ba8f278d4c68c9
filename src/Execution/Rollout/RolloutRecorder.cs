using System.Collections.Immutable;

namespace Planning.Execution.Rollout;

/// <summary>
/// What a run measures as it goes: token and event counters, the queue waits (for the p99), every turn and migration,
/// and each instance's busy timeline; <see cref="Result"/> turns them into a <see cref="RolloutSimulationResult"/>.
/// </summary>
internal sealed class RolloutRecorder(bool recordTurns, int instances)
{
    private readonly List<double> _queueWaits = [];
    private readonly List<RolloutTurnRecord> _turns = [];
    private readonly List<RolloutMigration> _migrations = [];
    private readonly List<RolloutBusySegment>[] _timelines = [.. Enumerable.Range(0, instances).Select(_ => new List<RolloutBusySegment>())];
    private readonly double[] _busySeconds = new double[instances];

    /// <summary>Output tokens generated.</summary>
    public long GeneratedTokens { get; set; }

    /// <summary>Tokens prefilled.</summary>
    public long PrefillTokens { get; set; }

    /// <summary>Admissions after the first that prefilled a whole context.</summary>
    public int Reprefills { get; set; }

    /// <summary>KV caches moved during tool calls.</summary>
    public int Migrations { get; set; }

    /// <summary>Migrations that became re-prefills.</summary>
    public int MigrationFallbacks { get; set; }

    /// <summary>Running turns preempted.</summary>
    public int Preemptions { get; set; }

    /// <summary>Caches evicted.</summary>
    public int Evictions { get; set; }

    /// <summary>Iterations over all instances.</summary>
    public long Iterations { get; set; }

    /// <summary>Instance merges applied.</summary>
    public int Regroups { get; set; }

    /// <summary>Seconds merged instances stalled reloading, summed.</summary>
    public double ReloadSeconds { get; set; }

    /// <summary>A turn's wait between becoming ready and its first admission.</summary>
    public void QueueWait(double seconds) => _queueWaits.Add(seconds);

    /// <summary>A completed turn (kept when the options ask for turn records).</summary>
    public void Turn(RolloutTurnRecord turn)
    {
        if (recordTurns)
        {
            _turns.Add(turn);
        }
    }

    /// <summary>A KV-cache migration.</summary>
    public void Migration(RolloutMigration migration) => _migrations.Add(migration);

    /// <summary>A run of iterations of an instance; one that continues the last interval extends it.</summary>
    public void Busy(int instance, double start, double end, int batch)
    {
        _busySeconds[instance] += end - start;
        var timeline = _timelines[instance];
        if (timeline.Count > 0 && timeline[^1].EndSeconds == start)
        {
            var last = timeline[^1];
            timeline[^1] = new RolloutBusySegment(last.StartSeconds, end, Math.Max(last.PeakBatch, batch));
        }
        else
        {
            timeline.Add(new RolloutBusySegment(start, end, batch));
        }
    }

    /// <summary>The instance's busy seconds.</summary>
    public double BusySeconds(int instance) => _busySeconds[instance];

    /// <summary>The instance's busy intervals.</summary>
    public ImmutableArray<RolloutBusySegment> Timeline(int instance) => [.. _timelines[instance]];

    /// <summary>The result of a finished run.</summary>
    /// <param name="policy">The policy's name.</param>
    /// <param name="model">The model's name.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="layout">The initial degrees.</param>
    /// <param name="trajectories">The trajectories.</param>
    /// <param name="completed">How many completed.</param>
    /// <param name="summaries">Each instance's figures.</param>
    public RolloutSimulationResult Result(
        string policy, string model, int gpus, ImmutableArray<int> layout, IReadOnlyList<TrajectoryState> trajectories, int completed, ImmutableArray<RolloutInstanceSummary> summaries)
    {
        var waits = _queueWaits.ToArray();
        Array.Sort(waits);
        var p99 = waits.Length == 0 ? 0 : waits[Math.Max(0, (int)Math.Ceiling(0.99 * waits.Length) - 1)];
        var completion = trajectories.Select(t => t.CompletionSeconds).ToArray();
        return new RolloutSimulationResult(
            policy,
            model,
            gpus,
            layout,
            completion.Max(),
            trajectories.Sum(t => t.Trajectory.TotalOutputTokens),
            completed,
            p99,
            new RolloutCounters(GeneratedTokens, PrefillTokens, Reprefills, Migrations, MigrationFallbacks, Preemptions, Evictions, Iterations, Regroups, ReloadSeconds),
            summaries,
            [.. completion],
            [.. trajectories.Select(t => t.Generated)],
            [.. _migrations],
            [.. _turns]);
    }
}
