using Planning.Moe;

namespace Planning.Tests.Moe;

public sealed class EplbTests
{
    // DeepSeek EPLB README example (../shared/data/SOURCES.md): 2 layers, 12 experts, 16 replicas, 4 groups, 2 nodes, 8 GPUs.
    private static readonly long[][] Weight =
    [
        [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
        [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
    ];

    private static readonly int[][] ExpectedPhysicalToLogical =
    [
        [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
        [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1],
    ];

    private static readonly int[][] ExpectedLogicalCount =
    [
        [1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1],
        [1, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1, 1],
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Rebalance_ReadmeExample_ReproducesPhysicalToLogicalAndCounts(int layer)
    {
        var result = Eplb.Rebalance(Weight[layer], replicas: 16, groups: 4, nodes: 2, gpus: 8);

        Assert.Equal(ExpectedPhysicalToLogical[layer], result.PhysicalToLogical);
        Assert.Equal(ExpectedLogicalCount[layer], result.LogicalCount);
    }

    [Fact]
    public void Rebalance_ReadmeExample_ReplicaIndicesNumberEachExpertsCopiesFromZero()
    {
        var result = Eplb.Rebalance(Weight[0], 16, 4, 2, 8);

        for (var expert = 0; expert < Weight[0].Length; expert++)
        {
            var indices = Enumerable.Range(0, 16).Where(p => result.PhysicalToLogical[p] == expert).Select(p => result.ReplicaIndex[p]).Order();
            Assert.Equal(Enumerable.Range(0, result.LogicalCount[expert]), indices);
        }
    }

    [Fact]
    public void Rebalance_GroupsNotDivisibleByNodes_UsesGlobalPolicy()
    {
        // 3 groups over 2 nodes: EPLB falls back to one group on one node.
        long[] weight = [10, 80, 30, 40, 50, 60];
        var global = Eplb.Rebalance(weight, 8, groups: 3, nodes: 2, gpus: 4);
        var explicitGlobal = Eplb.RebalanceHierarchical(weight, 8, 1, 1, 4);

        Assert.Equal(explicitGlobal.PhysicalToLogical.ToArray(), global.PhysicalToLogical.ToArray());
        Assert.Equal(explicitGlobal.ReplicaIndex.ToArray(), global.ReplicaIndex.ToArray());
        Assert.Equal(explicitGlobal.LogicalCount.ToArray(), global.LogicalCount.ToArray());
    }

    [Fact]
    public void ReplicateExperts_EqualLoadPerReplica_LowestIndexWins()
    {
        // 60/1 = 60 and 120/2 = 60 tie after the first replica goes to expert 1: the lower index (0) gets the next.
        var (physicalToLogical, replicaIndex, count) = Eplb.ReplicateExperts([60, 120], 4);

        Assert.Equal([0, 1, 1, 0], physicalToLogical);
        Assert.Equal([0, 0, 1, 1], replicaIndex);
        Assert.Equal([2, 2], count);
    }

    [Fact]
    public void BalancedPacking_EqualWeights_FillsLowestPackFirstInIndexOrder()
    {
        var (pack, rankInPack) = Eplb.BalancedPacking([1.0, 1.0, 1.0, 1.0], 2);

        Assert.Equal([0, 1, 0, 1], pack);
        Assert.Equal([0, 0, 1, 1], rankInPack);
    }

    [Fact]
    public void BalancedPacking_OneItemPerPack_KeepsIdentity()
    {
        var (pack, rankInPack) = Eplb.BalancedPacking([5.0, 9.0, 1.0], 3);

        Assert.Equal([0, 1, 2], pack);
        Assert.Equal([0, 0, 0], rankInPack);
    }

    [Fact]
    public void Rebalance_SlotsNotMultipleOfGpus_Throws()
    {
        Assert.Throws<ArgumentException>(() => Eplb.Rebalance([1, 2, 3, 4], 5, 1, 1, 2));
    }
}
