namespace Planning.Graph;

/// <summary>
/// The figures of one class of link: each device's sustained bandwidth per direction, the fixed cost of one message,
/// the chunk size pipelined transfers use over it, and whether the bandwidth is one medium shared by every transfer.
/// </summary>
public sealed record LinkSpec
{
    /// <summary>Default chunk of pipelined transfers: 4 MiB.</summary>
    public const long DefaultChunkBytes = 4L << 20;

    /// <summary>Each device's sustained bandwidth over this link class, per direction, in bytes per second.</summary>
    public required double BytesPerSecond { get; init; }

    /// <summary>The fixed cost of one message (one all-to-all phase, one chunk), in seconds.</summary>
    public required double LatencySeconds { get; init; }

    /// <summary>The chunk size of pipelined transfers over this link, in bytes. Default <see cref="DefaultChunkBytes"/>.</summary>
    public long ChunkBytes { get; init; } = DefaultChunkBytes;

    /// <summary>
    /// Whether <see cref="BytesPerSecond"/> is one medium that every concurrent transfer shares (a system-on-chip's
    /// DRAM) rather than each device's own port (an NVLink or network port). Default false.
    /// </summary>
    public bool Shared { get; init; }

    /// <summary>Checks every figure; errors name the field under <paramref name="path"/>.</summary>
    /// <param name="path">The JSON path of this link class, such as <c>hardware.links.nvlink</c>.</param>
    /// <returns>This link class.</returns>
    /// <exception cref="PlanningInputException">A figure is out of range.</exception>
    public LinkSpec Validate(string path = "link")
    {
        HardwareFigures.Positive($"{path}.bytesPerSecond", BytesPerSecond);
        HardwareFigures.Positive($"{path}.latencySeconds", LatencySeconds);
        HardwareFigures.Positive($"{path}.chunkBytes", ChunkBytes);
        return this;
    }
}
