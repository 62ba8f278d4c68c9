using System.Collections.Immutable;
using System.Globalization;
using Planning.Execution.WeightSync;

namespace Planning.Execution.Moe;

/// <summary>
/// The machine the step simulator runs on: each GPU's bf16 peak and the fraction of it the experts' GEMMs reach, the
/// node and scale-up (NVLink) domain sizes, the per-GPU bandwidth inside and between domains, the fixed latency of a
/// message and the weight-sync chunk size. Embedded defaults (<see cref="Names"/>) hold stated assumptions;
/// <see cref="Load"/> also reads a user file of the same shape.
/// </summary>
/// <remarks>
/// <para>Embedded hardware (every number is an assumption, also stated in the JSON's <c>assumptions</c>):</para>
/// <list type="bullet">
/// <item><description><c>h800</c>: 989e12 FLOP/s dense bf16 peak at 0.55 efficiency; 8 GPUs per node, and the node is
/// the NVLink domain; NVLink 200e9 B/s per GPU per direction (H800's 400 GB/s bidirectional); 50e9 B/s per GPU per
/// direction between nodes (one 400 Gb/s InfiniBand NIC per GPU); 5 microseconds per message; 4 MiB sync chunks.</description></item>
/// <item><description><c>nvl72</c>: the same GPUs and links, but a 72-GPU NVLink domain (an NVL72-class rack of
/// H800-class GPUs; hypothetical, it isolates the domain's effect): UltraEP's domain rule can then place replicas on
/// any rank of EP64 or EP32.</description></item>
/// </list>
/// </remarks>
public sealed record MoeHardwareConfig
{
    private static readonly ImmutableArray<string> Fields =
    [
        "name", "bf16PeakFlops", "computeEfficiency", "ranksPerNode", "ranksPerDomain", "intraDomainBytesPerSecond",
        "interDomainBytesPerSecond", "latencySeconds", "weightSyncChunkBytes",
    ];

    /// <summary>The embedded hardware configurations, by name.</summary>
    public static ImmutableArray<string> Names { get; } = ["h800", "nvl72"];

    /// <summary>The configuration's name.</summary>
    public required string Name { get; init; }

    /// <summary>A sentence about the machine; empty when none is given.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Each GPU's dense bf16 peak, in FLOP/s.</summary>
    public required double Bf16PeakFlops { get; init; }

    /// <summary>The fraction of the peak the experts' GEMMs reach, in (0, 1].</summary>
    public required double ComputeEfficiency { get; init; }

    /// <summary>GPUs (ranks) per server node.</summary>
    public required int RanksPerNode { get; init; }

    /// <summary>GPUs per scale-up (NVLink) domain; a multiple of <see cref="RanksPerNode"/>.</summary>
    public required int RanksPerDomain { get; init; }

    /// <summary>Each GPU's bandwidth to GPUs of its own domain, per direction, in bytes per second.</summary>
    public required double IntraDomainBytesPerSecond { get; init; }

    /// <summary>Each GPU's bandwidth to GPUs of other domains, per direction, in bytes per second.</summary>
    public required double InterDomainBytesPerSecond { get; init; }

    /// <summary>The fixed cost of one message: of one all-to-all phase, and of one weight-sync chunk, in seconds.</summary>
    public required double LatencySeconds { get; init; }

    /// <summary>The chunk size of pipelined weight sync, in bytes.</summary>
    public required long WeightSyncChunkBytes { get; init; }

    /// <summary>The FLOP/s the experts' GEMMs sustain on one GPU: <c>Bf16PeakFlops x ComputeEfficiency</c>.</summary>
    public double SustainedFlops => Bf16PeakFlops * ComputeEfficiency;

    /// <summary>
    /// The link model weight sync is planned on (<see cref="WeightSyncPlanner"/>): replicas stay inside their master's
    /// domain, so every copy runs over the intra-domain links, in chunks of <see cref="WeightSyncChunkBytes"/>.
    /// </summary>
    public LinkModel WeightSyncLink => new(IntraDomainBytesPerSecond, IntraDomainBytesPerSecond, LatencySeconds, WeightSyncChunkBytes);

    /// <summary>Loads an embedded configuration by name, or a user file by path.</summary>
    /// <param name="nameOrPath">One of <see cref="Names"/> or the path of a JSON file of the same shape.</param>
    /// <param name="field">The field to blame when the name is unknown (default <c>hardware</c>; the CLI passes <c>--hardware</c>).</param>
    /// <returns>The checked configuration.</returns>
    /// <exception cref="PlanningInputException">The name is unknown, the file is missing or malformed, or a field is out of range (the field is named).</exception>
    public static MoeHardwareConfig Load(string nameOrPath, string field = "hardware") =>
        SimulationConfigReader.Load(nameOrPath, field, "hardware", Names, Parse);

    /// <summary>Reads a configuration from JSON text.</summary>
    /// <param name="json">
    /// The JSON: <c>name</c>, <c>bf16PeakFlops</c>, <c>computeEfficiency</c>, <c>ranksPerNode</c>, <c>ranksPerDomain</c>,
    /// <c>intraDomainBytesPerSecond</c>, <c>interDomainBytesPerSecond</c>, <c>latencySeconds</c>,
    /// <c>weightSyncChunkBytes</c>, and optionally <c>description</c> and <c>assumptions</c> (an object of strings).
    /// </param>
    /// <param name="source">Where the text comes from, for messages.</param>
    /// <returns>The checked configuration.</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed, a field is missing, unknown, of the wrong type or out of range.</exception>
    public static MoeHardwareConfig Parse(string json, string source = "input") =>
        SimulationConfigReader.Parse(json, "hardware", source, Fields, reader => new MoeHardwareConfig
        {
            Name = reader.String("name"),
            Description = reader.OptionalString("description"),
            Bf16PeakFlops = reader.Number("bf16PeakFlops"),
            ComputeEfficiency = reader.Number("computeEfficiency"),
            RanksPerNode = reader.Int32("ranksPerNode"),
            RanksPerDomain = reader.Int32("ranksPerDomain"),
            IntraDomainBytesPerSecond = reader.Number("intraDomainBytesPerSecond"),
            InterDomainBytesPerSecond = reader.Number("interDomainBytesPerSecond"),
            LatencySeconds = reader.Number("latencySeconds"),
            WeightSyncChunkBytes = reader.Integer("weightSyncChunkBytes"),
        }.Validate(source));

    /// <summary>Checks every field; errors name it (<c>hardware.latencySeconds</c>, ...).</summary>
    /// <param name="source">Where the configuration comes from, for messages.</param>
    /// <returns>This configuration.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public MoeHardwareConfig Validate(string source = "input")
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw Bad(source, "name", "must be a non-empty string");
        }

        Positive(source, "bf16PeakFlops", Bf16PeakFlops);
        Positive(source, "computeEfficiency", ComputeEfficiency);
        if (ComputeEfficiency > 1)
        {
            throw Bad(source, "computeEfficiency", string.Create(CultureInfo.InvariantCulture, $"must be a fraction of the peak in (0, 1], got {ComputeEfficiency}"));
        }

        Positive(source, "ranksPerNode", RanksPerNode);
        Positive(source, "ranksPerDomain", RanksPerDomain);
        if (RanksPerDomain % RanksPerNode != 0)
        {
            throw Bad(source, "ranksPerDomain", string.Create(CultureInfo.InvariantCulture, $"must be a multiple of ranksPerNode ({RanksPerNode}), got {RanksPerDomain}"));
        }

        Positive(source, "intraDomainBytesPerSecond", IntraDomainBytesPerSecond);
        Positive(source, "interDomainBytesPerSecond", InterDomainBytesPerSecond);
        Positive(source, "latencySeconds", LatencySeconds);
        Positive(source, "weightSyncChunkBytes", WeightSyncChunkBytes);
        return this;
    }

    private static void Positive(string source, string field, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw Bad(source, field, string.Create(CultureInfo.InvariantCulture, $"must be a positive number, got {value}"));
        }
    }

    private static PlanningInputException Bad(string source, string field, string problem) => new($"hardware.{field}", $"{problem} ({source})");
}
