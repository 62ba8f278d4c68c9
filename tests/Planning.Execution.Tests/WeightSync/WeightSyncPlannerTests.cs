using System.Collections.Immutable;
using Planning.Execution.WeightSync;
using Planning.Graph;

namespace Planning.Execution.Tests.WeightSync;

/// <summary>Hand-computed schedules, the relay target, and argument checks of the planner and the time model.</summary>
public sealed class WeightSyncPlannerTests
{
    /// <summary>A DeepSeek-V3 routed expert: gate, up and down projections of hidden 7168 x intermediate 2048, in bf16.</summary>
    private const long DeepSeekV3ExpertBytes = 3L * 7168 * 2048 * 2;

    // The hand link: 100 B/s out, 50 B/s in, so a chunk moves at min(100, 50) = 50 B/s; 1 s per chunk; 100-byte chunks.
    // A full chunk takes 1 + 100 / 50 = 3 s.
    private static readonly LinkModel HandLink = new(100, 50, 1, 100);

    /// <summary>h800's NVLink as its hardware description states it: 200e9 B/s per direction, 5 us per chunk, 4 MiB chunks.</summary>
    private static readonly LinkModel H800NvLink = LinkModel.From(HardwareSpec.Load("h800").Link(LinkClass.NvLink));

    [Fact]
    public void Plan_OneReceiver_SendsDirectInHandComputedTime()
    {
        // 250 bytes = chunks of 100, 100 and 50 bytes: 3 s + 3 s + (1 + 50 / 50) s = 8 s, back to back on rank 0's
        // outbound link. The only relay tree (one relay, nobody to forward to) is the same 8 s, and a tie goes direct.
        var schedule = WeightSyncPlanner.Plan([new ReplicaTransfer(7, 0, [1], 250)], HandLink, 2);

        var expert = Assert.Single(schedule.Experts);
        Assert.Equal(SyncMode.Direct, expert.Mode);
        Assert.Empty(expert.Relays);
        Assert.Equal(3, expert.Chunks);
        Assert.Equal(8.0, expert.DirectSeconds);
        Assert.Equal(8.0, expert.RelaySeconds);
        Assert.Equal(8.0, expert.PredictedSeconds);
        Assert.Equal(8.0, schedule.PredictedSeconds);
        SyncOperation[] sends =
        [
            new(SyncOperationKind.Send, 1, 7, 0, 0, 100),
            new(SyncOperationKind.Send, 1, 7, 1, 100, 100),
            new(SyncOperationKind.Send, 1, 7, 2, 200, 50),
        ];
        Assert.Equal(sends, schedule.OperationsOf(0).ToArray());
        Assert.Equal(sends.Select(s => s with { Kind = SyncOperationKind.Receive, Peer = 0 }), schedule.OperationsOf(1).ToArray());
        Assert.Equal(new long[] { 250, 0 }, schedule.OutboundBytes.ToArray());
    }

    [Fact]
    public void Plan_FourReceivers_RelaysThroughTwoInHandComputedTime()
    {
        // 200 bytes = 2 chunks of 100 (3 s each) from rank 0 to ranks 1..4 (given out of order). sqrt(4) = 2 relays:
        // all loads are 0, so the lowest ranks 1 and 2; the others go round-robin: 1 -> 3, 2 -> 4.
        var schedule = WeightSyncPlanner.Plan([new ReplicaTransfer(0, 0, [3, 1, 4, 2], 200)], HandLink, 6);

        // Direct: 4 receivers x 2 chunks = 8 transfers of 3 s on rank 0's outbound link = 24 s.
        // Relay:  0->1 c0 [0, 3]   0->2 c0 [3, 6]   0->1 c1 [6, 9]   0->2 c1 [9, 12]   (rank 0's link, chunk by chunk)
        //         1->3 c0 [3, 6]   1->3 c1 [9, 12]                                     (each as soon as rank 1 has it)
        //         2->4 c0 [6, 9]   2->4 c1 [12, 15]                                    -> 15 s, 15 / 24 = 0.625.
        var expert = Assert.Single(schedule.Experts);
        Assert.Equal(SyncMode.Relay, expert.Mode);
        Assert.Equal(new[] { 1, 2 }, expert.Relays.ToArray());
        Assert.Equal(24.0, expert.DirectSeconds);
        Assert.Equal(15.0, expert.RelaySeconds);
        Assert.Equal(15.0, expert.PredictedSeconds);
        Assert.Equal(15.0, schedule.PredictedSeconds);

        // Programs in start-time order: a relay's receive of a chunk comes before its forward of it.
        static SyncOperation Send(int peer, int chunk) => new(SyncOperationKind.Send, peer, 0, chunk, chunk * 100, 100);
        static SyncOperation Receive(int peer, int chunk) => new(SyncOperationKind.Receive, peer, 0, chunk, chunk * 100, 100);
        Assert.Equal([Send(1, 0), Send(2, 0), Send(1, 1), Send(2, 1)], schedule.OperationsOf(0).ToArray());
        Assert.Equal([Receive(0, 0), Send(3, 0), Receive(0, 1), Send(3, 1)], schedule.OperationsOf(1).ToArray());
        Assert.Equal([Receive(0, 0), Send(4, 0), Receive(0, 1), Send(4, 1)], schedule.OperationsOf(2).ToArray());
        Assert.Equal([Receive(1, 0), Receive(1, 1)], schedule.OperationsOf(3).ToArray());
        Assert.Equal([Receive(2, 0), Receive(2, 1)], schedule.OperationsOf(4).ToArray());
        Assert.Empty(schedule.OperationsOf(5));
        Assert.Equal(new long[] { 400, 200, 200, 0, 0, 0 }, schedule.OutboundBytes.ToArray());
        Assert.Equal(800, schedule.TotalBytes);
        Assert.Equal(15.0, WeightSyncTimeModel.PredictSeconds(schedule, HandLink));
    }

    [Fact]
    public void Plan_SecondExpert_PrefersRelaysWithLeastOutboundLoad()
    {
        // Expert 0 makes ranks 1 and 2 relays (200 bytes out each); expert 1 has the same receivers, so its relays are
        // the unloaded ranks 3 and 4, forwarding to 1 and 2.
        var schedule = WeightSyncPlanner.Plan(
            [new ReplicaTransfer(0, 0, [1, 2, 3, 4], 200), new ReplicaTransfer(1, 5, [1, 2, 3, 4], 200)],
            HandLink,
            6);

        Assert.Equal(new[] { 1, 2 }, schedule.Experts[0].Relays.ToArray());
        Assert.Equal(new[] { 3, 4 }, schedule.Experts[1].Relays.ToArray());
        Assert.Equal(new long[] { 400, 200, 200, 200, 200, 400 }, schedule.OutboundBytes.ToArray());
        Assert.Contains(new SyncOperation(SyncOperationKind.Send, 1, 1, 0, 0, 100), schedule.OperationsOf(3));
        Assert.Contains(new SyncOperation(SyncOperationKind.Send, 2, 1, 0, 0, 100), schedule.OperationsOf(4));

        // Alone each expert takes 15 s; together they share ranks 1..4's inbound links, which can only add time.
        Assert.All(schedule.Experts, e => Assert.Equal(15.0, e.PredictedSeconds));
        Assert.True(schedule.PredictedSeconds >= 15.0);
        Assert.Equal(schedule.PredictedSeconds, WeightSyncTimeModel.PredictSeconds(schedule, HandLink));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(63)]
    public void Plan_DeepSeekV3ExpertToManyReceivers_RelayTakesAtMostThreeQuartersOfDirect(int receivers)
    {
        var transfer = new ReplicaTransfer(0, 0, [.. Enumerable.Range(1, receivers)], DeepSeekV3ExpertBytes);

        var schedule = WeightSyncPlanner.Plan([transfer], H800NvLink, receivers + 1);

        var expert = Assert.Single(schedule.Experts);
        Assert.Equal(21, expert.Chunks); // 88,080,384 bytes / 4 MiB = exactly 21 chunks
        Assert.Equal(SyncMode.Relay, expert.Mode);
        Assert.True(
            expert.RelaySeconds <= 0.75 * expert.DirectSeconds,
            $"{receivers} receivers: relay {expert.RelaySeconds:G6} s vs direct {expert.DirectSeconds:G6} s");
        Assert.Equal(expert.PredictedSeconds, schedule.PredictedSeconds);
    }

    [Fact]
    public void Plan_NoTransfers_GivesEmptyProgramsAndZeroTime()
    {
        var schedule = WeightSyncPlanner.Plan([], H800NvLink, 3);

        Assert.Equal(3, schedule.Ranks);
        Assert.Empty(schedule.Experts);
        Assert.All(schedule.Operations, program => Assert.Empty(program));
        Assert.Equal(0.0, schedule.PredictedSeconds);
    }

    [Fact]
    public void Plan_BadInput_ThrowsNamingTheProblem()
    {
        var ok = new ReplicaTransfer(0, 0, [1], 10);

        Assert.Equal("ranks", Assert.Throws<ArgumentOutOfRangeException>(() => WeightSyncPlanner.Plan([ok], HandLink, 0)).ParamName);
        var outside = Assert.Throws<ArgumentException>(() => WeightSyncPlanner.Plan([new ReplicaTransfer(0, 0, [2], 10)], HandLink, 2));
        Assert.Equal("transfers", outside.ParamName);
        Assert.Contains("receiver rank 2", outside.Message, StringComparison.Ordinal);
        var source = Assert.Throws<ArgumentException>(() => WeightSyncPlanner.Plan([new ReplicaTransfer(0, 5, [1], 10)], HandLink, 2));
        Assert.Contains("source rank 5", source.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ArgumentException>(() => WeightSyncPlanner.Plan([ok, new ReplicaTransfer(0, 1, [0], 10)], HandLink, 2));
        Assert.Contains("expert 0", twice.Message, StringComparison.Ordinal);
        var tooMany = Assert.Throws<ArgumentException>(() => WeightSyncPlanner.Plan([new ReplicaTransfer(0, 0, [1], long.MaxValue)], new LinkModel(1, 1, 1, 1), 2));
        Assert.Contains("larger chunks", tooMany.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => WeightSyncPlanner.Plan([ok, null!], HandLink, 2));
        Assert.Throws<ArgumentNullException>(() => WeightSyncPlanner.Plan(null!, HandLink, 2));
        Assert.Throws<ArgumentNullException>(() => WeightSyncPlanner.Plan([ok], null!, 2));
    }

    [Fact]
    public void ReplicaTransfer_BadInput_ThrowsNamingTheParameter()
    {
        Assert.Equal("expert", Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaTransfer(-1, 0, [1], 1)).ParamName);
        Assert.Equal("sourceRank", Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaTransfer(0, -1, [1], 1)).ParamName);
        Assert.Equal("bytes", Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaTransfer(0, 0, [1], 0)).ParamName);
        Assert.Equal("receivers", Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaTransfer(0, 0, [-1], 1)).ParamName);
        Assert.Equal("receivers", Assert.Throws<ArgumentException>(() => new ReplicaTransfer(0, 0, [], 1)).ParamName);
        Assert.Equal("receivers", Assert.Throws<ArgumentException>(() => new ReplicaTransfer(0, 0, default, 1)).ParamName);
        Assert.Equal("receivers", Assert.Throws<ArgumentException>(() => new ReplicaTransfer(0, 0, [1, 2, 1], 1)).ParamName);
        Assert.Equal("receivers", Assert.Throws<ArgumentException>(() => new ReplicaTransfer(0, 3, [1, 3], 1)).ParamName);
    }

    [Fact]
    public void ReplicaTransfer_SameFields_AreEqualAndPrintTheirReceivers()
    {
        var a = new ReplicaTransfer(4, 0, [1, 2], 10);
        var b = new ReplicaTransfer(4, 0, [.. new[] { 1, 2 }], 10);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new ReplicaTransfer(4, 0, [2, 1], 10));
        Assert.Equal("ReplicaTransfer { Expert = 4, SourceRank = 0, Receivers = [1, 2], Bytes = 10 }", a.ToString());
    }

    [Theory]
    [InlineData(0.0, "outboundBytesPerSecond")]
    [InlineData(-1.0, "outboundBytesPerSecond")]
    [InlineData(double.NaN, "outboundBytesPerSecond")]
    [InlineData(double.PositiveInfinity, "outboundBytesPerSecond")]
    public void LinkModel_BadOutboundBandwidth_ThrowsNamingIt(double value, string name)
    {
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(value, 1, 1, 1)).ParamName);
    }

    [Fact]
    public void LinkModel_BadFigures_ThrowNamingTheParameter()
    {
        Assert.Equal("inboundBytesPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(1, 0, 1, 1)).ParamName);
        Assert.Equal("latencySeconds", Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(1, 1, -1e-9, 1)).ParamName);
        Assert.Equal("latencySeconds", Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(1, 1, double.NaN, 1)).ParamName);
        Assert.Equal("chunkBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(1, 1, 1, 0)).ParamName);
    }

    [Fact]
    public void PredictSeconds_ProgramsThatWaitOnEachOther_ThrowDeadlock()
    {
        // Rank 0 sends chunk 0 to rank 1 before chunk 1 to rank 2; rank 2 forwards chunk 1 to rank 1; but rank 1 takes
        // that forward before chunk 0: 0->1 waits for 2->1, which waits for 0->2, which waits for 0->1.
        ImmutableArray<SyncOperation>[] programs =
        [
            [new(SyncOperationKind.Send, 1, 0, 0, 0, 1), new(SyncOperationKind.Send, 2, 0, 1, 1, 1)],
            [new(SyncOperationKind.Receive, 2, 0, 1, 1, 1), new(SyncOperationKind.Receive, 0, 0, 0, 0, 1)],
            [new(SyncOperationKind.Receive, 0, 0, 1, 1, 1), new(SyncOperationKind.Send, 1, 0, 1, 1, 1)],
        ];

        var error = Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds(programs, HandLink));
        Assert.Contains("deadlock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictSeconds_ProgramsThatDoNotMatch_Throw()
    {
        var send = new SyncOperation(SyncOperationKind.Send, 1, 0, 0, 0, 10);
        var receive = new SyncOperation(SyncOperationKind.Receive, 0, 0, 0, 0, 10);

        Assert.Contains("never receives", Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds([[send], []], HandLink)).Message, StringComparison.Ordinal);
        Assert.Contains("no such chunk", Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds([[], [receive]], HandLink)).Message, StringComparison.Ordinal);
        Assert.Contains("expects 9", Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds([[send], [receive with { Bytes = 9 }]], HandLink)).Message, StringComparison.Ordinal);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds([[send, send], [receive, receive]], HandLink)).Message, StringComparison.Ordinal);
        Assert.Contains("peer 5", Assert.Throws<ArgumentException>(() => WeightSyncTimeModel.PredictSeconds([[send with { Peer = 5 }], []], HandLink)).Message, StringComparison.Ordinal);

        // A matched pair of one 10-byte chunk: 1 + 10 / 50 = 1.2 s.
        Assert.Equal(1.2, WeightSyncTimeModel.PredictSeconds([[send], [receive]], HandLink), 12);
    }
}
