using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>The planner's own time per layer: median and 99th percentile over the timed solves.</summary>
/// <param name="MedianMicroseconds">Median solve time, in microseconds.</param>
/// <param name="P99Microseconds">99th-percentile solve time (nearest rank), in microseconds.</param>
/// <param name="Samples">How many solves were timed.</param>
public readonly record struct SolveTiming(double MedianMicroseconds, double P99Microseconds, int Samples)
{
    /// <summary>Summarises solve times.</summary>
    /// <param name="microseconds">The timed solves, in microseconds.</param>
    /// <returns>Median, p99 and count.</returns>
    internal static SolveTiming From(IReadOnlyCollection<double> microseconds)
    {
        ArgumentNullException.ThrowIfNull(microseconds);
        if (microseconds.Count == 0)
        {
            return new SolveTiming(0, 0, 0);
        }

        var sorted = microseconds.Order().ToArray();
        var median = sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        var p99 = sorted[Math.Max(0, (int)Math.Ceiling(0.99 * sorted.Length) - 1)];
        return new SolveTiming(median, p99, sorted.Length);
    }
}

/// <summary>A policy's plan for every layer of a case, with the planner's own time per layer.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="Layers">One plan per layer.</param>
/// <param name="Timing">Solve time per layer.</param>
public sealed record BalancePlan(string Policy, ImmutableArray<LayerPlan> Layers, SolveTiming Timing);
