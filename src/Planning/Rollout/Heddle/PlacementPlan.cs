using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>
/// Where each trajectory runs and the predicted time of every instance, as <see cref="PresortedDpPlacement"/> chose.
/// </summary>
public sealed class PlacementPlan
{
    /// <summary>Creates a plan.</summary>
    /// <param name="instanceTensorParallel">Each instance's tensor-parallel degree.</param>
    /// <param name="instanceOf">For each item (in the caller's order), the index of its instance.</param>
    /// <param name="predictedInstanceSeconds">For each instance, the predicted seconds of its group.</param>
    /// <param name="respectsKvCapacity">Whether every group's predicted peak KV fits its instance.</param>
    public PlacementPlan(
        ImmutableArray<int> instanceTensorParallel,
        ImmutableArray<int> instanceOf,
        ImmutableArray<double> predictedInstanceSeconds,
        bool respectsKvCapacity)
    {
        if (instanceTensorParallel.IsDefault || instanceOf.IsDefault || predictedInstanceSeconds.IsDefault)
        {
            throw new ArgumentException("Arrays must not be default.");
        }

        if (predictedInstanceSeconds.Length != instanceTensorParallel.Length)
        {
            throw new ArgumentException("One predicted time per instance is required.", nameof(predictedInstanceSeconds));
        }

        foreach (var instance in instanceOf)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(instance, nameof(instanceOf));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(instance, instanceTensorParallel.Length, nameof(instanceOf));
        }

        InstanceTensorParallel = instanceTensorParallel;
        InstanceOf = instanceOf;
        PredictedInstanceSeconds = predictedInstanceSeconds;
        PredictedMakespanSeconds = predictedInstanceSeconds.Length == 0 ? 0 : predictedInstanceSeconds.Max();
        RespectsKvCapacity = respectsKvCapacity;
    }

    /// <summary>Each instance's tensor-parallel degree, as the caller gave them.</summary>
    public ImmutableArray<int> InstanceTensorParallel { get; }

    /// <summary>For each item, in the caller's order, the index of its instance (into <see cref="InstanceTensorParallel"/>).</summary>
    public ImmutableArray<int> InstanceOf { get; }

    /// <summary>For each instance, the predicted seconds of its group (0 for an empty one).</summary>
    public ImmutableArray<double> PredictedInstanceSeconds { get; }

    /// <summary>The largest of <see cref="PredictedInstanceSeconds"/>: when the last instance is predicted to finish.</summary>
    public double PredictedMakespanSeconds { get; }

    /// <summary>
    /// Whether every group's predicted peak KV fits its instance's capacity; false only when no contiguous split fits,
    /// in which case the plan minimises the makespan ignoring the capacity (the simulator then queues what does not fit).
    /// </summary>
    public bool RespectsKvCapacity { get; }

    /// <summary>The items (indices in the caller's order) placed on <paramref name="instance"/>.</summary>
    /// <param name="instance">An instance index.</param>
    /// <returns>The item indices, ascending.</returns>
    public ImmutableArray<int> ItemsOn(int instance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(instance, InstanceTensorParallel.Length);
        var builder = ImmutableArray.CreateBuilder<int>();
        for (var i = 0; i < InstanceOf.Length; i++)
        {
            if (InstanceOf[i] == instance)
            {
                builder.Add(i);
            }
        }

        return builder.ToImmutable();
    }
}
