using System.Collections.Immutable;
using Planning.Execution.Moe.ReLibra;

namespace Planning.Execution.Tests.Moe.ReLibra;

/// <summary>The redundant slots kept across a batch: fetch on a miss, least-recently-used eviction with its gradient flush.</summary>
public sealed class ReplicaSlotsTests
{
    private static ReplicaSlots.Replica R(int expert, int rank) => new(expert, Master: 0, rank);

    [Fact]
    public void Use_ReplicaHeldSinceAnEarlierMicrobatch_FetchesNothing()
    {
        var slots = new ReplicaSlots(layers: 1, ranks: 2, capacity: 2);

        var first = slots.Use(0, [R(3, 1)]);
        var second = slots.Use(0, [R(3, 1)]);

        Assert.Equal<ReplicaSlots.Replica>([R(3, 1)], first.Fetches);
        Assert.Empty(first.Flushes);
        Assert.Empty(second.Fetches);
        Assert.Empty(second.Flushes);
        Assert.Equal<ReplicaSlots.Replica>([R(3, 1)], slots.FlushAll());
    }

    [Fact]
    public void Use_SlotsFull_EvictsTheLeastRecentlyUsedReplicaTheMicrobatchDoesNotNeed()
    {
        var slots = new ReplicaSlots(layers: 1, ranks: 1, capacity: 2);
        slots.Use(0, [R(1, 0), R(2, 0)]);
        slots.Use(0, [R(1, 0)]);

        // Expert 2 was used least recently: its gradients go first, then expert 4 takes its slot.
        var (fetches, flushes) = slots.Use(0, [R(1, 0), R(4, 0)]);

        Assert.Equal<ReplicaSlots.Replica>([R(4, 0)], fetches);
        Assert.Equal<ReplicaSlots.Replica>([R(2, 0)], flushes);
        Assert.Equal<ReplicaSlots.Replica>([R(1, 0), R(4, 0)], slots.FlushAll());
        Assert.Empty(slots.FlushAll());
    }

    [Fact]
    public void Use_LayersAndRanksApart_KeepTheirOwnSlots()
    {
        var slots = new ReplicaSlots(layers: 2, ranks: 2, capacity: 1);
        slots.Use(0, [R(5, 0)]);

        var otherLayer = slots.Use(1, [R(5, 0)]);
        var otherRank = slots.Use(0, [R(5, 1)]);

        Assert.Equal<ReplicaSlots.Replica>([R(5, 0)], otherLayer.Fetches);
        Assert.Equal<ReplicaSlots.Replica>([R(5, 1)], otherRank.Fetches);
        Assert.Empty(otherLayer.Flushes);
        Assert.Empty(otherRank.Flushes);
        Assert.Equal(3, slots.FlushAll().Length);
    }

    [Fact]
    public void Use_NoCapacity_FetchesAndFlushesEveryReplicaEveryTime()
    {
        var slots = new ReplicaSlots(layers: 1, ranks: 2, capacity: 0);
        ImmutableArray<ReplicaSlots.Replica> replicas = [R(1, 0), R(2, 1)];

        var first = slots.Use(0, replicas);
        var second = slots.Use(0, replicas);

        Assert.Equal<ReplicaSlots.Replica>(replicas, first.Fetches);
        Assert.Equal<ReplicaSlots.Replica>(replicas, first.Flushes);
        Assert.Equal<ReplicaSlots.Replica>(replicas, second.Fetches);
        Assert.Equal<ReplicaSlots.Replica>(replicas, second.Flushes);
        Assert.Empty(slots.FlushAll());
    }

    [Fact]
    public void Use_MoreReplicasOnARankThanSlots_Throws()
    {
        var slots = new ReplicaSlots(layers: 1, ranks: 1, capacity: 1);

        Assert.Throws<InvalidOperationException>(() => slots.Use(0, [R(1, 0), R(2, 0)]));
    }
}
