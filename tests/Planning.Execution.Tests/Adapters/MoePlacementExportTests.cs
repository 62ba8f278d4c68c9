using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Adapters.Moe;
using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Execution.Tests.Adapters;

public sealed class MoePlacementExportTests
{
    private static readonly BalanceTimingOptions OneSolve = new() { TimedSolves = 1, WarmupSolves = 0, WarmupDuration = TimeSpan.Zero };

    /// <summary>
    /// Generated plans: cases of 2, 4 or 8 ranks, 1..3 experts and 0..2 redundant slots per rank, 1..2 layers, balanced
    /// by none, eplb or ultraep (the policies whose plans fit the case's slots).
    /// </summary>
    internal static Arbitrary<(MoeCase Case, IReadOnlyList<IReadOnlyList<ExpertInstance>> Placements)> Plans { get; } =
        (from ranks in Gen.Elements(2, 4, 8)
         from expertsPerRank in Gen.Choose(1, 3)
         from redundant in Gen.Choose(0, 2)
         from layers in Gen.Choose(1, 2)
         from policy in Gen.Elements("none", "eplb", "ultraep")
         from seed in Gen.Choose(1, 10_000)
         select Generate(ranks, expertsPerRank, redundant, layers, policy, seed))
        .ToArbitrary();

    private static (MoeCase, IReadOnlyList<IReadOnlyList<ExpertInstance>>) Generate(int ranks, int expertsPerRank, int redundant, int layers, string policy, int seed)
    {
        var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings
        {
            Ranks = ranks, RanksPerNode = Math.Min(2, ranks), RanksPerDomain = ranks, ExpertsPerRank = expertsPerRank, RedundantSlotsPerRank = redundant,
            Layers = layers, TokensPerRank = 64, TopK = 1, TargetImbalance = 2.0, Seed = seed,
        });
        var plan = MoeBalancer.Balance(moeCase, BalancingPolicies.Create(policy), timing: OneSolve);
        return (moeCase, [.. plan.Layers.Select(l => (IReadOnlyList<ExpertInstance>)l.Instances)]);
    }

    [Theory]
    [InlineData(MoePlacementFormat.Sglang, 81.0 / 64)]
    [InlineData(MoePlacementFormat.DeepSeek, 69.0 / 64)]
    [InlineData(MoePlacementFormat.TrtLlm, 69.0 / 64)]
    [InlineData(MoePlacementFormat.VllmAscend, 69.0 / 64)]
    public void Export_SmallPlan_ReportsThePlansAndTheProjectedImbalance(MoePlacementFormat format, double projected)
    {
        var result = MoePlacementExport.Export(AdapterFixtures.SmallCase(), AdapterFixtures.SmallPlan(), format);

        var cost = Assert.Single(result.Costs);
        Assert.Equal(74.0 / 64, cost.PlanImbalance, 12);
        Assert.Equal(projected, cost.ProjectedImbalance, 12);
        Assert.Equal(2, cost.PaddedSlots);
        Assert.Equal(AdapterFixtures.SmallMap.ToArray(), result.Layout.PhysicalToLogical[0].ToArray());
    }

    [Theory]
    [InlineData(MoePlacementFormat.Sglang, "small.sglang.json")]
    [InlineData(MoePlacementFormat.VllmAscend, "small.vllm-ascend.json")]
    public void ExportWithoutCase_SmallPlan_PadsByQuotasToTheSameFileWithoutProjection(MoePlacementFormat format, string golden)
    {
        // The quotas of an expert add up to its load, so the padding is the same; 3 slots = the most any rank holds.
        var result = MoePlacementExport.ExportWithoutCase(4, AdapterFixtures.SmallPlan(), format);

        Assert.Equal(AdapterFixtures.Golden(golden), result.Text);
        Assert.Empty(result.Costs);
        Assert.Empty(result.Projection);
    }

    [Fact]
    public void Export_PlanForAnotherCase_NamesThePlacement()
    {
        var plan = AdapterFixtures.SmallPlan();
        IReadOnlyList<IReadOnlyList<ExpertInstance>> shifted = [[.. plan[0].Select(i => i.Expert == 7 ? i with { Quota = i.Quota + 1 } : i)]];

        var error = Assert.Throws<PlanningInputException>(() => MoePlacementExport.Export(AdapterFixtures.SmallCase(), shifted, MoePlacementFormat.Sglang));

        Assert.Equal("plan.layers[0].placement", error.Field);
        Assert.Contains("expert 7", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_SglangGolden_GivesOneInstancePerSlotWithTheStaticDispatchQuotas()
    {
        var plan = MoePlacementExport.Import(AdapterFixtures.SmallCase(), AdapterFixtures.Golden("small.sglang.json"), MoePlacementFormat.Sglang);

        var layer = Assert.Single(plan.Layers);
        Assert.Equal("import:sglang", plan.Policy);
        Assert.Equal(AdapterFixtures.SmallMap.ToArray(), layer.Instances.Select(i => i.Expert));
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], layer.Instances.Select(i => i.Rank));
        Assert.Equal([28L, 41, 12, 19, 20, 16, 16, 26, 16, 24, 23, 15], layer.Instances.Select(i => i.Quota));
        Assert.Equal([81L, 55, 58, 62], layer.RankLoads.ToArray());
        Assert.Equal(4, layer.Replicas);

        // Bound: max(ceil(256 / 4), ceil(76 / min(4, 12 - 8 + 1))) = 64: imbalance 1.
        Assert.Equal(1.0, layer.LowerBound, 12);
    }

    [Property(MaxTest = 60)]
    public Property ExportThenImport_GeneratedPlans_KeepsEveryRanksExpertsAndTheProjectedQuotas() =>
        Prop.ForAll(Plans, generated =>
        {
            var (moeCase, placements) = generated;
            foreach (var format in new[] { MoePlacementFormat.Sglang, MoePlacementFormat.DeepSeek })
            {
                var exported = MoePlacementExport.Export(moeCase, placements, format);
                var layout = exported.Layout;
                var imported = MoePlacementExport.Import(moeCase, exported.Text, format);

                Assert.Equal(0, layout.PhysicalSlots % layout.Ranks);
                for (var l = 0; l < layout.Layers; l++)
                {
                    // Every logical expert has a slot; the plan's instances are all there, the rest is the padding.
                    Assert.All(layout.LogicalToAllPhysical(l), slots => Assert.NotEmpty(slots));
                    for (var r = 0; r < moeCase.Ranks; r++)
                    {
                        var planned = placements[l].Where(i => i.Rank == r).Select(i => i.Expert).Order().ToList();
                        var written = imported.Layers[l].Instances.Where(i => i.Rank == r).Select(i => i.Expert).Order().ToList();
                        foreach (var expert in planned)
                        {
                            Assert.True(written.Remove(expert), $"layer {l} rank {r} lost expert {expert}");
                        }

                        Assert.Equal(layout.SlotsPerRank - planned.Count, written.Count);
                    }

                    Assert.Equal(layout.PaddedSlots[l], (layout.SlotsPerRank * layout.Ranks) - placements[l].Count);
                    Assert.Equal(exported.Projection[l].SlotTokens.ToArray(), imported.Layers[l].Instances.Select(i => i.Quota));
                    Assert.Equal(exported.Costs[l].ProjectedImbalance, imported.Layers[l].Imbalance, 12);
                }

                // Import then export reproduces the file: nothing to pad a second time.
                var again = MoePlacementExport.Export(moeCase, [.. imported.Layers.Select(l => (IReadOnlyList<ExpertInstance>)l.Instances)], format);
                Assert.Equal(exported.Text, again.Text);
                Assert.All(again.Costs, c => Assert.Equal(0, c.PaddedSlots));
            }

            return true;
        });
}
