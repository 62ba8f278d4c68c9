using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>
/// The planner's decision for one expert of a <see cref="WeightSyncSchedule"/>: direct or relay, the relays, and the
/// predicted times of both choices. Every time here is the expert's transfers alone on idle links, evaluated by
/// <see cref="WeightSyncTimeModel"/>; the schedule's <see cref="WeightSyncSchedule.PredictedSeconds"/> adds the
/// contention between experts. Immutable.
/// </summary>
public sealed class ExpertSync
{
    internal ExpertSync(ReplicaTransfer transfer, int chunks, SyncMode mode, ImmutableArray<int> relays, double directSeconds, double relaySeconds)
    {
        Transfer = transfer;
        Chunks = chunks;
        Mode = mode;
        Relays = relays;
        DirectSeconds = directSeconds;
        RelaySeconds = relaySeconds;
    }

    /// <summary>The transfer this decision is for.</summary>
    public ReplicaTransfer Transfer { get; }

    /// <summary>The logical expert (<see cref="ReplicaTransfer.Expert"/>).</summary>
    public int Expert => Transfer.Expert;

    /// <summary>The master that holds the weights (<see cref="ReplicaTransfer.SourceRank"/>).</summary>
    public int SourceRank => Transfer.SourceRank;

    /// <summary>The number of chunks the expert's weights move as.</summary>
    public int Chunks { get; }

    /// <summary>The chosen mode: the faster of the two predictions, <see cref="SyncMode.Direct"/> on a tie.</summary>
    public SyncMode Mode { get; }

    /// <summary>
    /// The receivers that forward chunks to the other receivers, least loaded first (see <see cref="WeightSyncPlanner"/>);
    /// empty when <see cref="Mode"/> is <see cref="SyncMode.Direct"/>.
    /// </summary>
    public ImmutableArray<int> Relays { get; }

    /// <summary>The predicted time of the chosen mode: the smaller of <see cref="DirectSeconds"/> and <see cref="RelaySeconds"/>.</summary>
    public double PredictedSeconds => Mode == SyncMode.Direct ? DirectSeconds : RelaySeconds;

    /// <summary>The predicted time if the master sent every chunk to every receiver itself.</summary>
    public double DirectSeconds { get; }

    /// <summary>The predicted time of the best relay tree the planner tried (the relay count near the square root of the receivers).</summary>
    public double RelaySeconds { get; }
}
