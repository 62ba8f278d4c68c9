using System.Collections.Immutable;
using Planning.Execution.Soc;
using Planning.Execution.Soc.Runtime;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Tests.Soc.Runtime;

/// <summary>
/// One calibrated executor for the class (calibration takes seconds), at a quarter of the SoC's time so that runs stay
/// short; every test runs fresh scheduler state on it.
/// </summary>
public sealed class SocRuntimeExecutorFixture : IDisposable
{
    public SocRuntimeExecutorFixture()
    {
        Cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);
        Executor = new SocRuntimeExecutor(SocRuntimeOptions.Default with { TimeScale = 0.25, CalibrationRepeats = 1, CalibrationTargetsMs = [2, 20] });
    }

    public SocCostModel Cost { get; }

    public SocRuntimeExecutor Executor { get; }

    public void Dispose() => Executor.Dispose();
}

public sealed class SocRuntimeExecutorTests(SocRuntimeExecutorFixture fixture) : IClassFixture<SocRuntimeExecutorFixture>
{
    // A long proactive prefill already running when reactive requests arrive: the case preemption is for.
    private static readonly ImmutableArray<SocRequest> Mixed =
    [
        new("p1", 0, SocRequestKind.Proactive, 2048, 6),
        new("p2", 10, SocRequestKind.Proactive, 1500, 6),
        new("r1", 150, SocRequestKind.Reactive, 300, 4),
        new("r2", 600, SocRequestKind.Reactive, 200, 3),
    ];

    [Fact]
    public void Run_AgentXpu_NoReactiveKernelWaitsForMoreThanTheProactiveChunkInFlight()
    {
        var result = fixture.Executor.Run(Mixed, Scheduler("agentxpu"));

        Assert.False(result.ReachedHorizon);
        Assert.Empty(ProactiveStartsWhileReactiveWaits(result));
    }

    [Fact]
    public void Run_FcfsBaseline_LetsAReactiveRequestWaitBehindProactiveKernelsStartedAfterItArrived()
    {
        // The same check on first-come-first-served finds violations, so the check above can fail.
        var result = fixture.Executor.Run(Mixed, Scheduler("openvino"));

        Assert.NotEmpty(ProactiveStartsWhileReactiveWaits(result));
    }

    [Theory]
    [InlineData("agentxpu")]
    [InlineData("openvino")]
    [InlineData("llamacpp")]
    [InlineData("serial")]
    public void Run_AnyPolicy_EveryRequestGetsAllItsTokensAndNoLaneRunsTwoKernelsAtOnce(string policy)
    {
        var result = fixture.Executor.Run(Mixed, Scheduler(policy));

        Assert.False(result.ReachedHorizon);
        Assert.Equal(Mixed.Select(r => r.Id).Order(), result.Completions.Select(c => c.Id).Order());
        Assert.All(result.Completions, c =>
        {
            var request = Mixed.Single(r => r.Id == c.Id);
            Assert.Equal(request.OutputTokens, c.OutputTokens);
            Assert.True(c.FirstTokenMs >= request.ArrivalMs);
            Assert.True(c.LastTokenMs >= c.FirstTokenMs);
        });
        foreach (var lane in result.Timeline.GroupBy(run => run.Lane))
        {
            var runs = lane.OrderBy(run => run.StartMs).ToList();
            for (var i = 1; i < runs.Count; i++)
            {
                Assert.True(runs[i].StartMs >= runs[i - 1].EndMs, $"{lane.Key}: {runs[i].Run.Kernel.Name} started before {runs[i - 1].Run.Kernel.Name} ended");
            }
        }
    }

    [Fact]
    public void Run_SchedulerAsksToAbort_TerminatesTheProactiveRunEarlyAndEveryRequestStillFinishes()
    {
        // Reactive prompts shorter than a chunk run their prefill on the iGPU only, where proactive work is backfilled:
        // with AbortProactiveForReactive the scheduler aborts it instead of waiting.
        ImmutableArray<SocRequest> workload =
        [
            new("p1", 0, SocRequestKind.Proactive, 3000, 8),
            new("p2", 0, SocRequestKind.Proactive, 3000, 8),
            new("r1", 200, SocRequestKind.Reactive, 100, 4),
            new("r2", 700, SocRequestKind.Reactive, 120, 4),
        ];
        var options = SocSchedulerOptions.For("agentxpu") with { AbortProactiveForReactive = true };
        var result = fixture.Executor.Run(workload, new SocScheduler(options, fixture.Cost, fixture.Cost.Soc));

        var aborted = result.Timeline.Where(run => run.Aborted).ToList();
        Assert.NotEmpty(aborted);
        Assert.All(aborted, run => Assert.Equal(SocRunReason.Backfill, run.Run.Reason));
        Assert.Contains(aborted, run => run.EndMs < run.StartMs + (0.9 * run.Run.PredictedMs)); // stopped, not run to its end
        Assert.False(result.ReachedHorizon);
        Assert.Equal(workload.Select(r => r.Id).Order(), result.Completions.Select(c => c.Id).Order());
        Assert.All(result.Completions, c => Assert.Equal(workload.Single(r => r.Id == c.Id).OutputTokens, c.OutputTokens));
    }

    [Fact]
    public void Run_Horizon_StopsTheRunAndReportsTheUnfinished()
    {
        ImmutableArray<SocRequest> longPrompt = [new("p1", 0, SocRequestKind.Proactive, 4096, 200)];
        var result = fixture.Executor.Run(longPrompt, Scheduler("agentxpu"), horizonMs: 300);

        Assert.True(result.ReachedHorizon);
        Assert.InRange(result.ElapsedMs, 300, 300 + 400);
        Assert.Equal(1, result.Unfinished(SocRequestKind.Proactive));
        Assert.Empty(result.Completions);
        Assert.Contains(result.Timeline, run => run.Aborted); // the kernel in flight at the horizon was terminated
    }

    [Fact]
    public void Run_DuplicateIds_ThrowsNamingTheSecond()
    {
        ImmutableArray<SocRequest> twice = [new("a", 0, SocRequestKind.Reactive, 10, 1), new("a", 5, SocRequestKind.Proactive, 10, 1)];
        var error = Assert.Throws<PlanningInputException>(() => fixture.Executor.Run(twice, Scheduler("agentxpu")));
        Assert.Equal("workload[1].id", error.Field);
    }

    private SocScheduler Scheduler(string policy) => new(policy, fixture.Cost, fixture.Cost.Soc);

    /// <summary>
    /// Every proactive-only run that the scheduler started on a lane while a reactive request was ready and waiting for
    /// that lane: from the request's arrival (or the end of its previous kernel) to the start of its next kernel there.
    /// A reactive request that waits only for the chunk in flight has none.
    /// </summary>
    internal static List<string> ProactiveStartsWhileReactiveWaits(SocRuntimeResult result)
    {
        var reactive = result.Workload.Where(r => r.Kind == SocRequestKind.Reactive).ToList();
        var proactiveIds = result.Workload.Where(r => r.Kind == SocRequestKind.Proactive).Select(r => r.Id).ToHashSet();
        var completed = result.Timeline.Where(run => !run.Aborted).ToList();
        var violations = new List<string>();
        foreach (var request in reactive)
        {
            var ready = request.ArrivalMs;
            foreach (var run in completed.Where(run => run.Run.RequestIds.Contains(request.Id)).OrderBy(run => run.DecidedMs))
            {
                var bypassing = completed.Where(other =>
                    other.Lane == run.Lane
                    && other.Run.RequestIds.All(proactiveIds.Contains)
                    && other.DecidedMs >= ready
                    && other.DecidedMs < run.DecidedMs);
                violations.AddRange(bypassing.Select(other =>
                    $"{request.Id} ready at {ready:0.0} ms waited for {other.Run.Kernel.Name} of {string.Join(",", other.Run.RequestIds)} on {run.Lane}, started at {other.DecidedMs:0.0} ms, before its {run.Run.Kernel.Name} at {run.DecidedMs:0.0} ms"));
                ready = run.EndMs;
            }
        }

        return violations;
    }
}
