using System.Collections.Immutable;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// The decisions of a rollout orchestrator that <see cref="RolloutSimulator"/> asks for: the instance layout (a
/// tensor-parallel degree per instance), where a ready turn queues, the order of a queue, preemption, and what happens
/// to a trajectory's KV cache when it enters a tool call. A policy may keep state; one instance serves one simulation.
/// </summary>
public interface IRolloutPolicy
{
    /// <summary>The policy's name (for reports), such as <c>slime</c> or <c>heddle[priority,placement]</c>.</summary>
    string Name { get; }

    /// <summary>Chooses the tensor-parallel degree of every instance; their sum is at most <paramref name="gpus"/>.</summary>
    /// <param name="trace">The trajectories of the rollout step.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model of the instances.</param>
    /// <param name="options">The simulation options.</param>
    /// <returns>One degree per instance, each one of <see cref="IInferenceCostModel.TensorParallelDegrees"/>.</returns>
    ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options);

    /// <summary>Called once at t = 0 after the layout, before any turn is routed (initial placement).</summary>
    /// <param name="state">The simulation's state.</param>
    void Start(IRolloutState state);

    /// <summary>Where a ready turn queues.</summary>
    /// <param name="state">The simulation's state.</param>
    /// <param name="trajectory">The trajectory's index in the trace.</param>
    /// <returns>An instance index, or -1 for the shared queue that every instance admits from.</returns>
    int Route(IRolloutState state, int trajectory);

    /// <summary>The queue key of a ready turn: a larger key is admitted first; equal keys in ready order (FIFO).</summary>
    /// <param name="state">The simulation's state.</param>
    /// <param name="trajectory">The trajectory's index in the trace.</param>
    /// <returns>The key (0 for FIFO policies).</returns>
    double Priority(IRolloutState state, int trajectory);

    /// <summary>Whether a waiting turn that cannot be admitted may preempt a running one at this iteration boundary.</summary>
    /// <param name="state">The simulation's state.</param>
    /// <param name="waitingPriority">The waiting turn's key.</param>
    /// <param name="runningPriority">The lowest key among the instance's running turns (the victim).</param>
    /// <returns>True to preempt the victim.</returns>
    bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority);

    /// <summary>
    /// What happens to a trajectory's KV cache when it enters a tool call (called after its turn completes). How long the
    /// call will run is not given: a real orchestrator learns it only when the call returns, so a policy that needs it
    /// predicts it (Heddle fits a <see cref="ToolDurationPredictor"/> on its training trace); the simulator runs the
    /// trace's actual duration.
    /// </summary>
    /// <param name="state">The simulation's state (the trajectory's completed turns already counted).</param>
    /// <param name="trajectory">The trajectory's index in the trace.</param>
    /// <returns>The decision.</returns>
    ToolCallDecision OnToolCall(IRolloutState state, int trajectory);

    /// <summary>
    /// Whether a trajectory that has never run may start on the instance now (trajectory-level admission): asked before
    /// its first turn is admitted. A held-back trajectory keeps its place in the queue and later entries may be admitted
    /// past it; once one is held back at a boundary, the instance starts no other new trajectory there (new trajectories
    /// start in key order). Turns of trajectories that have started are never held back. Default true (step-centric
    /// systems admit whatever fits the memory of the moment).
    /// </summary>
    /// <param name="state">The simulation's state.</param>
    /// <param name="instance">The instance that would admit it.</param>
    /// <param name="trajectory">The trajectory's index in the trace.</param>
    /// <returns>True to let it start.</returns>
    bool MayStart(IRolloutState state, int instance, int trajectory) => true;

    /// <summary>Called when a trajectory's last turn completes (a predictor may learn from it, as a running rollout can).</summary>
    /// <param name="state">The simulation's state.</param>
    /// <param name="trajectory">The trajectory's index in the trace.</param>
    void OnCompleted(IRolloutState state, int trajectory);

    /// <summary>
    /// Whether <see cref="Priority"/> of trajectories that are waiting (or running) may change when another trajectory
    /// completes, as a predictor learning online from the completed one's group does. The simulator then re-keys its
    /// queues and the running keys after every <see cref="OnCompleted"/>, so that the order and preemption use the
    /// current predictions, not those of enqueue time. Default false (keys change only when a turn is enqueued).
    /// </summary>
    bool PrioritiesChangeOnCompletion => false;

    /// <summary>
    /// Seconds between the simulator's calls of <see cref="Regroup"/> (the resource manager's periodic re-run);
    /// 0 (the default) never calls it.
    /// </summary>
    double RegroupIntervalSeconds => 0;

    /// <summary>
    /// Merges of instances into higher tensor-parallel degrees, asked every <see cref="RegroupIntervalSeconds"/>: each
    /// merge gives the GPUs of idle instances (nothing running, queued or cached) to another instance of the same node,
    /// whose degree becomes the sum. From its next iteration boundary the absorbing instance pays
    /// <see cref="RolloutSimulationOptions.TensorParallelChange"/>: by default a stock engine's restart (its running turns
    /// prefill their contexts again, its cached ones are dropped); with in-place resharding it keeps its caches and
    /// stalls while its GPUs load the new shards (at <see cref="IRolloutState.ReloadBytesPerSecond"/>). The absorbed
    /// instances retire: turns routed to them go to the absorbing one. Default: none.
    /// </summary>
    /// <param name="state">The simulation's state.</param>
    /// <returns>The merges (empty for none).</returns>
    IReadOnlyList<InstanceMerge> Regroup(IRolloutState state) => [];
}

/// <summary>What the simulator knows, as a policy may read it.</summary>
public interface IRolloutState
{
    /// <summary>The simulated time, seconds.</summary>
    double Now { get; }

    /// <summary>
    /// What is known of the rollout step's trajectories before they run: id, group and prompt, in trace order (never
    /// their turns, tool calls or observations to come; <see cref="Progress"/> tells what they have done so far).
    /// </summary>
    IReadOnlyList<RolloutPrompt> Prompts { get; }

    /// <summary>The cost model of the instances.</summary>
    IInferenceCostModel Cost { get; }

    /// <summary>
    /// The tensor-parallel degree of each instance: a regroup raises the absorbing one's at once (it computes at the new
    /// degree from its next iteration boundary); a retired one keeps its last.
    /// </summary>
    ImmutableArray<int> Degrees { get; }

    /// <summary>The simulation options.</summary>
    RolloutSimulationOptions Options { get; }

    /// <summary>The GPUs, nodes and links of the simulation (<see cref="RolloutSimulationOptions.Hardware"/> laid out at the GPU budget).</summary>
    ClusterGraph Cluster { get; }

    /// <summary>
    /// The cluster annotated with the instance layout at t = 0 (<see cref="InstanceLayout"/>: each instance assigned to
    /// the GPUs it spans); a policy may annotate its own plan on <see cref="Cluster"/> alongside it.
    /// </summary>
    PlanGraph Plan { get; }

    /// <summary>
    /// Bytes per second a KV-cache migration between instances moves at when it has the links to itself: the cluster's
    /// network link (each instance's link is shared fairly among the transfers that use it at once).
    /// </summary>
    double MigrationBytesPerSecond { get; }

    /// <summary>Bytes per second each GPU of a regrouped instance loads its new shards at: the cluster's PCIe link (host memory).</summary>
    double ReloadBytesPerSecond { get; }

    /// <summary>What a scheduler may know of a trajectory: its prompt and the turns completed so far.</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>The progress.</returns>
    TrajectoryProgress Progress(int trajectory);

    /// <summary>Whether the trajectory's first turn has been admitted (it has started, and may be finished).</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>True once started.</returns>
    bool HasStarted(int trajectory);

    /// <summary>A finished trajectory, all of it (a predictor may learn from it, as a running rollout can).</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>The trajectory.</returns>
    /// <exception cref="InvalidOperationException">It has not finished: its future is not known yet.</exception>
    Trajectory Completed(int trajectory);

    /// <summary>Whether the trajectory's last turn has completed.</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>True when finished.</returns>
    bool IsFinished(int trajectory);

    /// <summary>The instance holding the trajectory's KV cache, or -1.</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>The instance or -1.</returns>
    int CachedOn(int trajectory);

    /// <summary>Tokens of the trajectory's KV cache (0 when none is held).</summary>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <returns>Cached tokens.</returns>
    long CachedTokens(int trajectory);

    /// <summary>Requests running on or queued at the instance (a router's load).</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>Active requests.</returns>
    int ActiveRequests(int instance);

    /// <summary>Whether the instance has given its GPUs to another one (<see cref="IRolloutPolicy.Regroup"/>); a retired instance admits nothing.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>True when retired.</returns>
    bool IsRetired(int instance);

    /// <summary>The node all of the instance's GPUs lie in, or -1 when they span nodes.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The node index or -1.</returns>
    int NodeOf(int instance);

    /// <summary>Whether the instance is idle: nothing running, queued or cached on it, and not retired.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>True when idle.</returns>
    bool IsIdle(int instance);

    /// <summary>KV transfers in flight over the instance's link (as source or target): a new one shares the link with them.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>Transfers in flight.</returns>
    int TransfersInFlight(int instance);

    /// <summary>KV tokens the instance has neither reserved for running turns nor holds as cache.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>Free KV tokens.</returns>
    long FreeKvTokens(int instance);
}

/// <summary>What a tool call does to a trajectory's KV cache.</summary>
public enum ToolCallAction
{
    /// <summary>Keep the cache where it is; the next turn returns to the same instance.</summary>
    Stay,

    /// <summary>
    /// Move the KV cache to the target, starting as the tool call starts, over the two instances' links shared with
    /// other transfers; the cache occupies memory on both until it arrives, and the next turn waits for it if the call
    /// returns first. Falls back to <see cref="Reprefill"/> when the target's memory has no room.
    /// </summary>
    MigrateKv,

    /// <summary>Drop the cache; the next turn goes to the target and prefills its whole context.</summary>
    Reprefill,
}

/// <summary>A policy's decision at a tool call.</summary>
/// <param name="Action">What happens to the cache.</param>
/// <param name="TargetInstance">The instance of the next turn (ignored for <see cref="ToolCallAction.Stay"/>).</param>
public readonly record struct ToolCallDecision(ToolCallAction Action, int TargetInstance)
{
    /// <summary>Keep the cache where it is.</summary>
    public static ToolCallDecision Stay { get; } = new(ToolCallAction.Stay, -1);
}
