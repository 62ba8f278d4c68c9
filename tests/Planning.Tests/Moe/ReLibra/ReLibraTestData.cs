using Planning.Moe;
using Planning.Moe.ReLibra;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>Small replays built by hand for the ReLibra tests.</summary>
internal static class ReLibraTestData
{
    /// <summary>A case of one layer with the given rows.</summary>
    public static MoeCase Case(int ranks, int ranksPerNode, int expertsPerRank, int redundant, params int[][] rows) =>
        MoeCase.Create(ranks, ranksPerNode, ranksPerNode, expertsPerRank, redundant, null, [new LayerTokens(rows)]);

    /// <summary>A replay of the given microbatches, numbered (batch, microbatch) in order.</summary>
    public static RoutingReplay Replay(params (int Batch, int Microbatch, MoeCase Case)[] microbatches) =>
        RoutingReplay.Create(microbatches.Select(m => new ReplayMicrobatch(m.Batch, m.Microbatch, m.Case)));
}
