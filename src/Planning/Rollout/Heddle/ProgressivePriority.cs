using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>Options of <see cref="ProgressivePriority"/>'s preemption rule.</summary>
public sealed record ProgressivePriorityOptions
{
    /// <summary>
    /// A waiting trajectory preempts a running one only if its predicted remaining tokens exceed the running one's by this
    /// fraction (default 0.25): predictions are noisy, and a preemption costs the victim's re-admission, so near-ties do not swap.
    /// </summary>
    public double RelativeMargin { get; init; } = 0.25;

    /// <summary>And by at least this many tokens (default 64), so that tiny remaining amounts never cause churn.</summary>
    public double AbsoluteMarginTokens { get; init; } = 64;

    /// <summary>Checks the options.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A margin is negative or not finite.</exception>
    public ProgressivePriorityOptions Validate()
    {
        if (!double.IsFinite(RelativeMargin) || RelativeMargin < 0)
        {
            throw new PlanningInputException("relativeMargin", $"must be a finite number at least 0, got {RelativeMargin}");
        }

        if (!double.IsFinite(AbsoluteMarginTokens) || AbsoluteMarginTokens < 0)
        {
            throw new PlanningInputException("absoluteMarginTokens", $"must be a finite number at least 0, got {AbsoluteMarginTokens}");
        }

        return this;
    }
}

/// <summary>
/// Heddle's progressive priority: among waiting turns the trajectory with the most predicted remaining work goes first
/// (ties by trajectory index), so the long trajectories that decide the makespan never queue behind short ones; the
/// ranking is recomputed whenever a prediction changes (the caller re-sorts with the new <see cref="RolloutWorkItem"/>s).
/// A waiting trajectory preempts a running one at an iteration boundary only when the batch is full and its predicted
/// remaining work exceeds the running one's by the margins of <see cref="ProgressivePriorityOptions"/>.
/// </summary>
internal sealed class ProgressivePriority : IComparer<RolloutWorkItem>
{
    /// <summary>Creates the ordering.</summary>
    /// <param name="options">The preemption margins; null for the defaults.</param>
    public ProgressivePriority(ProgressivePriorityOptions? options = null)
    {
        Options = (options ?? new ProgressivePriorityOptions()).Validate();
    }

    /// <summary>The preemption margins.</summary>
    public ProgressivePriorityOptions Options { get; }

    /// <summary>Compares by priority: negative when <paramref name="x"/> goes first (more predicted remaining tokens, then lower trajectory index).</summary>
    /// <param name="x">A waiting turn's work.</param>
    /// <param name="y">Another.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int Compare(RolloutWorkItem? x, RolloutWorkItem? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return 1;
        }

        return y is null ? -1 : Compare(x.PredictedTokens, x.Trajectory, y.PredictedTokens, y.Trajectory);
    }

    /// <summary>The same ordering on raw values, for callers that keep their own types.</summary>
    /// <param name="predictedX">Predicted remaining tokens of the first.</param>
    /// <param name="trajectoryX">Trajectory index of the first.</param>
    /// <param name="predictedY">Predicted remaining tokens of the second.</param>
    /// <param name="trajectoryY">Trajectory index of the second.</param>
    /// <returns>Negative when the first goes first.</returns>
    public static int Compare(double predictedX, int trajectoryX, double predictedY, int trajectoryY)
    {
        var byWork = predictedY.CompareTo(predictedX);
        return byWork != 0 ? byWork : trajectoryX.CompareTo(trajectoryY);
    }

    /// <summary>The items in priority order (highest first).</summary>
    /// <param name="items">Waiting turns' work.</param>
    /// <returns>The items sorted.</returns>
    public ImmutableArray<RolloutWorkItem> Order(IEnumerable<RolloutWorkItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var array = items.ToArray();
        for (var i = 0; i < array.Length; i++)
        {
            if (array[i] is null)
            {
                throw new PlanningInputException($"items[{i}]", "must not be null");
            }
        }

        // A stable sort: equal keys (same work, same trajectory) keep their order.
        return [.. array.OrderBy(item => item, this)];
    }

    /// <summary>Whether <paramref name="waiting"/> preempts <paramref name="running"/> at the next iteration boundary.</summary>
    /// <param name="waiting">The waiting trajectory's work.</param>
    /// <param name="running">A running trajectory's work.</param>
    /// <param name="batchFull">Whether the instance's batch (or KV cache) has no room for the waiting one.</param>
    /// <returns>True when the batch is full and the waiting one's predicted remaining tokens exceed the running one's by both margins.</returns>
    public bool ShouldPreempt(RolloutWorkItem waiting, RolloutWorkItem running, bool batchFull)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentNullException.ThrowIfNull(running);
        return batchFull
            && waiting.PredictedTokens > running.PredictedTokens * (1 + Options.RelativeMargin)
            && waiting.PredictedTokens - running.PredictedTokens > Options.AbsoluteMarginTokens;
    }

    /// <summary>
    /// The running trajectory <paramref name="waiting"/> should preempt, if any: the one of lowest priority (least
    /// predicted remaining work, then highest trajectory index), and only if <see cref="ShouldPreempt"/> holds for it.
    /// </summary>
    /// <param name="waiting">The waiting trajectory's work.</param>
    /// <param name="running">The running trajectories' work.</param>
    /// <param name="batchFull">Whether the batch is full.</param>
    /// <returns>The index in <paramref name="running"/> of the victim, or -1 for none.</returns>
    public int ChooseVictim(RolloutWorkItem waiting, IReadOnlyList<RolloutWorkItem> running, bool batchFull)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentNullException.ThrowIfNull(running);
        var victim = -1;
        for (var i = 0; i < running.Count; i++)
        {
            if (victim < 0 || Compare(running[i], running[victim]) > 0)
            {
                victim = i;
            }
        }

        return victim >= 0 && ShouldPreempt(waiting, running[victim], batchFull) ? victim : -1;
    }
}
