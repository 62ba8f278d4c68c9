namespace Planning.Execution.Rollout;

/// <summary>
/// One inference instance during a run: its GPUs and degree, its batch and queue, and the run of iterations it has
/// planned up to its next completion (its KV memory is the <see cref="KvLedger"/>'s, its timeline the recorder's).
/// </summary>
internal sealed class InstanceState(IReadOnlyList<int> gpus)
{
    /// <summary>Its tensor-parallel degree (a regroup raises it at the instance's next iteration boundary).</summary>
    public int Degree { get; set; } = gpus.Count;

    /// <summary>The GPUs it runs on, as the plan graph assigns them (grows when it absorbs instances).</summary>
    public List<int> Gpus { get; } = [.. gpus];

    /// <summary>Whether it has given its GPUs to another instance.</summary>
    public bool Retired { get; set; }

    /// <summary>The instance it gave its GPUs to, or -1.</summary>
    public int MergedInto { get; set; } = -1;

    /// <summary>The degree it takes at its next iteration boundary (0: none pending).</summary>
    public int PendingDegree { get; set; }

    /// <summary>The trajectories whose turns run in its batch.</summary>
    public List<int> Running { get; } = [];

    /// <summary>Ready turns routed to it, in admission order.</summary>
    public SortedSet<QueueEntry> Queue { get; } = new(QueueOrder.Instance);

    /// <summary>Iterations it has completed.</summary>
    public long Iteration { get; set; }

    /// <summary>Whether a planned run of iterations is under way.</summary>
    public bool Busy { get; set; }

    /// <summary>Whether an idle instance already has a boundary scheduled now.</summary>
    public bool PendingIdleBoundary { get; set; }

    /// <summary>Bumped whenever its next boundary is rescheduled; older boundary events are stale.</summary>
    public int Version { get; set; }

    /// <summary>When the planned run started.</summary>
    public double SegmentStart { get; set; }

    /// <summary>The iteration the planned run started at.</summary>
    public long SegmentFirstIteration { get; set; }

    /// <summary>The end time of each iteration of the planned run.</summary>
    public List<double> SegmentEnds { get; } = [];

    /// <summary>Iterations of the planned run still to complete (cut short when an arrival could be admitted).</summary>
    public int SegmentPlanned { get; set; }

    /// <summary>The batch of the planned run.</summary>
    public int SegmentBatch { get; set; }

    /// <summary>Seconds the next iteration spends first: prefills of admitted turns, and a regroup's reload.</summary>
    public double PendingPrefillSeconds { get; set; }
}
