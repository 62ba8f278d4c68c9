using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>
/// Predicts how long a weight-sync program takes on a <see cref="LinkModel"/>: an exact, deterministic discrete-event
/// evaluation. The planner uses the same evaluation to choose between direct and relay for each expert and to predict
/// the whole schedule, so that its predictions and its schedule agree.
/// </summary>
/// <remarks>
/// <para>The model. Every matched pair of a <see cref="SyncOperationKind.Send"/> on rank <c>s</c> and its
/// <see cref="SyncOperationKind.Receive"/> on rank <c>r</c> is one chunk transfer of <c>b</c> bytes. It takes
/// <see cref="LinkModel.TransferSeconds"/> (<c>latency + b / min(outbound, inbound)</c>) and holds, for that whole
/// time, <c>s</c>'s outbound link and <c>r</c>'s inbound link. A transfer starts as soon as all of these hold:</para>
/// <list type="bullet">
/// <item><description>the sender's previous send (in its program order) has finished: a rank's outbound link carries one chunk at a time;</description></item>
/// <item><description>the receiver's previous receive (in its program order) has finished: a rank's inbound link carries one chunk at a time;</description></item>
/// <item><description>the sender has the chunk: at time 0 when the program never delivers that chunk to the sender (the master
/// holds its weights), otherwise when the transfer that delivers it to the sender has finished (a relay forwards only what it has).</description></item>
/// </list>
/// <para>Sends and receives of one rank are independent (the links are full duplex), so a relay receives chunk
/// <c>c + 1</c> while it forwards chunk <c>c</c>: that is the pipelining. The predicted time is the finish time of
/// the last transfer (0 for an empty program). Each start is the maximum of at most three finish times, so the
/// evaluation has no ties to break and no rounding beyond one addition per transfer: the same program always
/// gets the same, bit-identical prediction.</para>
/// </remarks>
public static class WeightSyncTimeModel
{
    /// <summary>Predicts the time of a schedule's programs on a link model (its own or another, to ask "what if").</summary>
    /// <param name="schedule">The schedule; its chunk sizes stay as planned, only bandwidths and latency come from <paramref name="link"/>.</param>
    /// <param name="link">The link model to evaluate on.</param>
    /// <returns>Seconds until the last chunk arrives.</returns>
    public static double PredictSeconds(WeightSyncSchedule schedule, LinkModel link)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return PredictSeconds(schedule.Operations, link);
    }

    /// <summary>Predicts the time of per-rank weight-sync programs, such as a <see cref="WeightSyncSchedule"/>'s or a subset of them.</summary>
    /// <param name="operations">Per rank (indexed by rank), its operations in program order.</param>
    /// <param name="link">The link model to evaluate on.</param>
    /// <returns>Seconds until the last chunk arrives; 0 when there are no operations.</returns>
    /// <exception cref="ArgumentException">
    /// The programs do not fit together: a peer outside the ranks or equal to the rank itself, a send without its receive
    /// (or the reverse, or with other bytes), the same chunk sent twice over one link or delivered twice to one rank, or
    /// programs whose orders wait on each other forever (deadlock). The message names the rank, expert and chunk.
    /// </exception>
    public static double PredictSeconds(IReadOnlyList<ImmutableArray<SyncOperation>> operations, LinkModel link)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(link);
        var ranks = operations.Count;
        var transfers = new List<ChunkTransfer>();
        var previousSend = new List<int>();
        var bySendKey = new Dictionary<(int Sender, int Receiver, int Expert, int Chunk), int>();

        // Sends define the transfers, in each rank's program order: that order is the outbound link's queue.
        for (var rank = 0; rank < ranks; rank++)
        {
            var last = -1;
            foreach (var op in Program(operations, rank))
            {
                CheckPeer(op, rank, ranks, nameof(operations));
                if (op.Kind != SyncOperationKind.Send)
                {
                    continue;
                }

                if (!bySendKey.TryAdd((rank, op.Peer, op.Expert, op.Chunk), transfers.Count))
                {
                    throw new ArgumentException($"Rank {rank} sends chunk {op.Chunk} of expert {op.Expert} to rank {op.Peer} more than once.", nameof(operations));
                }

                transfers.Add(new ChunkTransfer(rank, op.Peer, op.Expert, op.Chunk, op.Offset, op.Bytes, -1));
                previousSend.Add(last);
                last = transfers.Count - 1;
            }
        }

        // Receives match the sends, in each rank's program order: that order is the inbound link's queue.
        var previousReceive = new int[transfers.Count];
        var matched = new bool[transfers.Count];
        var deliveredBy = new Dictionary<(int Rank, int Expert, int Chunk), int>();
        for (var rank = 0; rank < ranks; rank++)
        {
            var last = -1;
            foreach (var op in Program(operations, rank))
            {
                if (op.Kind != SyncOperationKind.Receive)
                {
                    continue;
                }

                if (!bySendKey.TryGetValue((op.Peer, rank, op.Expert, op.Chunk), out var t))
                {
                    throw new ArgumentException($"Rank {rank} receives chunk {op.Chunk} of expert {op.Expert} from rank {op.Peer}, which sends it no such chunk.", nameof(operations));
                }

                if (matched[t] || !deliveredBy.TryAdd((rank, op.Expert, op.Chunk), t))
                {
                    throw new ArgumentException($"Rank {rank} receives chunk {op.Chunk} of expert {op.Expert} more than once.", nameof(operations));
                }

                if (transfers[t].Bytes != op.Bytes)
                {
                    throw new ArgumentException(
                        $"Rank {op.Peer} sends {transfers[t].Bytes} bytes of chunk {op.Chunk} of expert {op.Expert} to rank {rank}, which expects {op.Bytes}.",
                        nameof(operations));
                }

                matched[t] = true;
                previousReceive[t] = last;
                last = t;
            }
        }

        var unmatched = Array.IndexOf(matched, false);
        if (unmatched >= 0)
        {
            var orphan = transfers[unmatched];
            throw new ArgumentException(
                $"Rank {orphan.Sender} sends chunk {orphan.Chunk} of expert {orphan.Expert} to rank {orphan.Receiver}, which never receives it.",
                nameof(operations));
        }

        // A sender that receives the chunk somewhere in the programs is a relay and must wait for it.
        for (var t = 0; t < transfers.Count; t++)
        {
            var transfer = transfers[t];
            if (deliveredBy.TryGetValue((transfer.Sender, transfer.Expert, transfer.Chunk), out var feeder))
            {
                transfers[t] = transfer with { Feeder = feeder };
            }
        }

        var starts = new double[transfers.Count];
        var stuck = Simulate(transfers.ToArray(), [.. previousSend], previousReceive, link, starts, out var seconds);
        if (stuck >= 0)
        {
            var transfer = transfers[stuck];
            throw new ArgumentException(
                $"The programs deadlock: rank {transfer.Sender}'s send of chunk {transfer.Chunk} of expert {transfer.Expert} to rank {transfer.Receiver} waits on itself through the program orders.",
                nameof(operations));
        }

        return seconds;
    }

    /// <summary>
    /// Evaluates transfers whose list order is the program order: each rank sends, and receives, in the order its
    /// transfers appear in <paramref name="transfers"/>. This is how the planner evaluates an expert alone and the
    /// whole schedule.
    /// </summary>
    /// <param name="transfers">The transfers, in program order; feeders index this list.</param>
    /// <param name="ranks">The number of ranks.</param>
    /// <param name="link">The link model.</param>
    /// <param name="starts">Receives each transfer's start time.</param>
    /// <returns>Seconds until the last transfer finishes.</returns>
    /// <exception cref="InvalidOperationException">The order deadlocks: a feeder comes after the transfer it feeds on the same queue.</exception>
    internal static double Evaluate(ReadOnlySpan<ChunkTransfer> transfers, int ranks, LinkModel link, Span<double> starts)
    {
        var lastSend = new int[ranks];
        var lastReceive = new int[ranks];
        Array.Fill(lastSend, -1);
        Array.Fill(lastReceive, -1);
        var previousSend = new int[transfers.Length];
        var previousReceive = new int[transfers.Length];
        for (var t = 0; t < transfers.Length; t++)
        {
            previousSend[t] = lastSend[transfers[t].Sender];
            previousReceive[t] = lastReceive[transfers[t].Receiver];
            lastSend[transfers[t].Sender] = t;
            lastReceive[transfers[t].Receiver] = t;
        }

        var stuck = Simulate(transfers, previousSend, previousReceive, link, starts, out var seconds);
        return stuck < 0
            ? seconds
            : throw new InvalidOperationException($"The planned order deadlocks at transfer {transfers[stuck]}; the planner must order every feeder before what it feeds.");
    }

    /// <summary>
    /// The discrete-event evaluation itself: each transfer starts when its (at most three) predecessors have finished,
    /// found in dependency order (Kahn's algorithm), since a recursive walk would overflow the stack on long queues.
    /// </summary>
    /// <returns>-1 when every transfer was evaluated; otherwise a transfer on a dependency cycle (a deadlock).</returns>
    private static int Simulate(
        ReadOnlySpan<ChunkTransfer> transfers,
        ReadOnlySpan<int> previousSend,
        ReadOnlySpan<int> previousReceive,
        LinkModel link,
        Span<double> starts,
        out double seconds)
    {
        var n = transfers.Length;

        // Successor lists in compressed form; a predecessor that appears twice (the previous send to the same receiver
        // is also the previous receive) counts once.
        var waiting = new int[n];
        var successorStarts = new int[n + 1];
        Span<int> predecessors = stackalloc int[3];
        for (var t = 0; t < n; t++)
        {
            var count = Predecessors(t, transfers, previousSend, previousReceive, predecessors);
            waiting[t] = count;
            foreach (var p in predecessors[..count])
            {
                successorStarts[p + 1]++;
            }
        }

        for (var t = 0; t < n; t++)
        {
            successorStarts[t + 1] += successorStarts[t];
        }

        var successors = new int[successorStarts[n]];
        var fill = successorStarts.AsSpan(0, n).ToArray();
        for (var t = 0; t < n; t++)
        {
            var count = Predecessors(t, transfers, previousSend, previousReceive, predecessors);
            foreach (var p in predecessors[..count])
            {
                successors[fill[p]++] = t;
            }
        }

        var finish = new double[n];
        var ready = new Queue<int>();
        for (var t = 0; t < n; t++)
        {
            if (waiting[t] == 0)
            {
                ready.Enqueue(t);
            }
        }

        seconds = 0;
        var done = 0;
        while (ready.TryDequeue(out var t))
        {
            var start = 0.0;
            var count = Predecessors(t, transfers, previousSend, previousReceive, predecessors);
            foreach (var p in predecessors[..count])
            {
                start = Math.Max(start, finish[p]);
            }

            starts[t] = start;
            finish[t] = start + link.TransferSeconds(transfers[t].Bytes);
            seconds = Math.Max(seconds, finish[t]);
            done++;
            for (var s = successorStarts[t]; s < successorStarts[t + 1]; s++)
            {
                if (--waiting[successors[s]] == 0)
                {
                    ready.Enqueue(successors[s]);
                }
            }
        }

        return done == n ? -1 : Array.FindIndex(waiting, w => w > 0);
    }

    /// <summary>
    /// Writes the distinct predecessors of transfer <paramref name="t"/> (its previous send, previous receive and
    /// feeder, where they exist) to <paramref name="into"/>. A predecessor can appear twice, for example the previous
    /// send to the same receiver is also the previous receive, and must count once.
    /// </summary>
    /// <returns>How many were written.</returns>
    private static int Predecessors(int t, ReadOnlySpan<ChunkTransfer> transfers, ReadOnlySpan<int> previousSend, ReadOnlySpan<int> previousReceive, Span<int> into)
    {
        var count = 0;
        Span<int> candidates = [previousSend[t], previousReceive[t], transfers[t].Feeder];
        foreach (var p in candidates)
        {
            if (p >= 0 && !into[..count].Contains(p))
            {
                into[count++] = p;
            }
        }

        return count;
    }

    /// <summary>A rank's program; a default array (a rank that was never given one) is an empty program.</summary>
    private static ImmutableArray<SyncOperation> Program(IReadOnlyList<ImmutableArray<SyncOperation>> operations, int rank) =>
        operations[rank].IsDefault ? [] : operations[rank];

    private static void CheckPeer(SyncOperation op, int rank, int ranks, string parameterName)
    {
        if ((uint)op.Peer >= (uint)ranks || op.Peer == rank)
        {
            throw new ArgumentException(
                $"Rank {rank}'s {op.Kind} of chunk {op.Chunk} of expert {op.Expert} names peer {op.Peer}, which is not another of the {ranks} ranks.",
                parameterName);
        }
    }
}
