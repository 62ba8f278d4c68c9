using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>Options of <see cref="ResourceManager"/>.</summary>
public sealed record ResourceManagerOptions
{
    /// <summary>Seed of the annealing's random moves; the same seed gives the same degrees.</summary>
    public int Seed { get; init; }

    /// <summary>Annealing steps (each proposes one move and evaluates it with the placement). Default 300.</summary>
    public int Iterations { get; init; } = 300;

    /// <summary>
    /// Starting temperature as a fraction of the initial predicted makespan (default 0.05: a move 5% worse is accepted
    /// with probability 1/e at the start). It cools geometrically to <see cref="FinalTemperature"/>.
    /// </summary>
    public double InitialTemperature { get; init; } = 0.05;

    /// <summary>The temperature at the last step, same unit (default 0.0005).</summary>
    public double FinalTemperature { get; init; } = 0.0005;

    /// <summary>The largest fraction of the GPUs the initial mapping gives to high-degree "tail" instances (default 0.5).</summary>
    public double MaxTailFraction { get; init; } = 0.5;

    /// <summary>Checks the options.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A value is out of range.</exception>
    public ResourceManagerOptions Validate()
    {
        if (Iterations < 0)
        {
            throw new PlanningInputException("iterations", $"must be at least 0, got {Iterations}");
        }

        if (!double.IsFinite(InitialTemperature) || InitialTemperature <= 0)
        {
            throw new PlanningInputException("initialTemperature", $"must be a positive finite number, got {InitialTemperature}");
        }

        if (!double.IsFinite(FinalTemperature) || FinalTemperature <= 0 || FinalTemperature > InitialTemperature)
        {
            throw new PlanningInputException(
                "finalTemperature", $"must be positive and at most initialTemperature ({InitialTemperature}), got {FinalTemperature}");
        }

        if (!double.IsFinite(MaxTailFraction) || MaxTailFraction < 0 || MaxTailFraction > 1)
        {
            throw new PlanningInputException("maxTailFraction", $"must be between 0 and 1, got {MaxTailFraction}");
        }

        return this;
    }
}

/// <summary>What <see cref="ResourceManager"/> chose.</summary>
/// <param name="Degrees">Each instance's tensor-parallel degree, descending; their sum is at most the GPU budget.</param>
/// <param name="PredictedMakespanSeconds">The presorted-DP placement's predicted makespan on <paramref name="Degrees"/>.</param>
/// <param name="InitialDegrees">The sort-based initial mapping the annealing started from.</param>
/// <param name="InitialMakespanSeconds">Its predicted makespan (never below <paramref name="PredictedMakespanSeconds"/>).</param>
/// <param name="Evaluations">Distinct degree multisets evaluated.</param>
internal sealed record ResourcePlan(
    ImmutableArray<int> Degrees,
    double PredictedMakespanSeconds,
    ImmutableArray<int> InitialDegrees,
    double InitialMakespanSeconds,
    int Evaluations);

/// <summary>
/// Heddle's resource manager: chooses each instance's tensor-parallel degree under a GPU budget. Only degrees of the cost
/// model whose KV capacity is positive and that fit the budget are used.
/// </summary>
/// <remarks>
/// <para>Initial mapping (sort-based): every GPU at the throughput-best degree d* (the most tokens per GPU-second at the
/// batch the workload and KV capacity allow), then, because the placement puts the longest predicted work on the
/// highest degrees, h instances of a higher degree carved out of it for the tail, for every higher degree and h up to
/// <see cref="ResourceManagerOptions.MaxTailFraction"/> of the GPUs; the mapping with the least predicted makespan wins.</para>
/// <para>Refinement: simulated annealing over degree multisets with moves merge (two instances of degree d into one of
/// 2d), split (one of d into two of d/2), change (one instance to another degree within the budget) and add (an
/// instance on idle GPUs). The objective is <see cref="PresortedDpPlacement"/>'s predicted makespan; moves are accepted
/// by the Metropolis rule on the makespan relative to the initial one, with geometric cooling; the best multiset seen is
/// returned, so the result is never worse than the initial mapping. Deterministic for
/// <see cref="ResourceManagerOptions.Seed"/>; evaluations are memoised per multiset.</para>
/// </remarks>
internal sealed class ResourceManager
{
    private readonly PresortedDpPlacement _placement;

    /// <summary>Creates the manager.</summary>
    /// <param name="cost">The instance cost model.</param>
    /// <param name="options">Seed, iterations and temperatures; null for the defaults.</param>
    public ResourceManager(IInferenceCostModel cost, ResourceManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        Cost = cost;
        Options = (options ?? new ResourceManagerOptions()).Validate();
        _placement = new PresortedDpPlacement(cost);
    }

    /// <summary>The instance cost model.</summary>
    public IInferenceCostModel Cost { get; }

    /// <summary>The options.</summary>
    public ResourceManagerOptions Options { get; }

    /// <summary>Each instance's tensor-parallel degree for <paramref name="items"/> on <paramref name="gpus"/> GPUs.</summary>
    /// <param name="items">The trajectories' predicted work.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <returns>The degrees, descending; their sum is at most <paramref name="gpus"/>.</returns>
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<RolloutWorkItem> items, int gpus) => Plan(items, gpus).Degrees;

    /// <summary>The degrees, their predicted makespan and the initial mapping's (see the remarks).</summary>
    /// <param name="items">The trajectories' predicted work.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="PlanningInputException">An item is invalid, or no allowed degree fits the budget.</exception>
    public ResourcePlan Plan(IReadOnlyList<RolloutWorkItem> items, int gpus)
    {
        RolloutWorkItem.ValidateAll(items);
        var allowed = AllowedDegrees(gpus);
        var sorted = GroupTimeEstimator.SortedOrder(items).Select(i => items[i]).ToArray();
        var memo = new Dictionary<string, double>(StringComparer.Ordinal);

        var initial = InitialMapping(sorted, gpus, allowed, memo);
        var initialMakespan = Evaluate(sorted, initial, memo);
        var current = initial;
        var currentMakespan = initialMakespan;
        var best = initial;
        var bestMakespan = initialMakespan;
        var scale = initialMakespan > 0 ? initialMakespan : 1;
        var random = new Random(Options.Seed);
        for (var step = 0; step < Options.Iterations; step++)
        {
            var candidate = Propose(current, gpus, allowed, random);
            if (candidate is null)
            {
                continue;
            }

            var makespan = Evaluate(sorted, candidate, memo);
            var fraction = Options.Iterations > 1 ? step / (double)(Options.Iterations - 1) : 1;
            var temperature = Options.InitialTemperature * Math.Pow(Options.FinalTemperature / Options.InitialTemperature, fraction);
            var delta = (makespan - currentMakespan) / scale;
            if (delta <= 0 || random.NextDouble() < Math.Exp(-delta / temperature))
            {
                current = candidate;
                currentMakespan = makespan;
            }

            if (makespan < bestMakespan)
            {
                best = candidate;
                bestMakespan = makespan;
            }
        }

        return new ResourcePlan([.. best], bestMakespan, [.. initial], initialMakespan, memo.Count);
    }

    /// <summary>
    /// The predicted makespan of <paramref name="items"/> on instances of the given degrees (the annealing's objective):
    /// the presorted-DP placement's, whose group times include the KV waves of a group that overflows its instance's KV
    /// cache (see <see cref="GroupTimeEstimator"/>), so a layout too small for the workload's contexts is not preferred.
    /// </summary>
    /// <param name="items">The trajectories' predicted work.</param>
    /// <param name="degrees">Each instance's degree.</param>
    /// <returns>Seconds.</returns>
    public double PredictMakespan(IReadOnlyList<RolloutWorkItem> items, IReadOnlyList<int> degrees) =>
        _placement.Place(items, degrees).PredictedMakespanSeconds;

    /// <summary>The degrees an instance may use within <paramref name="gpus"/>: the cost model's, with positive KV capacity.</summary>
    /// <param name="gpus">The GPU budget.</param>
    /// <returns>Allowed degrees, ascending.</returns>
    /// <exception cref="PlanningInputException">None fits.</exception>
    public ImmutableArray<int> AllowedDegrees(int gpus)
    {
        if (gpus < 1)
        {
            throw new PlanningInputException("gpus", $"must be at least 1, got {gpus}");
        }

        var allowed = Cost.TensorParallelDegrees.Where(d => d >= 1 && d <= gpus && Cost.KvCapacityTokens(d) > 0).Distinct().Order().ToImmutableArray();
        if (allowed.IsEmpty)
        {
            throw new PlanningInputException(
                "gpus", $"no tensor-parallel degree of {Cost.ModelName} ({string.Join(", ", Cost.TensorParallelDegrees)}) fits {gpus} GPUs with KV-cache room");
        }

        return allowed;
    }

    private int[] InitialMapping(RolloutWorkItem[] sorted, int gpus, ImmutableArray<int> allowed, Dictionary<string, double> memo)
    {
        var throughputBest = ThroughputBestDegree(sorted, gpus, allowed);
        var best = Fill([], gpus, throughputBest, allowed);
        var bestMakespan = Evaluate(sorted, best, memo);
        foreach (var high in allowed.Where(d => d > throughputBest))
        {
            var maxHigh = (int)Math.Floor(Options.MaxTailFraction * gpus / high);
            for (var h = 1; h <= maxHigh; h++)
            {
                var candidate = Fill(Enumerable.Repeat(high, h), gpus - (h * high), throughputBest, allowed);
                var makespan = Evaluate(sorted, candidate, memo);
                if (makespan < bestMakespan)
                {
                    best = candidate;
                    bestMakespan = makespan;
                }
            }
        }

        return best;
    }

    /// <summary>The fixed instances, then as many of <paramref name="degree"/> as fit, then the rest at the largest degrees that fit.</summary>
    private static int[] Fill(IEnumerable<int> fixedDegrees, int gpusLeft, int degree, ImmutableArray<int> allowed)
    {
        var degrees = fixedDegrees.ToList();
        while (gpusLeft >= degree)
        {
            degrees.Add(degree);
            gpusLeft -= degree;
        }

        for (var k = allowed.Length - 1; k >= 0; k--)
        {
            while (gpusLeft >= allowed[k])
            {
                degrees.Add(allowed[k]);
                gpusLeft -= allowed[k];
            }
        }

        return Canonical(degrees);
    }

    /// <summary>
    /// The degree with the most tokens per GPU-second when the GPUs run at d each share the items: batch = items per
    /// instance, capped by how many mean contexts the KV capacity holds.
    /// </summary>
    private int ThroughputBestDegree(RolloutWorkItem[] sorted, int gpus, ImmutableArray<int> allowed)
    {
        if (sorted.Length == 0)
        {
            return allowed[0];
        }

        var meanContext = Math.Max(1, sorted.Average(i => GroupTimeEstimator.MeanContext(i)));
        var best = allowed[0];
        var bestRate = double.NegativeInfinity;
        foreach (var d in allowed)
        {
            var instances = Math.Max(1, gpus / d);
            var byKv = (int)Math.Clamp(Cost.KvCapacityTokens(d) / meanContext, 1, int.MaxValue);
            var batch = Math.Max(1, Math.Min((sorted.Length + instances - 1) / instances, byKv));
            var seconds = Cost.DecodeIterationSeconds(batch, GroupTimeEstimator.RoundContext(batch * meanContext), d);
            var rate = batch / (seconds * d);
            if (rate > bestRate)
            {
                bestRate = rate;
                best = d;
            }
        }

        return best;
    }

    private static int[]? Propose(int[] current, int gpus, ImmutableArray<int> allowed, Random random)
    {
        var used = current.Sum();
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var move = random.Next(4);
            var list = current.ToList();
            switch (move)
            {
                case 0 when list.Count >= 2:
                {
                    // Merge: two instances of the same degree d into one of 2d.
                    var i = random.Next(list.Count);
                    var d = list[i];
                    var partners = Enumerable.Range(0, list.Count).Where(j => j != i && list[j] == d).ToArray();
                    if (partners.Length == 0 || !allowed.Contains(2 * d))
                    {
                        continue;
                    }

                    var j = partners[random.Next(partners.Length)];
                    list.RemoveAt(Math.Max(i, j));
                    list.RemoveAt(Math.Min(i, j));
                    list.Add(2 * d);
                    return Canonical(list);
                }

                case 1:
                {
                    // Split: one instance of degree d into two of d / 2.
                    var i = random.Next(list.Count);
                    var d = list[i];
                    if (d % 2 != 0 || !allowed.Contains(d / 2))
                    {
                        continue;
                    }

                    list[i] = d / 2;
                    list.Add(d / 2);
                    return Canonical(list);
                }

                case 2:
                {
                    // Change one instance's degree within the budget.
                    var i = random.Next(list.Count);
                    var d = allowed[random.Next(allowed.Length)];
                    if (d == list[i] || used - list[i] + d > gpus)
                    {
                        continue;
                    }

                    list[i] = d;
                    return Canonical(list);
                }

                default:
                {
                    // Add an instance on idle GPUs.
                    var fitting = allowed.Where(d => used + d <= gpus).ToArray();
                    if (fitting.Length == 0)
                    {
                        continue;
                    }

                    list.Add(fitting[random.Next(fitting.Length)]);
                    return Canonical(list);
                }
            }
        }

        return null;
    }

    private double Evaluate(RolloutWorkItem[] sorted, int[] degreesDescending, Dictionary<string, double> memo)
    {
        var key = string.Join(',', degreesDescending.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        if (!memo.TryGetValue(key, out var makespan))
        {
            makespan = _placement.PredictMakespanSorted(sorted, degreesDescending);
            memo[key] = makespan;
        }

        return makespan;
    }

    private static int[] Canonical(IEnumerable<int> degrees) => [.. degrees.OrderDescending()];
}
