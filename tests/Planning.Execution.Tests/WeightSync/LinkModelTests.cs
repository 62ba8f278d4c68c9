using Planning.Execution.WeightSync;
using Planning.Graph;

namespace Planning.Execution.Tests.WeightSync;

/// <summary>The link model read from a hardware description's link class.</summary>
public sealed class LinkModelTests
{
    /// <summary>A DeepSeek-V3 routed expert: gate, up and down projections of hidden 7168 x intermediate 2048, in bf16.</summary>
    private const long DeepSeekV3ExpertBytes = 3L * 7168 * 2048 * 2;

    [Fact]
    public void From_H800NvLink_HasTheSpecsFigures()
    {
        var link = LinkModel.From(HardwareSpec.Load("h800").Link(LinkClass.NvLink));

        Assert.Equal(200e9, link.OutboundBytesPerSecond);
        Assert.Equal(200e9, link.InboundBytesPerSecond);
        Assert.Equal(5e-6, link.LatencySeconds);
        Assert.Equal(4L << 20, link.ChunkBytes);
        Assert.Equal(5e-6 + ((4 << 20) / 200e9), link.TransferSeconds(4L << 20));
        Assert.Equal(21, link.ChunkCount(DeepSeekV3ExpertBytes));
        Assert.Equal(22, link.ChunkCount(DeepSeekV3ExpertBytes + 1));
    }

    [Fact]
    public void From_AnyLinkSpec_CopiesItsFiguresToBothDirections()
    {
        var spec = new LinkSpec { BytesPerSecond = 3e9, LatencySeconds = 2e-6, ChunkBytes = 1 << 16 };

        Assert.Equal(new LinkModel(3e9, 3e9, 2e-6, 1 << 16), LinkModel.From(spec));
    }

    [Fact]
    public void From_SharedMedium_Throws()
    {
        var dram = HardwareSpec.Load("core-ultra-5-125h").Link(LinkClass.SharedDram);

        Assert.Equal("link", Assert.Throws<ArgumentException>(() => LinkModel.From(dram)).ParamName);
    }
}
