using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.WeightSync;

namespace Planning.Execution.Tests.WeightSync;

/// <summary>Grouping a schedule's programs into lock-step groups: a hand-checked relay tree and generated schedules.</summary>
public sealed class WeightSyncProgramsTests
{
    // The hand link of WeightSyncPlannerTests: 100-byte chunks.
    private static readonly LinkModel HandLink = new(100, 50, 1, 100);

    private static SyncOperation Send(int peer, int chunk) => new(SyncOperationKind.Send, peer, 0, chunk, chunk * 100, 100);

    private static SyncOperation Receive(int peer, int chunk) => new(SyncOperationKind.Receive, peer, 0, chunk, chunk * 100, 100);

    [Fact]
    public void From_FourReceiversThroughTwoRelays_PutsEachForwardOneGroupAfterItsReceive()
    {
        // WeightSyncPlannerTests.Plan_FourReceivers_RelaysThroughTwoInHandComputedTime: rank 0 sends 2 chunks to relays 1
        // and 2, which forward to 3 and 4. Group = chunk + depth: the master's sends of chunk c are in group c, the
        // relays' forwards of chunk c in group c + 1, each rank's operations in its program order.
        var schedule = WeightSyncPlanner.Plan([new ReplicaTransfer(0, 0, [3, 1, 4, 2], 200)], HandLink, 6);

        var programs = WeightSyncPrograms.From(schedule);

        Assert.Equal(6, programs.Ranks);
        Assert.Equal(3, programs.GroupCount);
        Assert.Equal(800, programs.TotalBytes);
        SyncOperation[][][] expected =
        [
            [[Send(1, 0), Send(2, 0)], [Send(1, 1), Send(2, 1)], []],
            [[Receive(0, 0)], [Send(3, 0), Receive(0, 1)], [Send(3, 1)]],
            [[Receive(0, 0)], [Send(4, 0), Receive(0, 1)], [Send(4, 1)]],
            [[], [Receive(1, 0)], [Receive(1, 1)]],
            [[], [Receive(2, 0)], [Receive(2, 1)]],
            [[], [], []],
        ];
        for (var rank = 0; rank < 6; rank++)
        {
            Assert.Equal(expected[rank], programs.GroupsOf(rank).Select(g => g.ToArray()).ToArray());
        }
    }

    [Fact]
    public void Constructor_BadGroups_ThrowNamingTheProblem()
    {
        Assert.Throws<ArgumentException>(() => new WeightSyncPrograms([]));
        var unequal = Assert.Throws<ArgumentException>(() => new WeightSyncPrograms([[[]], [[], []]]));
        Assert.Contains("Rank 1 has 2 groups and rank 0 has 1", unequal.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new WeightSyncPrograms([default]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightSyncPrograms([[[]]]).GroupsOf(1));
    }

    [Property(MaxTest = 200)]
    public Property From_GeneratedSchedules_KeepsEveryOperationAndItsOrderWithinEachGroup() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, c =>
        {
            var schedule = c.Plan();
            var programs = WeightSyncPrograms.From(schedule);

            // The groups hold each rank's operations, each once, and concatenated they are a reordering that keeps
            // the program order inside every group.
            // The last group: an expert's last chunk, one group later where relays forward it.
            Assert.Equal(schedule.Experts.Max(e => e.Chunks + (e.Mode == SyncMode.Relay ? 1 : 0)), programs.GroupCount);
            Assert.Equal(schedule.TotalBytes, programs.TotalBytes);
            for (var rank = 0; rank < c.Ranks; rank++)
            {
                var ops = schedule.OperationsOf(rank);
                var grouped = programs.GroupsOf(rank);
                Assert.Equal(ops.Order(OperationOrder.Instance), grouped.SelectMany(g => g).Order(OperationOrder.Instance));
                foreach (var group in grouped)
                {
                    Assert.Equal(ops.Where(group.Contains), group);
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property From_GeneratedSchedules_PassesTheChecker() =>
        Prop.ForAll(WeightSyncPropertyTests.Cases, c =>
        {
            WeightSyncProgramChecker.Check(WeightSyncPrograms.From(c.Plan()), c.Transfers, c.Link.ChunkBytes);
            return true;
        });

    /// <summary>Any fixed total order of operations, to compare two lists as multisets.</summary>
    private sealed class OperationOrder : IComparer<SyncOperation>
    {
        public static readonly OperationOrder Instance = new();

        public int Compare(SyncOperation x, SyncOperation y) =>
            (x.Kind, x.Peer, x.Expert, x.Chunk, x.Offset, x.Bytes).CompareTo((y.Kind, y.Peer, y.Expert, y.Chunk, y.Offset, y.Bytes));
    }
}
