using Planning.Execution.Moe;
using Planning.Execution.Moe.Strategies;
using Planning.Moe;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary>A run context built by hand: 4 ranks with one master each, domains {0, 1} and {2, 3}, one layer per microbatch.</summary>
internal static class StrategyFixture
{
    /// <summary>A context whose microbatch <c>m</c> routes <c>loads[m][e]</c> tokens to expert <c>e</c>, all from source rank <c>e</c>.</summary>
    /// <param name="loads">Per microbatch, the four experts' loads.</param>
    /// <returns>The context, on the tiny model and machine of <see cref="MoeStepSimulatorTests"/>.</returns>
    public static MoeSimulationContext Context(params long[][] loads)
    {
        var microbatches = loads.Select(Microbatch).ToArray();
        var cluster = MoeStepSimulatorTests.TinyCluster();
        var simulator = new MoeStepSimulator(MoeModelConfig.Parse(MoeStepSimulatorTests.TinyModelJson), cluster);
        return new MoeSimulationContext(microbatches, MoeTopology.From(cluster, expertsPerRank: 1, redundantSlotsPerRank: 1), simulator);
    }

    private static MoeCase Microbatch(long[] loads)
    {
        var rows = new int[4][];
        for (var r = 0; r < 4; r++)
        {
            rows[r] = new int[4];
            rows[r][r] = (int)loads[r];
        }

        return MoeCase.Create(4, 2, 2, 1, 1, null, [new LayerTokens(rows)]);
    }
}
