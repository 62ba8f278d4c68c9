using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>A merge of instances: <paramref name="Into"/> takes the GPUs of <paramref name="Absorbed"/>.</summary>
/// <param name="Into">The instance that grows.</param>
/// <param name="Absorbed">The idle instances that retire.</param>
public sealed record InstanceMerge(int Into, ImmutableArray<int> Absorbed);

/// <summary>An instance as <see cref="HeddlePlanner.PlanRegroup"/> reads it.</summary>
/// <param name="TensorParallel">Its tensor-parallel degree now (a merge still pending counts).</param>
/// <param name="Node">The node all its GPUs lie in, or -1 when they span nodes (it can then neither grow nor be absorbed).</param>
/// <param name="Retired">Whether it has given its GPUs to another instance.</param>
/// <param name="Idle">Whether its GPUs may be given away: nothing running, queued or cached on it, and no unfinished trajectory assigned to it.</param>
internal readonly record struct RegroupInstance(int TensorParallel, int Node, bool Retired, bool Idle);

/// <summary>The regroup rule behind <see cref="HeddlePlanner.PlanRegroup"/>.</summary>
internal static class Regrouping
{
    /// <summary>The merges (see <see cref="HeddlePlanner.PlanRegroup"/>).</summary>
    /// <param name="instances">Each instance.</param>
    /// <param name="groups">Each instance's forecasts, longest work first.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="reloadBytesPerSecond">Per-GPU reload bandwidth.</param>
    /// <param name="minimumGain">The least fraction of an instance's remaining seconds a merge must save.</param>
    /// <param name="change">What a degree change costs the engine (a restart, or in-place resharding).</param>
    public static ImmutableArray<InstanceMerge> Plan(
        IReadOnlyList<RegroupInstance> instances, List<TrajectoryForecast>[] groups, IInferenceCostModel cost, double reloadBytesPerSecond, double minimumGain, TensorParallelChange change)
    {
        var n = instances.Count;
        var idle = new List<int>();
        for (var j = 0; j < n; j++)
        {
            if (instances[j].Idle && !instances[j].Retired && instances[j].Node >= 0)
            {
                idle.Add(j);
            }
        }

        if (idle.Count == 0)
        {
            return [];
        }

        var loads = new double[n];
        for (var i = 0; i < n; i++)
        {
            loads[i] = instances[i].Retired ? 0 : InstanceForecasts.BatchSeconds(cost, groups[i], instances[i].TensorParallel);
        }

        var merges = ImmutableArray.CreateBuilder<InstanceMerge>();
        var used = new HashSet<int>();
        foreach (var i in Enumerable.Range(0, n).Where(i => loads[i] > 0 && !instances[i].Retired).OrderByDescending(i => loads[i]).ThenBy(i => i))
        {
            var node = instances[i].Node;
            var degree = instances[i].TensorParallel;
            var higher = cost.TensorParallelDegrees.Where(d => d > degree).Order().FirstOrDefault();
            if (node < 0 || higher == 0)
            {
                continue;
            }

            // Idle instances of the node, largest degree first, whose degrees add up to the step exactly.
            var need = higher - degree;
            var absorbed = new List<int>();
            foreach (var j in idle.Where(j => !used.Contains(j) && instances[j].Node == node).OrderByDescending(j => instances[j].TensorParallel).ThenBy(j => j))
            {
                if (instances[j].TensorParallel <= need)
                {
                    absorbed.Add(j);
                    need -= instances[j].TensorParallel;
                }
            }

            if (need != 0)
            {
                continue;
            }

            long resident = 0;
            foreach (var member in groups[i])
            {
                resident += member.ContextTokens;
            }

            // The change's stall, and after a restart the re-prefill of the contexts it held (the KV cache is lost).
            var reload = change.Seconds(cost, higher, resident, reloadBytesPerSecond)
                + (change.ReprefillsResidentKv && resident > 0 ? cost.PrefillSeconds(resident, 0, higher) : 0);
            var saving = loads[i] - InstanceForecasts.BatchSeconds(cost, groups[i], higher) - reload;
            if (saving > minimumGain * loads[i])
            {
                merges.Add(new InstanceMerge(i, [.. absorbed]));
                used.UnionWith(absorbed);
            }
        }

        return merges.ToImmutable();
    }
}
