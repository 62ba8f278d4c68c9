using Planning.Execution.Soc;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Tests.Soc;

public sealed class SocSchedulerTests
{
    private static readonly SocCostModel Cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);

    [Fact]
    public void Decide_ReactiveArrives_StartsItsFirstKernelOnTheFastestLaneItMayUse()
    {
        var scheduler = new SocScheduler("agentxpu", Cost);
        scheduler.Arrive(new SocRequest("r", 0, SocRequestKind.Reactive, 512, 4), 0);

        var starts = scheduler.Decide(0).Cast<SocStart>().ToList();

        // Two full chunks: both first-layer-group linear kernels are ready at once (neither depends on the other), so
        // the first goes to its fastest lane and the second to the other.
        var kernels = Cost.Prefill(512);
        var first = kernels[0];
        Assert.Equal(2, starts.Count);
        Assert.Equal(first.Name, starts[0].Run.Kernel.Name);
        Assert.Equal(first.Accelerators.MinBy(a => Cost.Cost(first, a).Seconds), starts[0].Lane);
        Assert.Equal(kernels.First(k => k.Kind == SocKernelKind.PrefillChunk && k.ContextTokens == 256 && k.FirstLayer == 0).Name, starts[1].Run.Kernel.Name);
        Assert.NotEqual(starts[0].Lane, starts[1].Lane);
        Assert.All(starts, s => Assert.Equal(["r"], s.Run.RequestIds.ToArray()));
        Assert.All(starts, s => Assert.Equal(SocRunReason.Reactive, s.Run.Reason));
        Assert.Equal(Cost.Cost(first, starts[0].Lane).Seconds * 1000, starts[0].Run.PredictedMs, 9);
    }

    [Fact]
    public void Decide_LanesBusy_StartsNothingMoreUntilOneCompletes()
    {
        var scheduler = new SocScheduler("openvino", Cost);
        scheduler.Arrive(new SocRequest("a", 0, SocRequestKind.Reactive, 100, 3), 0);
        var first = Assert.IsType<SocStart>(Assert.Single(scheduler.Decide(0)));
        scheduler.Arrive(new SocRequest("b", 1, SocRequestKind.Proactive, 100, 3), 1);

        Assert.Empty(scheduler.Decide(1));

        scheduler.Completed(first.Lane, 50);
        var next = Assert.IsType<SocStart>(Assert.Single(scheduler.Decide(50)));
        Assert.Equal(DeviceKind.IntegratedGpu, next.Lane);
        Assert.Contains("b", next.Run.RequestIds);
    }

    [Fact]
    public void Completed_IdleLane_Throws()
    {
        var scheduler = new SocScheduler("serial", Cost);

        Assert.Throws<InvalidOperationException>(() => scheduler.Completed(DeviceKind.Npu, 0));
    }

    [Fact]
    public void Arrive_SameIdTwice_Rejected()
    {
        var scheduler = new SocScheduler("agentxpu", Cost);
        scheduler.Arrive(new SocRequest("a", 0, SocRequestKind.Reactive, 10, 1), 0);

        Assert.Equal("request.id", Assert.Throws<PlanningInputException>(() => scheduler.Arrive(new SocRequest("a", 5, SocRequestKind.Reactive, 10, 1), 5)).Field);
    }

    [Fact]
    public void Constructor_UnknownPolicy_NamesPolicy()
    {
        Assert.Equal("policy", Assert.Throws<PlanningInputException>(() => new SocScheduler("fifo", Cost)).Field);
    }

    [Fact]
    public void Completed_EveryKernelOfOneRequest_RecordsItsFirstAndLastTokenTimes()
    {
        var scheduler = new SocScheduler("serial", Cost);
        // One chunk shorter than the NPU's shape: a chain of iGPU kernels, one running at a time.
        scheduler.Arrive(new SocRequest("a", 10, SocRequestKind.Reactive, 200, 3), 10);
        var now = 10.0;
        var firstToken = double.NaN;
        while (!scheduler.IsDrained)
        {
            var start = Assert.IsType<SocStart>(Assert.Single(scheduler.Decide(now)));
            now += start.Run.PredictedMs;
            if (!start.Run.PrefillRequestIds.IsEmpty && start.Run.Kernel.Name == Cost.Prefill(200)[^1].Name)
            {
                firstToken = now;
            }

            scheduler.Completed(start.Lane, now);
        }

        var done = Assert.Single(scheduler.Completions);
        Assert.Equal(new SocCompletion("a", SocRequestKind.Reactive, 10, firstToken, now, 3), done);
        Assert.Equal(now - 10, done.LatencyMs);
    }

    [Fact]
    public void Decide_AbortOption_AbortsBackfillForAReactiveKernel_ThenRerunsIt()
    {
        var options = SocSchedulerOptions.For(SocPolicy.AgentXpu) with { AbortProactiveForReactive = true };
        var scheduler = new SocScheduler(options, Cost);
        // A prompt shorter than a chunk is one remainder chunk: its kernels run on the iGPU only.
        scheduler.Arrive(new SocRequest("p", 0, SocRequestKind.Proactive, 100, 2), 0);
        var backfill = Assert.IsType<SocStart>(Assert.Single(scheduler.Decide(0)));
        Assert.Equal(SocRunReason.Backfill, backfill.Run.Reason);
        Assert.Equal(DeviceKind.IntegratedGpu, backfill.Lane);

        // The same prompt arriving as reactive wants the same first kernel, which only the busy iGPU may run.
        scheduler.Arrive(new SocRequest("r", 1, SocRequestKind.Reactive, 100, 2), 1);
        var asked = scheduler.Decide(1);
        Assert.Contains(new SocAbort(backfill.Lane), asked);

        scheduler.Aborted(backfill.Lane, 2);
        var reactive = scheduler.Decide(2).OfType<SocStart>().Single(s => s.Lane == backfill.Lane);
        Assert.Equal(["r"], reactive.Run.RequestIds.ToArray());

        // The reactive request's kernels go first; when the lane is next given to the proactive request, it starts the
        // aborted kernel again: its work was lost.
        var now = 2.0;
        var running = reactive;
        while (!running.Run.RequestIds.Contains("p"))
        {
            now += running.Run.PredictedMs;
            scheduler.Completed(running.Lane, now);
            running = Assert.IsType<SocStart>(Assert.Single(scheduler.Decide(now)));
        }

        Assert.Equal(backfill.Run.Kernel.Name, running.Run.Kernel.Name);
        Assert.Single(scheduler.Completions, c => c.Id == "r");
    }

    [Fact]
    public void NextWakeMs_ProactiveWaiting_IsItsArrivalPlusTheAgeLimit()
    {
        var scheduler = new SocScheduler("agentxpu", Cost);
        scheduler.Arrive(new SocRequest("r", 0, SocRequestKind.Reactive, 100, 2), 0);
        _ = scheduler.Decide(0);
        scheduler.Arrive(new SocRequest("p", 5, SocRequestKind.Proactive, 100, 2), 5);

        var started = scheduler.Decide(5);

        // Both prompts are one remainder chunk, which only the iGPU may run: the proactive request waits for the lane
        // the reactive one holds, and the scheduler asks to be woken when it ages.
        Assert.DoesNotContain(started, d => d is SocStart s && s.Run.RequestIds.Contains("p"));
        Assert.Equal(5 + SocSchedulerOptions.For(SocPolicy.AgentXpu).AgeLimitMs, scheduler.NextWakeMs);
    }
}
