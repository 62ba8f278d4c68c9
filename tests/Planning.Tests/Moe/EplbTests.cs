using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;

namespace Planning.Tests.Moe;

public sealed class EplbTests
{
    // DeepSeek EPLB README example (github.com/deepseek-ai/EPLB, README.md): 2 layers, 12 experts, 16 replicas, 4 groups, 2 nodes, 8 GPUs.
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

    [Property(MaxTest = 200)]
    public Property ReplicateExperts_MatchesLinearArgmaxReference() =>
        Prop.ForAll(
            Gen.Choose(0, 50).ArrayOf().Where(w => w.Length > 0).ToArbitrary(),
            Gen.Choose(0, 40).ToArbitrary(),
            (weights, extra) =>
            {
                var loads = weights.Select(w => (long)w * w).ToArray();
                var (physicalToLogical, replicaIndex, count) = Eplb.ReplicateExperts(loads, loads.Length + extra);
                var (expectedMap, expectedIndex, expectedCount) = ReferenceReplicate(loads, loads.Length + extra);
                return physicalToLogical.SequenceEqual(expectedMap) && replicaIndex.SequenceEqual(expectedIndex) && count.SequenceEqual(expectedCount);
            });

    [Property(MaxTest = 200)]
    public Property BalancedPacking_MatchesLinearMinReference() =>
        Prop.ForAll(
            Gen.Choose(1, 6).ToArbitrary(),
            Gen.Choose(1, 5).ToArbitrary(),
            Gen.Choose(0, 9).ArrayOf(30).ToArbitrary(),
            (packs, perPack, digits) =>
            {
                // Few distinct weights, so ties between items and between packs are common.
                var weights = digits.Take(packs * perPack).Select(d => d / 2.0).ToArray();
                var (pack, rankInPack) = Eplb.BalancedPacking(weights, packs);
                var (expectedPack, expectedRank) = ReferencePacking(weights, packs);
                return pack.SequenceEqual(expectedPack) && rankInPack.SequenceEqual(expectedRank);
            });

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

    /// <summary>DeepSeek's replicate_experts read literally: a linear argmax of load / count, first maximum wins, in exact arithmetic.</summary>
    private static (int[] Map, int[] Index, int[] Count) ReferenceReplicate(long[] weight, int physical)
    {
        var map = Enumerable.Range(0, physical).ToArray();
        var index = new int[physical];
        var count = Enumerable.Repeat(1, weight.Length).ToArray();
        for (var p = weight.Length; p < physical; p++)
        {
            var best = 0;
            for (var e = 1; e < weight.Length; e++)
            {
                if (weight[e] * (long)count[best] > weight[best] * (long)count[e])
                {
                    best = e;
                }
            }

            map[p] = best;
            index[p] = count[best];
            count[best]++;
        }

        return (map, index, count);
    }

    /// <summary>DeepSeek's balanced_packing read literally: stable heaviest-first order, linear min over packs with room.</summary>
    private static (int[] Pack, int[] Rank) ReferencePacking(double[] weights, int packs)
    {
        var perPack = weights.Length / packs;
        if (perPack == 1)
        {
            return (Enumerable.Range(0, weights.Length).ToArray(), new int[weights.Length]);
        }

        var pack = new int[weights.Length];
        var rank = new int[weights.Length];
        var load = new double[packs];
        var items = new int[packs];
        foreach (var item in Enumerable.Range(0, weights.Length).OrderByDescending(i => weights[i]))
        {
            var best = Enumerable.Range(0, packs).Where(p => items[p] < perPack).MinBy(p => load[p]);
            pack[item] = best;
            rank[item] = items[best]++;
            load[best] += weights[item];
        }

        return (pack, rank);
    }
}
