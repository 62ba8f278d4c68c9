using Planning.Execution.Moe.Strategies;
using Planning.Moe.Reordering;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Tests.Moe.Strategies;

/// <summary><c>ultraep-reorder</c>: masters reordered across domains at batch boundaries, the moves charged after the first batch.</summary>
public sealed class UltraEpReorderStrategyTests
{
    private const long BytesPerExpert = 1_000_000;

    // Domains {0, 1} and {2, 3}: microbatch 0 is balanced, microbatch 1 puts 20 of 22 tokens on domain 0.
    private static readonly long[][] Loads = [[2, 2, 2, 2], [10, 10, 1, 1], [10, 10, 1, 1]];

    [Fact]
    public void BeginMicrobatch_InsideABatch_MovesNothing()
    {
        IMoeDeploymentStrategy strategy = Strategy(every: 2);
        var state = strategy.Start(StrategyFixture.Context(Loads));

        Assert.Null(strategy.BeginMicrobatch(state, 1));
    }

    [Fact]
    public void BeginMicrobatch_FirstMicrobatch_ChargesNothing()
    {
        IMoeDeploymentStrategy strategy = Strategy(every: 1);
        var state = strategy.Start(StrategyFixture.Context(Loads));

        var moves = strategy.BeginMicrobatch(state, 0);

        Assert.NotNull(moves);
        Assert.Equal(0, moves.Bytes);
        Assert.Equal([0.0], moves.SecondsPerLayer.ToArray());
    }

    [Fact]
    public void BeginMicrobatch_HotDomainInTheWindow_SwapsOneExpertAndChargesItsState()
    {
        IMoeDeploymentStrategy strategy = Strategy(every: 1);
        var context = StrategyFixture.Context(Loads);
        var state = strategy.Start(context);
        strategy.BeginMicrobatch(state, 0);
        strategy.BeginMicrobatch(state, 1);

        // From microbatch 1's loads: one hot expert of domain 0 trades places with a cold one of domain 1.
        var moves = strategy.BeginMicrobatch(state, 2);

        Assert.NotNull(moves);
        Assert.Equal(2 * BytesPerExpert, moves.Bytes);

        // Each of the two ranks sends and receives one expert's state over the 1e9 B/s network, plus 10 us latency.
        Assert.Equal((BytesPerExpert / 1e9) + 1e-5, moves.SecondsPerLayer[0], 1e-15);
        var slotLoads = strategy.Tokens(state, 0, context.Microbatches[2].Layers[0]).ExpertLoads;
        Assert.Equal(11, slotLoads[0] + slotLoads[1]);
        Assert.Equal(11, slotLoads[2] + slotLoads[3]);
    }

    [Fact]
    public void BeginMicrobatch_FromReplay_BalancesTheComingBatch()
    {
        IMoeDeploymentStrategy strategy = Strategy(every: 1, fromReplay: true);
        var context = StrategyFixture.Context(Loads);
        var state = strategy.Start(context);
        strategy.BeginMicrobatch(state, 0);

        // Replay knows microbatch 1 before it starts: its hot domain is split at once, not one batch late.
        var moves = strategy.BeginMicrobatch(state, 1);

        Assert.Equal(2 * BytesPerExpert, moves!.Bytes);
        var slotLoads = strategy.Tokens(state, 0, context.Microbatches[1].Layers[0]).ExpertLoads;
        Assert.Equal(11, slotLoads[0] + slotLoads[1]);
    }

    private static UltraEpReorderStrategy Strategy(int every, bool fromReplay = false) =>
        new(() => new UltraEpPolicy(), every, window: 1, fromReplay, DomainReorderingOptions.Default, BytesPerExpert);
}
