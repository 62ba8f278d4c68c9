using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>EPLB's answer for one layer, in DeepSeek's terms.</summary>
/// <param name="PhysicalToLogical">For each physical slot (rank-major: slot <c>p</c> is on rank <c>p / slotsPerRank</c>), the logical expert it holds.</param>
/// <param name="ReplicaIndex">For each physical slot, which replica of its expert it is (0 .. count - 1).</param>
/// <param name="LogicalCount">For each logical expert, how many replicas it has.</param>
internal sealed record EplbResult(ImmutableArray<int> PhysicalToLogical, ImmutableArray<int> ReplicaIndex, ImmutableArray<int> LogicalCount);

/// <summary>
/// A faithful C# port of DeepSeek's Expert-Parallel Load Balancer (EPLB, <c>eplb.py</c>) for one layer:
/// balanced packing of expert groups to nodes, replication of the experts with the largest load per replica
/// inside each node, then balanced packing of the physical experts to the node's GPUs. It is hierarchical when the
/// number of expert groups divides by the number of nodes, and global (one group, one node) otherwise.
/// </summary>
/// <remarks>
/// <para>Tie-breaking, made explicit where PyTorch leaves it to the implementation:</para>
/// <list type="bullet">
/// <item>Balanced packing visits items by weight, heaviest first; equal weights keep their index order (a stable
/// sort), and an item goes to the lightest pack that still has room, the lowest pack index among equally light ones.</item>
/// <item>Replication gives the next replica to the expert with the largest load per replica; equal ratios go to the
/// lowest expert index (PyTorch's <c>max</c> returns the first maximum). Ratios are compared exactly, by
/// cross-multiplying integer loads, so float rounding never decides a tie.</item>
/// <item>Pack weights in the second packing are per-replica loads (load / replicas) in double precision, where
/// PyTorch uses float32.</item>
/// </list>
/// </remarks>
internal static class Eplb
{
    /// <summary>Runs EPLB for one layer.</summary>
    /// <param name="weight">Each logical expert's load.</param>
    /// <param name="replicas">Physical expert slots in total (DeepSeek's <c>num_replicas</c>).</param>
    /// <param name="groups">Expert groups.</param>
    /// <param name="nodes">Server nodes.</param>
    /// <param name="gpus">GPUs (ranks).</param>
    /// <returns>The physical-to-logical map, replica indices and replica counts.</returns>
    /// <exception cref="ArgumentException">The sizes do not divide as EPLB requires.</exception>
    public static EplbResult Rebalance(ReadOnlySpan<long> weight, int replicas, int groups, int nodes, int gpus)
    {
        return groups % nodes == 0
            ? RebalanceHierarchical(weight, replicas, groups, nodes, gpus)
            : RebalanceHierarchical(weight, replicas, 1, 1, gpus);
    }

    /// <summary>EPLB's hierarchical policy (the global policy is this with one group and one node).</summary>
    /// <param name="weight">Each logical expert's load.</param>
    /// <param name="replicas">Physical expert slots in total.</param>
    /// <param name="groups">Expert groups; must divide the experts and be a multiple of <paramref name="nodes"/>.</param>
    /// <param name="nodes">Server nodes; must divide <paramref name="gpus"/>.</param>
    /// <param name="gpus">GPUs; must divide <paramref name="replicas"/>.</param>
    /// <returns>The physical-to-logical map, replica indices and replica counts.</returns>
    public static EplbResult RebalanceHierarchical(ReadOnlySpan<long> weight, int replicas, int groups, int nodes, int gpus)
    {
        var logical = weight.Length;
        Require(logical > 0 && groups > 0 && nodes > 0 && gpus > 0, "experts, groups, nodes and GPUs must be positive");
        Require(logical % groups == 0, $"the expert count ({logical}) must be a multiple of the group count ({groups})");
        Require(groups % nodes == 0, $"the group count ({groups}) must be a multiple of the node count ({nodes})");
        Require(gpus % nodes == 0, $"the GPU count ({gpus}) must be a multiple of the node count ({nodes})");
        Require(replicas % gpus == 0, $"the slot count ({replicas}) must be a multiple of the GPU count ({gpus})");
        Require(replicas >= logical, $"the slot count ({replicas}) must be at least the expert count ({logical})");

        var groupSize = logical / groups;
        var groupsPerNode = groups / nodes;
        var slotsPerGpu = replicas / gpus;
        var logicalPerNode = logical / nodes;
        var physicalPerNode = replicas / nodes;
        var gpusPerNode = gpus / nodes;

        // Step 1: pack expert groups to nodes, balancing the tokens per node.
        var groupTokens = new double[groups];
        for (var g = 0; g < groups; g++)
        {
            long sum = 0;
            for (var j = 0; j < groupSize; j++)
            {
                sum += weight[(g * groupSize) + j];
            }

            groupTokens[g] = sum;
        }

        var (groupPack, groupRankInPack) = BalancedPacking(groupTokens, nodes);

        // log2mlog: logical expert -> "middle" logical index, node-major after packing.
        var logToMiddle = new int[logical];
        for (var g = 0; g < groups; g++)
        {
            var start = ((groupPack[g] * groupsPerNode) + groupRankInPack[g]) * groupSize;
            for (var j = 0; j < groupSize; j++)
            {
                logToMiddle[(g * groupSize) + j] = start + j;
            }
        }

        var middleToLog = Inverse(logToMiddle);

        var physicalToLogical = new int[replicas];
        var replicaIndex = new int[replicas];
        var middleCount = new int[logical];
        var nodeWeight = new long[logicalPerNode];
        for (var n = 0; n < nodes; n++)
        {
            // Step 2: replicate experts inside the node.
            for (var i = 0; i < logicalPerNode; i++)
            {
                nodeWeight[i] = weight[middleToLog[(n * logicalPerNode) + i]];
            }

            var (physToMiddle, physRank, count) = ReplicateExperts(nodeWeight, physicalPerNode);

            // Step 3: pack the node's physical experts to its GPUs by load per replica.
            var physTokens = new double[physicalPerNode];
            for (var p = 0; p < physicalPerNode; p++)
            {
                physTokens[p] = (double)nodeWeight[physToMiddle[p]] / count[physToMiddle[p]];
            }

            var (pack, rankInPack) = BalancedPacking(physTokens, gpusPerNode);
            var physToPacked = new int[physicalPerNode];
            for (var p = 0; p < physicalPerNode; p++)
            {
                physToPacked[p] = (pack[p] * slotsPerGpu) + rankInPack[p];
            }

            var packedToPhys = Inverse(physToPacked);
            for (var k = 0; k < physicalPerNode; k++)
            {
                var middle = physToMiddle[packedToPhys[k]] + (n * logicalPerNode);
                physicalToLogical[(n * physicalPerNode) + k] = middleToLog[middle];
                replicaIndex[(n * physicalPerNode) + k] = physRank[packedToPhys[k]];
            }

            for (var i = 0; i < logicalPerNode; i++)
            {
                middleCount[(n * logicalPerNode) + i] = count[i];
            }
        }

        var logicalCount = new int[logical];
        for (var l = 0; l < logical; l++)
        {
            logicalCount[l] = middleCount[logToMiddle[l]];
        }

        return new EplbResult([.. physicalToLogical], [.. replicaIndex], [.. logicalCount]);
    }

    /// <summary>
    /// EPLB's balanced packing: <c>n</c> weighted items into <paramref name="packs"/> packs of exactly
    /// <c>n / packs</c> items each, heaviest item first into the lightest pack with room.
    /// </summary>
    /// <param name="weights">The items' weights; the count must be a multiple of <paramref name="packs"/>.</param>
    /// <param name="packs">The number of packs.</param>
    /// <returns>Each item's pack and its position inside the pack.</returns>
    public static (int[] Pack, int[] RankInPack) BalancedPacking(ReadOnlySpan<double> weights, int packs)
    {
        var items = weights.Length;
        Require(packs > 0 && items % packs == 0, $"the item count ({items}) must be a multiple of the pack count ({packs})");
        var perPack = items / packs;
        var pack = new int[items];
        var rankInPack = new int[items];
        if (perPack == 1)
        {
            // DeepSeek's shortcut: one item per pack keeps the identity order, unsorted.
            for (var i = 0; i < items; i++)
            {
                pack[i] = i;
            }

            return (pack, rankInPack);
        }

        var order = new int[items];
        for (var i = 0; i < items; i++)
        {
            order[i] = i;
        }

        var keys = weights.ToArray();
        // Stable sort, heaviest first: ties keep index order.
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c && c != 0 ? c : a.CompareTo(b));

        // The lightest pack with room, lowest index on ties: a heap of open packs keyed by (weight, index); a full pack
        // leaves the heap. Same choice as DeepSeek's linear min, in O(log packs) per item.
        var open = new PriorityQueue<int, (double Weight, int Index)>(packs);
        for (var p = 0; p < packs; p++)
        {
            open.Enqueue(p, (0.0, p));
        }

        var packWeight = new double[packs];
        var packItems = new int[packs];
        foreach (var item in order)
        {
            var best = open.Dequeue();
            pack[item] = best;
            rankInPack[item] = packItems[best];
            packWeight[best] += keys[item];
            packItems[best]++;
            if (packItems[best] < perPack)
            {
                open.Enqueue(best, (packWeight[best], best));
            }
        }

        return (pack, rankInPack);
    }

    /// <summary>
    /// EPLB's replication: grows <c>n</c> logical experts to <paramref name="physical"/> physical ones, each new
    /// replica going to the expert with the largest load per replica (lowest index on ties).
    /// </summary>
    /// <param name="weight">Each logical expert's load.</param>
    /// <param name="physical">The number of physical experts (at least the number of logical ones).</param>
    /// <returns>Each physical expert's logical expert and replica index, and each logical expert's replica count.</returns>
    public static (int[] PhysicalToLogical, int[] ReplicaIndex, int[] Count) ReplicateExperts(ReadOnlySpan<long> weight, int physical)
    {
        var logical = weight.Length;
        Require(physical >= logical, $"the physical count ({physical}) must be at least the logical count ({logical})");
        var physToLog = new int[physical];
        var replicaIndex = new int[physical];
        var count = new int[logical];
        for (var i = 0; i < logical; i++)
        {
            physToLog[i] = i;
            count[i] = 1;
        }

        // A heap ordered by load per replica, largest first, lowest index on ties: the same choice as a linear argmax,
        // in O(log n) per replica instead of O(n).
        var heap = new PriorityQueue<int, ReplicaKey>(logical, ReplicaKeyComparer.Instance);
        for (var e = 0; e < logical; e++)
        {
            heap.Enqueue(e, new ReplicaKey(weight[e], 1, e));
        }

        for (var p = logical; p < physical; p++)
        {
            var best = heap.Dequeue();
            physToLog[p] = best;
            replicaIndex[p] = count[best];
            count[best]++;
            heap.Enqueue(best, new ReplicaKey(weight[best], count[best], best));
        }

        return (physToLog, replicaIndex, count);
    }

    private readonly record struct ReplicaKey(long Weight, int Count, int Index);

    /// <summary>Orders experts by load per replica, largest first, compared exactly; equal ratios by index, lowest first.</summary>
    private sealed class ReplicaKeyComparer : IComparer<ReplicaKey>
    {
        public static readonly ReplicaKeyComparer Instance = new();

        public int Compare(ReplicaKey x, ReplicaKey y)
        {
            var byRatio = ((Int128)y.Weight * x.Count).CompareTo((Int128)x.Weight * y.Count);
            return byRatio != 0 ? byRatio : x.Index.CompareTo(y.Index);
        }
    }

    private static int[] Inverse(int[] permutation)
    {
        var inverse = new int[permutation.Length];
        for (var i = 0; i < permutation.Length; i++)
        {
            inverse[permutation[i]] = i;
        }

        return inverse;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"EPLB: {message}.");
        }
    }
}
