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
    /// <summary>Creates a link model; every figure must be positive and finite.</summary>
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
    /// An H800-class NVLink scale-up domain: 200e9 B/s out and 200e9 B/s in per GPU (H800's NVLink is 400 GB/s
    /// bidirectional), 3 microseconds per chunk, 4 MiB chunks. These are stated assumptions, not measurements: the
    /// sustained figures of a real machine depend on the NCCL version, protocol and message size; pass a
    /// <see cref="LinkModel"/> of measured figures where they are known.
    /// </summary>
    public static LinkModel NvLinkH800 { get; } = new(200e9, 200e9, 3e-6, 4L << 20);

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
