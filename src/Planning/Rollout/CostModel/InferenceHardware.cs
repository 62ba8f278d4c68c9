using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Rollout;

/// <summary>
/// The GPU an inference instance runs on, as the roofline of <see cref="CalibratedCostModel"/> sees it: a view of a
/// <see cref="HardwareSpec"/> (the device's peak FLOP/s, HBM bandwidth and capacity, the NVLink bandwidth, and the
/// tensor-parallel degrees its nodes allow) together with the serving engine's policy
/// (<see cref="ServingEngineSettings"/>). Build it with <see cref="From"/>; the figures are read once.
/// </summary>
public sealed class InferenceHardware
{
    private InferenceHardware(HardwareSpec spec, DeviceSpec device, ServingEngineSettings engine)
    {
        Spec = spec;
        Device = device;
        Engine = engine;
        PeakFlopsPerSecond = device.PeakFlops;
        MemoryBytesPerSecond = device.MemoryBytesPerSecond;
        MemoryBytes = device.MemoryBytes;
        InterconnectBytesPerSecond = spec.Link(LinkClass.NvLink).BytesPerSecond;
        var degrees = ImmutableArray.CreateBuilder<int>();
        for (var degree = 1; degree <= spec.DevicesPerNode; degree *= 2)
        {
            degrees.Add(degree);
        }

        TensorParallelDegrees = degrees.ToImmutable();
    }

    /// <summary>The hardware description the figures come from.</summary>
    public HardwareSpec Spec { get; }

    /// <summary>The GPU of the description's nodes.</summary>
    public DeviceSpec Device { get; }

    /// <summary>The serving engine's policy.</summary>
    public ServingEngineSettings Engine { get; }

    /// <summary>A name for reports: the GPU's, such as <c>H100-80GB SXM</c>.</summary>
    public string Name => Device.Name;

    /// <summary>
    /// Peak dense bf16 FLOP/s of one GPU (<see cref="DeviceSpec.PeakFlops"/>; not the sustained figure: the cost model's
    /// efficiencies are fitted against the peak).
    /// </summary>
    public double PeakFlopsPerSecond { get; }

    /// <summary>HBM bandwidth of one GPU, bytes a second.</summary>
    public double MemoryBytesPerSecond { get; }

    /// <summary>HBM capacity of one GPU, bytes.</summary>
    public double MemoryBytes { get; }

    /// <summary>GPU-to-GPU bandwidth per direction inside a node (the NVLink link class), bytes a second; a tensor-parallel group's all-reduces use it.</summary>
    public double InterconnectBytesPerSecond { get; }

    /// <summary>The fraction of each GPU's memory the engine may use (<see cref="ServingEngineSettings.UsableMemoryFraction"/>).</summary>
    public double UsableMemoryFraction => Engine.UsableMemoryFraction;

    /// <summary>Bytes a GPU keeps for activations, graphs and the sampler (<see cref="ServingEngineSettings.ActivationReserveBytesPerGpu"/>).</summary>
    public double ActivationReserveBytesPerGpu => Engine.ActivationReserveBytesPerGpu;

    /// <summary>The KV capacity a tensor-parallel degree must offer to be allowed (<see cref="ServingEngineSettings.MinKvTokens"/>).</summary>
    public long MinKvTokens => Engine.MinKvTokens;

    /// <summary>Bytes a weight (and an activation element) takes (<see cref="ServingEngineSettings.BytesPerParameter"/>).</summary>
    public int BytesPerParameter => Engine.BytesPerParameter;

    /// <summary>Bytes a KV-cache element takes (<see cref="ServingEngineSettings.KvBytesPerElement"/>).</summary>
    public int KvBytesPerElement => Engine.KvBytesPerElement;

    /// <summary>
    /// The degrees an instance may use, ascending: the powers of two up to the devices of a node (1, 2, 4 and 8 on
    /// <c>h100</c>), since a tensor-parallel group stays inside its node's NVLink.
    /// </summary>
    public ImmutableArray<int> TensorParallelDegrees { get; }

    /// <summary>The view of a hardware description's GPU under a serving engine's policy.</summary>
    /// <param name="hardware">The description: nodes of one kind of GPU, with an NVLink link class.</param>
    /// <param name="engine">The engine's policy; null for <see cref="ServingEngineSettings.Default"/>.</param>
    /// <returns>The view.</returns>
    /// <exception cref="PlanningInputException">The nodes hold other devices than one kind of GPU (<c>hardware.devices</c>), the description has no NVLink (<c>hardware.links.nvlink</c>), or a figure is out of range.</exception>
    public static InferenceHardware From(HardwareSpec hardware, ServingEngineSettings? engine = null)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        hardware.Validate();
        var chosen = (engine ?? ServingEngineSettings.Default).Validate();
        if (!hardware.IsHomogeneous || hardware.Devices[0].Kind != DeviceKind.Gpu)
        {
            throw new PlanningInputException(
                "hardware.devices",
                string.Create(CultureInfo.InvariantCulture, $"must be one kind of GPU to run inference instances on, but hardware \"{hardware.Name}\" has {string.Join(", ", hardware.Devices.Select(d => $"{d.Count} x {d.Name} ({d.Kind})"))}"));
        }

        return new InferenceHardware(hardware, hardware.Devices[0], chosen);
    }
}
