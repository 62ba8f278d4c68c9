using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>
/// A weight-sync schedule, built by <see cref="WeightSyncPlanner.Plan"/>: per rank, the ordered program of chunk sends
/// and receives that copies every expert's weights to its new replicas, which an NCCL adapter turns into
/// <c>ncclSend</c>/<c>ncclRecv</c> calls in the same order; per expert, the planner's decision; and the predicted time.
/// Immutable.
/// </summary>
/// <remarks>
/// A rank issues its sends in program order on its outbound link and its receives in program order on its inbound
/// link (see <see cref="WeightSyncTimeModel"/>). Every relay receives a chunk before it forwards it in its program, and
/// between any two ranks the sends on one and the receives on the other come in the same order, as NCCL requires.
/// </remarks>
public sealed class WeightSyncSchedule
{
    internal WeightSyncSchedule(
        LinkModel link,
        ImmutableArray<ExpertSync> experts,
        ImmutableArray<ImmutableArray<SyncOperation>> operations,
        ImmutableArray<long> outboundBytes,
        double predictedSeconds)
    {
        Link = link;
        Experts = experts;
        Operations = operations;
        OutboundBytes = outboundBytes;
        PredictedSeconds = predictedSeconds;
    }

    /// <summary>The link model the schedule was planned on; its chunk size cut the weights into chunks.</summary>
    public LinkModel Link { get; }

    /// <summary>The number of ranks; <see cref="Operations"/> has one program per rank.</summary>
    public int Ranks => Operations.Length;

    /// <summary>Per transfer, in the order the transfers were given, the planner's decision.</summary>
    public ImmutableArray<ExpertSync> Experts { get; }

    /// <summary>Per rank (indexed by rank), its operations in program order; a rank with nothing to do has an empty program.</summary>
    public ImmutableArray<ImmutableArray<SyncOperation>> Operations { get; }

    /// <summary>Per rank, the bytes it sends: the load on its outbound link.</summary>
    public ImmutableArray<long> OutboundBytes { get; }

    /// <summary>All bytes that cross a link (the sum of <see cref="OutboundBytes"/>).</summary>
    public long TotalBytes => OutboundBytes.Sum();

    /// <summary>
    /// The predicted time until the last chunk of the last expert arrives, all experts' programs together on
    /// <see cref="Link"/> (<see cref="WeightSyncTimeModel.PredictSeconds(WeightSyncSchedule, LinkModel)"/> gives the
    /// same figure); at least every <see cref="ExpertSync.PredictedSeconds"/>, more where experts share links.
    /// </summary>
    public double PredictedSeconds { get; }

    /// <summary>One rank's program.</summary>
    /// <param name="rank">The rank.</param>
    /// <returns>Its operations in program order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is not a rank of the schedule.</exception>
    public ImmutableArray<SyncOperation> OperationsOf(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Ranks);
        return Operations[rank];
    }
}
