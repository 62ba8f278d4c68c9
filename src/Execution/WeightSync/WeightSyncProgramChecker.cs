using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Execution.WeightSync;

/// <summary>
/// Replays weight-sync programs (<see cref="WeightSyncPrograms"/>) before they run on a distributed runtime and throws a
/// <see cref="WeightSyncProgramException"/> naming the ranks when they would deadlock or deliver the wrong bytes.
/// </summary>
/// <remarks>
/// <para>The execution model: every rank runs its groups in order; a group's operations are posted together and
/// complete when every one has met its partner on the peer; a barrier of all ranks separates groups. Between two
/// ranks, a group's sends on one and receives on the other pair up in posting order, as NCCL and gloo pair them.</para>
/// <para>The checks, in this order: every peer is another rank; in every group, for every ordered pair of ranks, the
/// sends and the receives are the same (expert, chunk, offset, bytes) in the same order, otherwise a
/// <see cref="WeightSyncProgramError.Deadlock"/> (a partner in another group is a wait cycle through the barrier); a
/// rank sends a chunk only when it is the expert's source or received the chunk in an earlier group
/// (<see cref="WeightSyncProgramError.RelayOrder"/>); every receiver of every transfer gets every chunk exactly once
/// at its byte range (chunk <c>c</c> at <c>c x chunkBytes</c>), and no other rank gets any
/// (<see cref="WeightSyncProgramError.Delivery"/>).</para>
/// </remarks>
public static class WeightSyncProgramChecker
{
    /// <summary>Checks programs against the transfers they must carry out.</summary>
    /// <param name="programs">The programs.</param>
    /// <param name="transfers">The transfers: per expert its source (which holds the weights from the start), receivers and size.</param>
    /// <param name="chunkBytes">The chunk size the weights were cut into.</param>
    /// <exception cref="WeightSyncProgramException">The programs would deadlock or deliver the wrong bytes; the exception names the ranks.</exception>
    /// <exception cref="ArgumentException">Two transfers name the same expert, or a transfer names a rank outside the programs.</exception>
    public static void Check(WeightSyncPrograms programs, IReadOnlyList<ReplicaTransfer> transfers, long chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(programs);
        ArgumentNullException.ThrowIfNull(transfers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var byExpert = new Dictionary<int, ReplicaTransfer>();
        foreach (var transfer in transfers)
        {
            ArgumentNullException.ThrowIfNull(transfer, nameof(transfers));
            if (transfer.SourceRank >= programs.Ranks || transfer.Receivers.Any(r => r >= programs.Ranks))
            {
                throw new ArgumentException($"Expert {transfer.Expert}'s transfer names a rank outside the {programs.Ranks} ranks.", nameof(transfers));
            }

            if (!byExpert.TryAdd(transfer.Expert, transfer))
            {
                throw new ArgumentException($"Two transfers name expert {transfer.Expert}.", nameof(transfers));
            }
        }

        CheckPeers(programs);
        for (var group = 0; group < programs.GroupCount; group++)
        {
            CheckPairs(programs, group);
        }

        CheckDelivery(programs, byExpert, chunkBytes);
    }

    private static void CheckPeers(WeightSyncPrograms programs)
    {
        for (var rank = 0; rank < programs.Ranks; rank++)
        {
            var groups = programs.GroupsOf(rank);
            for (var g = 0; g < groups.Length; g++)
            {
                foreach (var op in groups[g])
                {
                    if ((uint)op.Peer >= (uint)programs.Ranks || op.Peer == rank)
                    {
                        throw Fail(WeightSyncProgramError.InvalidPeer, [rank], $"group {g}: rank {rank}'s {Describe(op)} names peer {op.Peer}, which is not another of the {programs.Ranks} ranks");
                    }
                }
            }
        }
    }

    /// <summary>In one group, every ordered pair's sends and receives must be the same operations in the same order.</summary>
    private static void CheckPairs(WeightSyncPrograms programs, int group)
    {
        var sends = new SortedDictionary<(int From, int To), List<SyncOperation>>();
        var receives = new SortedDictionary<(int From, int To), List<SyncOperation>>();
        for (var rank = 0; rank < programs.Ranks; rank++)
        {
            foreach (var op in programs.GroupsOf(rank)[group])
            {
                var (pairs, key) = op.Kind == SyncOperationKind.Send ? (sends, (rank, op.Peer)) : (receives, (op.Peer, rank));
                if (!pairs.TryGetValue(key, out var list))
                {
                    list = [];
                    pairs.Add(key, list);
                }

                list.Add(op);
            }
        }

        foreach (var key in sends.Keys.Union(receives.Keys).Order())
        {
            var (from, to) = key;
            var sent = sends.GetValueOrDefault(key) ?? [];
            var received = receives.GetValueOrDefault(key) ?? [];
            for (var i = 0; i < Math.Max(sent.Count, received.Count); i++)
            {
                var send = i < sent.Count ? sent[i] : (SyncOperation?)null;
                var receive = i < received.Count ? received[i] : (SyncOperation?)null;
                if (send is { } s && receive is { } r && SameChunk(s, r))
                {
                    continue;
                }

                // The first operation without its partner: the send if it has no receive at all in this group, else the receive.
                if (send is { } lone && !received.Any(o => SameChunk(o, lone)))
                {
                    throw Unpartnered(programs, group, from, lone, to);
                }

                if (receive is { } waiting && !sent.Any(o => SameChunk(o, waiting)))
                {
                    throw Unpartnered(programs, group, to, waiting, from);
                }

                throw Fail(
                    WeightSyncProgramError.Deadlock,
                    [from, to],
                    $"deadlock in group {group}: rank {from} sends to rank {to} in another order than rank {to} receives (position {i}: {DescribeOrNothing(send)} against {DescribeOrNothing(receive)}); the pairs would mismatch");
            }
        }
    }

    /// <summary>The deadlock of an operation of <paramref name="rank"/> whose partner on <paramref name="peer"/> is not in the group.</summary>
    private static WeightSyncProgramException Unpartnered(WeightSyncPrograms programs, int group, int rank, SyncOperation op, int peer)
    {
        var partnerKind = op.Kind == SyncOperationKind.Send ? SyncOperationKind.Receive : SyncOperationKind.Send;
        var peerGroups = programs.GroupsOf(peer);
        for (var g = 0; g < peerGroups.Length; g++)
        {
            if (g != group && peerGroups[g].Any(o => o.Kind == partnerKind && o.Peer == rank && SameChunk(o, op)))
            {
                return Fail(
                    WeightSyncProgramError.Deadlock,
                    [rank, peer],
                    $"deadlock (wait cycle): in group {group} rank {rank}'s {Describe(op)} waits for rank {peer}, which posts its partner only in group {g}; each waits for the other at a barrier");
            }
        }

        return Fail(
            WeightSyncProgramError.Deadlock,
            [rank, peer],
            $"deadlock in group {group}: rank {rank}'s {Describe(op)} waits for rank {peer}, which never posts its partner");
    }

    private static void CheckDelivery(WeightSyncPrograms programs, Dictionary<int, ReplicaTransfer> byExpert, long chunkBytes)
    {
        // Who holds which chunk, as of the end of the groups so far; sources hold every chunk from the start.
        var held = new HashSet<(int Rank, int Expert, int Chunk)>();
        for (var group = 0; group < programs.GroupCount; group++)
        {
            for (var rank = 0; rank < programs.Ranks; rank++)
            {
                foreach (var op in programs.GroupsOf(rank)[group])
                {
                    var transfer = byExpert.GetValueOrDefault(op.Expert)
                        ?? throw Fail(WeightSyncProgramError.Delivery, [rank], $"group {group}: rank {rank}'s {Describe(op)} is of an expert that no transfer moves");
                    CheckRange(op, transfer, chunkBytes, rank, group);
                    if (op.Kind == SyncOperationKind.Send && rank != transfer.SourceRank && !held.Contains((rank, op.Expert, op.Chunk)))
                    {
                        throw Fail(
                            WeightSyncProgramError.RelayOrder,
                            [rank, op.Peer],
                            $"group {group}: rank {rank} sends chunk {op.Chunk} of expert {op.Expert} to rank {op.Peer} before a group in which it has received it");
                    }
                }
            }

            for (var rank = 0; rank < programs.Ranks; rank++)
            {
                foreach (var op in programs.GroupsOf(rank)[group].Where(o => o.Kind == SyncOperationKind.Receive))
                {
                    var transfer = byExpert[op.Expert];
                    if (!transfer.Receivers.Contains(rank))
                    {
                        throw Fail(WeightSyncProgramError.Delivery, [rank, op.Peer], $"group {group}: rank {rank} receives chunk {op.Chunk} of expert {op.Expert} from rank {op.Peer}, but is not one of the expert's receivers");
                    }

                    if (!held.Add((rank, op.Expert, op.Chunk)))
                    {
                        throw Fail(WeightSyncProgramError.Delivery, [rank, op.Peer], $"group {group}: rank {rank} receives chunk {op.Chunk} of expert {op.Expert} from rank {op.Peer} a second time");
                    }
                }
            }
        }

        foreach (var transfer in byExpert.Values.OrderBy(t => t.Expert))
        {
            var chunks = (transfer.Bytes / chunkBytes) + (transfer.Bytes % chunkBytes == 0 ? 0 : 1);
            foreach (var receiver in transfer.Receivers.Order())
            {
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    if (!held.Contains((receiver, transfer.Expert, chunk)))
                    {
                        throw Fail(WeightSyncProgramError.Delivery, [receiver], $"rank {receiver} never receives chunk {chunk} of expert {transfer.Expert}");
                    }
                }
            }
        }
    }

    private static void CheckRange(SyncOperation op, ReplicaTransfer transfer, long chunkBytes, int rank, int group)
    {
        var offset = op.Chunk * chunkBytes;
        if (op.Chunk < 0 || offset >= transfer.Bytes || op.Offset != offset || op.Bytes != Math.Min(chunkBytes, transfer.Bytes - offset))
        {
            throw Fail(
                WeightSyncProgramError.Delivery,
                [rank],
                $"group {group}: rank {rank}'s {Describe(op)} covers bytes [{op.Offset}, {op.Offset + op.Bytes}), not chunk {op.Chunk}'s range of expert {op.Expert}'s {transfer.Bytes} bytes in chunks of {chunkBytes}");
        }
    }

    private static bool SameChunk(SyncOperation a, SyncOperation b) =>
        a.Expert == b.Expert && a.Chunk == b.Chunk && a.Offset == b.Offset && a.Bytes == b.Bytes;

    private static string Describe(SyncOperation op) => string.Create(
        CultureInfo.InvariantCulture,
        $"{(op.Kind == SyncOperationKind.Send ? "send to" : "receive from")} rank {op.Peer} of chunk {op.Chunk} of expert {op.Expert} ({op.Bytes} bytes at {op.Offset})");

    private static string DescribeOrNothing(SyncOperation? op) => op is { } o ? Describe(o) : "nothing";

    private static WeightSyncProgramException Fail(WeightSyncProgramError error, ImmutableArray<int> ranks, string message) => new(error, ranks, message);
}
