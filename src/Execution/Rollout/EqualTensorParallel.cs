using System.Collections.Immutable;
using System.Globalization;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// The baselines' layout: every instance at one tensor-parallel degree, as many instances as the budget holds. The
/// degree is the smallest one whose KV cache holds <see cref="RolloutSimulationOptions.EqualTensorParallelBatchTarget"/>
/// trajectories at the trace's mean final context and at least the maximum context (<see cref="RolloutSimulationOptions.MaxContextTokens"/>) (a batch large enough for
/// throughput, the degree no larger than that, so the budget makes the most instances); when no degree within the
/// budget reaches it, the largest degree within the budget. <see cref="RolloutSimulationOptions.EqualTensorParallelDegree"/>
/// replaces the rule with a fixed degree.
/// </summary>
public static class EqualTensorParallel
{
    /// <summary>The degree the rule picks.</summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="options">The options (batch target).</param>
    /// <returns>The degree.</returns>
    /// <exception cref="PlanningInputException">
    /// The budget is smaller than the smallest degree; or the fixed degree is not one of the model's within the budget,
    /// or its KV cache does not hold the longest trajectory.
    /// </exception>
    public static int Degree(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        var allowed = cost.TensorParallelDegrees.Where(d => d <= gpus).ToArray();
        if (allowed.Length == 0)
        {
            throw new PlanningInputException(
                "gpus",
                string.Create(CultureInfo.InvariantCulture, $"must be at least the smallest tensor-parallel degree {cost.TensorParallelDegrees.Min()} of {cost.ModelName}, got {gpus}"));
        }

        var longest = options.LayoutContextTokens(trace);
        if (options.EqualTensorParallelDegree > 0)
        {
            var fixedDegree = options.EqualTensorParallelDegree;
            if (!allowed.Contains(fixedDegree))
            {
                throw new PlanningInputException(
                    "equalTensorParallelDegree",
                    string.Create(CultureInfo.InvariantCulture, $"must be one of {cost.ModelName}'s degrees within {gpus} GPUs ({string.Join(", ", allowed)}), got {fixedDegree}"));
            }

            if (cost.KvCapacityTokens(fixedDegree) < longest)
            {
                throw new PlanningInputException(
                    "equalTensorParallelDegree",
                    string.Create(CultureInfo.InvariantCulture, $"TP{fixedDegree} holds {cost.KvCapacityTokens(fixedDegree)} KV tokens of {cost.ModelName}, fewer than {(options.MaxContextTokens > 0 ? "the rollout's maximum context" : "the longest trajectory's final context")} {longest}"));
            }

            return fixedDegree;
        }

        var mean = trace.Count == 0 ? 0 : trace.Average(t => (double)t.FinalContextTokens);
        var wanted = Math.Max(longest, options.EqualTensorParallelBatchTarget * mean);
        foreach (var d in allowed)
        {
            if (cost.KvCapacityTokens(d) >= wanted)
            {
                return d;
            }
        }

        return allowed[^1];
    }

    /// <summary>
    /// The degrees <see cref="RolloutSimulationOptions.EqualTensorParallelDegree"/> may fix for this trace and budget:
    /// the model's degrees within <paramref name="gpus"/> whose KV cache holds the longest trajectory's final context
    /// (what a user tuning a baseline by hand would try; the rule's degree is one of them when its cache holds that context).
    /// </summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model.</param>
    /// <returns>The degrees, ascending; empty when none fits.</returns>
    public static ImmutableArray<int> FixableDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost) =>
        FixableDegrees(trace, gpus, cost, RolloutSimulationOptions.Default);

    /// <summary>
    /// The degrees <see cref="RolloutSimulationOptions.EqualTensorParallelDegree"/> may fix: the model's degrees within
    /// <paramref name="gpus"/> whose KV cache holds the configured <see cref="RolloutSimulationOptions.MaxContextTokens"/>
    /// (when not configured, the trace's longest final context).
    /// </summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="options">The options (the maximum context).</param>
    /// <returns>The degrees, ascending; empty when none fits.</returns>
    public static ImmutableArray<int> FixableDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        var longest = options.LayoutContextTokens(trace);
        return [.. cost.TensorParallelDegrees.Where(d => d <= gpus && cost.KvCapacityTokens(d) >= longest).Distinct().Order()];
    }

    /// <summary>The layout: <c>gpus / degree</c> instances at <see cref="Degree"/>.</summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="options">The options.</param>
    /// <returns>One degree per instance.</returns>
    public static ImmutableArray<int> Layout(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        var degree = Degree(trace, gpus, cost, options);
        return [.. Enumerable.Repeat(degree, gpus / degree)];
    }
}
