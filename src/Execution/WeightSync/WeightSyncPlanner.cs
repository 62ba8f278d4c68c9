using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>
/// Plans how new replicas get their experts' weights: for every <see cref="ReplicaTransfer"/>, direct from the master
/// or through a two-stage relay tree, whichever <see cref="WeightSyncTimeModel"/> predicts faster, and then one
/// program per rank for all experts together.
/// </summary>
/// <remarks>
/// <para>Direct: the master sends chunk 0 to every receiver (in rank order), then chunk 1, and so on; its outbound
/// link carries <c>n x bytes</c> for <c>n</c> receivers.</para>
/// <para>Relay: the master sends each chunk to <c>k</c> relays, <c>k</c> the floor or the ceiling of <c>sqrt(n)</c>
/// (both are tried, the faster kept, the smaller on a tie): with <c>k</c> near <c>sqrt(n)</c> the master's
/// <c>k</c> sends per chunk and a relay's <c>(n - k) / k</c> forwards per chunk are about equal, so no link carries
/// much more than <c>sqrt(n) x bytes</c>. The relays are the receivers with the least outbound bytes already assigned
/// by earlier transfers of the schedule (ties by lowest rank), so that experts planned earlier do not pile on the
/// same links; the other receivers, in rank order, go round-robin to the relays in that order, so the less loaded
/// relays forward to at most one receiver more. Chunk by chunk, the master sends chunk <c>c</c> to every relay and
/// each relay forwards chunk <c>c</c> to each of its receivers as soon as it has it: the chunks are pipelined.</para>
/// <para>The program. Each expert is first evaluated alone on idle links (its <see cref="ExpertSync"/> times). All
/// chosen transfers are then ordered by their start time in that evaluation (ties by expert order, then by the
/// expert's own order), and each rank's program is its sends and receives in that order: experts interleave on shared
/// links as they would proceed alone, and an expert's own order, hence its time alone, is kept. A relay's forward
/// starts after its receive finishes, so it comes after the receive in the relay's program.</para>
/// </remarks>
public static class WeightSyncPlanner
{
    /// <summary>Plans the weight sync of every transfer on <paramref name="ranks"/> ranks over <paramref name="link"/>.</summary>
    /// <param name="transfers">The transfers, at most one per expert; the order matters only for relay choice and ties.</param>
    /// <param name="link">The link model to plan and predict on.</param>
    /// <param name="ranks">The number of ranks; every source and receiver must be below it.</param>
    /// <returns>The schedule. Deterministic: the same input gives the same schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transfers"/>, one of its elements, or <paramref name="link"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ranks"/> is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// A transfer names a rank outside <paramref name="ranks"/>, two transfers name the same expert, or a transfer has
    /// more chunk transfers than an array can hold (raise <see cref="LinkModel.ChunkBytes"/>).
    /// </exception>
    public static WeightSyncSchedule Plan(IReadOnlyList<ReplicaTransfer> transfers, LinkModel link, int ranks)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        ArgumentNullException.ThrowIfNull(link);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        Validate(transfers, link, ranks);

        var outbound = new long[ranks];
        var decisions = ImmutableArray.CreateBuilder<ExpertSync>(transfers.Count);
        var chosen = new List<ChunkTransfer>();
        var aloneStarts = new List<double>();
        foreach (var transfer in transfers)
        {
            var chunks = (int)link.ChunkCount(transfer.Bytes); // fits: checked by Validate
            var direct = Direct(transfer, chunks, link.ChunkBytes);
            var directStarts = new double[direct.Length];
            var directSeconds = WeightSyncTimeModel.Evaluate(direct, ranks, link, directStarts);

            var (relays, tree, treeStarts, relaySeconds) = BestRelayTree(transfer, chunks, link, ranks, outbound);
            var useRelay = relaySeconds < directSeconds;
            decisions.Add(new ExpertSync(transfer, chunks, useRelay ? SyncMode.Relay : SyncMode.Direct, useRelay ? relays : [], directSeconds, relaySeconds));

            var (picked, pickedStarts) = useRelay ? (tree, treeStarts) : (direct, directStarts);
            var offset = chosen.Count;
            foreach (var t in picked)
            {
                chosen.Add(t.Feeder < 0 ? t : t with { Feeder = t.Feeder + offset });
                outbound[t.Sender] += t.Bytes;
            }

            aloneStarts.AddRange(pickedStarts);
        }

        var ordered = InterleaveByStart(chosen, aloneStarts);
        var programs = new ImmutableArray<SyncOperation>.Builder[ranks];
        for (var r = 0; r < ranks; r++)
        {
            programs[r] = ImmutableArray.CreateBuilder<SyncOperation>();
        }

        foreach (var t in ordered)
        {
            programs[t.Sender].Add(t.SendOperation);
            programs[t.Receiver].Add(t.ReceiveOperation);
        }

        var seconds = WeightSyncTimeModel.Evaluate(ordered, ranks, link, new double[ordered.Length]);
        return new WeightSyncSchedule(
            link,
            decisions.MoveToImmutable(),
            [.. programs.Select(p => p.DrainToImmutable())],
            [.. outbound],
            seconds);
    }

    private static void Validate(IReadOnlyList<ReplicaTransfer> transfers, LinkModel link, int ranks)
    {
        var experts = new HashSet<int>();
        for (var i = 0; i < transfers.Count; i++)
        {
            var transfer = transfers[i];
            if (transfer is null)
            {
                throw new ArgumentNullException(nameof(transfers), $"transfers[{i}] is null.");
            }

            if (transfer.SourceRank >= ranks)
            {
                throw new ArgumentException($"transfers[{i}] (expert {transfer.Expert}) has source rank {transfer.SourceRank}, but there are only {ranks} ranks.", nameof(transfers));
            }

            foreach (var receiver in transfer.Receivers)
            {
                if (receiver >= ranks)
                {
                    throw new ArgumentException($"transfers[{i}] (expert {transfer.Expert}) has receiver rank {receiver}, but there are only {ranks} ranks.", nameof(transfers));
                }
            }

            if (!experts.Add(transfer.Expert))
            {
                throw new ArgumentException($"transfers[{i}] names expert {transfer.Expert}, which an earlier transfer already names; give each expert's receivers in one transfer.", nameof(transfers));
            }

            // Both modes move every chunk to every receiver once: receivers x chunks transfers, held in one array.
            var chunks = link.ChunkCount(transfer.Bytes);
            if (chunks > Array.MaxLength / transfer.Receivers.Length)
            {
                throw new ArgumentException(
                    $"transfers[{i}] (expert {transfer.Expert}): {transfer.Bytes} bytes make {chunks} chunks of {link.ChunkBytes} bytes for each of {transfer.Receivers.Length} receivers, too many to plan; use larger chunks.",
                    nameof(transfers));
            }
        }
    }

    /// <summary>Direct: chunk by chunk, the master sends to every receiver in rank order.</summary>
    private static ChunkTransfer[] Direct(ReplicaTransfer transfer, int chunks, long chunkBytes)
    {
        var receivers = transfer.Receivers.Sort();
        var list = new ChunkTransfer[chunks * receivers.Length];
        var i = 0;
        for (var c = 0; c < chunks; c++)
        {
            var (offset, bytes) = ChunkRange(transfer, c, chunkBytes);
            foreach (var receiver in receivers)
            {
                list[i++] = new ChunkTransfer(transfer.SourceRank, receiver, transfer.Expert, c, offset, bytes, -1);
            }
        }

        return list;
    }

    /// <summary>Builds and evaluates the relay trees with <c>floor(sqrt(n))</c> and <c>ceil(sqrt(n))</c> relays; keeps the faster (the smaller on a tie).</summary>
    private static (ImmutableArray<int> Relays, ChunkTransfer[] Tree, double[] Starts, double Seconds) BestRelayTree(
        ReplicaTransfer transfer,
        int chunks,
        LinkModel link,
        int ranks,
        long[] outbound)
    {
        var n = transfer.Receivers.Length;

        // Least loaded first; the sort is stable and the receivers are in rank order, so equal loads go by lowest rank.
        int[] byLoad = [.. transfer.Receivers.Sort().OrderBy(r => outbound[r])];
        var floor = (int)Math.Sqrt(n);
        while ((long)floor * floor > n)
        {
            floor--;
        }

        while ((long)(floor + 1) * (floor + 1) <= n)
        {
            floor++;
        }

        (ImmutableArray<int> Relays, ChunkTransfer[] Tree, double[] Starts, double Seconds) best = default;
        foreach (var k in floor * floor == n ? [floor] : (int[])[floor, floor + 1])
        {
            var relays = byLoad.AsSpan(0, k);
            int[] others = [.. byLoad.AsSpan(k).ToArray().Order()];
            var tree = RelayTree(transfer, chunks, link.ChunkBytes, relays, others);
            var starts = new double[tree.Length];
            var seconds = WeightSyncTimeModel.Evaluate(tree, ranks, link, starts);
            if (best.Tree is null || seconds < best.Seconds)
            {
                best = ([.. relays], tree, starts, seconds);
            }
        }

        return best;
    }

    /// <summary>
    /// Relay: chunk by chunk, the master sends to every relay, then every relay forwards to its receivers; receiver
    /// <c>i</c> of <paramref name="others"/> belongs to relay <c>i mod k</c>. Each forward lists the master's send to
    /// its relay as its feeder, which comes earlier in the list.
    /// </summary>
    private static ChunkTransfer[] RelayTree(ReplicaTransfer transfer, int chunks, long chunkBytes, ReadOnlySpan<int> relays, int[] others)
    {
        var k = relays.Length;
        var list = new ChunkTransfer[chunks * (k + others.Length)];
        var i = 0;
        for (var c = 0; c < chunks; c++)
        {
            var (offset, bytes) = ChunkRange(transfer, c, chunkBytes);
            var feeders = i;
            foreach (var relay in relays)
            {
                list[i++] = new ChunkTransfer(transfer.SourceRank, relay, transfer.Expert, c, offset, bytes, -1);
            }

            for (var j = 0; j < k; j++)
            {
                for (var o = j; o < others.Length; o += k)
                {
                    list[i++] = new ChunkTransfer(relays[j], others[o], transfer.Expert, c, offset, bytes, feeders + j);
                }
            }
        }

        return list;
    }

    private static (long Offset, long Bytes) ChunkRange(ReplicaTransfer transfer, int chunk, long chunkBytes)
    {
        var offset = chunk * chunkBytes;
        return (offset, Math.Min(chunkBytes, transfer.Bytes - offset));
    }

    /// <summary>
    /// Orders all chosen transfers by their start time when their expert runs alone, ties by their position in
    /// <paramref name="transfers"/> (expert order, then the expert's own order), and renumbers the feeders.
    /// </summary>
    /// <remarks>
    /// Every queue of one expert is already in start-time order (a transfer starts no earlier than its predecessor on
    /// the queue finishes), so the merge keeps each expert's own order. A feeder finishes before the forward it feeds
    /// starts, and a transfer takes at least the latency, so the feeder starts strictly earlier, or at the same
    /// rounded time but earlier in the list: feeders stay ahead of what they feed and the order cannot deadlock.
    /// </remarks>
    private static ChunkTransfer[] InterleaveByStart(List<ChunkTransfer> transfers, List<double> starts)
    {
        var order = new int[transfers.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var byStart = starts[a].CompareTo(starts[b]);
            return byStart != 0 ? byStart : a.CompareTo(b);
        });

        var position = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            position[order[i]] = i;
        }

        var ordered = new ChunkTransfer[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var t = transfers[order[i]];
            ordered[i] = t.Feeder < 0 ? t : t with { Feeder = position[t.Feeder] };
        }

        return ordered;
    }
}
