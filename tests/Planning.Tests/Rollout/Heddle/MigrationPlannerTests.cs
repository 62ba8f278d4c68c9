using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class MigrationPlannerTests
{
    private static readonly AffineCostModel Cost = new();

    public static Arbitrary<MigrationSample> Requests() =>
        (from instances in Gen.Choose(1, 6)
         from seed in Gen.Choose(0, 1_000_000)
         select new MigrationSample(MakeRequest(seed, instances))).ToArbitrary();

    [Property(MaxTest = 300, Arbitrary = [typeof(MigrationPlannerTests)])]
    public bool Decide_MovesOnlyInsideToolGapAndOnlyToLessLoaded(MigrationSample sample)
    {
        var request = sample.Request;
        var planner = new MigrationPlanner(Cost);
        var decision = planner.Decide(request);
        switch (decision.Kind)
        {
            case MigrationKind.Stay:
                Assert.Equal(request.SourceInstance, decision.TargetInstance);
                break;
            case MigrationKind.MigrateKv:
                Assert.True(decision.TransferSeconds <= request.ToolSeconds, "the KV transfer must be hidden in the tool call");
                Assert.Equal(planner.TransferSeconds(request.ContextTokens), decision.TransferSeconds);
                break;
            case MigrationKind.Reprefill:
                Assert.True(planner.TransferSeconds(request.ContextTokens) > request.ToolSeconds, "re-prefill only when the transfer does not fit");
                break;
        }

        if (decision.Kind != MigrationKind.Stay)
        {
            Assert.NotEqual(request.SourceInstance, decision.TargetInstance);
            Assert.True(request.InstanceFinishSeconds[decision.TargetInstance] < request.InstanceFinishSeconds[request.SourceInstance]);
            Assert.True(decision.PredictedGainSeconds > 0);
            Assert.True(request.InstanceFreeKvTokens![decision.TargetInstance] >= request.ContextTokens);
        }

        return true;
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(MigrationPlannerTests)])]
    public bool Decide_Balanced_Stays(MigrationSample sample)
    {
        var request = sample.Request;
        var balanced = request with { InstanceFinishSeconds = [.. request.InstanceFinishSeconds.Select(_ => 100.0)] };
        return new MigrationPlanner(Cost).Decide(balanced).Kind == MigrationKind.Stay;
    }

    [Fact]
    public void Decide_TransferFitsToolCall_MigratesKvToLeastLoaded()
    {
        // 10,000 tokens x 131,072 B at 25 GB/s = 52 ms + 5 ms latency, inside a 1 s tool call.
        var request = new MigrationRequest(0, [100, 60, 40], [1, 1, 1], 10_000, 1.0, 20);
        var decision = new MigrationPlanner(Cost).Decide(request);
        Assert.Equal(MigrationKind.MigrateKv, decision.Kind);
        Assert.Equal(2, decision.TargetInstance);
        Assert.Equal(0.005 + (10_000 * 131_072 / 25e9), decision.TransferSeconds, 12);
        Assert.Equal(20, decision.PredictedGainSeconds, 9);
    }

    [Fact]
    public void Decide_ShortToolCall_ReprefillsWhenGainExceedsPrefill_ElseStays()
    {
        var planner = new MigrationPlanner(Cost);
        var reprefill = planner.Decide(new MigrationRequest(0, [100, 40], [1, 1], 10_000, 0.01, 20));
        Assert.Equal(MigrationKind.Reprefill, reprefill.Kind);
        Assert.Equal(Cost.PrefillSeconds(10_000, 0, 1), reprefill.PrefillSeconds, 12);

        // Remaining 0.1 s of work: the gain (0.1 s) is below the 0.21 s prefill.
        var stay = planner.Decide(new MigrationRequest(0, [100, 40], [1, 1], 10_000, 0.01, 0.1));
        Assert.Equal(MigrationKind.Stay, stay.Kind);
    }

    [Fact]
    public void Decide_BadSource_Throws()
    {
        var error = Assert.Throws<PlanningInputException>(() => new MigrationPlanner(Cost).Decide(new MigrationRequest(3, [1, 2], [1, 1], 10, 1, 1)));
        Assert.Equal("sourceInstance", error.Field);
    }

    private static MigrationRequest MakeRequest(int seed, int instances)
    {
        var random = new Random(seed);
        return new MigrationRequest(
            random.Next(instances),
            [.. Enumerable.Range(0, instances).Select(_ => Math.Round(random.NextDouble() * 200, 1))],
            [.. Enumerable.Range(0, instances).Select(_ => 1 << random.Next(4))],
            random.Next(0, 200_000),
            random.Next(3) == 0 ? 0 : Math.Round(random.NextDouble() * 3, 2),
            Math.Round(random.NextDouble() * 80, 1),
            [.. Enumerable.Range(0, instances).Select(_ => (long)random.Next(0, 300_000))]);
    }
}
