using Planning.Moe.ReLibra;
using static Planning.Tests.Moe.ReLibra.ReLibraTestData;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>The binary form of a routing replay: the exact bytes of a tiny replay, round trips, damaged bytes named.</summary>
public sealed class RoutingReplayBinaryTests
{
    // "RLRP", version 1, ranks 1, ranksPerDomain 1, ranksPerNode 1, expertsPerRank 2, redundant 0, no expert groups (0),
    // 1 layer, 1 microbatch; batch 0, microbatch 0; counts 3 and 200 (200 = 0x48 | 0x80, then 1).
    private static readonly byte[] Golden = [0x52, 0x4C, 0x52, 0x50, 1, 1, 1, 1, 2, 0, 0, 1, 1, 0, 0, 3, 0xC8, 0x01];

    [Fact]
    public void Serialize_TinyReplay_WritesTheDocumentedBytes()
    {
        Assert.Equal(Golden, RoutingReplayBinary.Serialize(Replay((0, 0, Case(1, 1, 2, 0, [3, 200])))));
    }

    [Fact]
    public void Read_DocumentedBytes_GivesTheReplay()
    {
        var replay = RoutingReplayBinary.Read(new MemoryStream(Golden));

        var only = Assert.Single(replay.Microbatches);
        Assert.Equal((0, 0), (only.Batch, only.Microbatch));
        Assert.Equal([3L, 200L], only.Case.Layers[0].ExpertLoads.ToArray());
        Assert.True(RoutingReplayBinary.IsBinary(Golden));
        Assert.False(RoutingReplayBinary.IsBinary("{\"batch\""u8));
    }

    [Fact]
    public void Read_Written_RoundTripsAndIsSmallerThanJsonLines()
    {
        var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings { Ranks = 8, RanksPerNode = 4, ExpertsPerRank = 2, RedundantSlotsPerRank = 1, Layers = 2, Batches = 2, Microbatches = 2, TokensPerRank = 256, TopK = 4, HotExperts = 4, Seed = 3 });

        var bytes = RoutingReplayBinary.Serialize(replay);
        var read = RoutingReplayBinary.Read(new MemoryStream(bytes));

        Assert.Equal(RoutingReplayJson.SerializeLines(replay), RoutingReplayJson.SerializeLines(read));
        Assert.True(bytes.Length * 2 < RoutingReplayJson.SerializeLines(replay).Length, $"{bytes.Length} bytes binary");
    }

    [Theory]
    [InlineData(3, "replay.magic")]
    [InlineData(5, "replay.ranks")]
    [InlineData(12, "replay.microbatches")]
    [InlineData(14, "replay.microbatches[0].microbatch")]
    [InlineData(16, "replay.microbatches[0].tokensPerRankLayer[0][0][1]")]
    [InlineData(17, "replay.microbatches[0].tokensPerRankLayer[0][0][1]")]
    public void Read_CutShort_NamesTheFieldItEndsIn(int length, string field)
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayBinary.Read(new MemoryStream(Golden[..length])));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Read_WrongVersion_NamesVersion()
    {
        var bytes = (byte[])Golden.Clone();
        bytes[4] = 9;

        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayBinary.Read(new MemoryStream(bytes)));

        Assert.Equal("replay.version", error.Field);
        Assert.Equal("must be 1, got 9", error.Problem);
    }

    [Fact]
    public void Read_TrailingBytes_NamesTheEnd()
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayBinary.Read(new MemoryStream([.. Golden, 0])));

        Assert.Equal("replay.end", error.Field);
    }

    [Fact]
    public void Read_RanksNotDividedByNode_NamesTheCaseField()
    {
        var bytes = (byte[])Golden.Clone();
        bytes[7] = 2; // ranksPerNode 2 of 1 rank

        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayBinary.Read(new MemoryStream(bytes)));

        Assert.Equal("replay.ranksPerNode", error.Field);
    }

    [Fact]
    public void Read_MicrobatchOutOfOrder_NamesIt()
    {
        var bytes = (byte[])Golden.Clone();
        bytes[14] = 1;

        var error = Assert.Throws<PlanningInputException>(() => RoutingReplayBinary.Read(new MemoryStream(bytes)));

        Assert.Equal("replay.microbatches[0].microbatch", error.Field);
    }
}
