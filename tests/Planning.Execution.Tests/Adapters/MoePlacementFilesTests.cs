using Planning.Execution.Adapters.Moe;

namespace Planning.Execution.Tests.Adapters;

public sealed class MoePlacementFilesTests
{
    [Theory]
    [InlineData(MoePlacementFormat.Sglang, "small.sglang.json")]
    [InlineData(MoePlacementFormat.TrtLlm, "small.trtllm.yaml")]
    [InlineData(MoePlacementFormat.DeepSeek, "small.deepseek.json")]
    [InlineData(MoePlacementFormat.VllmAscend, "small.vllm-ascend.json")]
    public void Write_SmallLayout_MatchesTheHandCheckedGoldenFile(MoePlacementFormat format, string golden)
    {
        var layout = ExpertSlotLayout.Create(4, 8, [AdapterFixtures.SmallMap], "map");

        Assert.Equal(AdapterFixtures.Golden(golden), MoePlacementFiles.Write(layout, format));
    }

    [Theory]
    [InlineData(MoePlacementFormat.Sglang)]
    [InlineData(MoePlacementFormat.DeepSeek)]
    public void Read_WrittenFile_GivesTheSameMap(MoePlacementFormat format)
    {
        var layout = ExpertSlotLayout.Create(4, 8, [AdapterFixtures.SmallMap, [7, 6, 5, 4, 3, 2, 1, 0, 0, 1, 1, 1]], "map");

        var read = MoePlacementFiles.Read(MoePlacementFiles.Write(layout, format), format, 4, 8);

        Assert.Equal(layout.PhysicalToLogical.Select(l => l.ToArray()), read.PhysicalToLogical.Select(l => l.ToArray()));
        Assert.Equal(3, read.SlotsPerRank);
    }

    [Theory]
    [InlineData("{\"phy2log\": [[0,1,5,1,2,3,1,4,5,0,6,7]], \"logcnt\": [[2,3,1,1,1,1,1,1]]}", "logcnt[0][5]")]
    [InlineData("{\"phy2log\": [[0,1,5,1,2,3,1,4,5,0,6,7]], \"log2phy\": [[[0,9,-1],[1,3,6],[4,-1,-1],[5,-1,-1],[7,-1,-1],[2,-1,-1],[10,-1,-1],[11,-1,-1]]]}", "log2phy[0][5]")]
    [InlineData("{\"phy2log\": [[0,1,5,1,2,3,1,4,5,0,6,\"x\"]]}", "phy2log[0][11]")]
    [InlineData("{\"logcnt\": []}", "phy2log")]
    [InlineData("{\"phy2log\": [[0,1,5", "--input")]
    public void Read_BrokenDeepSeekFile_NamesTheField(string json, string field)
    {
        var error = Assert.Throws<PlanningInputException>(() => MoePlacementFiles.Read(json, MoePlacementFormat.DeepSeek, 4, 8));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Read_TrtLlm_IsRefusedNamingTheFormat()
    {
        var error = Assert.Throws<PlanningInputException>(() => MoePlacementFiles.Read("num_slots: 12", MoePlacementFormat.TrtLlm, 4, 8));

        Assert.Equal("--format", error.Field);
    }
}
