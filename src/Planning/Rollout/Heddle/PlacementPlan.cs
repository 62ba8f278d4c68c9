using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Rollout;

/// <summary>
/// Where each trajectory runs and the predicted time of every instance, as <see cref="PresortedDpPlacement"/> chose. In
/// the assignment shape every planner produces, each trajectory is assigned to its instance (<see cref="Assignments"/>);
/// with the instances' <see cref="InstanceLayout"/> that annotates the cluster graph, and <see cref="InstancesOf"/>
/// reads the placement back from it.
/// </summary>
public sealed class PlacementPlan
{
    /// <summary>Creates a plan.</summary>
    /// <param name="instanceTensorParallel">Each instance's tensor-parallel degree.</param>
    /// <param name="instanceOf">For each item (in the caller's order), the index of its instance.</param>
    /// <param name="predictedInstanceSeconds">For each instance, the predicted seconds of its group.</param>
    /// <param name="respectsKvCapacity">Whether every group's predicted peak KV fits its instance.</param>
    internal PlacementPlan(
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

    /// <summary>
    /// The placement in the assignment shape: each item's trajectory (items in the caller's order are the trace's) to
    /// its instance, with amount its predicted output tokens (rounded, at least 1: it is placed there even when nothing
    /// is predicted), or 1 without predictions.
    /// </summary>
    /// <param name="trace">The trajectories the items stand for, in the items' order.</param>
    /// <param name="predictedOutputTokens">Each trajectory's predicted output tokens; null for amount 1.</param>
    /// <returns>One assignment per trajectory, in trace order.</returns>
    /// <exception cref="ArgumentException">The trace or the predictions are not one per item.</exception>
    public ImmutableArray<Assignment> Assignments(IReadOnlyList<Trajectory> trace, IReadOnlyList<double>? predictedOutputTokens = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return AssignmentsOf([.. trace.Select(RolloutPrompt.Of)], predictedOutputTokens);
    }

    /// <summary>
    /// <see cref="Assignments(IReadOnlyList{Trajectory}, IReadOnlyList{double})"/> from what a runtime knows of the
    /// trajectories before they run (their ids name the vertices).
    /// </summary>
    /// <param name="trace">The trajectories' prompts, in the items' order.</param>
    /// <param name="predictedOutputTokens">Each trajectory's predicted output tokens; null for amount 1.</param>
    /// <returns>One assignment per trajectory, in trace order.</returns>
    /// <exception cref="ArgumentException">The prompts or the predictions are not one per item.</exception>
    internal ImmutableArray<Assignment> AssignmentsOf(IReadOnlyList<RolloutPrompt> trace, IReadOnlyList<double>? predictedOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (trace.Count != InstanceOf.Length || (predictedOutputTokens is not null && predictedOutputTokens.Count != InstanceOf.Length))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The plan places {InstanceOf.Length} items: give one trajectory (got {trace.Count}) and one prediction (got {predictedOutputTokens?.Count}) each."),
                nameof(trace));
        }

        var builder = ImmutableArray.CreateBuilder<Assignment>(trace.Count);
        for (var t = 0; t < trace.Count; t++)
        {
            var instance = InstanceOf[t];
            var amount = predictedOutputTokens is null || !double.IsFinite(predictedOutputTokens[t]) ? 1 : Math.Max(1, (long)Math.Round(predictedOutputTokens[t]));
            builder.Add(new Assignment(new TrajectoryVertex(t, trace[t].Id), new InstanceVertex(instance, InstanceTensorParallel[instance]), amount));
        }

        return builder.MoveToImmutable();
    }

    /// <summary>Reads a placement back from an annotated plan graph: the instance each trajectory of the trace is assigned to.</summary>
    /// <param name="plan">The plan graph (the layout and the placement annotated on the cluster).</param>
    /// <param name="trace">The trajectories, whose index and id name their vertices.</param>
    /// <returns>For each trajectory, in trace order, its instance's index, or -1 where the graph assigns it nowhere.</returns>
    public static ImmutableArray<int> InstancesOf(PlanGraph plan, IReadOnlyList<Trajectory> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return InstancesOfPrompts(plan, [.. trace.Select(RolloutPrompt.Of)]);
    }

    /// <summary>Reads a placement back from an annotated plan graph, for trajectories known by their prompts.</summary>
    /// <param name="plan">The plan graph (the layout and the placement annotated on the cluster).</param>
    /// <param name="trace">The trajectories' prompts, whose index and id name their vertices.</param>
    /// <returns>For each trajectory, in trace order, its instance's index, or -1 where the graph assigns it nowhere.</returns>
    internal static ImmutableArray<int> InstancesOfPrompts(PlanGraph plan, IReadOnlyList<RolloutPrompt> trace)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(trace);
        var builder = ImmutableArray.CreateBuilder<int>(trace.Count);
        for (var t = 0; t < trace.Count; t++)
        {
            var vertex = new TrajectoryVertex(t, trace[t].Id);
            var instance = -1;
            if (plan.Contains(vertex))
            {
                foreach (var assignment in plan.AssignmentsOf(vertex))
                {
                    if (assignment.Resource is InstanceVertex on)
                    {
                        instance = on.Index;
                        break;
                    }
                }
            }

            builder.Add(instance);
        }

        return builder.MoveToImmutable();
    }
}
