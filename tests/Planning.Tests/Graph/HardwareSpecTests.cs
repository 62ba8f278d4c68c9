using Planning.Graph;

namespace Planning.Tests.Graph;

public sealed class HardwareSpecTests
{
    private const string Minimal = """
        {
          "name": "test",
          "devices": [ { "name": "G", "kind": "gpu", "count": 4, "peakFlops": 1e12, "memoryBytes": 8e9, "memoryBytesPerSecond": 1e12 } ],
          "links": { "nvlink": { "bytesPerSecond": 1e11, "latencySeconds": 1e-6 }, "network": { "bytesPerSecond": 1e10, "latencySeconds": 2e-6 } }
        }
        """;

    [Theory]
    [InlineData("h800", 8, 8, 200e9)]
    [InlineData("nvl72", 8, 72, 200e9)]
    [InlineData("h100", 8, 8, 450e9)]
    public void Load_EmbeddedGpuClusters_ReadTheirFigures(string name, int perNode, int perDomain, double nvlink)
    {
        var hardware = HardwareSpec.Load(name);

        Assert.Equal(name, hardware.Name);
        Assert.Equal(perNode, hardware.DevicesPerNode);
        Assert.Equal(perDomain, hardware.EffectiveDevicesPerDomain);
        Assert.Equal(nvlink, hardware.Link(LinkClass.NvLink).BytesPerSecond);
        Assert.NotEmpty(hardware.Assumptions);
    }

    [Fact]
    public void Parse_Minimal_DefaultsApply()
    {
        var hardware = HardwareSpec.Parse(Minimal);

        Assert.Equal(4, hardware.EffectiveDevicesPerDomain);
        Assert.Equal(1.0, hardware.Devices[0].ComputeEfficiency);
        Assert.Equal(LinkSpec.DefaultChunkBytes, hardware.Link(LinkClass.NvLink).ChunkBytes);
        Assert.False(hardware.Link(LinkClass.Network).Shared);
        Assert.Equal(LinkClass.NvLink, hardware.ScaleUpLink);
    }

    [Theory]
    [InlineData("\"kind\": \"gpu\"", "\"kind\": \"tpu\"", "hardware.devices[0].kind")]
    [InlineData("\"count\": 4", "\"count\": 0", "hardware.devices[0].count")]
    [InlineData("\"peakFlops\": 1e12", "\"peakFlops\": -1", "hardware.devices[0].peakFlops")]
    [InlineData("\"nvlink\":", "\"infiniband\":", "hardware.links.infiniband")]
    [InlineData("\"bytesPerSecond\": 1e11", "\"bytesPerSecond\": \"fast\"", "hardware.links.nvlink.bytesPerSecond")]
    [InlineData("\"name\": \"test\",", "\"name\": \"test\", \"devicesPerDomain\": 6,", "hardware.devicesPerDomain")]
    [InlineData("\"name\": \"test\",", "\"name\": \"test\", \"ranksPerNode\": 8,", "hardware.ranksPerNode")]
    [InlineData("\"latencySeconds\": 1e-6", "\"latencySeconds\": 1e-6, \"shared\": 1", "hardware.links.nvlink.shared")]
    public void Parse_BadField_NamesIt(string from, string to, string field)
    {
        var json = Minimal.Replace(from, to, StringComparison.Ordinal);

        var error = Assert.Throws<PlanningInputException>(() => HardwareSpec.Parse(json));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Parse_NoScaleUpLinkForSeveralDevices_Throws()
    {
        var json = Minimal.Replace("\"nvlink\": { \"bytesPerSecond\": 1e11, \"latencySeconds\": 1e-6 },", string.Empty, StringComparison.Ordinal);

        Assert.Equal("hardware.links", Assert.Throws<PlanningInputException>(() => HardwareSpec.Parse(json)).Field);
    }

    [Fact]
    public void Parse_MalformedJson_NamesTheRoot()
    {
        Assert.Equal("hardware", Assert.Throws<PlanningInputException>(() => HardwareSpec.Parse("{ \"name\": ")).Field);
    }

    [Fact]
    public void Load_UnknownNameOrMissingFile_NamesTheField()
    {
        Assert.Equal("--hardware", Assert.Throws<PlanningInputException>(() => HardwareSpec.Load("a100", "--hardware")).Field);
        Assert.Equal("--hardware", Assert.Throws<PlanningInputException>(() => HardwareSpec.Load("/nonexistent/hw.json", "--hardware")).Field);
    }

    [Fact]
    public void Shape_PartialLastNode_IsAllowed()
    {
        var shape = HardwareSpec.Parse(Minimal).Shape(6);

        Assert.Equal(2, shape.Nodes);
        Assert.Equal(2, shape.Domains);
    }
}
