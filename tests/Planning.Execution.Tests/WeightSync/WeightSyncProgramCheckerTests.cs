using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.WeightSync;

namespace Planning.Execution.Tests.WeightSync;

/// <summary>
/// The checker on hand-built programs with one fault each, and on generated schedules with one mutation each: a dropped
/// receive, a swapped peer, a send moved one group later (a wait cycle through the barrier), and a relay's forward moved
/// into the group where it receives the chunk.
/// </summary>
public sealed class WeightSyncProgramCheckerTests
{
    private static readonly Arbitrary<int> Picks = Gen.Choose(0, int.MaxValue).ToArbitrary();

    private static SyncOperation Send(int peer, int expert, int chunk) => new(SyncOperationKind.Send, peer, expert, chunk, chunk * 10, 10);

    private static SyncOperation Receive(int peer, int expert, int chunk) => new(SyncOperationKind.Receive, peer, expert, chunk, chunk * 10, 10);

    [Fact]
    public void Check_RelayChainInLockStep_Passes()
    {
        // Expert 5, 20 bytes = 2 chunks of 10, from rank 0 to ranks 1 and 2 through relay 1.
        WeightSyncPrograms programs = new(
        [
            [[Send(1, 5, 0)], [Send(1, 5, 1)], []],
            [[Receive(0, 5, 0)], [Send(2, 5, 0), Receive(0, 5, 1)], [Send(2, 5, 1)]],
            [[], [Receive(1, 5, 0)], [Receive(1, 5, 1)]],
        ]);

        WeightSyncProgramChecker.Check(programs, [new ReplicaTransfer(5, 0, [1, 2], 20)], 10);
    }

    [Fact]
    public void Check_ThreeRanksEachReceivingBeforeSending_IsAWaitCycle()
    {
        // Around a ring 0 -> 1 -> 2 -> 0, every rank first waits to receive, then sends: nobody sends in group 0. The
        // first pair in rank order is 0 -> 1: rank 1 waits in group 0 for rank 0, which sends only in group 1.
        WeightSyncPrograms programs = new(
        [
            [[Receive(2, 2, 0)], [Send(1, 0, 0)]],
            [[Receive(0, 0, 0)], [Send(2, 1, 0)]],
            [[Receive(1, 1, 0)], [Send(0, 2, 0)]],
        ]);
        ReplicaTransfer[] transfers = [new(0, 0, [1], 10), new(1, 1, [2], 10), new(2, 2, [0], 10)];

        var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(programs, transfers, 10));

        Assert.Equal(WeightSyncProgramError.Deadlock, error.Error);
        Assert.Equal([1, 0], error.Ranks.ToArray());
        Assert.Contains("wait cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OtherOrderBetweenTwoRanks_IsADeadlockNamingBoth()
    {
        WeightSyncPrograms programs = new(
        [
            [[Send(1, 0, 0), Send(1, 0, 1)]],
            [[Receive(0, 0, 1), Receive(0, 0, 0)]],
        ]);

        var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(programs, [new ReplicaTransfer(0, 0, [1], 20)], 10));

        Assert.Equal(WeightSyncProgramError.Deadlock, error.Error);
        Assert.Equal([0, 1], error.Ranks.ToArray());
        Assert.Contains("another order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MissingDuplicateOrMisplacedChunks_AreDeliveryErrors()
    {
        ReplicaTransfer[] transfer = [new(0, 0, [1], 20)];
        var missing = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(new([[[Send(1, 0, 0)]], [[Receive(0, 0, 0)]]]), transfer, 10));
        AssertError(missing, WeightSyncProgramError.Delivery, 1);
        Assert.Contains("never receives chunk 1 of expert 0", missing.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(
            new([[[Send(1, 0, 0)], [Send(1, 0, 0)]], [[Receive(0, 0, 0)], [Receive(0, 0, 0)]]]), transfer, 10));
        AssertError(twice, WeightSyncProgramError.Delivery, 1, 0);

        var misplaced = new SyncOperation(SyncOperationKind.Send, 1, 0, 1, 12, 8);
        var range = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(
            new([[[misplaced]], [[misplaced with { Kind = SyncOperationKind.Receive, Peer = 0 }]]]), transfer, 10));
        AssertError(range, WeightSyncProgramError.Delivery, 0);

        var stranger = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(
            new([[[Send(2, 0, 0), Send(1, 0, 0), Send(1, 0, 1)]], [[Receive(0, 0, 0), Receive(0, 0, 1)]], [[Receive(0, 0, 0)]]]), transfer, 10));
        AssertError(stranger, WeightSyncProgramError.Delivery, 2, 0);
    }

    [Fact]
    public void Check_PeerOutsideTheRanksOrItself_IsInvalidPeer()
    {
        var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(new([[[Send(0, 0, 0)]], [[]]]), [new ReplicaTransfer(0, 0, [1], 10)], 10));

        AssertError(error, WeightSyncProgramError.InvalidPeer, 0);
    }

    [Property(MaxTest = 200)]
    public Property Check_DroppedReceive_IsADeadlockNamingBothRanks() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, Picks, (c, pick) =>
        {
            var groups = Mutable(WeightSyncPrograms.From(c.Plan()));
            var (rank, group, index) = Pick(groups, SyncOperationKind.Receive, _ => true, pick);
            var dropped = groups[rank][group][index];
            groups[rank][group].RemoveAt(index);

            var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(Freeze(groups), c.Transfers, c.Link.ChunkBytes));

            Assert.Equal(WeightSyncProgramError.Deadlock, error.Error);
            Assert.Equal(new[] { dropped.Peer, rank }.Order(), error.Ranks.Order());
            return true;
        });

    [Property(MaxTest = 200)]
    public Property Check_SendToAnotherPeer_IsADeadlockNamingTheSender() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, Picks, (c, pick) =>
        {
            var groups = Mutable(WeightSyncPrograms.From(c.Plan()));
            var (rank, group, index) = Pick(groups, SyncOperationKind.Send, _ => true, pick);
            var send = groups[rank][group][index];
            var others = Enumerable.Range(0, c.Ranks).Where(r => r != rank && r != send.Peer).ToArray();
            if (others.Length == 0)
            {
                return true; // two ranks: no other peer to swap to
            }

            groups[rank][group][index] = send with { Peer = others[pick % others.Length] };

            var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(Freeze(groups), c.Transfers, c.Link.ChunkBytes));

            Assert.Equal(WeightSyncProgramError.Deadlock, error.Error);
            Assert.Contains(rank, error.Ranks);
            return true;
        });

    [Property(MaxTest = 200)]
    public Property Check_SendMovedOneGroupLater_IsAWaitCycleNamingBothRanks() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, Picks, (c, pick) =>
        {
            var groups = Mutable(WeightSyncPrograms.From(c.Plan()));
            var (rank, group, index) = Pick(groups, SyncOperationKind.Send, _ => true, pick);
            var send = groups[rank][group][index];
            if (group + 1 == groups[0].Count)
            {
                groups.ForEach(g => g.Add([]));
            }

            groups[rank][group].RemoveAt(index);
            groups[rank][group + 1].Insert(0, send);

            var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(Freeze(groups), c.Transfers, c.Link.ChunkBytes));

            Assert.Equal(WeightSyncProgramError.Deadlock, error.Error);
            Assert.Equal(new[] { send.Peer, rank }, error.Ranks.ToArray());
            Assert.Contains("wait cycle", error.Message, StringComparison.Ordinal);
            return true;
        });

    [Property(MaxTest = 200)]
    public Property Check_ForwardInTheGroupOfItsReceive_IsARelayOrderError() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, Picks, (c, pick) =>
        {
            var sources = c.Transfers.ToDictionary(t => t.Expert, t => t.SourceRank);
            var groups = Mutable(WeightSyncPrograms.From(c.Plan()));
            if (!groups.Select((g, r) => (g, r)).Any(x => x.g.Any(group => group.Any(o => o.Kind == SyncOperationKind.Send && sources[o.Expert] != x.r))))
            {
                return true; // no relays in this schedule
            }

            // A relay's forward in group g and its partner receive move, both to the end of group g - 1, where the
            // relay receives the chunk: the pairs still match, but the relay would send what it does not hold yet.
            var (relay, group, index) = Pick(groups, SyncOperationKind.Send, x => sources[x.Op.Expert] != x.Rank, pick);
            var forward = groups[relay][group][index];
            var partner = groups[forward.Peer][group].FindIndex(o => o.Kind == SyncOperationKind.Receive && o.Peer == relay && o.Expert == forward.Expert && o.Chunk == forward.Chunk);
            var receive = groups[forward.Peer][group][partner];
            groups[relay][group].RemoveAt(index);
            groups[forward.Peer][group].RemoveAt(partner);
            groups[relay][group - 1].Add(forward);
            groups[forward.Peer][group - 1].Add(receive);

            var error = Assert.Throws<WeightSyncProgramException>(() => WeightSyncProgramChecker.Check(Freeze(groups), c.Transfers, c.Link.ChunkBytes));

            Assert.Equal(WeightSyncProgramError.RelayOrder, error.Error);
            Assert.Equal(new[] { relay, forward.Peer }, error.Ranks.ToArray());
            return true;
        });

    private static void AssertError(WeightSyncProgramException error, WeightSyncProgramError kind, params int[] ranks)
    {
        Assert.Equal(kind, error.Error);
        Assert.Equal(ranks, error.Ranks.ToArray());
    }

    private static List<List<List<SyncOperation>>> Mutable(WeightSyncPrograms programs) =>
        [.. programs.Groups.Select(rank => rank.Select(group => group.ToList()).ToList())];

    private static WeightSyncPrograms Freeze(List<List<List<SyncOperation>>> groups) =>
        new([.. groups.Select(rank => rank.Select(group => group.ToImmutableArray()).ToImmutableArray())]);

    /// <summary>The <paramref name="pick"/>-th (modulo their number) operation of a kind that satisfies <paramref name="where"/>, as rank, group, index.</summary>
    private static (int Rank, int Group, int Index) Pick(List<List<List<SyncOperation>>> groups, SyncOperationKind kind, Func<(int Rank, SyncOperation Op), bool> where, int pick)
    {
        var all = new List<(int Rank, int Group, int Index)>();
        for (var r = 0; r < groups.Count; r++)
        {
            for (var g = 0; g < groups[r].Count; g++)
            {
                for (var i = 0; i < groups[r][g].Count; i++)
                {
                    if (groups[r][g][i].Kind == kind && where((r, groups[r][g][i])))
                    {
                        all.Add((r, g, i));
                    }
                }
            }
        }

        return all[pick % all.Count];
    }
}
