using Planning.Graph;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class InferenceHardwareTests
{
    private static readonly HardwareSpec H100 = HardwareSpec.Load("h100");

    [Fact]
    public void From_H100_DeviceAndLinkFiguresAreTheSpecs()
    {
        var view = InferenceHardware.From(H100);

        Assert.Same(H100, view.Spec);
        Assert.Equal("H100-80GB SXM", view.Name);
        Assert.Equal(H100.Devices[0].PeakFlops, view.PeakFlopsPerSecond);
        Assert.Equal(H100.Devices[0].MemoryBytesPerSecond, view.MemoryBytesPerSecond);
        Assert.Equal(H100.Devices[0].MemoryBytes, view.MemoryBytes);
        Assert.Equal(H100.Link(LinkClass.NvLink).BytesPerSecond, view.InterconnectBytesPerSecond);
        Assert.Equal((989e12, 3.35e12, 80e9, 450e9), (view.PeakFlopsPerSecond, view.MemoryBytesPerSecond, view.MemoryBytes, view.InterconnectBytesPerSecond));
        Assert.Equal([1, 2, 4, 8], view.TensorParallelDegrees.ToArray());
    }

    [Fact]
    public void From_DefaultEngine_EngineFiguresAreTheEmbeddedPolicy()
    {
        var view = InferenceHardware.From(H100);

        Assert.Same(ServingEngineSettings.Default, view.Engine);
        Assert.Equal((0.9, 2e9, 65_536L, 2, 2), (view.UsableMemoryFraction, view.ActivationReserveBytesPerGpu, view.MinKvTokens, view.BytesPerParameter, view.KvBytesPerElement));
    }

    [Fact]
    public void DefaultHardware_IsTheViewOfTheEmbeddedH100()
    {
        var view = CalibratedCostModel.DefaultHardware;

        Assert.Equal("h100", view.Spec.Name);
        Assert.Equal(InferenceHardware.From(H100).PeakFlopsPerSecond, view.PeakFlopsPerSecond);
        Assert.Equal(InferenceHardware.From(H100).TensorParallelDegrees.ToArray(), view.TensorParallelDegrees.ToArray());
    }

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(4, new[] { 1, 2, 4 })]
    [InlineData(6, new[] { 1, 2, 4 })]
    [InlineData(16, new[] { 1, 2, 4, 8, 16 })]
    public void TensorParallelDegrees_PowersOfTwoUpToTheGpusOfANode(int gpusPerNode, int[] degrees)
    {
        var spec = H100 with { Devices = [H100.Devices[0] with { Count = gpusPerNode }], DevicesPerDomain = gpusPerNode };

        Assert.Equal(degrees, InferenceHardware.From(spec).TensorParallelDegrees.ToArray());
    }

    [Fact]
    public void From_OtherEngine_ItsPolicy()
    {
        var engine = ServingEngineSettings.Default with { UsableMemoryFraction = 0.5, BytesPerParameter = 1 };

        var view = InferenceHardware.From(H100, engine);

        Assert.Equal((0.5, 1), (view.UsableMemoryFraction, view.BytesPerParameter));
    }

    [Fact]
    public void From_SystemOnChip_RejectedNamingTheDevices()
    {
        var error = Assert.Throws<PlanningInputException>(() => InferenceHardware.From(HardwareSpec.Load("core-ultra-5-125h")));

        Assert.Equal("hardware.devices", error.Field);
        Assert.Contains("one kind of GPU", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NoNvLink_RejectedNamingTheLink()
    {
        var single = H100 with { Devices = [H100.Devices[0] with { Count = 1 }], DevicesPerDomain = 1, Links = H100.Links.Remove(LinkClass.NvLink) };

        Assert.Equal("hardware.links.nvlink", Assert.Throws<PlanningInputException>(() => InferenceHardware.From(single)).Field);
    }

    [Fact]
    public void From_BadEngine_RejectedNamingTheField()
    {
        var engine = ServingEngineSettings.Default with { KvBytesPerElement = 0 };

        Assert.Equal("engine.kvBytesPerElement", Assert.Throws<PlanningInputException>(() => InferenceHardware.From(H100, engine)).Field);
    }
}
