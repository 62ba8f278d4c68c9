using System.Globalization;

namespace Planning.Graph;

/// <summary>
/// How many devices a cluster has and how they group: devices fill nodes of <paramref name="DevicesPerNode"/> in
/// index order, nodes fill scale-up domains of <paramref name="DevicesPerDomain"/> devices; the last node and domain
/// may be partial.
/// </summary>
/// <param name="Devices">The number of devices (ranks).</param>
/// <param name="DevicesPerNode">Devices per node.</param>
/// <param name="DevicesPerDomain">Devices per scale-up domain; a multiple of <paramref name="DevicesPerNode"/> (a domain is whole nodes).</param>
public sealed record ClusterShape(int Devices, int DevicesPerNode, int DevicesPerDomain)
{
    /// <summary>The number of nodes, the last possibly partial.</summary>
    public int Nodes => (Devices + DevicesPerNode - 1) / DevicesPerNode;

    /// <summary>The number of scale-up domains, the last possibly partial.</summary>
    public int Domains => (Devices + DevicesPerDomain - 1) / DevicesPerDomain;

    /// <summary>The node of a device.</summary>
    /// <param name="device">The device's index.</param>
    /// <returns>Its node's index.</returns>
    public int NodeOf(int device) => device / DevicesPerNode;

    /// <summary>Checks the shape; errors name the field.</summary>
    /// <returns>This shape.</returns>
    /// <exception cref="PlanningInputException">A count is not positive, or a domain is not whole nodes.</exception>
    public ClusterShape Validate()
    {
        Positive("devices", Devices);
        Positive("devicesPerNode", DevicesPerNode);
        Positive("devicesPerDomain", DevicesPerDomain);
        if (DevicesPerDomain % DevicesPerNode != 0)
        {
            throw new PlanningInputException(
                "devicesPerDomain",
                string.Create(CultureInfo.InvariantCulture, $"must be a multiple of devicesPerNode ({DevicesPerNode}): a scale-up domain is whole nodes, got {DevicesPerDomain}"));
        }

        return this;
    }

    private static void Positive(string field, int value)
    {
        if (value < 1)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a positive integer, got {value}"));
        }
    }
}
