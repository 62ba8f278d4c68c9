using Planning.Graph;
using Planning.Soc;

namespace Planning.Tests.Soc;

public sealed class SocSpecTests
{
    [Fact]
    public void Default_CoreUltra125H_ThreeAcceleratorsOnOneDram()
    {
        var soc = SocSpec.Default;

        Assert.Equal([DeviceKind.Cpu, DeviceKind.IntegratedGpu, DeviceKind.Npu], soc.Accelerators.ToArray());
        Assert.Equal(84e9, soc.DramBytesPerSecond);
        Assert.Equal(11.5e12, soc.PeakFlops(DeviceKind.Npu));
        Assert.Equal(18e12, soc.PeakFlops(DeviceKind.IntegratedGpu));
        Assert.Equal(3, soc.Cluster.Devices.Length);
        Assert.Single(soc.Cluster.Domains);
        Assert.Equal(LinkClass.SharedDram, soc.Cluster.LinkClassBetween(soc.DeviceIndex(DeviceKind.Npu), soc.DeviceIndex(DeviceKind.IntegratedGpu)));
    }

    [Fact]
    public void Load_GpuCluster_NamesTheDevicesField()
    {
        var error = Assert.Throws<PlanningInputException>(() => SocSpec.Load("h100"));

        Assert.Equal("soc.devices", error.Field);
    }

    [Fact]
    public void Load_MissingFile_NamesTheSocField()
    {
        var error = Assert.Throws<PlanningInputException>(() => SocSpec.Load("/nonexistent/soc.json"));

        Assert.Equal("soc", error.Field);
    }

    [Fact]
    public void Load_UnknownName_NamesTheSocField()
    {
        var error = Assert.Throws<PlanningInputException>(() => SocSpec.Load("laptop"));

        Assert.Equal("soc", error.Field);
    }

    [Fact]
    public void From_NoSharedDram_NamesTheLinkField()
    {
        var hardware = SocSpec.Default.Hardware with
        {
            Links = SocSpec.Default.Hardware.Links.Remove(LinkClass.SharedDram).Add(LinkClass.NvLink, new LinkSpec { BytesPerSecond = 1e11, LatencySeconds = 1e-6 }),
        };

        var error = Assert.Throws<PlanningInputException>(() => SocSpec.From(hardware));

        Assert.Equal("soc.links.sharedDram", error.Field);
    }

    [Theory]
    [InlineData(DeviceKind.Cpu, "cpu")]
    [InlineData(DeviceKind.IntegratedGpu, "igpu")]
    [InlineData(DeviceKind.Npu, "npu")]
    public void Name_Accelerator_IsTheCliName(DeviceKind kind, string name) => Assert.Equal(name, SocSpec.Name(kind));
}
