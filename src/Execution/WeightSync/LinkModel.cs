using Planning.Graph;

namespace Planning.Execution.WeightSync;

/// <summary>
/// The link model that weight-sync schedules are planned and predicted on. Every rank has one outbound and one inbound
/// link of the stated bandwidths (the same on every rank); weights move in chunks of at most <see cref="ChunkBytes"/>,
/// and every chunk pays <see cref="LatencySeconds"/> once. A chunk of <c>b</c> bytes from one rank to another takes
/// <see cref="TransferSeconds"/>: <c>LatencySeconds + b / min(OutboundBytesPerSecond, InboundBytesPerSecond)</c>, and
/// holds the sender's outbound link and the receiver's inbound link for that whole time (see
/// <see cref="WeightSyncTimeModel"/> for how chunks are serialised).
/// </summary>
public sealed record LinkModel
{
    /// <summary>
    /// Creates a link model from figures of its own (measured ones, where outbound and inbound may differ; a hardware
    /// description's link class goes through <see cref="From"/>); every figure must be positive and finite.
    /// </summary>
    /// <param name="outboundBytesPerSecond">Each rank's sustained outbound bandwidth, in bytes per second.</param>
    /// <param name="inboundBytesPerSecond">Each rank's sustained inbound bandwidth, in bytes per second.</param>
    /// <param name="latencySeconds">The fixed cost of one chunk (one message), in seconds.</param>
    /// <param name="chunkBytes">The largest chunk; weights are cut into chunks of this size, the last one possibly shorter.</param>
    /// <exception cref="ArgumentOutOfRangeException">A figure is zero, negative, NaN or infinite; the exception names it.</exception>
    public LinkModel(double outboundBytesPerSecond, double inboundBytesPerSecond, double latencySeconds, long chunkBytes)
    {
        RequirePositive(outboundBytesPerSecond, nameof(outboundBytesPerSecond));
        RequirePositive(inboundBytesPerSecond, nameof(inboundBytesPerSecond));
        RequirePositive(latencySeconds, nameof(latencySeconds));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        OutboundBytesPerSecond = outboundBytesPerSecond;
        InboundBytesPerSecond = inboundBytesPerSecond;
        LatencySeconds = latencySeconds;
        ChunkBytes = chunkBytes;
    }

    /// <summary>
    /// The link model of a class of links in a hardware description (<see cref="HardwareSpec.Links"/>): every rank's
    /// outbound and inbound bandwidth is the link's per-direction bandwidth, and the latency and chunk size are the
    /// link's. Weight sync over a cluster's scale-up fabric reads it from the cluster's scale-up link class, so that the
    /// figures are stated once, in the hardware JSON (<c>h800</c>'s NVLink: 200e9 B/s per direction, 5 us, 4 MiB chunks).
    /// </summary>
    /// <param name="link">The link class's figures.</param>
    /// <returns>The link model.</returns>
    /// <exception cref="ArgumentException">
    /// The link is one medium shared by every transfer (<see cref="LinkSpec.Shared"/>, a system-on-chip's DRAM): the
    /// model gives each rank ports of its own, which would overstate such a link's bandwidth.
    /// </exception>
    public static LinkModel From(LinkSpec link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link.Shared)
        {
            throw new ArgumentException("A shared medium (every transfer divides one bandwidth) is not a port per rank; the relay model does not apply to it.", nameof(link));
        }

        return new LinkModel(link.BytesPerSecond, link.BytesPerSecond, link.LatencySeconds, link.ChunkBytes);
    }

    /// <summary>Each rank's sustained outbound bandwidth, in bytes per second.</summary>
    public double OutboundBytesPerSecond { get; }

    /// <summary>Each rank's sustained inbound bandwidth, in bytes per second.</summary>
    public double InboundBytesPerSecond { get; }

    /// <summary>The fixed cost of one chunk (one message), in seconds.</summary>
    public double LatencySeconds { get; }

    /// <summary>The largest chunk, in bytes: weights of <c>B</c> bytes move as <c>ceil(B / ChunkBytes)</c> chunks.</summary>
    public long ChunkBytes { get; }

    /// <summary>
    /// The rate one chunk moves at: the slower of the sender's outbound and the receiver's inbound link, since a
    /// point-to-point transfer can go no faster than either end.
    /// </summary>
    public double PointToPointBytesPerSecond => Math.Min(OutboundBytesPerSecond, InboundBytesPerSecond);

    /// <summary>The time one chunk takes from one rank to another: <c>LatencySeconds + bytes / PointToPointBytesPerSecond</c>.</summary>
    /// <param name="bytes">The chunk's size.</param>
    /// <returns>Seconds.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public double TransferSeconds(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return LatencySeconds + (bytes / PointToPointBytesPerSecond);
    }

    /// <summary>The number of chunks that <paramref name="bytes"/> of weights move as.</summary>
    /// <param name="bytes">The weights' size.</param>
    /// <returns><c>ceil(bytes / ChunkBytes)</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public long ChunkCount(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);

        // Division and remainder rather than (bytes + ChunkBytes - 1) / ChunkBytes, which overflows near long.MaxValue.
        return (bytes / ChunkBytes) + (bytes % ChunkBytes == 0 ? 0 : 1);
    }

    private static void RequirePositive(double value, string name)
    {
        // Written as !(value > 0) so that NaN fails too; an infinite bandwidth or latency would make every time 0 or infinite.
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite, but is {value}.");
        }
    }
}
