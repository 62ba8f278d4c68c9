using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// One simulated rollout step (see <see cref="RolloutSimulator"/>): the event loop and each trajectory's turn cycle
/// (ready, queued, running, tool call), each instance's runs of iterations, and the state a policy reads. Its parts:
/// <see cref="BatchAdmission"/> (queues, admission, preemption), <see cref="KvLedger"/> (KV memory and eviction),
/// <see cref="InstanceRegrouping"/> (merges) and <see cref="RolloutRecorder"/> (what is measured).
/// </summary>
internal sealed class RolloutRun : IRolloutState
{
    private readonly ImmutableArray<int> _layout;
    private readonly PriorityQueue<(EventKind Kind, int Target, int Version), (double Time, long Seq)> _events = new();
    private readonly BatchAdmission _admission;
    private readonly InstanceRegrouping _regrouping;
    private readonly KvTransfers _transfers;
    private int _transferVersion;
    private long _eventSeq;
    private int _done;

    /// <summary>Starts a run of the layout annotated on the cluster.</summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="options">The checked options.</param>
    /// <param name="cluster">The GPUs, nodes and links (<see cref="RolloutSimulationOptions.Hardware"/> at the budget).</param>
    /// <param name="plan">The cluster annotated with the instance layout (<see cref="InstanceLayout.Annotate"/>): the run reads each instance's GPUs from it.</param>
    /// <param name="policy">The policy.</param>
    public RolloutRun(IReadOnlyList<Trajectory> trace, IInferenceCostModel cost, RolloutSimulationOptions options, ClusterGraph cluster, PlanGraph plan, IRolloutPolicy policy)
    {
        Trace = trace;
        Prompts = [.. trace.Select(RolloutPrompt.Of)];
        Cost = cost;
        Options = options;
        Cluster = cluster;
        Plan = plan;
        Policy = policy;

        // Read once: the hot paths (a tool call's transfer, a regroup's reload) use these, not the graph.
        MigrationBytesPerSecond = cluster.Link(LinkClass.Network).BytesPerSecond;
        ReloadBytesPerSecond = cluster.Link(LinkClass.Pcie).BytesPerSecond;
        var gpus = InstanceLayout.DevicesOfInstances(plan);
        Instances = [.. gpus.Select(g => new InstanceState(g))];
        ImmutableArray<int> degrees = [.. Instances.Select(inst => inst.Degree)];
        Degrees = degrees;
        _layout = degrees;

        Trajectories = [.. trace.Select(t => new TrajectoryState(t))];
        Recorder = new RolloutRecorder(options.RecordTurns, degrees.Length);
        Ledger = new KvLedger(Trajectories, degrees.Select(d => cost.KvCapacityTokens(d)), Recorder);
        _admission = new BatchAdmission(this);
        _regrouping = new InstanceRegrouping(this);
        _transfers = new KvTransfers(MigrationBytesPerSecond);
    }

    private enum EventKind
    {
        Regroup,

        Boundary,
        ToolEnd,
        TransferEnd,
    }

    /// <inheritdoc />
    public double Now { get; private set; }

    /// <summary>The trajectories of the rollout step, all of them (the simulator's; policies see <see cref="Prompts"/>).</summary>
    public IReadOnlyList<Trajectory> Trace { get; }

    /// <inheritdoc />
    public IReadOnlyList<RolloutPrompt> Prompts { get; }

    /// <inheritdoc />
    public IInferenceCostModel Cost { get; }

    /// <inheritdoc />
    public ImmutableArray<int> Degrees { get; set; }

    /// <inheritdoc />
    public RolloutSimulationOptions Options { get; }

    /// <inheritdoc />
    public ClusterGraph Cluster { get; }

    /// <inheritdoc />
    public PlanGraph Plan { get; }

    /// <inheritdoc />
    public double MigrationBytesPerSecond { get; }

    /// <inheritdoc />
    public double ReloadBytesPerSecond { get; }

    /// <summary>The policy that decides.</summary>
    public IRolloutPolicy Policy { get; }

    /// <summary>Each trajectory's state, in trace order.</summary>
    public TrajectoryState[] Trajectories { get; }

    /// <summary>Each instance's state, in layout order.</summary>
    public InstanceState[] Instances { get; }

    /// <summary>The instances' KV memory.</summary>
    public KvLedger Ledger { get; }

    /// <summary>What the run measures.</summary>
    public RolloutRecorder Recorder { get; }

    /// <inheritdoc />
    public TrajectoryProgress Progress(int trajectory) => Trajectories[trajectory].Progress;

    /// <inheritdoc />
    public bool HasStarted(int trajectory) => Trajectories[trajectory].EverAdmitted;

    /// <inheritdoc />
    public bool IsFinished(int trajectory) => Trajectories[trajectory].IsFinished;

    /// <inheritdoc />
    public Trajectory Completed(int trajectory) =>
        Trajectories[trajectory].IsFinished
            ? Trace[trajectory]
            : throw new InvalidOperationException(Invariant($"trajectory {trajectory} has not finished: its turns to come are not known"));

    /// <inheritdoc />
    public int CachedOn(int trajectory) => Trajectories[trajectory].CachedOn;

    /// <inheritdoc />
    public long CachedTokens(int trajectory) => Trajectories[trajectory].CachedOn >= 0 ? Trajectories[trajectory].CachedTokens : 0;

    /// <inheritdoc />
    public int ActiveRequests(int instance) => Instances[instance].Running.Count + Instances[instance].Queue.Count;

    /// <inheritdoc />
    public long FreeKvTokens(int instance) => Instances[instance].Retired ? 0 : Ledger.Free(instance);

    /// <inheritdoc />
    public int TransfersInFlight(int instance) => _transfers.CountOn(instance);

    /// <inheritdoc />
    public bool IsRetired(int instance) => Instances[instance].Retired;

    /// <inheritdoc />
    public int NodeOf(int instance)
    {
        var gpus = Instances[instance].Gpus;
        return Cluster.InOneNode(gpus) ? Cluster.Devices[gpus[0]].Node : -1;
    }

    /// <inheritdoc />
    public bool IsIdle(int instance)
    {
        var inst = Instances[instance];
        return !inst.Retired && inst.PendingDegree == 0 && inst.Running.Count == 0 && inst.Queue.Count == 0 && !Ledger.HoldsCaches(instance) && !_transfers.Involves(instance);
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs the step to its end.</summary>
    /// <param name="gpus">The GPU budget (reported).</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The run stalled, or the policy decided something the simulator cannot do.</exception>
    public RolloutSimulationResult Execute(int gpus)
    {
        Policy.Start(this);
        for (var t = 0; t < Trajectories.Length; t++)
        {
            Trajectories[t].ReadySeconds = 0;
            _admission.Enqueue(t);
        }

        var regroupEvery = Policy.RegroupIntervalSeconds;
        if (regroupEvery > 0 && double.IsFinite(regroupEvery))
        {
            Schedule(EventKind.Regroup, -1, 0, regroupEvery);
        }

        while (_events.TryDequeue(out var e, out var at))
        {
            Now = at.Time;
            if (e.Kind == EventKind.ToolEnd)
            {
                ToolEnd(e.Target);
            }
            else if (e.Kind == EventKind.TransferEnd)
            {
                if (e.Version == _transferVersion)
                {
                    TransfersDone();
                }
            }
            else if (e.Kind == EventKind.Regroup)
            {
                // With no other event pending nothing can change any more (a merge takes effect at a boundary), so the
                // timer stops and a stall is reported below instead of ticking forever.
                if (_done < Trajectories.Length && _events.Count > 0)
                {
                    _regrouping.Regroup();
                    Schedule(EventKind.Regroup, -1, 0, Now + regroupEvery);
                }
            }
            else if (Instances[e.Target].Version == e.Version)
            {
                Boundary(e.Target);
            }
        }

        if (_done != Trajectories.Length)
        {
            throw new InvalidOperationException(Invariant($"rollout simulation stalled with {Trajectories.Length - _done} trajectories unfinished (policy {Policy.Name})"));
        }

        ImmutableArray<RolloutInstanceSummary> summaries =
            [.. Instances.Select((inst, i) => new RolloutInstanceSummary(inst.Degree, Ledger.Capacity(i), Ledger.Peak(i), Recorder.BusySeconds(i), Recorder.Timeline(i), inst.Retired))];
        return Recorder.Result(Policy.Name, Cost.ModelName, gpus, _layout, Trajectories, _done, summaries);
    }

    /// <summary>The time of the instance's next iteration boundary: now when idle.</summary>
    public double NextBoundary(int i)
    {
        var inst = Instances[i];
        if (!inst.Busy)
        {
            return Now;
        }

        var j = FirstEndAtOrAfter(inst, Now);
        return inst.SegmentEnds[j];
    }

    /// <summary>Brings the instance's next iteration boundary forward to the first one at or after now.</summary>
    public void Poke(int i)
    {
        var inst = Instances[i];
        if (!inst.Busy)
        {
            if (!inst.PendingIdleBoundary)
            {
                inst.PendingIdleBoundary = true;
                inst.Version++;
                Schedule(EventKind.Boundary, i, inst.Version, Now);
            }

            return;
        }

        var j = FirstEndAtOrAfter(inst, Now);
        if (j < inst.SegmentPlanned - 1)
        {
            inst.SegmentPlanned = j + 1;
            inst.Version++;
            Schedule(EventKind.Boundary, i, inst.Version, inst.SegmentEnds[j]);
        }
    }

    private static int FirstEndAtOrAfter(InstanceState inst, double time)
    {
        var ends = inst.SegmentEnds;
        int lo = 0, hi = inst.SegmentPlanned - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (ends[mid] >= time)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private void Schedule(EventKind kind, int target, int version, double time) =>
        _events.Enqueue((kind, target, version), (time, _eventSeq++));

    private void Boundary(int i)
    {
        var inst = Instances[i];
        inst.PendingIdleBoundary = false;
        if (inst.Busy)
        {
            inst.Iteration = inst.SegmentFirstIteration + inst.SegmentPlanned;
            Recorder.Iterations += inst.SegmentPlanned;
            Recorder.Busy(i, inst.SegmentStart, Now, inst.SegmentBatch);
            inst.Busy = false;
            var finished = new List<int>();
            foreach (var r in inst.Running)
            {
                if (Trajectories[r].FinishIteration < inst.Iteration)
                {
                    finished.Add(r);
                }
            }

            foreach (var r in finished)
            {
                inst.Running.Remove(r);
                CompleteTurn(r, i);
            }
        }

        if (inst.PendingDegree > 0)
        {
            _regrouping.Apply(i);
        }

        _admission.Admit(i);
        if (inst.Running.Count > 0)
        {
            StartSegment(i);
        }
    }

    private void CompleteTurn(int r, int i)
    {
        var state = Trajectories[r];
        var trajectory = state.Trajectory;
        var turn = state.Turn;
        var output = trajectory.OutputTokens[turn];
        Ledger.Release(r, i);
        Recorder.GeneratedTokens += output - state.GeneratedAtAdmit;
        state.Generated += output;
        state.GeneratedInTurn = 0;
        state.CompletedTurns++;
        state.LastTurnOutput = output;
        Recorder.Turn(new RolloutTurnRecord(r, turn, state.ReadySeconds, state.AdmittedSeconds, Now, i, output));
        if (turn == trajectory.Turns - 1)
        {
            state.CompletionSeconds = Now;
            _done++;
            state.CachedOn = -1;
            Policy.OnCompleted(this, r);
            if (Policy.PrioritiesChangeOnCompletion)
            {
                _admission.Rekey();
            }

            return;
        }

        // The turn's cache stays on the instance during the tool call, evictable.
        state.ContextBase += output;
        Ledger.Cache(r, i, state.ContextBase);

        // The policy decides without the call's duration (it predicts it, if it needs it); the simulator runs the actual one.
        var tool = trajectory.ToolSeconds[turn];
        var decision = Policy.OnToolCall(this, r);
        ApplyToolCall(r, i, decision, tool);
        Schedule(EventKind.ToolEnd, r, 0, Now + tool);
    }

    private void ApplyToolCall(int r, int i, ToolCallDecision decision, double tool)
    {
        if (decision.Action == ToolCallAction.Stay || decision.TargetInstance == i)
        {
            return;
        }

        var j = decision.TargetInstance;
        if (j < 0 || j >= Instances.Length)
        {
            throw new InvalidOperationException(Invariant($"policy {Policy.Name} migrated trajectory {r} to instance {j} of {Instances.Length}"));
        }

        var tokens = Trajectories[r].CachedTokens;
        if (decision.Action == ToolCallAction.MigrateKv)
        {
            if (Ledger.MakeRoom(j, tokens, exclude: -1))
            {
                // The cache leaves the source's LRU (it must not be evicted while it is read) and is held on both
                // instances until it arrives; the transfer shares both instances' links with the others in flight.
                Ledger.DropCache(r);
                Ledger.Pin(i, tokens);
                Ledger.Pin(j, tokens);
                Trajectories[r].TransferPending = true;
                _transfers.Start(Now, new KvTransfers.Transfer(r, Trajectories[r].Turn, i, j, tokens, tokens * (double)Cost.KvBytesPerToken, Now, Now + tool));
                Recorder.Migrations++;
                ScheduleTransferEnd();
                return;
            }

            Recorder.MigrationFallbacks++;
        }

        // Re-prefill: the cache is dropped now; the next turn's admission at the target prefills the whole context.
        Ledger.DropCache(r);
        _admission.PokeIfWaiting(i);
    }

    private void ToolEnd(int r)
    {
        var state = Trajectories[r];
        state.ContextBase += state.Trajectory.ObservationTokens[state.Turn];
        state.Turn++;
        state.AdmittedThisTurn = false;
        if (state.TransferPending)
        {
            // The call returned before its cache arrived: the next turn is ready when the transfer completes.
            state.AwaitingTransfer = true;
            return;
        }

        state.ReadySeconds = Now;
        _admission.Enqueue(r);
    }

    /// <summary>Schedules the next transfer completion at the current shared rates (earlier schedules go stale).</summary>
    private void ScheduleTransferEnd()
    {
        _transferVersion++;
        var next = _transfers.NextCompletion();
        if (double.IsFinite(next))
        {
            Schedule(EventKind.TransferEnd, -1, _transferVersion, Math.Max(Now, next));
        }
    }

    /// <summary>Transfers that completed now: each cache lands on its target (freed on its source); a turn whose call already returned becomes ready.</summary>
    private void TransfersDone()
    {
        foreach (var t in _transfers.Complete(Now))
        {
            var state = Trajectories[t.Trajectory];
            Ledger.Unpin(t.From, t.Tokens);
            Ledger.Unpin(t.To, t.Tokens);
            Ledger.Cache(t.Trajectory, t.To, t.Tokens);
            state.TransferPending = false;
            Recorder.Migration(new RolloutMigration(t.Trajectory, t.AfterTurn, t.From, t.To, t.StartSeconds, Now, t.ToolEndSeconds, t.Tokens));
            _admission.PokeIfWaiting(t.From);
            if (state.AwaitingTransfer)
            {
                state.AwaitingTransfer = false;
                state.ReadySeconds = Now;
                _admission.Enqueue(t.Trajectory);
            }
        }

        ScheduleTransferEnd();
    }

    /// <summary>Plans the instance's run of iterations up to its next completion (an arrival it could admit cuts it short, see <see cref="Poke"/>).</summary>
    private void StartSegment(int i)
    {
        var inst = Instances[i];
        var first = inst.Iteration;
        var minFinish = long.MaxValue;
        int batchFirst = 0;
        long contextFirst = 0;
        long contextNext = 0;
        foreach (var r in inst.Running)
        {
            var state = Trajectories[r];
            minFinish = Math.Min(minFinish, state.FinishIteration);
            if (state.JoinIteration <= first)
            {
                batchFirst++;
                contextFirst += state.ContextAtJoin + (first - state.JoinIteration);
            }

            contextNext += state.ContextAtJoin + (first + 1 - state.JoinIteration);
        }

        var ends = inst.SegmentEnds;
        ends.Clear();
        var time = Now + inst.PendingPrefillSeconds + (batchFirst > 0 ? Cost.DecodeIterationSeconds(batchFirst, contextFirst, inst.Degree) : 0);
        inst.PendingPrefillSeconds = 0;
        ends.Add(time);
        var batch = inst.Running.Count;
        var context = contextNext;
        for (var k = first + 1; k <= minFinish; k++)
        {
            time += Cost.DecodeIterationSeconds(batch, context, inst.Degree);
            ends.Add(time);
            context += batch;
        }

        inst.Busy = true;
        inst.SegmentStart = Now;
        inst.SegmentFirstIteration = first;
        inst.SegmentPlanned = ends.Count;
        inst.SegmentBatch = batch;
        inst.Version++;
        Schedule(EventKind.Boundary, i, inst.Version, ends[^1]);
    }
}
