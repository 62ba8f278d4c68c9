using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>
/// Heddle's presorted placement: sort trajectories by predicted remaining work (longest first, ties by trajectory index),
/// order the instances by tensor-parallel degree (highest first, ties by index) so the longest work meets the highest
/// degree, and split the sorted list into contiguous groups, one per instance (empty groups allowed), minimising the
/// predicted makespan: the largest <see cref="GroupTimeEstimator"/> time over the instances.
/// </summary>
/// <remarks>
/// <para>Algorithm (<see cref="Place"/>): the min-max contiguous split is solved exactly by a search on the makespan with a
/// greedy check. For a limit T, fill the instances in order, each taking the next items while its group's time stays
/// &lt;= T (and its predicted peak KV fits); T is feasible when every item is placed. Because a group's time and KV peak
/// never decrease when an item joins it (the estimator is monotone when decode time is nondecreasing in batch size and
/// context), greedy covers the longest possible prefix after every instance, so it is feasible exactly when some split
/// is. The search bisects the bit patterns of positive doubles (at most 64 greedy checks), each time replacing the upper
/// end by the makespan the greedy actually reached, so it ends on the optimum's exact value. Each check costs
/// O(n + m) estimator steps (O(1) each): about 64 (n + m) in all, against O(m n^2) for the textbook dynamic program
/// (<see cref="PlaceByFullDynamicProgram"/>, kept as a reference that the tests compare with).</para>
/// <para>KV capacity: groups must fit <see cref="IInferenceCostModel.KvCapacityTokens"/> of their instance (predicted peak,
/// see <see cref="GroupTimeEstimator"/>). When no contiguous split fits, the plan ignores the capacity and says so
/// (<see cref="PlacementPlan.RespectsKvCapacity"/> false).</para>
/// </remarks>
internal sealed class PresortedDpPlacement
{
    /// <summary>Creates the placement.</summary>
    /// <param name="cost">The instance cost model the groups are timed with.</param>
    public PresortedDpPlacement(IInferenceCostModel cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        Cost = cost;
        Estimator = new GroupTimeEstimator(cost);
    }

    /// <summary>The instance cost model.</summary>
    public IInferenceCostModel Cost { get; }

    /// <summary>The group-time model the placement minimises.</summary>
    public GroupTimeEstimator Estimator { get; }

    /// <summary>Places <paramref name="items"/> on instances of the given degrees, minimising the predicted makespan.</summary>
    /// <param name="items">The trajectories' predicted work.</param>
    /// <param name="instanceTensorParallel">Each instance's tensor-parallel degree, one of the cost model's degrees.</param>
    /// <returns>The plan; <see cref="PlacementPlan.InstanceOf"/> indexes <paramref name="instanceTensorParallel"/>.</returns>
    /// <exception cref="PlanningInputException">An item or degree is invalid, or there are items and no instance.</exception>
    public PlacementPlan Place(IReadOnlyList<RolloutWorkItem> items, IReadOnlyList<int> instanceTensorParallel)
    {
        var (sorted, order, degrees, instanceOrder) = Prepare(items, instanceTensorParallel);
        var ends = new int[degrees.Length];
        var respectKv = true;
        if (!Greedy(sorted, degrees, double.PositiveInfinity, respectKv, null, out _))
        {
            respectKv = false;
        }

        var makespan = OptimalMakespan(sorted, degrees, respectKv);
        if (!Greedy(sorted, degrees, makespan, respectKv, ends, out _))
        {
            throw new InvalidOperationException("The optimal makespan must be feasible.");
        }

        return BuildPlan(items.Count, instanceTensorParallel, sorted, order, degrees, instanceOrder, ends, respectKv);
    }

    /// <summary>
    /// The textbook dynamic program over (instance, items covered), O(m n^2) estimator steps: the same optimum as
    /// <see cref="Place"/> (the tests check it), slower; a reference, not for large inputs.
    /// </summary>
    /// <param name="items">The trajectories' predicted work.</param>
    /// <param name="instanceTensorParallel">Each instance's tensor-parallel degree.</param>
    /// <returns>An optimal contiguous plan.</returns>
    public PlacementPlan PlaceByFullDynamicProgram(IReadOnlyList<RolloutWorkItem> items, IReadOnlyList<int> instanceTensorParallel)
    {
        var (sorted, order, degrees, instanceOrder) = Prepare(items, instanceTensorParallel);
        var respectKv = Greedy(sorted, degrees, double.PositiveInfinity, true, null, out _);
        var n = sorted.Length;
        var m = degrees.Length;

        // best[j][i]: the least makespan placing the first i sorted items on the first j ordered instances.
        var best = new double[m + 1][];
        var from = new int[m + 1][];
        for (var j = 0; j <= m; j++)
        {
            best[j] = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            from[j] = new int[n + 1];
        }

        best[0][0] = 0;
        for (var j = 0; j < m; j++)
        {
            for (var s = 0; s <= n; s++)
            {
                if (double.IsPositiveInfinity(best[j][s]))
                {
                    continue;
                }

                Relax(j + 1, s, s, best[j][s]);
                var group = Estimator.Start(degrees[j]);
                for (var i = s + 1; i <= n; i++)
                {
                    group.Add(sorted[i - 1]);
                    if (respectKv && !group.FitsKvCapacity)
                    {
                        break;
                    }

                    Relax(j + 1, i, s, Math.Max(best[j][s], group.Seconds));
                }
            }
        }

        var ends = new int[m];
        var end = n;
        for (var j = m; j >= 1; j--)
        {
            ends[j - 1] = end;
            end = from[j][end];
        }

        return BuildPlan(items.Count, instanceTensorParallel, sorted, order, degrees, instanceOrder, ends, respectKv);

        void Relax(int j, int i, int s, double value)
        {
            if (value < best[j][i])
            {
                best[j][i] = value;
                from[j][i] = s;
            }
        }
    }

    /// <summary>
    /// The optimal predicted makespan for items already sorted (see <see cref="GroupTimeEstimator.SortedOrder"/>) on
    /// instances whose degrees are sorted descending; no validation, no plan. What the resource manager evaluates.
    /// </summary>
    /// <param name="sorted">Items in descending order of predicted tokens.</param>
    /// <param name="degreesDescending">Instance degrees, descending.</param>
    /// <returns>The optimal predicted makespan.</returns>
    internal double PredictMakespanSorted(RolloutWorkItem[] sorted, int[] degreesDescending)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var respectKv = Greedy(sorted, degreesDescending, double.PositiveInfinity, true, null, out _);
        return OptimalMakespan(sorted, degreesDescending, respectKv);
    }

    private double OptimalMakespan(RolloutWorkItem[] sorted, int[] degrees, bool respectKv)
    {
        if (sorted.Length == 0 || Greedy(sorted, degrees, 0, respectKv, null, out _))
        {
            return 0;
        }

        if (!Greedy(sorted, degrees, double.PositiveInfinity, respectKv, null, out var upper) || !double.IsFinite(upper))
        {
            throw new InvalidOperationException("Without a KV limit every item fits the first instance; the cost model returned a non-finite time.");
        }

        // Invariant: lo infeasible, hi feasible (hi is a makespan some split reaches). Positive doubles order like their bits.
        var lo = BitConverter.DoubleToInt64Bits(0.0);
        var hi = BitConverter.DoubleToInt64Bits(upper);
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (Greedy(sorted, degrees, BitConverter.Int64BitsToDouble(mid), respectKv, null, out var reached))
            {
                hi = BitConverter.DoubleToInt64Bits(reached);
            }
            else
            {
                lo = mid;
            }
        }

        return BitConverter.Int64BitsToDouble(hi);
    }

    private bool Greedy(RolloutWorkItem[] sorted, int[] degrees, double limit, bool respectKv, int[]? ends, out double makespan)
    {
        var next = 0;
        makespan = 0;
        for (var j = 0; j < degrees.Length; j++)
        {
            if (next < sorted.Length)
            {
                var group = Estimator.Start(degrees[j]);
                while (next < sorted.Length && group.TryAdd(sorted[next], limit, respectKv))
                {
                    next++;
                }

                makespan = Math.Max(makespan, group.Seconds);
            }

            if (ends is not null)
            {
                ends[j] = next;
            }
        }

        return next == sorted.Length;
    }

    private (RolloutWorkItem[] Sorted, int[] Order, int[] Degrees, int[] InstanceOrder) Prepare(
        IReadOnlyList<RolloutWorkItem> items, IReadOnlyList<int> instanceTensorParallel)
    {
        RolloutWorkItem.ValidateAll(items);
        ArgumentNullException.ThrowIfNull(instanceTensorParallel);
        for (var i = 0; i < instanceTensorParallel.Count; i++)
        {
            if (!Cost.TensorParallelDegrees.Contains(instanceTensorParallel[i]))
            {
                throw new PlanningInputException(
                    $"instanceTensorParallel[{i}]",
                    $"must be one of the model's degrees ({string.Join(", ", Cost.TensorParallelDegrees)}), got {instanceTensorParallel[i]}");
            }
        }

        if (items.Count > 0 && instanceTensorParallel.Count == 0)
        {
            throw new PlanningInputException("instanceTensorParallel", "must list at least one instance when there are trajectories to place");
        }

        var order = GroupTimeEstimator.SortedOrder(items);
        var sorted = order.Select(i => items[i]).ToArray();
        var instanceOrder = Enumerable.Range(0, instanceTensorParallel.Count)
            .OrderByDescending(i => instanceTensorParallel[i]).ThenBy(i => i).ToArray();
        var degrees = instanceOrder.Select(i => instanceTensorParallel[i]).ToArray();
        return (sorted, order, degrees, instanceOrder);
    }

    private PlacementPlan BuildPlan(
        int count,
        IReadOnlyList<int> instanceTensorParallel,
        RolloutWorkItem[] sorted,
        int[] order,
        int[] degrees,
        int[] instanceOrder,
        int[] ends,
        bool respectKv)
    {
        var instanceOf = new int[count];
        var seconds = new double[degrees.Length];
        var start = 0;
        for (var j = 0; j < degrees.Length; j++)
        {
            var group = Estimator.Start(degrees[j]);
            for (var k = start; k < ends[j]; k++)
            {
                group.Add(sorted[k]);
                instanceOf[order[k]] = instanceOrder[j];
            }

            seconds[instanceOrder[j]] = group.Seconds;
            start = ends[j];
        }

        return new PlacementPlan([.. instanceTensorParallel], [.. instanceOf], [.. seconds], respectKv);
    }
}
