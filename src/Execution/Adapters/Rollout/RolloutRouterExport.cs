using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Execution.Adapters.Rollout;

/// <summary>The router configurations <c>plan rollout export</c> writes.</summary>
public enum RolloutRouterFormat
{
    /// <summary>
    /// SGLang Model Gateway (sgl-router) with policy <c>consistent_hashing</c>: the worker order, and per trajectory the
    /// <c>X-SMG-Target-Worker</c> header, a 0-based index into that order (the policy's module doc in sgl-router).
    /// </summary>
    SglangRouter,

    /// <summary>
    /// verl's agent loop: a request-id-to-server map to pre-fill <c>AsyncLLMServerManager.request_id_to_server</c>,
    /// which <c>_choose_server(request_id)</c> reads before its least-requests fallback
    /// (verl <c>verl/experimental/agent_loop/agent_loop.py</c>).
    /// </summary>
    Verl,
}

/// <summary>Names of the router formats on the command line.</summary>
public static class RolloutRouterFormats
{
    /// <summary>The names, in the enum's order: <c>sglang-router</c>, <c>verl</c>.</summary>
    public static ImmutableArray<string> Names { get; } = ["sglang-router", "verl"];

    /// <summary>Parses a command-line name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="format">The format, when known.</param>
    /// <returns>Whether the name is a format.</returns>
    public static bool TryParse(string? name, out RolloutRouterFormat format)
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        format = (RolloutRouterFormat)Math.Max(index, 0);
        return index >= 0;
    }
}

/// <summary>One inference instance to launch: its tensor-parallel degree and the GPUs it spans.</summary>
/// <param name="Instance">The instance's index (the worker or server order).</param>
/// <param name="TensorParallel">Its tensor-parallel degree.</param>
/// <param name="Devices">The cluster's GPU indices it spans.</param>
/// <param name="Node">The node of its first GPU.</param>
/// <param name="LocalDevices">Its GPUs' indices within their node (what <c>CUDA_VISIBLE_DEVICES</c> lists).</param>
public sealed record RolloutInstanceLaunch(int Instance, int TensorParallel, ImmutableArray<int> Devices, int Node, ImmutableArray<int> LocalDevices);

/// <summary>
/// Heddle's initial decisions for a rollout step, as a launch manifest and a trajectory-to-instance map: the instance
/// layout (its resource manager's degrees) and the presorted-DP placement it makes before any trajectory runs.
/// </summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Instances">The instances, in order.</param>
/// <param name="TrajectoryIds">The trajectories' ids, in trace order.</param>
/// <param name="InstanceOf">Each trajectory's instance, in trace order.</param>
/// <param name="PredictedMakespanSeconds">The placement's own predicted makespan.</param>
public sealed record RolloutRouterPlan(
    string Policy,
    string Model,
    ImmutableArray<RolloutInstanceLaunch> Instances,
    ImmutableArray<string> TrajectoryIds,
    ImmutableArray<int> InstanceOf,
    double PredictedMakespanSeconds);

/// <summary>
/// <c>plan rollout export</c> as library calls: Heddle's layout and initial placement of a trace, written as router
/// configuration. The map is the initial placement only: when Heddle later migrates a trajectory (or merges idle
/// instances) in the simulator, no router file follows it; a runtime that wants migration must re-pin the trajectory
/// itself (a new <c>X-SMG-Target-Worker</c> value, or a new <c>request_id_to_server</c> entry).
/// </summary>
public static class RolloutRouterExport
{
    /// <summary>Decides the layout and the initial placement as <see cref="HeddleRolloutPolicy"/> does at the start of a run.</summary>
    /// <param name="trace">The trajectories (unique ids).</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="policy">Heddle's policy, fitted; its mechanisms must include placement.</param>
    /// <param name="options">The simulation options (hardware for the nodes; the equal-TP rule when Heddle's resource manager is off).</param>
    /// <returns>The manifest and the map.</returns>
    /// <exception cref="PlanningInputException">The trace is empty or has duplicate ids, the budget holds no layout, or placement is off.</exception>
    public static RolloutRouterPlan Plan(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, HeddleRolloutPolicy policy, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        RolloutSimulator.ValidateTrace(trace);
        if (gpus < 1)
        {
            throw new PlanningInputException("gpus", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {gpus}"));
        }

        var degrees = policy.ChooseDegrees(trace, gpus, cost, options);
        if (degrees.IsDefaultOrEmpty || degrees.Sum() > gpus)
        {
            throw new PlanningInputException("gpus", string.Create(CultureInfo.InvariantCulture, $"{gpus} GPU(s) hold no layout of {cost.ModelName} for this trace"));
        }

        if (!policy.Planner.TryPlace(trace, degrees, cost, out var placement))
        {
            throw new PlanningInputException("mechanisms", "heddle's placement mechanism is off: there is no initial placement to export");
        }

        // The layout on the cluster graph, read back as an adapter reads it (the simulator does the same).
        var cluster = options.Hardware.Build(gpus);
        var devicesOf = InstanceLayout.DevicesOfInstances(new InstanceLayout(degrees).Annotate(cluster));
        var instances = devicesOf.Select((devices, i) =>
        {
            var node = cluster.Devices[devices[0]].Node;
            var onNode = cluster.DevicesOfNode(node);
            return new RolloutInstanceLaunch(i, degrees[i], devices, node, [.. devices.Select(d => onNode.IndexOf(d))]);
        });
        return new RolloutRouterPlan(policy.Name, cost.ModelName, [.. instances], [.. trace.Select(t => t.Id)], placement!.InstanceOf, placement.PredictedMakespanSeconds);
    }

    /// <summary>
    /// Writes the plan as one JSON document: <c>format</c>, <c>policy</c>, <c>model</c>, <c>initialPlacementOnly</c>
    /// (always true), <c>predictedMakespanSeconds</c>, <c>instances</c> (the launch manifest, with each worker's URL on
    /// <paramref name="host"/> from <paramref name="basePort"/> up) and the map in the router's form.
    /// </summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="plan">The plan.</param>
    /// <param name="format">The router's form.</param>
    /// <param name="host">The host of the workers' URLs.</param>
    /// <param name="basePort">The first worker's port; instance i listens on <c>basePort + i</c>.</param>
    public static void Write(Utf8JsonWriter writer, RolloutRouterPlan plan, RolloutRouterFormat format, string host = "127.0.0.1", int basePort = 30000)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(host);
        string Url(int instance) => string.Create(CultureInfo.InvariantCulture, $"http://{host}:{basePort + instance}");
        writer.WriteStartObject();
        writer.WriteString("format", RolloutRouterFormats.Names[(int)format]);
        writer.WriteString("policy", plan.Policy);
        writer.WriteString("model", plan.Model);
        writer.WriteBoolean("initialPlacementOnly", true);
        writer.WriteNumber("predictedMakespanSeconds", Math.Round(plan.PredictedMakespanSeconds, 3));
        writer.WriteStartArray("instances");
        foreach (var instance in plan.Instances)
        {
            writer.WriteStartObject();
            writer.WriteNumber("instance", instance.Instance);
            writer.WriteNumber("tensorParallel", instance.TensorParallel);
            writer.WriteStartArray("devices");
            foreach (var device in instance.Devices)
            {
                writer.WriteNumberValue(device);
            }

            writer.WriteEndArray();
            writer.WriteNumber("node", instance.Node);
            writer.WriteString("cudaVisibleDevices", string.Join(",", instance.LocalDevices.Select(d => d.ToString(CultureInfo.InvariantCulture))));
            writer.WriteString("url", Url(instance.Instance));
            writer.WriteNumber("trajectories", plan.InstanceOf.Count(i => i == instance.Instance));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (format == RolloutRouterFormat.SglangRouter)
        {
            writer.WriteStartObject("router");
            writer.WriteString("policy", "consistent_hashing");
            writer.WriteStartArray("workerUrls");
            foreach (var instance in plan.Instances)
            {
                writer.WriteStringValue(Url(instance.Instance));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("trajectories");
            for (var t = 0; t < plan.TrajectoryIds.Length; t++)
            {
                writer.WriteStartObject();
                writer.WriteString("id", plan.TrajectoryIds[t]);
                writer.WriteNumber("worker", plan.InstanceOf[t]);
                writer.WriteStartObject("headers");
                writer.WriteString("X-SMG-Target-Worker", plan.InstanceOf[t].ToString(CultureInfo.InvariantCulture));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStartObject("requestIdToServer");
            for (var t = 0; t < plan.TrajectoryIds.Length; t++)
            {
                writer.WriteNumber(plan.TrajectoryIds[t], plan.InstanceOf[t]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
