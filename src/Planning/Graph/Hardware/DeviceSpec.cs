using System.Globalization;

namespace Planning.Graph;

/// <summary>
/// The figures of one kind of device in a node: what it is, how many of it the node holds, its peak compute, the
/// fraction of that peak the workloads sustain, and its memory.
/// </summary>
public sealed record DeviceSpec
{
    /// <summary>A name for reports, such as <c>H800 SXM</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The kind of device.</summary>
    public required DeviceKind Kind { get; init; }

    /// <summary>How many of this device one node holds. Default 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Peak dense operations per second at the precision the device runs (bf16 FLOP/s on a GPU, int8 OP/s on an NPU).</summary>
    public required double PeakFlops { get; init; }

    /// <summary>The fraction of <see cref="PeakFlops"/> the workloads' kernels sustain, in (0, 1]. Default 1.</summary>
    public double ComputeEfficiency { get; init; } = 1;

    /// <summary>The device's memory, in bytes (for a system-on-chip, the DRAM it may use).</summary>
    public required double MemoryBytes { get; init; }

    /// <summary>The device's memory bandwidth, in bytes per second.</summary>
    public required double MemoryBytesPerSecond { get; init; }

    /// <summary>The operations per second the workloads sustain: <c>PeakFlops x ComputeEfficiency</c>.</summary>
    public double SustainedFlops => PeakFlops * ComputeEfficiency;

    /// <summary>Checks every figure; errors name the field under <paramref name="path"/>.</summary>
    /// <param name="path">The JSON path of this device, such as <c>hardware.devices[0]</c>.</param>
    /// <returns>This device.</returns>
    /// <exception cref="PlanningInputException">A figure is out of range.</exception>
    public DeviceSpec Validate(string path = "device")
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new PlanningInputException($"{path}.name", "must be a non-empty string");
        }

        if (Count < 1)
        {
            throw new PlanningInputException($"{path}.count", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {Count}"));
        }

        HardwareFigures.Positive($"{path}.peakFlops", PeakFlops);
        HardwareFigures.Positive($"{path}.computeEfficiency", ComputeEfficiency);
        if (ComputeEfficiency > 1)
        {
            throw new PlanningInputException($"{path}.computeEfficiency", string.Create(CultureInfo.InvariantCulture, $"must be a fraction of the peak in (0, 1], got {ComputeEfficiency}"));
        }

        HardwareFigures.Positive($"{path}.memoryBytes", MemoryBytes);
        HardwareFigures.Positive($"{path}.memoryBytesPerSecond", MemoryBytesPerSecond);
        return this;
    }
}
