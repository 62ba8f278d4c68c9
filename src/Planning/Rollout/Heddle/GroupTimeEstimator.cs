namespace Planning.Rollout;

/// <summary>
/// Predicts how long a group of trajectories takes when they all start together on one instance of tensor-parallel
/// degree d with continuous batching.
/// </summary>
/// <remarks>
/// <para>The model. Sort the group by predicted tokens, w1 &gt;= ... &gt;= wm (ties by trajectory index), and let
/// w(m+1) = 0. While the k-th longest is unfinished the batch has k members, so the k-th "segment" lasts
/// w(k) - w(k+1) iterations of a batch of k. Trajectory k finishes after the segments k..m:
/// <c>F(k) = sum over j &gt;= k of (w(j) - w(j+1)) * DecodeIterationSeconds(j, C(j), d)</c>, where C(j) is the batch's
/// context: the sum over its members of <c>context + predictedTokens / 2</c>, each member's mean context over its own
/// remaining generation. With an attention cost linear in the context read (the roofline form: a constant per KV token),
/// that choice makes the total context-time of the group exact (every member is in the segments that add up to its own
/// w), while keeping each segment's context independent of the later, shorter members; that independence is what makes
/// the time monotone in the group and cheap to extend.</para>
/// <para>Prefill: each member's current context is prefilled once when the group starts (<c>PrefillSeconds(context, 0, d)</c>; none for an empty context),
/// serially before decoding, as a fresh placement has no cache on the instance. Tool calls: a trajectory's predicted tool
/// seconds delay its own finish (<c>F(k) + tool(k)</c>) but not the others', and it is counted in the batch throughout
/// (slightly pessimistic, simple). The group's time is <c>prefill + max over k of (F(k) + tool(k))</c>.</para>
/// <para>KV cache: the predicted peak KV tokens of the group is the largest over k of
/// <c>sum over i &lt;= k of context(i) + k * w(k)</c> (just before the k-th longest finishes, the k longest are all still
/// there, each grown by w(k) tokens); it must fit <see cref="IInferenceCostModel.KvCapacityTokens"/>. When it does not
/// (a placement that cannot respect the capacity), the members cannot all be resident: they wait for KV memory and the
/// group runs in about peak / capacity waves, so its time (and every finish time) is scaled by max(1, peak / capacity).
/// Without that factor a group predicted to overflow looked as fast as one that fits, and the placement and the resource
/// manager chose layouts (many TP1 instances, uneven groups) whose KV cache held a fraction of a long-context workload.</para>
/// <para>Cost: appending the next-shorter item to a group is O(1): only the last segment splits, every earlier
/// trajectory's finish shifts by the same amount, and the peak KV gains one term (see <see cref="GroupTimeAccumulator"/>).
/// If <see cref="IInferenceCostModel.DecodeIterationSeconds"/> is nondecreasing in batch size and context, the group's time
/// and KV peak never decrease when an item is added, which the placement's exactness relies on.</para>
/// </remarks>
internal sealed class GroupTimeEstimator
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="cost">The instance cost model.</param>
    public GroupTimeEstimator(IInferenceCostModel cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        Cost = cost;
    }

    /// <summary>The instance cost model.</summary>
    public IInferenceCostModel Cost { get; }

    /// <summary>An empty group on an instance of degree <paramref name="tensorParallel"/>, to extend item by item in descending order of predicted tokens.</summary>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>An empty accumulator.</returns>
    public GroupTimeAccumulator Start(int tensorParallel) => new(Cost, tensorParallel);

    /// <summary>The predicted seconds of <paramref name="items"/> run together on one instance (any order; sorted here).</summary>
    /// <param name="items">The group; empty gives 0.</param>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>Predicted seconds until the whole group is done.</returns>
    public double EstimateSeconds(IEnumerable<RolloutWorkItem> items, int tensorParallel) => Accumulate(items, tensorParallel).Seconds;

    /// <summary>The predicted peak KV tokens of <paramref name="items"/> run together (see the remarks).</summary>
    /// <param name="items">The group.</param>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>Predicted peak KV-cache tokens.</returns>
    public double EstimatePeakKvTokens(IEnumerable<RolloutWorkItem> items, int tensorParallel) => Accumulate(items, tensorParallel).PeakKvTokens;

    /// <summary>The predicted finish time of each member of a group (seconds from the group's start).</summary>
    /// <param name="items">The group, any order.</param>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>One finish time per item, in the order of <paramref name="items"/>.</returns>
    public double[] EstimateFinishSeconds(IReadOnlyList<RolloutWorkItem> items, int tensorParallel)
    {
        ArgumentNullException.ThrowIfNull(items);
        var order = SortedOrder(items);
        var finish = new double[items.Count];
        if (order.Length == 0)
        {
            return finish;
        }

        // Backward pass: F(k) = F(k + 1) + (w(k) - w(k + 1)) * D(k, C(k)).
        var prefill = 0.0;
        var contexts = new double[order.Length];
        var sum = 0.0;
        for (var k = 0; k < order.Length; k++)
        {
            var item = items[order[k]];
            prefill += PrefillOf(Cost, item, tensorParallel);
            sum += MeanContext(item);
            contexts[k] = sum;
        }

        var waves = KvWaves(Accumulate(items, tensorParallel).PeakKvTokens, Cost.KvCapacityTokens(tensorParallel));
        var after = 0.0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var w = items[order[k]].PredictedTokens;
            var next = k + 1 < order.Length ? items[order[k + 1]].PredictedTokens : 0.0;
            after += (w - next) * Cost.DecodeIterationSeconds(k + 1, RoundContext(contexts[k]), tensorParallel);
            finish[order[k]] = (prefill + after + items[order[k]].PredictedToolSeconds) * waves;
        }

        return finish;
    }

    /// <summary>Indices of <paramref name="items"/> by predicted tokens descending, then trajectory, then position.</summary>
    /// <param name="items">The items.</param>
    /// <returns>The sorted indices.</returns>
    public static int[] SortedOrder(IReadOnlyList<RolloutWorkItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var order = Enumerable.Range(0, items.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var byWork = items[b].PredictedTokens.CompareTo(items[a].PredictedTokens);
            if (byWork != 0)
            {
                return byWork;
            }

            var byTrajectory = items[a].Trajectory.CompareTo(items[b].Trajectory);
            return byTrajectory != 0 ? byTrajectory : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>The KV waves factor of a group: max(1, peak / capacity) (see the remarks).</summary>
    internal static double KvWaves(double peakKvTokens, long capacityTokens) =>
        capacityTokens > 0 && peakKvTokens > capacityTokens ? peakKvTokens / capacityTokens : 1;

    internal static double MeanContext(RolloutWorkItem item) => item.ContextTokens + (item.PredictedTokens / 2);

    internal static double PrefillOf(IInferenceCostModel cost, RolloutWorkItem item, int tensorParallel) =>
        item.ContextTokens > 0 ? cost.PrefillSeconds(item.ContextTokens, 0, tensorParallel) : 0;

    internal static long RoundContext(double context) => (long)Math.Round(context, MidpointRounding.AwayFromZero);

    private GroupTimeAccumulator Accumulate(IEnumerable<RolloutWorkItem> items, int tensorParallel)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items as IReadOnlyList<RolloutWorkItem> ?? [.. items];
        var accumulator = Start(tensorParallel);
        foreach (var index in SortedOrder(list))
        {
            accumulator.Add(list[index]);
        }

        return accumulator;
    }
}

/// <summary>
/// A group being built on one instance by appending items in descending order of predicted tokens; every step is O(1)
/// (see <see cref="GroupTimeEstimator"/> for the model). Mutable by design: the placement extends one per instance.
/// </summary>
internal sealed class GroupTimeAccumulator
{
    private readonly IInferenceCostModel _cost;
    private double _prefillSeconds;
    private double _maxFinishPlusTool = double.NegativeInfinity;
    private double _lastTokens;
    private double _lastIterationSeconds;
    private double _meanContextSum;
    private long _contextSum;

    internal GroupTimeAccumulator(IInferenceCostModel cost, int tensorParallel)
    {
        _cost = cost;
        TensorParallel = tensorParallel;
        KvCapacityTokens = cost.KvCapacityTokens(tensorParallel);
    }

    /// <summary>The instance's tensor-parallel degree.</summary>
    public int TensorParallel { get; }

    /// <summary>The KV capacity of the instance, in tokens.</summary>
    public long KvCapacityTokens { get; }

    /// <summary>Items in the group.</summary>
    public int Count { get; private set; }

    /// <summary>The group's predicted seconds (0 when empty), times its KV waves when the peak exceeds the capacity.</summary>
    public double Seconds => Count == 0 ? 0 : (_prefillSeconds + _maxFinishPlusTool) * GroupTimeEstimator.KvWaves(PeakKvTokens, KvCapacityTokens);

    /// <summary>The group's predicted peak KV tokens.</summary>
    public double PeakKvTokens { get; private set; }

    /// <summary>Whether the predicted peak fits the instance's KV capacity.</summary>
    public bool FitsKvCapacity => PeakKvTokens <= KvCapacityTokens;

    /// <summary>The seconds and peak KV the group would have with <paramref name="item"/> appended; nothing changes.</summary>
    /// <param name="item">An item with no more predicted tokens than the last one added.</param>
    /// <returns>The would-be seconds and peak KV tokens.</returns>
    public (double Seconds, double PeakKvTokens) Peek(RolloutWorkItem item)
    {
        var step = Step(item);
        return ((step.Prefill + step.MaxFinishPlusTool) * GroupTimeEstimator.KvWaves(step.Peak, KvCapacityTokens), step.Peak);
    }

    /// <summary>Appends <paramref name="item"/>.</summary>
    /// <param name="item">An item with no more predicted tokens than the last one added.</param>
    /// <exception cref="InvalidOperationException">The item has more predicted tokens than the last one.</exception>
    public void Add(RolloutWorkItem item)
    {
        var step = Step(item);
        Commit(item, step);
    }

    /// <summary>Appends <paramref name="item"/> only if the group then takes at most <paramref name="limitSeconds"/> and, when
    /// <paramref name="respectKvCapacity"/>, still fits the KV capacity.</summary>
    /// <param name="item">An item with no more predicted tokens than the last one added.</param>
    /// <param name="limitSeconds">The most seconds the group may take.</param>
    /// <param name="respectKvCapacity">Whether the KV capacity limits the group too.</param>
    /// <returns>Whether the item was added.</returns>
    public bool TryAdd(RolloutWorkItem item, double limitSeconds, bool respectKvCapacity)
    {
        var step = Step(item);
        if ((step.Prefill + step.MaxFinishPlusTool) * GroupTimeEstimator.KvWaves(step.Peak, KvCapacityTokens) > limitSeconds
            || (respectKvCapacity && step.Peak > KvCapacityTokens))
        {
            return false;
        }

        Commit(item, step);
        return true;
    }

    private void Commit(RolloutWorkItem item, StepResult step)
    {
        _prefillSeconds = step.Prefill;
        _maxFinishPlusTool = step.MaxFinishPlusTool;
        _lastIterationSeconds = step.Iteration;
        _meanContextSum = step.MeanContextSum;
        _contextSum = step.ContextSum;
        _lastTokens = item.PredictedTokens;
        PeakKvTokens = step.Peak;
        Count++;
    }

    private StepResult Step(RolloutWorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Count > 0 && item.PredictedTokens > _lastTokens)
        {
            throw new InvalidOperationException(
                $"Items must be added in descending order of predicted tokens: {item.PredictedTokens} after {_lastTokens}.");
        }

        var batch = Count + 1;
        var meanContextSum = _meanContextSum + GroupTimeEstimator.MeanContext(item);
        var iteration = _cost.DecodeIterationSeconds(batch, GroupTimeEstimator.RoundContext(meanContextSum), TensorParallel);
        var w = item.PredictedTokens;

        // The last segment (batch Count) is shortened by w and a new one of w iterations at batch Count + 1 follows, so
        // every earlier finish time shifts by w * (new iteration - old iteration).
        var shifted = Count == 0 ? double.NegativeInfinity : _maxFinishPlusTool + (w * (iteration - _lastIterationSeconds));
        var own = (w * iteration) + item.PredictedToolSeconds;
        var contextSum = _contextSum + item.ContextTokens;
        return new StepResult(
            _prefillSeconds + GroupTimeEstimator.PrefillOf(_cost, item, TensorParallel),
            Math.Max(shifted, own),
            iteration,
            meanContextSum,
            contextSum,
            Math.Max(PeakKvTokens, contextSum + (batch * w)));
    }

    private readonly record struct StepResult(
        double Prefill, double MaxFinishPlusTool, double Iteration, double MeanContextSum, long ContextSum, double Peak);
}
