using System.Collections.Immutable;

namespace Planning.Execution.Rollout;

/// <summary>The outcome of one simulated rollout step.</summary>
public sealed class RolloutSimulationResult
{
    /// <summary>Creates a result (the simulator does).</summary>
    /// <param name="policy">The policy's name.</param>
    /// <param name="model">The model's name.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="instanceDegrees">The tensor-parallel degree of each instance in the initial layout.</param>
    /// <param name="makespanSeconds">From t = 0 to the last trajectory's completion.</param>
    /// <param name="totalOutputTokens">Output tokens of the whole trace.</param>
    /// <param name="trajectoriesCompleted">Trajectories that completed.</param>
    /// <param name="p99QueueSeconds">The 99th percentile (nearest rank) of the time turns waited before admission.</param>
    /// <param name="counters">Token and event counters.</param>
    /// <param name="instances">Per-instance figures and busy timeline.</param>
    /// <param name="completionSeconds">When each trajectory completed.</param>
    /// <param name="generatedTokens">Output tokens generated per trajectory.</param>
    /// <param name="migrations">Every KV-cache migration.</param>
    /// <param name="turns">Every turn's record (empty when not recorded).</param>
    internal RolloutSimulationResult(
        string policy,
        string model,
        int gpus,
        ImmutableArray<int> instanceDegrees,
        double makespanSeconds,
        long totalOutputTokens,
        int trajectoriesCompleted,
        double p99QueueSeconds,
        RolloutCounters counters,
        ImmutableArray<RolloutInstanceSummary> instances,
        ImmutableArray<double> completionSeconds,
        ImmutableArray<long> generatedTokens,
        ImmutableArray<RolloutMigration> migrations,
        ImmutableArray<RolloutTurnRecord> turns)
    {
        Policy = policy;
        Model = model;
        Gpus = gpus;
        InstanceDegrees = instanceDegrees;
        MakespanSeconds = makespanSeconds;
        TotalOutputTokens = totalOutputTokens;
        TrajectoriesCompleted = trajectoriesCompleted;
        P99QueueSeconds = p99QueueSeconds;
        Counters = counters;
        Instances = instances;
        CompletionSeconds = completionSeconds;
        GeneratedTokens = generatedTokens;
        Migrations = migrations;
        Turns = turns;
    }

    /// <summary>The policy's name.</summary>
    public string Policy { get; }

    /// <summary>The model's name.</summary>
    public string Model { get; }

    /// <summary>The GPU budget.</summary>
    public int Gpus { get; }

    /// <summary>The tensor-parallel degree of each instance.</summary>
    public ImmutableArray<int> InstanceDegrees { get; }

    /// <summary>From t = 0 (every trajectory ready) to the last trajectory's completion, seconds.</summary>
    public double MakespanSeconds { get; }

    /// <summary>Output tokens of the whole trace.</summary>
    public long TotalOutputTokens { get; }

    /// <summary>Generated output tokens of the whole trace per second of makespan.</summary>
    public double TokensPerSecond => MakespanSeconds > 0 ? TotalOutputTokens / MakespanSeconds : 0;

    /// <summary>Trajectories that completed.</summary>
    public int TrajectoriesCompleted { get; }

    /// <summary>The 99th percentile of the time turns waited between becoming ready and their first admission.</summary>
    public double P99QueueSeconds { get; }

    /// <summary>Token and event counters.</summary>
    public RolloutCounters Counters { get; }

    /// <summary>Per-instance figures and busy timeline.</summary>
    public ImmutableArray<RolloutInstanceSummary> Instances { get; }

    /// <summary>When each trajectory completed (trace order).</summary>
    public ImmutableArray<double> CompletionSeconds { get; }

    /// <summary>Output tokens generated per trajectory (trace order).</summary>
    public ImmutableArray<long> GeneratedTokens { get; }

    /// <summary>Every KV-cache migration, in time order.</summary>
    public ImmutableArray<RolloutMigration> Migrations { get; }

    /// <summary>Every turn's record in completion order (empty unless <see cref="RolloutSimulationOptions.RecordTurns"/>).</summary>
    public ImmutableArray<RolloutTurnRecord> Turns { get; }
}

/// <summary>Token and event counters of a simulated rollout, for conservation checks.</summary>
/// <param name="GeneratedTokens">Output tokens generated (each exactly once).</param>
/// <param name="PrefillTokens">Tokens prefilled (prompts, observations, and whole contexts re-prefilled).</param>
/// <param name="Reprefills">Admissions after the first that prefilled a whole context (no cache on the instance).</param>
/// <param name="Migrations">KV caches moved between instances during tool calls.</param>
/// <param name="MigrationFallbacks">Migrations that became re-prefills (transfer longer than the tool call, or no room at the target).</param>
/// <param name="Preemptions">Running turns preempted at an iteration boundary.</param>
/// <param name="Evictions">Cached KV entries evicted (least recently used first) to admit another turn.</param>
/// <param name="Iterations">Decode/prefill iterations over all instances.</param>
/// <param name="Regroups">Instance merges applied (<see cref="IRolloutPolicy.Regroup"/>).</param>
/// <param name="ReloadSeconds">Seconds the merged instances stalled loading their new shards, summed.</param>
public sealed record RolloutCounters(
    long GeneratedTokens,
    long PrefillTokens,
    int Reprefills,
    int Migrations,
    int MigrationFallbacks,
    int Preemptions,
    int Evictions,
    long Iterations,
    int Regroups = 0,
    double ReloadSeconds = 0);

/// <summary>One instance's figures.</summary>
/// <param name="TensorParallel">Its tensor-parallel degree at the end (a regroup may have raised it).</param>
/// <param name="KvCapacityTokens">Its KV-cache capacity.</param>
/// <param name="PeakKvTokens">The most KV tokens it held at once (running reservations plus cached).</param>
/// <param name="BusySeconds">Seconds it ran iterations.</param>
/// <param name="Timeline">Its busy intervals (contiguous iterations merged), for a Gantt plot.</param>
/// <param name="Retired">Whether it gave its GPUs to another instance (a regroup); its degree and capacity are then those it last had.</param>
public sealed record RolloutInstanceSummary(int TensorParallel, long KvCapacityTokens, long PeakKvTokens, double BusySeconds, ImmutableArray<RolloutBusySegment> Timeline, bool Retired = false);

/// <summary>A busy interval of an instance.</summary>
/// <param name="StartSeconds">When it started.</param>
/// <param name="EndSeconds">When it ended.</param>
/// <param name="PeakBatch">The largest batch in it.</param>
public readonly record struct RolloutBusySegment(double StartSeconds, double EndSeconds, int PeakBatch);

/// <summary>A KV-cache migration during a tool call.</summary>
/// <param name="Trajectory">The trajectory's index.</param>
/// <param name="AfterTurn">The turn it follows (0-based).</param>
/// <param name="FromInstance">The source instance.</param>
/// <param name="ToInstance">The target instance.</param>
/// <param name="StartSeconds">When the transfer started (the tool call's start).</param>
/// <param name="EndSeconds">When the transfer ended.</param>
/// <param name="ToolEndSeconds">When the tool call ended.</param>
/// <param name="Tokens">KV tokens moved.</param>
public readonly record struct RolloutMigration(int Trajectory, int AfterTurn, int FromInstance, int ToInstance, double StartSeconds, double EndSeconds, double ToolEndSeconds, long Tokens);

/// <summary>One turn of one trajectory.</summary>
/// <param name="Trajectory">The trajectory's index.</param>
/// <param name="Turn">The turn (0-based).</param>
/// <param name="ReadySeconds">When it became ready (0, or its tool call's end).</param>
/// <param name="AdmittedSeconds">Its first admission.</param>
/// <param name="FinishedSeconds">When its last token was generated.</param>
/// <param name="Instance">The instance that finished it.</param>
/// <param name="GeneratedTokens">Output tokens generated for it (over all its admissions).</param>
public readonly record struct RolloutTurnRecord(int Trajectory, int Turn, double ReadySeconds, double AdmittedSeconds, double FinishedSeconds, int Instance, int GeneratedTokens);
