using System.Collections.Immutable;
using System.Globalization;
using Planning.Rollout;

namespace Planning.Execution.Simulation.Rollout;

/// <summary>
/// A discrete-event simulator of one agentic-RL rollout step: every trajectory is ready at t = 0; instances of one
/// model (each at a tensor-parallel degree) run continuous batches; tool calls run off the GPU. Deterministic: events
/// at the same time run in the order they were scheduled.
/// </summary>
/// <remarks>
/// <para>An iteration of an instance decodes one token for every sequence in its batch and costs
/// <see cref="IInferenceCostModel.DecodeIterationSeconds"/> of the batch size and the sum of the contexts; a turn admitted
/// at an iteration boundary prefills its new tokens in the next iteration (adding <see cref="IInferenceCostModel.PrefillSeconds"/>),
/// which also yields its first output token; it then decodes one token per iteration. New tokens are the prompt at the first
/// turn, only the observation when the turn returns to the instance holding its KV cache (prefix reuse), and the whole
/// context when it does not (re-prefill).</para>
/// <para>KV memory: an admitted turn reserves its context at the end of the turn (so no instance ever swaps mid-turn);
/// when a turn ends its cache stays on the instance during the tool call and is evicted least recently used first when an
/// admission needs the room. A preempted turn keeps its generated tokens and its cache (as an evictable entry).</para>
/// <para>For speed an instance plans a run of iterations up to its next completion and is cut short at the first
/// boundary after an arrival it could admit.</para>
/// <para>Regrouping (<see cref="IRolloutPolicy.Regroup"/>, asked every <see cref="IRolloutPolicy.RegroupIntervalSeconds"/>):
/// instances take the GPUs in layout order; idle instances of one node give theirs to another instance of that node,
/// which takes the summed degree and its KV capacity at its next iteration boundary, after a stall of
/// <c>(weights + its resident KV) / (new degree × reload bandwidth)</c>.</para>
/// </remarks>
public sealed class RolloutSimulator
{
    private readonly IInferenceCostModel _cost;
    private readonly RolloutSimulationOptions _options;

    /// <summary>Creates a simulator.</summary>
    /// <param name="cost">The cost model of the instances.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    public RolloutSimulator(IInferenceCostModel cost, RolloutSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        _cost = cost;
        _options = (options ?? RolloutSimulationOptions.Default).Validate();
    }

    /// <summary>Simulates one rollout step of <paramref name="trace"/> on <paramref name="gpus"/> GPUs under <paramref name="policy"/>.</summary>
    /// <param name="trace">The trajectories (non-empty, unique ids).</param>
    /// <param name="gpus">The GPU budget (at least the degree of one instance).</param>
    /// <param name="policy">The orchestration policy (fresh: policies keep state).</param>
    /// <returns>The result.</returns>
    /// <exception cref="PlanningInputException">The trace is empty, a trajectory cannot fit any instance's KV cache, or the budget is too small.</exception>
    public RolloutSimulationResult Simulate(IReadOnlyList<Trajectory> trace, int gpus, IRolloutPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(policy);
        ValidateTrace(trace);
        if (gpus < 1)
        {
            throw new PlanningInputException("gpus", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {gpus}"));
        }

        var degrees = policy.ChooseDegrees(trace, gpus, _cost, _options);
        ValidateLayout(trace, gpus, degrees);
        var run = new Run(trace, _cost, _options, degrees, policy);
        return run.Execute(gpus);
    }

    /// <summary>Rejects an empty trace or duplicate ids.</summary>
    internal static void ValidateTrace(IReadOnlyList<Trajectory> trace)
    {
        if (trace.Count == 0)
        {
            throw new PlanningInputException("trace", "must hold at least one trajectory, got none");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < trace.Count; i++)
        {
            if (trace[i] is null)
            {
                throw new PlanningInputException(Invariant($"trace[{i}]"), "must be a trajectory, got null");
            }

            if (!ids.Add(trace[i].Id))
            {
                throw new PlanningInputException(Invariant($"trace[{i}].id"), $"must be unique, got \"{trace[i].Id}\" twice");
            }
        }
    }

    private void ValidateLayout(IReadOnlyList<Trajectory> trace, int gpus, ImmutableArray<int> degrees)
    {
        if (degrees.IsDefaultOrEmpty)
        {
            throw new PlanningInputException("gpus", Invariant($"{gpus} GPU(s) hold no instance of {_cost.ModelName} (degrees {string.Join(", ", _cost.TensorParallelDegrees)})"));
        }

        if (degrees.Sum() > gpus)
        {
            throw new PlanningInputException("gpus", Invariant($"the layout {string.Join("+", degrees)} needs {degrees.Sum()} GPUs, more than the {gpus} given"));
        }

        var smallest = degrees.Min(d => _cost.KvCapacityTokens(d));
        for (var i = 0; i < trace.Count; i++)
        {
            if (trace[i].FinalContextTokens > smallest)
            {
                throw new PlanningInputException(
                    Invariant($"trace[{i}]"),
                    Invariant($"final context of {trace[i].FinalContextTokens} tokens exceeds the KV capacity of {smallest} tokens of the smallest instance (TP{degrees.Min()}) of {_cost.ModelName}"));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private enum EventKind
    {
        Regroup,

        Boundary,
        ToolEnd,
    }

    private readonly record struct QueueEntry(double Key, long Seq, int Trajectory);

    /// <summary>Larger key first, then ready order.</summary>
    private sealed class QueueOrder : IComparer<QueueEntry>
    {
        public static readonly QueueOrder Instance = new();

        public int Compare(QueueEntry x, QueueEntry y)
        {
            var byKey = y.Key.CompareTo(x.Key);
            return byKey != 0 ? byKey : x.Seq.CompareTo(y.Seq);
        }
    }

    private sealed class InstanceState(int degree, long capacity, int firstGpu)
    {
        public int Degree { get; set; } = degree;

        public long Capacity { get; set; } = capacity;

        /// <summary>The GPUs it runs on (layout order; grows when it absorbs instances).</summary>
        public List<int> Gpus { get; } = [.. Enumerable.Range(firstGpu, degree)];

        public bool Retired { get; set; }

        /// <summary>The instance it gave its GPUs to, or -1.</summary>
        public int MergedInto { get; set; } = -1;

        /// <summary>The degree it takes at its next iteration boundary (0: none pending).</summary>
        public int PendingDegree { get; set; }

        public long Reserved { get; set; }

        public long RunningReserved { get; set; }

        public long Peak { get; set; }

        public List<int> Running { get; } = [];

        public SortedSet<QueueEntry> Queue { get; } = new(QueueOrder.Instance);

        /// <summary>Cached (not running) trajectories by last use: (use stamp, trajectory).</summary>
        public SortedSet<(long Stamp, int Trajectory)> Lru { get; } = [];

        public long Iteration { get; set; }

        public bool Busy { get; set; }

        public bool PendingIdleBoundary { get; set; }

        public int Version { get; set; }

        public double SegmentStart { get; set; }

        public long SegmentFirstIteration { get; set; }

        public List<double> SegmentEnds { get; } = [];

        public int SegmentPlanned { get; set; }

        public int SegmentBatch { get; set; }

        public double PendingPrefillSeconds { get; set; }

        public List<RolloutBusySegment> Timeline { get; } = [];

        public double BusySeconds { get; set; }
    }

    private sealed class Run : IRolloutState
    {
        private readonly IReadOnlyList<Trajectory> _trace;
        private readonly IRolloutPolicy _policy;
        private readonly ImmutableArray<int> _layout;
        private readonly InstanceState[] _instances;
        private readonly PriorityQueue<(EventKind Kind, int Target, int Version), (double Time, long Seq)> _events = new();
        private readonly SortedSet<QueueEntry> _shared = new(QueueOrder.Instance);
        private long _eventSeq;
        private long _readySeq;
        private long _useStamp;

        // Per trajectory.
        private readonly int[] _turn;
        private readonly long[] _contextBase;
        private readonly int[] _generatedInTurn;
        private readonly long[] _generated;
        private readonly int[] _completedTurns;
        private readonly int[] _lastTurnOutput;
        private readonly int[] _cachedOn;
        private readonly long[] _cachedTokens;
        private readonly long[] _cacheStamp;
        private readonly int[] _queuedAt;
        private readonly QueueEntry[] _queueEntry;
        private readonly double[] _ready;
        private readonly double[] _admitted;
        private readonly bool[] _admittedThisTurn;
        private readonly bool[] _everAdmitted;
        private readonly double[] _completion;
        private readonly int[] _runningOn;
        private readonly long[] _admitIteration;
        private readonly long[] _joinIteration;
        private readonly long[] _finishIteration;
        private readonly long[] _contextAtJoin;
        private readonly int[] _generatedAtAdmit;
        private readonly long[] _reservation;
        private readonly double[] _runningKey;

        private readonly List<double> _queueWaits = [];
        private readonly List<RolloutTurnRecord> _turns = [];
        private readonly List<RolloutMigration> _migrations = [];
        private long _prefillTokens;
        private long _generatedTokens;
        private int _reprefills;
        private int _migrationCount;
        private int _migrationFallbacks;
        private int _preemptions;
        private int _evictions;
        private long _iterations;
        private int _regroups;
        private double _reloadSeconds;
        private int _done;

        public Run(IReadOnlyList<Trajectory> trace, IInferenceCostModel cost, RolloutSimulationOptions options, ImmutableArray<int> degrees, IRolloutPolicy policy)
        {
            _trace = trace;
            Cost = cost;
            Options = options;
            Degrees = degrees;
            _layout = degrees;
            _policy = policy;
            var firstGpu = 0;
            _instances = new InstanceState[degrees.Length];
            for (var i = 0; i < degrees.Length; i++)
            {
                _instances[i] = new InstanceState(degrees[i], cost.KvCapacityTokens(degrees[i]), firstGpu);
                firstGpu += degrees[i];
            }

            var n = trace.Count;
            _turn = new int[n];
            _contextBase = new long[n];
            _generatedInTurn = new int[n];
            _generated = new long[n];
            _completedTurns = new int[n];
            _lastTurnOutput = new int[n];
            _cachedOn = new int[n];
            _cachedTokens = new long[n];
            _cacheStamp = new long[n];
            _queuedAt = new int[n];
            _queueEntry = new QueueEntry[n];
            _ready = new double[n];
            _admitted = new double[n];
            _admittedThisTurn = new bool[n];
            _everAdmitted = new bool[n];
            _completion = new double[n];
            _runningOn = new int[n];
            _admitIteration = new long[n];
            _joinIteration = new long[n];
            _finishIteration = new long[n];
            _contextAtJoin = new long[n];
            _generatedAtAdmit = new int[n];
            _reservation = new long[n];
            _runningKey = new double[n];
            for (var i = 0; i < n; i++)
            {
                _contextBase[i] = trace[i].PromptTokens;
                _cachedOn[i] = -1;
                _queuedAt[i] = int.MinValue;
                _runningOn[i] = -1;
            }
        }

        public double Now { get; private set; }

        public IReadOnlyList<Trajectory> Trace => _trace;

        public IInferenceCostModel Cost { get; }

        public ImmutableArray<int> Degrees { get; private set; }

        public RolloutSimulationOptions Options { get; }

        public TrajectoryProgress Progress(int trajectory) => new(
            _trace[trajectory].PromptTokens,
            _completedTurns[trajectory],
            _generated[trajectory] + _generatedInTurn[trajectory],
            _contextBase[trajectory] + _generatedInTurn[trajectory],
            _lastTurnOutput[trajectory]);

        public bool HasStarted(int trajectory) => _everAdmitted[trajectory];

        public bool IsFinished(int trajectory) => _completedTurns[trajectory] == _trace[trajectory].Turns;

        public int CachedOn(int trajectory) => _cachedOn[trajectory];

        public long CachedTokens(int trajectory) => _cachedOn[trajectory] >= 0 ? _cachedTokens[trajectory] : 0;

        public int ActiveRequests(int instance) => _instances[instance].Running.Count + _instances[instance].Queue.Count;

        public long FreeKvTokens(int instance) => _instances[instance].Retired ? 0 : _instances[instance].Capacity - _instances[instance].Reserved;

        public bool IsRetired(int instance) => _instances[instance].Retired;

        public int NodeOf(int instance)
        {
            var gpus = _instances[instance].Gpus;
            var node = gpus[0] / Options.GpusPerNode;
            return gpus.TrueForAll(g => g / Options.GpusPerNode == node) ? node : -1;
        }

        public bool IsIdle(int instance)
        {
            var inst = _instances[instance];
            return !inst.Retired && inst.PendingDegree == 0 && inst.Running.Count == 0 && inst.Queue.Count == 0 && inst.Lru.Count == 0;
        }

        public RolloutSimulationResult Execute(int gpus)
        {
            _policy.Start(this);
            for (var t = 0; t < _trace.Count; t++)
            {
                _ready[t] = 0;
                Enqueue(t);
            }

            var regroupEvery = _policy.RegroupIntervalSeconds;
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
                else if (e.Kind == EventKind.Regroup)
                {
                    // With no other event pending nothing can change any more (a merge takes effect at a boundary), so the
                    // timer stops and a stall is reported below instead of ticking forever.
                    if (_done < _trace.Count && _events.Count > 0)
                    {
                        Regroup();
                        Schedule(EventKind.Regroup, -1, 0, Now + regroupEvery);
                    }
                }
                else if (_instances[e.Target].Version == e.Version)
                {
                    Boundary(e.Target);
                }
            }

            if (_done != _trace.Count)
            {
                throw new InvalidOperationException(Invariant($"rollout simulation stalled with {_trace.Count - _done} trajectories unfinished (policy {_policy.Name})"));
            }

            var waits = _queueWaits.ToArray();
            Array.Sort(waits);
            var p99 = waits.Length == 0 ? 0 : waits[Math.Max(0, (int)Math.Ceiling(0.99 * waits.Length) - 1)];
            var total = _trace.Sum(t => t.TotalOutputTokens);
            return new RolloutSimulationResult(
                _policy.Name,
                Cost.ModelName,
                gpus,
                _layout,
                _completion.Max(),
                total,
                _done,
                p99,
                new RolloutCounters(_generatedTokens, _prefillTokens, _reprefills, _migrationCount, _migrationFallbacks, _preemptions, _evictions, _iterations, _regroups, _reloadSeconds),
                [.. _instances.Select(i => new RolloutInstanceSummary(i.Degree, i.Capacity, i.Peak, i.BusySeconds, [.. i.Timeline], i.Retired))],
                [.. _completion],
                [.. _generated],
                [.. _migrations],
                [.. _turns]);
        }

        private void Schedule(EventKind kind, int target, int version, double time) =>
            _events.Enqueue((kind, target, version), (time, _eventSeq++));

        private long TurnEndContext(int t) => _contextBase[t] + _trace[t].OutputTokens[_turn[t]];

        /// <summary>Re-keys every waiting turn and every running one with the policy's current priority (its seq, the FIFO tie-break, kept).</summary>
        private void Rekey()
        {
            foreach (var inst in _instances)
            {
                RekeyQueue(inst.Queue);
                foreach (var r in inst.Running)
                {
                    _runningKey[r] = _policy.Priority(this, r);
                }
            }

            RekeyQueue(_shared);
        }

        private void RekeyQueue(SortedSet<QueueEntry> queue)
        {
            if (queue.Count == 0)
            {
                return;
            }

            var entries = queue.ToArray();
            queue.Clear();
            foreach (var entry in entries)
            {
                var fresh = entry with { Key = _policy.Priority(this, entry.Trajectory) };
                _queueEntry[entry.Trajectory] = fresh;
                queue.Add(fresh);
            }
        }

        private void Enqueue(int t)
        {
            var target = _policy.Route(this, t);
            if (target < -1 || target >= _instances.Length)
            {
                throw new InvalidOperationException(Invariant($"policy {_policy.Name} routed trajectory {t} to instance {target} of {_instances.Length}"));
            }

            // A retired instance's GPUs now serve the instance that absorbed it.
            while (target >= 0 && _instances[target].Retired)
            {
                target = _instances[target].MergedInto;
            }

            var entry = new QueueEntry(_policy.Priority(this, t), _readySeq++, t);
            _queueEntry[t] = entry;
            _queuedAt[t] = target;
            if (target >= 0)
            {
                _instances[target].Queue.Add(entry);
                if (CouldAct(target, t, entry.Key))
                {
                    Poke(target);
                }
            }
            else
            {
                _shared.Add(entry);
                var best = -1;
                var bestTime = double.PositiveInfinity;
                for (var i = 0; i < _instances.Length; i++)
                {
                    if (!CouldAct(i, t, entry.Key))
                    {
                        continue;
                    }

                    var next = NextBoundary(i);
                    if (next < bestTime)
                    {
                        best = i;
                        bestTime = next;
                    }
                }

                if (best >= 0)
                {
                    Poke(best);
                }
            }
        }

        /// <summary>Whether an arrival could be admitted (room in the batch and in memory once caches are evicted) or preempt.</summary>
        private bool CouldAct(int i, int t, double key)
        {
            var inst = _instances[i];
            if (inst.Retired)
            {
                return false;
            }

            var room = inst.Running.Count < Options.MaxBatchSize && inst.Capacity - inst.RunningReserved >= TurnEndContext(t);
            if (room)
            {
                return true;
            }

            return inst.Running.Count > 0 && _policy.ShouldPreempt(this, key, inst.Running.Min(r => _runningKey[r]));
        }

        private double NextBoundary(int i)
        {
            var inst = _instances[i];
            if (!inst.Busy)
            {
                return Now;
            }

            var j = FirstEndAtOrAfter(inst, Now);
            return inst.SegmentEnds[j];
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

        /// <summary>Brings the instance's next iteration boundary forward to the first one at or after now.</summary>
        private void Poke(int i)
        {
            var inst = _instances[i];
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

        private void Boundary(int i)
        {
            var inst = _instances[i];
            inst.PendingIdleBoundary = false;
            if (inst.Busy)
            {
                inst.Iteration = inst.SegmentFirstIteration + inst.SegmentPlanned;
                _iterations += inst.SegmentPlanned;
                AddBusy(inst, inst.SegmentStart, Now, inst.SegmentBatch);
                inst.Busy = false;
                var finished = new List<int>();
                foreach (var r in inst.Running)
                {
                    if (_finishIteration[r] < inst.Iteration)
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
                ApplyRegroup(i);
            }

            Admit(i);
            if (inst.Running.Count > 0)
            {
                StartSegment(i);
            }
        }

        /// <summary>Asks the policy for merges and applies each at once to the absorbed instances (retired) and at the next boundary to the absorbing one.</summary>
        private void Regroup()
        {
            foreach (var merge in _policy.Regroup(this))
            {
                var into = merge.Into;
                var absorbed = merge.Absorbed.IsDefault ? [] : merge.Absorbed;
                string Fail(string why) => Invariant($"policy {_policy.Name} merged instances {string.Join(",", absorbed)} into {into}: {why}");
                if (into < 0 || into >= _instances.Length || _instances[into].Retired)
                {
                    throw new InvalidOperationException(Fail("the absorbing instance must exist and be active"));
                }

                if (absorbed.Length == 0 || absorbed.Distinct().Count() != absorbed.Length || absorbed.Any(j => j < 0 || j >= _instances.Length || j == into || !IsIdle(j)))
                {
                    throw new InvalidOperationException(Fail("the absorbed instances must be distinct, other than the absorbing one, and idle"));
                }

                var node = NodeOf(into);
                if (node < 0 || absorbed.Any(j => NodeOf(j) != node))
                {
                    throw new InvalidOperationException(Fail("all their GPUs must lie in one node"));
                }

                // Degrees already shows a merge still pending (applied at the instance's next boundary); merges stack.
                var degree = Degrees[into] + absorbed.Sum(j => _instances[j].Degree);
                if (!Cost.TensorParallelDegrees.Contains(degree))
                {
                    throw new InvalidOperationException(Fail(Invariant($"degree {degree} is not one of {string.Join(", ", Cost.TensorParallelDegrees)}")));
                }

                foreach (var j in absorbed)
                {
                    var gone = _instances[j];
                    gone.Retired = true;
                    gone.MergedInto = into;
                    _instances[into].Gpus.AddRange(gone.Gpus);
                }

                _instances[into].PendingDegree = degree;
                Degrees = Degrees.SetItem(into, degree);
                _regroups++;
                Poke(into);
            }
        }

        /// <summary>
        /// The absorbing instance takes its new degree and capacity; its GPUs load the new shards of the weights and of
        /// the KV it holds (running and cached) before the next iteration.
        /// </summary>
        private void ApplyRegroup(int i)
        {
            var inst = _instances[i];
            var degree = inst.PendingDegree;
            inst.PendingDegree = 0;
            var reload = (Cost.WeightBytes + ((double)inst.Reserved * Cost.KvBytesPerToken)) / (degree * Options.ReloadBytesPerSecond);
            inst.Degree = degree;
            inst.Capacity = Cost.KvCapacityTokens(degree);
            inst.PendingPrefillSeconds += reload;
            _reloadSeconds += reload;
        }

        private static void AddBusy(InstanceState inst, double start, double end, int batch)
        {
            inst.BusySeconds += end - start;
            if (inst.Timeline.Count > 0 && inst.Timeline[^1].EndSeconds == start)
            {
                var last = inst.Timeline[^1];
                inst.Timeline[^1] = new RolloutBusySegment(last.StartSeconds, end, Math.Max(last.PeakBatch, batch));
            }
            else
            {
                inst.Timeline.Add(new RolloutBusySegment(start, end, batch));
            }
        }

        private void CompleteTurn(int r, int i)
        {
            var inst = _instances[i];
            var trajectory = _trace[r];
            var turn = _turn[r];
            var output = trajectory.OutputTokens[turn];
            _runningOn[r] = -1;
            inst.Reserved -= _reservation[r];
            inst.RunningReserved -= _reservation[r];
            _generatedTokens += output - _generatedAtAdmit[r];
            _generated[r] += output;
            _generatedInTurn[r] = 0;
            _completedTurns[r]++;
            _lastTurnOutput[r] = output;
            if (Options.RecordTurns)
            {
                _turns.Add(new RolloutTurnRecord(r, turn, _ready[r], _admitted[r], Now, i, output));
            }

            if (turn == trajectory.Turns - 1)
            {
                _completion[r] = Now;
                _done++;
                _cachedOn[r] = -1;
                _policy.OnCompleted(this, r);
                if (_policy.PrioritiesChangeOnCompletion)
                {
                    Rekey();
                }

                return;
            }

            // The turn's cache stays on the instance during the tool call, evictable.
            _contextBase[r] += output;
            Cache(r, i, _contextBase[r]);
            var tool = trajectory.ToolSeconds[turn];
            var decision = _policy.OnToolCall(this, r, tool);
            ApplyToolCall(r, i, decision, tool);
            Schedule(EventKind.ToolEnd, r, 0, Now + tool);
        }

        private void Cache(int r, int i, long tokens)
        {
            var inst = _instances[i];
            _cachedOn[r] = i;
            _cachedTokens[r] = tokens;
            _cacheStamp[r] = _useStamp++;
            inst.Lru.Add((_cacheStamp[r], r));
            inst.Reserved += tokens;
            inst.Peak = Math.Max(inst.Peak, inst.Reserved);
        }

        private void DropCache(int r)
        {
            var i = _cachedOn[r];
            if (i < 0)
            {
                return;
            }

            var inst = _instances[i];
            inst.Lru.Remove((_cacheStamp[r], r));
            inst.Reserved -= _cachedTokens[r];
            _cachedOn[r] = -1;
            _cachedTokens[r] = 0;
        }

        private void ApplyToolCall(int r, int i, ToolCallDecision decision, double tool)
        {
            if (decision.Action == ToolCallAction.Stay || decision.TargetInstance == i)
            {
                return;
            }

            var j = decision.TargetInstance;
            if (j < 0 || j >= _instances.Length)
            {
                throw new InvalidOperationException(Invariant($"policy {_policy.Name} migrated trajectory {r} to instance {j} of {_instances.Length}"));
            }

            var tokens = _cachedTokens[r];
            if (decision.Action == ToolCallAction.MigrateKv)
            {
                var transfer = tokens * (double)Cost.KvBytesPerToken / Options.MigrationBytesPerSecond;
                if (transfer <= tool && MakeRoom(j, tokens, exclude: -1))
                {
                    DropCache(r);
                    Cache(r, j, tokens);
                    _migrationCount++;
                    _migrations.Add(new RolloutMigration(r, _turn[r], i, j, Now, Now + transfer, Now + tool, tokens));
                    PokeIfWaiting(i);
                    return;
                }

                _migrationFallbacks++;
            }

            // Re-prefill: the cache is dropped now; the next turn's admission at the target prefills the whole context.
            DropCache(r);
            PokeIfWaiting(i);
        }

        private void PokeIfWaiting(int i)
        {
            var inst = _instances[i];
            if ((inst.Queue.Count > 0 || _shared.Count > 0) && inst.Running.Count < Options.MaxBatchSize)
            {
                Poke(i);
            }
        }

        /// <summary>Evicts least recently used caches (not <paramref name="exclude"/>'s) until <paramref name="tokens"/> fit; false (evicting nothing) when they cannot.</summary>
        private bool MakeRoom(int i, long tokens, int exclude)
        {
            var inst = _instances[i];
            if (inst.Capacity - inst.Reserved >= tokens)
            {
                return true;
            }

            var excluded = exclude >= 0 && _cachedOn[exclude] == i ? _cachedTokens[exclude] : 0;
            if (inst.Capacity - inst.RunningReserved - excluded < tokens)
            {
                return false;
            }

            while (inst.Capacity - inst.Reserved < tokens)
            {
                var victim = inst.Lru.Min;
                if (victim.Trajectory == exclude)
                {
                    victim = inst.Lru.First(e => e.Trajectory != exclude);
                }

                DropCache(victim.Trajectory);
                _evictions++;
            }

            return true;
        }

        private void ToolEnd(int r)
        {
            var trajectory = _trace[r];
            var turn = _turn[r];
            _contextBase[r] += trajectory.ObservationTokens[turn];
            _turn[r] = turn + 1;
            _ready[r] = Now;
            _admittedThisTurn[r] = false;
            Enqueue(r);
        }

        /// <summary>
        /// The first entry of the instance's queue and the shared one, merged in key order, that may be admitted: turns of
        /// started trajectories always, a trajectory's first turn when the policy lets it start (<see cref="IRolloutPolicy.MayStart"/>);
        /// after one refusal no later first turn is asked.
        /// </summary>
        private bool TryBest(int i, out QueueEntry best)
        {
            var inst = _instances[i];
            best = default;
            if (inst.Retired || (inst.Queue.Count == 0 && _shared.Count == 0))
            {
                return false;
            }

            var refused = false;
            using var local = inst.Queue.GetEnumerator();
            using var shared = _shared.GetEnumerator();
            var hasLocal = local.MoveNext();
            var hasShared = shared.MoveNext();
            while (hasLocal || hasShared)
            {
                var fromLocal = hasLocal && (!hasShared || QueueOrder.Instance.Compare(local.Current, shared.Current) <= 0);
                var entry = fromLocal ? local.Current : shared.Current;
                var t = entry.Trajectory;
                if (_everAdmitted[t] || (!refused && _policy.MayStart(this, i, t)))
                {
                    best = entry;
                    return true;
                }

                refused = true;
                if (fromLocal)
                {
                    hasLocal = local.MoveNext();
                }
                else
                {
                    hasShared = shared.MoveNext();
                }
            }

            return false;
        }

        private void Admit(int i)
        {
            var inst = _instances[i];
            while (TryBest(i, out var best))
            {
                var t = best.Trajectory;
                var need = TurnEndContext(t);
                var fitsBatch = inst.Running.Count < Options.MaxBatchSize;
                var ownCache = _cachedOn[t] == i ? _cachedTokens[t] : 0;
                if (fitsBatch && MakeRoom(i, need - ownCache, exclude: t))
                {
                    AdmitTurn(i, t);
                    continue;
                }

                if (!TryPreempt(i, best.Key))
                {
                    break;
                }
            }
        }

        private bool TryPreempt(int i, double waitingKey)
        {
            var inst = _instances[i];
            if (inst.Running.Count == 0)
            {
                return false;
            }

            // The victim: the lowest key, the latest admitted among equals.
            var victim = inst.Running[0];
            foreach (var r in inst.Running)
            {
                if (_runningKey[r] < _runningKey[victim] || (_runningKey[r] == _runningKey[victim] && _admitIteration[r] >= _admitIteration[victim]))
                {
                    victim = r;
                }
            }

            if (!_policy.ShouldPreempt(this, waitingKey, _runningKey[victim]))
            {
                return false;
            }

            inst.Running.Remove(victim);
            var done = (int)(inst.Iteration - _admitIteration[victim]);
            _generatedTokens += done;
            _generatedInTurn[victim] = _generatedAtAdmit[victim] + done;
            inst.Reserved -= _reservation[victim];
            inst.RunningReserved -= _reservation[victim];
            _runningOn[victim] = -1;
            _preemptions++;
            Cache(victim, i, _contextBase[victim] + _generatedInTurn[victim]);
            Enqueue(victim);
            return true;
        }

        private void AdmitTurn(int i, int t)
        {
            var inst = _instances[i];
            var entry = _queueEntry[t];
            if (_queuedAt[t] >= 0)
            {
                _instances[_queuedAt[t]].Queue.Remove(entry);
            }
            else
            {
                _shared.Remove(entry);
            }

            _queuedAt[t] = int.MinValue;
            if (!_admittedThisTurn[t])
            {
                _admittedThisTurn[t] = true;
                _admitted[t] = Now;
                _queueWaits.Add(Now - _ready[t]);
            }

            var context = _contextBase[t] + _generatedInTurn[t];
            long newTokens;
            long cached;
            if (_cachedOn[t] == i)
            {
                cached = _cachedTokens[t];
                newTokens = context - cached;
                DropCache(t);
            }
            else
            {
                var elsewhere = _cachedOn[t];
                DropCache(t);
                if (elsewhere >= 0)
                {
                    PokeIfWaiting(elsewhere);
                }

                cached = 0;
                newTokens = context;
                if (_everAdmitted[t])
                {
                    _reprefills++;
                }
            }

            _everAdmitted[t] = true;
            var need = TurnEndContext(t);
            _reservation[t] = need;
            inst.Reserved += need;
            inst.RunningReserved += need;
            inst.Peak = Math.Max(inst.Peak, inst.Reserved);
            _runningOn[t] = i;
            _runningKey[t] = entry.Key;
            _generatedAtAdmit[t] = _generatedInTurn[t];
            var remaining = _trace[t].OutputTokens[_turn[t]] - _generatedInTurn[t];
            _admitIteration[t] = inst.Iteration;
            _finishIteration[t] = inst.Iteration + remaining - 1;
            if (newTokens > 0)
            {
                // The prefill iteration yields the first token; decoding starts with the next iteration.
                _prefillTokens += newTokens;
                inst.PendingPrefillSeconds += Cost.PrefillSeconds(newTokens, cached, inst.Degree);
                _joinIteration[t] = inst.Iteration + 1;
                _contextAtJoin[t] = context + 1;
            }
            else
            {
                _joinIteration[t] = inst.Iteration;
                _contextAtJoin[t] = context;
            }

            inst.Running.Add(t);
        }

        private void StartSegment(int i)
        {
            var inst = _instances[i];
            var first = inst.Iteration;
            var minFinish = long.MaxValue;
            int batchFirst = 0;
            long contextFirst = 0;
            long contextNext = 0;
            foreach (var r in inst.Running)
            {
                minFinish = Math.Min(minFinish, _finishIteration[r]);
                if (_joinIteration[r] <= first)
                {
                    batchFirst++;
                    contextFirst += _contextAtJoin[r] + (first - _joinIteration[r]);
                }

                contextNext += _contextAtJoin[r] + (first + 1 - _joinIteration[r]);
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
}
