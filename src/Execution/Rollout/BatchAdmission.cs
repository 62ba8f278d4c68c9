namespace Planning.Execution.Rollout;

/// <summary>A ready turn in a queue: a larger key is admitted first, equal keys in ready order.</summary>
/// <param name="Key">The policy's priority.</param>
/// <param name="Seq">The ready order (the FIFO tie-break).</param>
/// <param name="Trajectory">The trajectory's index.</param>
internal readonly record struct QueueEntry(double Key, long Seq, int Trajectory);

/// <summary>Larger key first, then ready order.</summary>
internal sealed class QueueOrder : IComparer<QueueEntry>
{
    public static readonly QueueOrder Instance = new();

    public int Compare(QueueEntry x, QueueEntry y)
    {
        var byKey = y.Key.CompareTo(x.Key);
        return byKey != 0 ? byKey : x.Seq.CompareTo(y.Seq);
    }
}

/// <summary>
/// The queues and the continuous batches of a run: a ready turn is routed (by the policy) to an instance's queue or the
/// shared one; at an iteration boundary an instance admits queued turns in key order while its batch and its KV memory
/// (evicting caches) have room, lets the policy hold back trajectories that have not started, and preempts the running
/// turn of lowest key when the policy says a waiting one should take its place.
/// </summary>
internal sealed class BatchAdmission(RolloutRun run)
{
    private readonly SortedSet<QueueEntry> _shared = new(QueueOrder.Instance);
    private long _readySeq;

    /// <summary>Routes a ready turn and queues it; wakes an instance that could admit it (or preempt for it).</summary>
    public void Enqueue(int t)
    {
        var policy = run.Policy;
        var instances = run.Instances;
        var target = policy.Route(run, t);
        if (target < -1 || target >= instances.Length)
        {
            throw new InvalidOperationException(RolloutRun.Invariant($"policy {policy.Name} routed trajectory {t} to instance {target} of {instances.Length}"));
        }

        // A retired instance's GPUs now serve the instance that absorbed it.
        while (target >= 0 && instances[target].Retired)
        {
            target = instances[target].MergedInto;
        }

        var entry = new QueueEntry(policy.Priority(run, t), _readySeq++, t);
        var state = run.Trajectories[t];
        state.QueueEntry = entry;
        state.QueuedAt = target;
        if (target >= 0)
        {
            instances[target].Queue.Add(entry);
            if (CouldAct(target, t, entry.Key))
            {
                run.Poke(target);
            }
        }
        else
        {
            _shared.Add(entry);
            var best = -1;
            var bestTime = double.PositiveInfinity;
            for (var i = 0; i < instances.Length; i++)
            {
                if (!CouldAct(i, t, entry.Key))
                {
                    continue;
                }

                var next = run.NextBoundary(i);
                if (next < bestTime)
                {
                    best = i;
                    bestTime = next;
                }
            }

            if (best >= 0)
            {
                run.Poke(best);
            }
        }
    }

    /// <summary>Re-keys every waiting turn and every running one with the policy's current priority (its seq, the FIFO tie-break, kept).</summary>
    public void Rekey()
    {
        foreach (var inst in run.Instances)
        {
            RekeyQueue(inst.Queue);
            foreach (var r in inst.Running)
            {
                run.Trajectories[r].RunningKey = run.Policy.Priority(run, r);
            }
        }

        RekeyQueue(_shared);
    }

    /// <summary>Wakes the instance when turns wait (its own or shared) and its batch has room.</summary>
    public void PokeIfWaiting(int i)
    {
        var inst = run.Instances[i];
        if ((inst.Queue.Count > 0 || _shared.Count > 0) && inst.Running.Count < run.Options.MaxBatchSize)
        {
            run.Poke(i);
        }
    }

    /// <summary>At an iteration boundary: admits queued turns while they fit, preempting where the policy says so.</summary>
    public void Admit(int i)
    {
        var inst = run.Instances[i];
        var ledger = run.Ledger;
        while (TryBest(i, out var best))
        {
            var t = best.Trajectory;
            var state = run.Trajectories[t];
            var need = state.TurnEndContext;
            var fitsBatch = inst.Running.Count < run.Options.MaxBatchSize;
            var ownCache = state.CachedOn == i ? state.CachedTokens : 0;
            if (fitsBatch && ledger.MakeRoom(i, need - ownCache, exclude: t))
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
            var fresh = entry with { Key = run.Policy.Priority(run, entry.Trajectory) };
            run.Trajectories[entry.Trajectory].QueueEntry = fresh;
            queue.Add(fresh);
        }
    }

    /// <summary>Whether an arrival could be admitted (room in the batch and in memory once caches are evicted) or preempt.</summary>
    private bool CouldAct(int i, int t, double key)
    {
        var inst = run.Instances[i];
        if (inst.Retired)
        {
            return false;
        }

        var room = inst.Running.Count < run.Options.MaxBatchSize && run.Ledger.FitsBesideRunning(i, run.Trajectories[t].TurnEndContext);
        if (room)
        {
            return true;
        }

        return inst.Running.Count > 0 && run.Policy.ShouldPreempt(run, key, inst.Running.Min(r => run.Trajectories[r].RunningKey));
    }

    /// <summary>
    /// The first entry of the instance's queue and the shared one, merged in key order, that may be admitted: turns of
    /// started trajectories always, a trajectory's first turn when the policy lets it start (<see cref="IRolloutPolicy.MayStart"/>);
    /// after one refusal no later first turn is asked.
    /// </summary>
    private bool TryBest(int i, out QueueEntry best)
    {
        var inst = run.Instances[i];
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
            if (run.Trajectories[t].EverAdmitted || (!refused && run.Policy.MayStart(run, i, t)))
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

    private bool TryPreempt(int i, double waitingKey)
    {
        var inst = run.Instances[i];
        if (inst.Running.Count == 0)
        {
            return false;
        }

        // The victim: the lowest key, the latest admitted among equals.
        var victim = inst.Running[0];
        foreach (var r in inst.Running)
        {
            var candidate = run.Trajectories[r];
            var current = run.Trajectories[victim];
            if (candidate.RunningKey < current.RunningKey || (candidate.RunningKey == current.RunningKey && candidate.AdmitIteration >= current.AdmitIteration))
            {
                victim = r;
            }
        }

        var preempted = run.Trajectories[victim];
        if (!run.Policy.ShouldPreempt(run, waitingKey, preempted.RunningKey))
        {
            return false;
        }

        inst.Running.Remove(victim);
        var done = (int)(inst.Iteration - preempted.AdmitIteration);
        run.Recorder.GeneratedTokens += done;
        preempted.GeneratedInTurn = preempted.GeneratedAtAdmit + done;
        run.Ledger.Release(victim, i);
        run.Recorder.Preemptions++;
        run.Ledger.Cache(victim, i, preempted.ContextBase + preempted.GeneratedInTurn);
        Enqueue(victim);
        return true;
    }

    private void AdmitTurn(int i, int t)
    {
        var inst = run.Instances[i];
        var state = run.Trajectories[t];
        var ledger = run.Ledger;
        var entry = state.QueueEntry;
        if (state.QueuedAt >= 0)
        {
            run.Instances[state.QueuedAt].Queue.Remove(entry);
        }
        else
        {
            _shared.Remove(entry);
        }

        state.QueuedAt = TrajectoryState.NotQueued;
        if (!state.AdmittedThisTurn)
        {
            state.AdmittedThisTurn = true;
            state.AdmittedSeconds = run.Now;
            run.Recorder.QueueWait(run.Now - state.ReadySeconds);
        }

        var context = state.ContextBase + state.GeneratedInTurn;
        long newTokens;
        long cached;
        if (state.CachedOn == i)
        {
            cached = state.CachedTokens;
            newTokens = context - cached;
            ledger.DropCache(t);
        }
        else
        {
            var elsewhere = state.CachedOn;
            ledger.DropCache(t);
            if (elsewhere >= 0)
            {
                PokeIfWaiting(elsewhere);
            }

            cached = 0;
            newTokens = context;
            if (state.EverAdmitted)
            {
                run.Recorder.Reprefills++;
            }
        }

        state.EverAdmitted = true;
        ledger.Reserve(t, i, state.TurnEndContext);
        state.RunningKey = entry.Key;
        state.GeneratedAtAdmit = state.GeneratedInTurn;
        var remaining = state.Trajectory.OutputTokens[state.Turn] - state.GeneratedInTurn;
        state.AdmitIteration = inst.Iteration;
        state.FinishIteration = inst.Iteration + remaining - 1;
        if (newTokens > 0)
        {
            // The prefill iteration yields the first token; decoding starts with the next iteration.
            run.Recorder.PrefillTokens += newTokens;
            inst.PendingPrefillSeconds += run.Cost.PrefillSeconds(newTokens, cached, inst.Degree);
            state.JoinIteration = inst.Iteration + 1;
            state.ContextAtJoin = context + 1;
        }
        else
        {
            state.JoinIteration = inst.Iteration;
            state.ContextAtJoin = context;
        }

        inst.Running.Add(t);
    }
}
