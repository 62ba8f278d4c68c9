namespace Planning.Graph;

/// <summary>
/// The class of a link. A cluster's links of one class share one set of figures (<see cref="LinkSpec"/>), stated once
/// in its hardware description.
/// </summary>
public enum LinkClass
{
    /// <summary>A scale-up GPU fabric (NVLink through NVSwitch): every pair of devices of one domain.</summary>
    NvLink,

    /// <summary>The scale-out network (InfiniBand or RoCE): every pair of devices in different domains.</summary>
    Network,

    /// <summary>The host bus: a node's host memory to each of its devices (weights reloaded from host memory, for example).</summary>
    Pcie,

    /// <summary>
    /// The shared DRAM of a system-on-chip: every pair of its devices, which all read and write one memory, so the
    /// bandwidth is shared by everything running at once (<see cref="LinkSpec.Shared"/>).
    /// </summary>
    SharedDram,
}
