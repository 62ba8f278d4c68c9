namespace Planning.Graph;

/// <summary>The kind of a device.</summary>
public enum DeviceKind
{
    /// <summary>A data-center GPU.</summary>
    Gpu,

    /// <summary>A CPU (a socket, or a system-on-chip's cores together).</summary>
    Cpu,

    /// <summary>An integrated GPU of a system-on-chip.</summary>
    IntegratedGpu,

    /// <summary>A neural processing unit of a system-on-chip.</summary>
    Npu,
}
