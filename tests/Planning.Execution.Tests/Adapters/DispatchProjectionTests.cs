using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Adapters.Moe;

namespace Planning.Execution.Tests.Adapters;

public sealed class DispatchProjectionTests
{
    [Fact]
    public void Project_EvenSplitOnSmallCase_GivesTheHandComputedLoads()
    {
        // By hand (Golden/README.md): expert 0's 15 tokens from rank 0 split 8 + 7 over slots 0 and 9, and so on.
        var layout = ExpertSlotLayout.Create(4, 8, [AdapterFixtures.SmallMap], "map");

        var projection = DispatchProjection.Project(layout, AdapterFixtures.SmallCase(), ExpertDispatchRule.EvenSplit)[0];

        Assert.Equal([27L, 28, 14, 24, 20, 16, 24, 26, 14, 25, 23, 15], projection.SlotTokens.ToArray());
        Assert.Equal([69L, 60, 64, 63], projection.RankLoads.ToArray());
        Assert.Equal(69.0 / 64, projection.Imbalance, 12);
    }

    [Fact]
    public void Project_SglangStaticOnSmallCase_SendsEachPairToItsDispatchSlot()
    {
        // Rank loads from the CPython-computed dispatch map (SglangStaticDispatchTests): rank 0 gets rank 2's and its
        // own expert-0 tokens (15 + 13), and every rank's expert-1 tokens but rank 1's and rank 2's (22 + 19).
        var layout = ExpertSlotLayout.Create(4, 8, [AdapterFixtures.SmallMap], "map");

        var projection = DispatchProjection.Project(layout, AdapterFixtures.SmallCase(), ExpertDispatchRule.SglangStatic)[0];

        Assert.Equal([28L, 41, 12, 19, 20, 16, 16, 26, 16, 24, 23, 15], projection.SlotTokens.ToArray());
        Assert.Equal([81L, 55, 58, 62], projection.RankLoads.ToArray());
    }

    [Property(MaxTest = 100)]
    public Property Project_GeneratedCases_KeepsEveryExpertsTokensOnItsOwnSlots() =>
        Prop.ForAll(MoePlacementExportTests.Plans, generated =>
        {
            var (moeCase, placements) = generated;
            var layout = ExpertSlotLayout.FromPlacements(moeCase, placements, moeCase.ExpertsPerRank + moeCase.RedundantSlotsPerRank);
            foreach (var rule in new[] { ExpertDispatchRule.EvenSplit, ExpertDispatchRule.SglangStatic })
            {
                var projection = DispatchProjection.Project(layout, moeCase, rule);
                for (var l = 0; l < layout.Layers; l++)
                {
                    var loads = moeCase.Layers[l].ExpertLoads;
                    Assert.Equal(loads.Sum(), projection[l].RankLoads.Sum());
                    for (var e = 0; e < layout.Experts; e++)
                    {
                        Assert.Equal(loads[e], layout.LogicalToAllPhysical(l)[e].Sum(s => projection[l].SlotTokens[s]));
                    }
                }
            }

            return true;
        });
}
