using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Soc;

/// <summary>
/// A system-on-chip as the Agent.xpu planners see it: a view of a <see cref="HardwareSpec"/> laid out as one
/// <see cref="ClusterGraph"/> node whose devices are a CPU, an integrated GPU and an NPU sharing one DRAM link
/// (<see cref="LinkClass.SharedDram"/>). It adds no figures of its own: peaks and bandwidth are the hardware
/// description's, so a user file in the hardware JSON format describes another SoC.
/// </summary>
public sealed class SocSpec
{
    private readonly ImmutableDictionary<DeviceKind, int> _deviceOf;

    private SocSpec(HardwareSpec hardware)
    {
        Hardware = hardware;
        Cluster = hardware.Build(hardware.DevicesPerNode);
        var deviceOf = ImmutableDictionary.CreateBuilder<DeviceKind, int>();
        for (var d = 0; d < Cluster.Devices.Length; d++)
        {
            deviceOf[Cluster.Devices[d].DeviceKind] = d;
        }

        _deviceOf = deviceOf.ToImmutable();
        Accelerators = [.. Cluster.Devices.Select(d => d.DeviceKind)];
        DramBytesPerSecond = hardware.Link(LinkClass.SharedDram).BytesPerSecond;
    }

    /// <summary>The embedded Core Ultra 5 125H-like SoC (<c>core-ultra-5-125h</c>): CPU about 5 TOPS, iGPU about 18 TOPS, NPU about 11.5 TOPS, about 84 GB/s of shared DRAM.</summary>
    public static SocSpec Default { get; } = Load("core-ultra-5-125h");

    /// <summary>The hardware description.</summary>
    public HardwareSpec Hardware { get; }

    /// <summary>The SoC laid out as a cluster graph: one node, its three devices and the shared-DRAM links between them.</summary>
    public ClusterGraph Cluster { get; }

    /// <summary>The accelerators, in device order (for the embedded SoC: CPU, integrated GPU, NPU).</summary>
    public ImmutableArray<DeviceKind> Accelerators { get; }

    /// <summary>The DRAM bandwidth every accelerator shares, in bytes per second (the shared-DRAM link's figure).</summary>
    public double DramBytesPerSecond { get; }

    /// <summary>Loads a SoC: an embedded hardware name or a JSON file in the hardware format.</summary>
    /// <param name="nameOrPath">A name of <see cref="HardwareSpec.Names"/> or a path.</param>
    /// <returns>The SoC.</returns>
    /// <exception cref="PlanningInputException">
    /// The description cannot be read, or is not a SoC: it must hold exactly one CPU, one integrated GPU and one NPU
    /// (field <c>soc.devices</c>) and a shared-DRAM link (field <c>soc.links.sharedDram</c>).
    /// </exception>
    public static SocSpec Load(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        return From(HardwareSpec.Load(nameOrPath, "soc"));
    }

    /// <summary>Views a hardware description as a SoC.</summary>
    /// <param name="hardware">The description.</param>
    /// <returns>The SoC.</returns>
    /// <exception cref="PlanningInputException">The description is not a SoC (see <see cref="Load"/>).</exception>
    public static SocSpec From(HardwareSpec hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        hardware.Validate();
        DeviceKind[] required = [DeviceKind.Cpu, DeviceKind.IntegratedGpu, DeviceKind.Npu];
        var kinds = Enumerable.Range(0, hardware.DevicesPerNode).Select(s => hardware.DeviceInSlot(s).Kind).ToList();
        foreach (var kind in required)
        {
            var count = kinds.Count(k => k == kind);
            if (count != 1)
            {
                throw new PlanningInputException("soc.devices", string.Create(CultureInfo.InvariantCulture, $"a SoC needs exactly one {Name(kind)} device, hardware \"{hardware.Name}\" has {count}"));
            }
        }

        if (kinds.Count != required.Length)
        {
            throw new PlanningInputException("soc.devices", string.Create(CultureInfo.InvariantCulture, $"a SoC holds a cpu, an igpu and an npu only, hardware \"{hardware.Name}\" has {kinds.Count} devices"));
        }

        if (!hardware.Links.ContainsKey(LinkClass.SharedDram) || hardware.EffectiveDevicesPerDomain != hardware.DevicesPerNode)
        {
            throw new PlanningInputException("soc.links.sharedDram", $"a SoC's devices share one DRAM: hardware \"{hardware.Name}\" needs a sharedDram link joining all its devices");
        }

        return new SocSpec(hardware);
    }

    /// <summary>The figures of an accelerator.</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>Its figures.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The SoC has no such accelerator.</exception>
    public DeviceSpec Device(DeviceKind accelerator) => Cluster.DeviceSpec(DeviceIndex(accelerator));

    /// <summary>The index of an accelerator's device in <see cref="Cluster"/>.</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>The device index.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The SoC has no such accelerator.</exception>
    public int DeviceIndex(DeviceKind accelerator) =>
        _deviceOf.TryGetValue(accelerator, out var index)
            ? index
            : throw new ArgumentOutOfRangeException(nameof(accelerator), accelerator, "The SoC has no such accelerator.");

    /// <summary>The peak operations per second of an accelerator (the hardware description's <c>peakFlops</c>).</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>Its peak.</returns>
    public double PeakFlops(DeviceKind accelerator) => Device(accelerator).PeakFlops;

    /// <summary>The name the CLI and JSON use for an accelerator: <c>cpu</c>, <c>igpu</c>, <c>npu</c> (<c>gpu</c> for a discrete GPU).</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>Its name.</returns>
    public static string Name(DeviceKind accelerator) => accelerator switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.IntegratedGpu => "igpu",
        DeviceKind.Npu => "npu",
        DeviceKind.Gpu => "gpu",
        _ => throw new ArgumentOutOfRangeException(nameof(accelerator), accelerator, "Unknown device kind."),
    };
}
