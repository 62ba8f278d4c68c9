using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Rollout;

/// <summary>
/// The instance layout of a rollout step as a plan on the cluster graph: instance <c>i</c> is a tensor-parallel group of
/// <see cref="Degrees"/>[i] GPUs, the instances taking the cluster's devices in index order (instance 0 the first
/// ones). In the assignment shape every planner produces, each instance is assigned to each device it spans with
/// amount 1 (<see cref="Assignments"/>); <see cref="Annotate"/> turns that into a <see cref="PlanGraph"/>, and
/// <see cref="DevicesOfInstances"/> reads it back, as the rollout simulator and an adapter do.
/// </summary>
public sealed class InstanceLayout
{
    /// <summary>Creates a layout.</summary>
    /// <param name="degrees">Each instance's tensor-parallel degree, in layout order; at least one instance, each degree at least 1.</param>
    /// <exception cref="PlanningInputException">The list is empty (<c>degrees</c>) or a degree is below 1 (<c>degrees[i]</c>).</exception>
    public InstanceLayout(IEnumerable<int> degrees)
    {
        ArgumentNullException.ThrowIfNull(degrees);
        Degrees = [.. degrees];
        if (Degrees.IsEmpty)
        {
            throw new PlanningInputException("degrees", "must hold at least one instance, got none");
        }

        for (var i = 0; i < Degrees.Length; i++)
        {
            if (Degrees[i] < 1)
            {
                throw new PlanningInputException(Invariant($"degrees[{i}]"), Invariant($"must be a tensor-parallel degree of at least 1, got {Degrees[i]}"));
            }
        }

        Instances = [.. Degrees.Select((degree, i) => new InstanceVertex(i, degree))];
        Devices = Degrees.Sum();
    }

    /// <summary>Each instance's tensor-parallel degree, in layout order.</summary>
    public ImmutableArray<int> Degrees { get; }

    /// <summary>The instances as work vertices of the plan graph, in layout order.</summary>
    public ImmutableArray<InstanceVertex> Instances { get; }

    /// <summary>The devices the layout spans: the sum of the degrees.</summary>
    public int Devices { get; }

    /// <summary>The layout in the assignment shape: each instance to each device it spans (devices in index order), amount 1.</summary>
    /// <param name="cluster">The cluster the instances run on.</param>
    /// <returns>The assignments, instance by instance.</returns>
    /// <exception cref="PlanningInputException">The layout needs more devices than the cluster has (<c>gpus</c>).</exception>
    public ImmutableArray<Assignment> Assignments(ClusterGraph cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (Devices > cluster.Devices.Length)
        {
            throw new PlanningInputException("gpus", Invariant($"the layout {string.Join("+", Degrees)} needs {Devices} GPUs, more than the {cluster.Devices.Length} given"));
        }

        var builder = ImmutableArray.CreateBuilder<Assignment>(Devices);
        var next = 0;
        foreach (var instance in Instances)
        {
            for (var k = 0; k < instance.TensorParallelDegree; k++)
            {
                builder.Add(new Assignment(instance, cluster.Devices[next++], 1));
            }
        }

        return builder.MoveToImmutable();
    }

    /// <summary>
    /// The cluster annotated with the layout (<see cref="ClusterGraph.Annotate"/>), and with further assignments of the
    /// same plan, such as a trajectory placement on these instances (<see cref="PlacementPlan.Assignments"/>).
    /// </summary>
    /// <param name="cluster">The cluster the instances run on.</param>
    /// <param name="more">More assignments of the plan; null for none.</param>
    /// <returns>The annotated plan graph.</returns>
    /// <exception cref="PlanningInputException">The layout needs more devices than the cluster has (<c>gpus</c>).</exception>
    public PlanGraph Annotate(ClusterGraph cluster, IEnumerable<Assignment>? more = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var layout = Assignments(cluster);
        return cluster.Annotate(more is null ? layout : layout.Concat(more));
    }

    /// <summary>
    /// Reads a layout back from an annotated plan graph: the devices each instance vertex is assigned to, by instance
    /// index, in the order they were annotated.
    /// </summary>
    /// <param name="plan">The plan graph (<see cref="Annotate"/>, or an adapter's own annotation).</param>
    /// <returns>For each instance 0 .. n - 1, its devices' indices.</returns>
    /// <exception cref="ArgumentException">The graph holds no instance, the instances are not numbered 0 .. n - 1, or one spans a number of devices other than its degree.</exception>
    public static ImmutableArray<ImmutableArray<int>> DevicesOfInstances(PlanGraph plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var instances = plan.OfKind<InstanceVertex>();
        if (instances.IsEmpty)
        {
            throw new ArgumentException("The plan graph holds no instance.", nameof(plan));
        }

        var builder = ImmutableArray.CreateBuilder<ImmutableArray<int>>(instances.Length);
        for (var i = 0; i < instances.Length; i++)
        {
            var instance = instances[i];
            ImmutableArray<int> devices = [.. plan.AssignmentsOf(instance).Where(a => a.Resource is DeviceVertex).Select(a => a.Resource.Index)];
            if (instance.Index != i || devices.Length != instance.TensorParallelDegree)
            {
                throw new ArgumentException(
                    Invariant($"Instance {instance.Index} (TP{instance.TensorParallelDegree}) is the plan's instance number {i} and spans {devices.Length} devices: instances must be numbered from 0 and span their degree."),
                    nameof(plan));
            }

            builder.Add(devices);
        }

        return builder.MoveToImmutable();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
