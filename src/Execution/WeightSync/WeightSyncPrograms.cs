using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>
/// A weight-sync schedule as programs that a distributed runtime executes: per rank, the same number of ordered groups
/// of sends and receives. A runtime posts a group's operations together (<c>torch.distributed.batch_isend_irecv</c>,
/// or <c>ncclGroupStart</c> ... <c>ncclGroupEnd</c>), waits for them, and passes a barrier before the next group.
/// Within a group, the sends from one rank to another and the matching receives come in the same order on both ranks.
/// Immutable; <see cref="WeightSyncProgramChecker"/> checks that a set of programs runs without deadlock and delivers
/// every chunk once.
/// </summary>
/// <remarks>
/// <see cref="From"/> puts chunk <c>c</c> of an expert's transfer at depth <c>d</c> of its tree into group
/// <c>c + d</c>: depth 0 is a send from the master, depth 1 a relay's forward of a chunk it received at depth 0. In
/// group <c>g</c> a master sends chunk <c>g</c> to its relays while the relays forward chunk <c>g - 1</c>: the relay
/// pipeline of <see cref="WeightSyncPlanner"/> in lock step, every forward one group after its receive. Within a group
/// a rank's operations keep the schedule's program order.
/// </remarks>
public sealed class WeightSyncPrograms
{
    /// <summary>Creates programs from their groups; every rank must have the same number of groups (a barrier each).</summary>
    /// <param name="groups">Per rank (indexed by rank), its groups in order, each group's operations in posting order.</param>
    /// <exception cref="ArgumentException">There are no ranks, a rank's groups or a group is a default array, or the ranks have different numbers of groups.</exception>
    public WeightSyncPrograms(ImmutableArray<ImmutableArray<ImmutableArray<SyncOperation>>> groups)
    {
        if (groups.IsDefaultOrEmpty)
        {
            throw new ArgumentException("Programs need at least one rank.", nameof(groups));
        }

        for (var rank = 0; rank < groups.Length; rank++)
        {
            if (groups[rank].IsDefault || groups[rank].Any(g => g.IsDefault))
            {
                throw new ArgumentException($"Rank {rank}'s groups are missing; give an empty array for a rank or group with nothing to do.", nameof(groups));
            }

            if (groups[rank].Length != groups[0].Length)
            {
                throw new ArgumentException(
                    $"Rank {rank} has {groups[rank].Length} groups and rank 0 has {groups[0].Length}; every rank passes the same barriers, so every rank needs the same number of groups.",
                    nameof(groups));
            }
        }

        Groups = groups;
    }

    /// <summary>The number of ranks.</summary>
    public int Ranks => Groups.Length;

    /// <summary>The number of groups every rank runs.</summary>
    public int GroupCount => Groups[0].Length;

    /// <summary>Per rank (indexed by rank), its groups in order, each group's operations in posting order.</summary>
    public ImmutableArray<ImmutableArray<ImmutableArray<SyncOperation>>> Groups { get; }

    /// <summary>All bytes the programs send.</summary>
    public long TotalBytes => Groups.Sum(rank => rank.Sum(group => group.Where(o => o.Kind == SyncOperationKind.Send).Sum(o => o.Bytes)));

    /// <summary>One rank's groups.</summary>
    /// <param name="rank">The rank.</param>
    /// <returns>Its groups in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is not a rank of the programs.</exception>
    public ImmutableArray<ImmutableArray<SyncOperation>> GroupsOf(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Ranks);
        return Groups[rank];
    }

    /// <summary>Cuts a schedule's per-rank programs into groups (see the type's remarks).</summary>
    /// <param name="schedule">The schedule, from <see cref="WeightSyncPlanner.Plan"/>.</param>
    /// <returns>The programs; one empty group per rank when the schedule moves nothing.</returns>
    /// <exception cref="ArgumentException">The schedule's programs do not pair every send with a receive (a schedule from the planner always does).</exception>
    public static WeightSyncPrograms From(WeightSyncSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var ranks = schedule.Ranks;

        // Which rank receives each (expert, chunk) from whom: a sender that receives the chunk itself is a relay.
        var deliveredFrom = new Dictionary<(int Rank, int Expert, int Chunk), int>();
        for (var rank = 0; rank < ranks; rank++)
        {
            foreach (var op in schedule.OperationsOf(rank).Where(o => o.Kind == SyncOperationKind.Receive))
            {
                if (!deliveredFrom.TryAdd((rank, op.Expert, op.Chunk), op.Peer))
                {
                    throw new ArgumentException($"Rank {rank} receives chunk {op.Chunk} of expert {op.Expert} twice.", nameof(schedule));
                }
            }
        }

        // Depth of a holder of a chunk: 0 for a rank that never receives it (the master), else one more than its sender's.
        var depth = new Dictionary<(int Rank, int Expert, int Chunk), int>();
        int DepthOf(int rank, int expert, int chunk)
        {
            var key = (rank, expert, chunk);
            if (depth.TryGetValue(key, out var known))
            {
                return known;
            }

            // A relay chain is at most as long as there are ranks; a longer walk is a cycle of deliveries.
            var walk = 0;
            var at = rank;
            while (deliveredFrom.TryGetValue((at, expert, chunk), out var from))
            {
                at = from;
                if (++walk > ranks)
                {
                    throw new ArgumentException($"Chunk {chunk} of expert {expert} is delivered in a circle and has no rank that holds it first.", nameof(schedule));
                }
            }

            depth[key] = walk;
            return walk;
        }

        var perRank = new List<ImmutableArray<SyncOperation>.Builder>[ranks];
        var groupCount = 1;
        for (var rank = 0; rank < ranks; rank++)
        {
            perRank[rank] = [];
            foreach (var op in schedule.OperationsOf(rank))
            {
                // A transfer's group: its chunk plus the depth of its sender, the same figure on both of its ranks.
                var sender = op.Kind == SyncOperationKind.Send ? rank : op.Peer;
                var group = op.Chunk + DepthOf(sender, op.Expert, op.Chunk);
                while (perRank[rank].Count <= group)
                {
                    perRank[rank].Add(ImmutableArray.CreateBuilder<SyncOperation>());
                }

                perRank[rank][group].Add(op);
                groupCount = Math.Max(groupCount, group + 1);
            }
        }

        var groups = new ImmutableArray<ImmutableArray<SyncOperation>>[ranks];
        for (var rank = 0; rank < ranks; rank++)
        {
            groups[rank] = [.. Enumerable.Range(0, groupCount).Select(g => g < perRank[rank].Count ? perRank[rank][g].ToImmutable() : [])];
        }

        return new WeightSyncPrograms([.. groups]);
    }
}
