using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ModernCostModelFitTests
{
    [Fact]
    public void Fit_Anchors_ReproducesTheEmbeddedConstants()
    {
        // The constants in modern-cost-model.json are this fit's result; a change to the anchors or the formulas that
        // moves the fit fails here until the file is updated with the new constants.
        var fitted = ModernCostModelFit.Fit(ModernCostModelCatalog.Anchors, ModernCostModelCatalog.FitRanges);

        Assert.Equal(ModernCostModel.EmbeddedConstants, fitted);
    }

    [Fact]
    public void Fit_IsMinimaxOnItsGrid_NoNeighbourHasASmallerWorstError()
    {
        // Every neighbour one fine step away in each fitted constant has a worst anchor error at least the fit's
        // (memory efficiency is fixed: its range is one point, see the data file's assumptions).
        var anchors = ModernCostModelCatalog.Anchors;
        var ranges = ModernCostModelCatalog.FitRanges;
        var best = ModernCostModel.EmbeddedConstants;
        double Worst(ModernCostModelConstants c) => anchors.Max(a => a.Error(c));
        var worst = Worst(best);

        foreach (var sign in new[] { -1.0, 1.0 })
        {
            Assert.Equal(ranges[0].From, ranges[0].To);
            Assert.Equal(ranges[0].From, best.MemoryEfficiency);
            var neighbours = new[]
            {
                best with { ComputeEfficiency = Math.Min(1, best.ComputeEfficiency + (sign * ranges[1].FineStep)) },
                best with { LayerOverheadSeconds = Math.Max(0, best.LayerOverheadSeconds + (sign * ranges[2].FineStep)) },
                best with { AllReduceSecondsPerLayer = Math.Max(0, best.AllReduceSecondsPerLayer + (sign * ranges[3].FineStep)) },
            };
            Assert.All(neighbours, n => Assert.True(Worst(n) >= worst - 1e-12, $"{n}: {Worst(n)} < {worst}"));
        }
    }
}
