using System.Collections.Immutable;
using Planning.Execution.Soc;
using Planning.Execution.Soc.Runtime;

namespace Planning.Execution.Tests.Soc.Runtime;

public sealed class SocRuntimeResultTests
{
    private static readonly ImmutableArray<SocRequest> Workload =
    [
        new("p1", 1_000, SocRequestKind.Proactive, 100, 30),
        new("r1", 2_000, SocRequestKind.Reactive, 50, 10),
        new("p2", 3_000, SocRequestKind.Proactive, 100, 50),
    ];

    private static SocRuntimeResult Run(ImmutableArray<SocCompletion> completions, double elapsedMs) =>
        new(Workload, [.. Workload.Select(r => r.ArrivalMs)], completions, [], elapsedMs, ReachedHorizon: false);

    [Fact]
    public void TokensPerSecond_AllFinished_FirstArrivalToLastCompletionAsTheSimulator()
    {
        // 80 proactive tokens from the first proactive arrival (1 s) to the last proactive completion (9 s): 10 tokens/s,
        // whatever the run's elapsed time after that.
        var result = Run(
            [
                new SocCompletion("p1", SocRequestKind.Proactive, 1_000, 1_500, 5_000, 30),
                new SocCompletion("r1", SocRequestKind.Reactive, 2_000, 2_100, 4_000, 10),
                new SocCompletion("p2", SocRequestKind.Proactive, 3_000, 3_500, 9_000, 50),
            ],
            elapsedMs: 20_000);

        Assert.Equal(10, result.TokensPerSecond(SocRequestKind.Proactive), 9);
        Assert.Equal(5, result.TokensPerSecond(SocRequestKind.Reactive), 9);
    }

    [Fact]
    public void TokensPerSecond_OneUnfinishedAtTheHorizon_CountsToTheEndOfTheRunWithoutItsTokens()
    {
        // p2 never finished: 30 tokens from 1 s to the end of the run at 16 s.
        var result = Run([new SocCompletion("p1", SocRequestKind.Proactive, 1_000, 1_500, 5_000, 30)], elapsedMs: 16_000);

        Assert.Equal(2, result.TokensPerSecond(SocRequestKind.Proactive), 9);
        Assert.Equal(0, result.TokensPerSecond(SocRequestKind.Reactive));
    }
}
