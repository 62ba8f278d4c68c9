using Planning.Moe;
using Planning.Moe.ReLibra;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>ReLibra's batch planner: replicas stay inside the node, quotas serve every token, never worse than no balancing.</summary>
public sealed class ReLibraPlannerTests
{
    [Fact]
    public void Plan_GeneratedReplay_ReplicasStayInTheirNodeAndServeEveryToken()
    {
        var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings { Ranks = 16, RanksPerNode = 4, ExpertsPerRank = 2, RedundantSlotsPerRank = 1, Layers = 2, Batches = 2, Microbatches = 3, TokensPerRank = 256, TopK = 4, HotExperts = 4, Seed = 11 });
        var options = new ReLibraOptions { Reordering = new ExpertReorderingOptions { UseSolver = false } };

        var plan = ReLibraPlanner.Plan(replay, 1, null, options);

        Assert.Equal(1, plan.Batch);
        Assert.Equal(2, plan.Reorders.Length);
        Assert.Equal(3, plan.Replicas.Length);
        for (var m = 0; m < plan.Replicas.Length; m++)
        {
            for (var l = 0; l < replay.Layers; l++)
            {
                var layer = plan.Replicas[m][l];
                var expertLoads = replay.Batches[1][m].Case.Layers[l].ExpertLoads;
                var served = new long[replay.Shape.Experts];
                foreach (var instance in layer.Instances)
                {
                    Assert.Equal(instance.Rank / 4, plan.Topology.ExpertMaster[instance.Expert] / 4);
                    served[instance.Expert] += instance.Quota;
                }

                // Slot s serves the tokens of the expert the reordering put there.
                Assert.Equal(plan.Reorders[l].SlotExpert.Select(e => expertLoads[e]), served);

                // Never worse than the masters alone on the new layout.
                var mastersOnly = new long[replay.Shape.Ranks];
                for (var s = 0; s < served.Length; s++)
                {
                    mastersOnly[s / replay.Shape.ExpertsPerRank] += served[s];
                }

                Assert.True(layer.MaxRankLoad <= mastersOnly.Max());
            }
        }
    }

    [Fact]
    public void BySlot_Permutation_ReordersTheColumns()
    {
        var tokens = new LayerTokens([[1, 2, 3], [4, 5, 6]]);

        var bySlot = ReLibraPlanner.BySlot(tokens, [2, 0, 1]);

        Assert.Equal([3, 1, 2], bySlot.Row(0).ToArray());
        Assert.Equal([6, 4, 5], bySlot.Row(1).ToArray());
        Assert.Equal("slotExpert", Assert.Throws<PlanningInputException>(() => ReLibraPlanner.BySlot(tokens, [0, 1])).Field);
    }

    [Fact]
    public void Plan_LayoutsForTheWrongNumberOfLayers_NamesThem()
    {
        var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings { Ranks = 4, RanksPerNode = 2, ExpertsPerRank = 1, Batches = 1, Microbatches = 1, TokensPerRank = 16, TopK = 1, HotExperts = 1 });

        var error = Assert.Throws<PlanningInputException>(() => ReLibraPlanner.Plan(replay, 0, [[0, 1, 2, 3], [0, 1, 2, 3]]));

        Assert.Equal("currentLayouts", error.Field);
    }
}
