using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;

namespace Planning.Graph;

/// <summary>
/// One hardware description, the only one every planner and simulator reads devices and links from: the devices of
/// a node (kind, count, compute, memory), how many devices share a scale-up domain, and the figures of each link
/// class. It is a template: <see cref="Build"/> lays it out as a <see cref="ClusterGraph"/> of a given size.
/// </summary>
/// <remarks>
/// <para>JSON (the contract in docs/contracts.md): <c>name</c>, <c>description</c> (optional), <c>devices</c> (an
/// array of <c>{ name, kind: gpu|cpu|igpu|npu, count, peakFlops, computeEfficiency, memoryBytes,
/// memoryBytesPerSecond }</c>), <c>devicesPerDomain</c> (optional, default the node's device count; a multiple of it),
/// <c>links</c> (an object with any of <c>nvlink</c>, <c>network</c>, <c>pcie</c>, <c>sharedDram</c>, each
/// <c>{ bytesPerSecond, latencySeconds, chunkBytes, shared }</c>) and <c>assumptions</c> (optional strings saying where
/// each figure comes from).</para>
/// <para>Embedded defaults (<see cref="Names"/>): <c>h800</c> and <c>nvl72</c> (the MoE step simulator's training
/// clusters), <c>h100</c> (the rollout simulator's inference nodes) and <c>core-ultra-5-125h</c> (a laptop
/// system-on-chip: CPU, integrated GPU and NPU on one shared DRAM).</para>
/// </remarks>
public sealed record HardwareSpec
{
    private static readonly FrozenDictionary<string, LinkClass> LinkNames = new Dictionary<string, LinkClass>
    {
        ["nvlink"] = LinkClass.NvLink,
        ["network"] = LinkClass.Network,
        ["pcie"] = LinkClass.Pcie,
        ["sharedDram"] = LinkClass.SharedDram,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, DeviceKind> KindNames = new Dictionary<string, DeviceKind>
    {
        ["gpu"] = DeviceKind.Gpu,
        ["cpu"] = DeviceKind.Cpu,
        ["igpu"] = DeviceKind.IntegratedGpu,
        ["npu"] = DeviceKind.Npu,
    }.ToFrozenDictionary();

    /// <summary>The embedded hardware descriptions, by name.</summary>
    public static ImmutableArray<string> Names { get; } = ["h800", "nvl72", "h100", "core-ultra-5-125h"];

    /// <summary>The description's name.</summary>
    public required string Name { get; init; }

    /// <summary>A sentence about the machine; empty when none is given.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The devices of one node, in slot order (a device's slot is its index within its node).</summary>
    public required ImmutableArray<DeviceSpec> Devices { get; init; }

    /// <summary>Devices per scale-up domain; 0 (the default) for one domain per node.</summary>
    public int DevicesPerDomain { get; init; }

    /// <summary>The figures of each link class the hardware has.</summary>
    public required ImmutableDictionary<LinkClass, LinkSpec> Links { get; init; }

    /// <summary>Where each figure comes from (field, statement), as the description states them.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Assumptions { get; init; } = [];

    /// <summary>Devices per node: the sum of the device counts.</summary>
    public int DevicesPerNode => Devices.Sum(d => d.Count);

    /// <summary>Devices per scale-up domain: <see cref="DevicesPerDomain"/>, or the node's devices when that is 0.</summary>
    public int EffectiveDevicesPerDomain => DevicesPerDomain > 0 ? DevicesPerDomain : DevicesPerNode;

    /// <summary>The link class that joins the devices of a domain: NVLink where the hardware has it, else a system-on-chip's shared DRAM.</summary>
    public LinkClass ScaleUpLink => Links.ContainsKey(LinkClass.NvLink) || !Links.ContainsKey(LinkClass.SharedDram) ? LinkClass.NvLink : LinkClass.SharedDram;

    /// <summary>Whether the nodes hold one kind of device only (so a deployment may use part of a node).</summary>
    public bool IsHomogeneous => Devices.Length == 1;

    /// <summary>The figures of a link class.</summary>
    /// <param name="linkClass">The class.</param>
    /// <returns>Its figures.</returns>
    /// <exception cref="PlanningInputException">The hardware has no link of that class (the field is named).</exception>
    public LinkSpec Link(LinkClass linkClass) =>
        Links.TryGetValue(linkClass, out var link)
            ? link
            : throw new PlanningInputException($"hardware.links.{LinkName(linkClass)}", $"is required here, but hardware \"{Name}\" has no such link");

    /// <summary>The device in a slot of a node.</summary>
    /// <param name="slot">The slot, 0 to <see cref="DevicesPerNode"/> - 1.</param>
    /// <returns>The device's figures.</returns>
    public DeviceSpec DeviceInSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        foreach (var device in Devices)
        {
            if (slot < device.Count)
            {
                return device;
            }

            slot -= device.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(slot), slot, $"hardware \"{Name}\" has {DevicesPerNode} devices per node");
    }

    /// <summary>The shape of a cluster of <paramref name="devices"/> devices on this hardware: whole nodes and domains, the last possibly partial.</summary>
    /// <param name="devices">The number of devices.</param>
    /// <returns>The shape.</returns>
    public ClusterShape Shape(int devices) => new ClusterShape(devices, DevicesPerNode, EffectiveDevicesPerDomain).Validate();

    /// <summary>Lays this hardware out as a cluster of <paramref name="devices"/> devices (see <see cref="Shape"/>).</summary>
    /// <param name="devices">The number of devices.</param>
    /// <returns>The cluster graph.</returns>
    public ClusterGraph Build(int devices) => ClusterGraph.Build(Shape(devices), this);

    /// <summary>Loads an embedded description by name, or a user file by path.</summary>
    /// <param name="nameOrPath">One of <see cref="Names"/>, or the path of a JSON file of the same shape.</param>
    /// <param name="field">The field to blame when the name is unknown (the CLI passes its option, such as <c>--hardware</c>).</param>
    /// <returns>The checked description.</returns>
    /// <exception cref="PlanningInputException">The name is unknown, the file is missing or malformed, or a field is out of range.</exception>
    public static HardwareSpec Load(string nameOrPath, string field = "hardware")
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (Names.Contains(nameOrPath))
        {
            return Parse(ReadEmbedded(nameOrPath), $"embedded hardware \"{nameOrPath}\"");
        }

        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
        {
            return File.Exists(nameOrPath)
                ? Parse(File.ReadAllText(nameOrPath), $"file {nameOrPath}")
                : throw new PlanningInputException(field, $"file not found: {nameOrPath}");
        }

        throw new PlanningInputException(field, $"must be one of {string.Join(", ", Names)} or a JSON file, got \"{nameOrPath}\"");
    }

    /// <summary>Reads a description from JSON text (the shape in the remarks).</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">Where the text comes from, for messages.</param>
    /// <returns>The checked description.</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed, or a field is missing, unknown, of the wrong type or out of range.</exception>
    public static HardwareSpec Parse(string json, string source = "input") =>
        JsonFields.Read(json, "hardware", source, root =>
        {
            root.OnlyFields("name", "description", "devices", "devicesPerDomain", "links", "assumptions");
            var links = ImmutableDictionary.CreateBuilder<LinkClass, LinkSpec>();
            foreach (var (name, link) in root.Object("links").Objects())
            {
                if (!LinkNames.TryGetValue(name, out var linkClass))
                {
                    throw new PlanningInputException(link.Path, $"is not a link class ({source}); expected {string.Join(", ", LinkNames.Keys)}");
                }

                link.OnlyFields("bytesPerSecond", "latencySeconds", "chunkBytes", "shared");
                links[linkClass] = new LinkSpec
                {
                    BytesPerSecond = link.Number("bytesPerSecond"),
                    LatencySeconds = link.Number("latencySeconds"),
                    ChunkBytes = link.Integer("chunkBytes", LinkSpec.DefaultChunkBytes),
                    Shared = link.Boolean("shared", false),
                };
            }

            return new HardwareSpec
            {
                Name = root.String("name"),
                Description = root.String("description", string.Empty),
                Devices = [.. root.Array("devices").Select(ReadDevice)],
                DevicesPerDomain = root.Int32("devicesPerDomain", 0),
                Links = links.ToImmutable(),
                Assumptions = root.Notes("assumptions"),
            }.Validate();
        });

    /// <summary>Checks every field; errors name it (<c>hardware.devices[0].peakFlops</c>, <c>hardware.devicesPerDomain</c>, ...).</summary>
    /// <returns>This description.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public HardwareSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new PlanningInputException("hardware.name", "must be a non-empty string");
        }

        if (Devices.IsDefaultOrEmpty)
        {
            throw new PlanningInputException("hardware.devices", "must list at least one device");
        }

        for (var i = 0; i < Devices.Length; i++)
        {
            Devices[i].Validate(string.Create(CultureInfo.InvariantCulture, $"hardware.devices[{i}]"));
        }

        if (DevicesPerDomain < 0 || EffectiveDevicesPerDomain % DevicesPerNode != 0)
        {
            throw new PlanningInputException(
                "hardware.devicesPerDomain",
                string.Create(CultureInfo.InvariantCulture, $"must be a positive multiple of the devices per node ({DevicesPerNode}), got {DevicesPerDomain}"));
        }

        ArgumentNullException.ThrowIfNull(Links);
        foreach (var (linkClass, link) in Links)
        {
            link.Validate($"hardware.links.{LinkName(linkClass)}");
        }

        if (EffectiveDevicesPerDomain > 1 && !Links.ContainsKey(ScaleUpLink))
        {
            throw new PlanningInputException("hardware.links", $"must give nvlink or sharedDram: the {EffectiveDevicesPerDomain} devices of a domain need a scale-up link");
        }

        return this;
    }

    /// <summary>The JSON name of a link class (<c>nvlink</c>, <c>network</c>, <c>pcie</c>, <c>sharedDram</c>).</summary>
    /// <param name="linkClass">The class.</param>
    /// <returns>Its name.</returns>
    public static string LinkName(LinkClass linkClass) => LinkNames.First(pair => pair.Value == linkClass).Key;

    private static DeviceSpec ReadDevice(JsonFields device)
    {
        device.OnlyFields("name", "kind", "count", "peakFlops", "computeEfficiency", "memoryBytes", "memoryBytesPerSecond");
        var kind = device.String("kind");
        return new DeviceSpec
        {
            Name = device.String("name"),
            Kind = KindNames.TryGetValue(kind, out var parsed) ? parsed : throw device.Bad("kind", $"must be one of {string.Join(", ", KindNames.Keys)}, got \"{kind}\""),
            Count = device.Int32("count", 1),
            PeakFlops = device.Number("peakFlops"),
            ComputeEfficiency = device.Number("computeEfficiency", 1),
            MemoryBytes = device.Number("memoryBytes"),
            MemoryBytesPerSecond = device.Number("memoryBytesPerSecond"),
        };
    }

    private static string ReadEmbedded(string name)
    {
        var resource = $"Planning.Graph.Hardware.{name}.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded hardware description {resource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
