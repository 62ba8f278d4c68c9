using System.Collections.Immutable;
using Planning.Execution.Soc;
using Planning.Execution.Soc.Runtime;
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
    // Proactive prefills already running when reactive requests arrive, and more proactive requests than the FCFS
    // baselines admit at once (4), so that first come first served makes the reactive ones queue.
    private static readonly ImmutableArray<SocRequest> Mixed =
    [
        new("p1", 0, SocRequestKind.Proactive, 1024, 4),
        new("p2", 0, SocRequestKind.Proactive, 1024, 4),
        new("p3", 0, SocRequestKind.Proactive, 700, 4),
        new("p4", 0, SocRequestKind.Proactive, 700, 4),
        new("p5", 0, SocRequestKind.Proactive, 500, 4),
        new("r1", 60, SocRequestKind.Reactive, 300, 4),
        new("r2", 400, SocRequestKind.Reactive, 200, 3),
    ];

    [Fact]
    public void Run_AgentXpu_NoReactiveKernelWaitsForMoreThanTheProactiveKernelInFlight()
    {
        var result = fixture.Executor.Run(Mixed, Scheduler("agentxpu"));

        Assert.False(result.ReachedHorizon);
        var waits = ReactiveWaitsBeyondOneKernel(result, fixture.Cost);
        Assert.True(waits.Count == 0, string.Join("\n", waits));
    }

    [Fact]
    public void Run_FcfsBaseline_MakesReactiveRequestsWaitForMoreThanOneKernelOfProactiveWork()
    {
        // The same check on the same workload under first come first served finds such waits: it can fail.
        var result = fixture.Executor.Run(Mixed, Scheduler("openvino"));

        Assert.NotEmpty(ReactiveWaitsBeyondOneKernel(result, fixture.Cost));
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
        // Both lanes run proactive prefill chunks back to back; a reactive prompt shorter than a chunk runs its prefill
        // on the iGPU only, so with AbortProactiveForReactive the scheduler aborts the iGPU's chunk instead of waiting.
        // At three times the SoC's time a chunk takes about 180 ms of wall time, and six arrivals spread over the
        // prefills give the scheduler chances to abort even when a loaded machine stretches the gaps between kernels.
        ImmutableArray<SocRequest> workload =
        [
            new("p1", 0, SocRequestKind.Proactive, 1536, 2),
            new("p2", 0, SocRequestKind.Proactive, 1536, 2),
            new("r1", 40, SocRequestKind.Reactive, 100, 2),
            new("r2", 220, SocRequestKind.Reactive, 100, 2),
            new("r3", 400, SocRequestKind.Reactive, 100, 2),
            new("r4", 580, SocRequestKind.Reactive, 100, 2),
            new("r5", 760, SocRequestKind.Reactive, 100, 2),
            new("r6", 940, SocRequestKind.Reactive, 100, 2),
        ];
        var options = SocSchedulerOptions.For("agentxpu") with { AbortProactiveForReactive = true };
        var result = fixture.Executor.Run(workload, new SocScheduler(options, fixture.Cost), timeScale: 3);

        // An aborted run is one ONNX Runtime stopped on the flag: had it reached its end, it would have returned.
        var aborted = result.Timeline.Where(run => run.Aborted).ToList();
        Assert.NotEmpty(aborted);
        Assert.All(aborted, run => Assert.Equal(SocRunReason.Backfill, run.Run.Reason));

        // The lanes recovered: every aborted kernel ran again and every request got all its tokens.
        Assert.All(aborted, run => Assert.Contains(result.Timeline, again => !again.Aborted && again.Run.Kernel == run.Run.Kernel && again.StartMs >= run.EndMs));
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
        Assert.True(result.ElapsedMs >= 300);
        Assert.Equal(1, result.Unfinished(SocRequestKind.Proactive));
        Assert.Empty(result.Completions);
        Assert.NotEmpty(result.Timeline);

        // Whatever was in flight at the horizon was terminated and waited for: nothing ends after the run.
        Assert.All(result.Timeline, run => Assert.True(run.EndMs <= result.ElapsedMs));
        Assert.DoesNotContain(result.Timeline, run => run.DecidedMs >= 300);
    }

    [Fact]
    public void Run_DuplicateIds_ThrowsNamingTheSecond()
    {
        ImmutableArray<SocRequest> twice = [new("a", 0, SocRequestKind.Reactive, 10, 1), new("a", 5, SocRequestKind.Proactive, 10, 1)];
        var error = Assert.Throws<PlanningInputException>(() => fixture.Executor.Run(twice, Scheduler("agentxpu")));
        Assert.Equal("workload[1].id", error.Field);
    }

    private SocScheduler Scheduler(string policy) => new(policy, fixture.Cost);

    /// <summary>
    /// Every way a reactive request waited for more than one kernel of proactive work, from the lane timelines: from
    /// the moment the scheduler knew one of the request's kernels was ready (its arrival fed to it, or the last of the
    /// kernel's predecessors reported: the prefill's kernel graph, <see cref="SocMappingProblem.PrefillPredecessors"/>,
    /// then decode steps in order, a step no earlier than the end of the reactive decode step under way) to the decision to run it, (a) a proactive-only run started on that kernel's lane
    /// whose end the kernel's start waited for (kernels backfilled into slack that end earlier do not count), or (b) the proactive-only run already on that lane was longer than one kernel of the graph
    /// (<see cref="SocCostModel.KernelBudgetSeconds"/>, predicted), or (c) the reactive kernel's own launch fused
    /// proactive prefill work in. Proactive requests riding in a reactive decode batch are not waiting: the batch's
    /// time is the same memory-bound step.
    /// </summary>
    internal static List<string> ReactiveWaitsBeyondOneKernel(SocRuntimeResult result, SocCostModel cost)
    {
        var reactive = result.Workload.Where(r => r.Kind == SocRequestKind.Reactive).ToList();
        var proactiveIds = result.Workload.Where(r => r.Kind == SocRequestKind.Proactive).Select(r => r.Id).ToHashSet();
        var completed = result.Timeline.Where(run => !run.Aborted).ToList();
        var proactiveOnly = completed.Where(run => run.Run.RequestIds.All(proactiveIds.Contains)).ToList();
        var violations = new List<string>();
        foreach (var request in reactive)
        {
            var fed = result.FedMs[result.Workload.IndexOf(request)];
            var prefill = cost.Prefill(request.PromptTokens);
            var predecessors = SocMappingProblem.PrefillPredecessors(prefill);
            var index = prefill.Select((k, i) => (k.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
            var own = completed.Where(run => run.Run.RequestIds.Contains(request.Id)).OrderBy(run => run.DecidedMs).ToList();
            var reported = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var run in own)
            {
                double ready;
                if (run.Run.Kernel.Kind != SocKernelKind.DecodeStep && index.TryGetValue(run.Run.Kernel.Name, out var at))
                {
                    ready = predecessors[at].Select(p => reported.GetValueOrDefault(prefill[p].Name, fed)).DefaultIfEmpty(fed).Max();
                }
                else
                {
                    // A decode step follows the whole prefill and the previous step of every request in its batch (a step
                    // batched with another request waits for that request's previous kernel too).
                    ready = completed
                        .Where(other => other.DecidedMs < run.DecidedMs && other.Run.RequestIds.Any(run.Run.RequestIds.Contains))
                        .Select(other => other.ReportedMs)
                        .DefaultIfEmpty(fed)
                        .Max();

                    // Continuous batching: a request ready to decode while another reactive decode step is under way joins
                    // the next step, so its step is ready only when the one under way reports (waiting for it is waiting
                    // for reactive work, and the lane it frees may take a backfill meanwhile).
                    for (var underWay = ReactiveStepUnderWay(ready); underWay is { } step; underWay = ReactiveStepUnderWay(ready))
                    {
                        ready = step.ReportedMs;
                    }

                    SocRuntimeRun? ReactiveStepUnderWay(double at) => completed.FirstOrDefault(other =>
                        other.Run.Kernel.Kind == SocKernelKind.DecodeStep && !ReferenceEquals(other, run) && other.DecidedMs < run.DecidedMs
                        && other.DecidedMs <= at && other.ReportedMs > at && !other.Run.RequestIds.All(proactiveIds.Contains));
                }

                var onLane = proactiveOnly.Where(other => other.Lane == run.Lane).ToList();
                // Backfill into slack is allowed: a proactive kernel started after the request was ready counts only if the
                // request's kernel was decided on its report (it waited for that kernel to free the lane).
                violations.AddRange(onLane.Where(other => other.DecidedMs >= ready && other.DecidedMs < run.DecidedMs && run.DecidedMs - other.ReportedMs < 0.5).Select(other =>
                    $"{request.Id}'s {run.Run.Kernel.Name}, ready at {ready:0.0} ms: {other.Run.Kernel.Name} of {string.Join(",", other.Run.RequestIds)} ({other.Run.Reason}) started on {run.Lane} at {other.DecidedMs:0.0} ms, before it at {run.DecidedMs:0.0} ms"));
                violations.AddRange(onLane.Where(other => other.DecidedMs < ready && other.ReportedMs > ready && other.Run.PredictedMs > SocCostModel.KernelBudgetSeconds * 1000).Select(other =>
                    $"{request.Id}'s {run.Run.Kernel.Name}, ready at {ready:0.0} ms, waited for {other.Run.Kernel.Name} of {string.Join(",", other.Run.RequestIds)} on {run.Lane}, predicted {other.Run.PredictedMs:0.0} ms: more than one kernel"));
                var fused = run.Run.PrefillRequestIds.Where(proactiveIds.Contains).ToList();
                if (fused.Count > 0)
                {
                    violations.Add($"{request.Id}'s {run.Run.Kernel.Name} on {run.Lane} fused the prefill of {string.Join(",", fused)}");
                }

                reported[run.Run.Kernel.Name] = run.ReportedMs;
            }
        }

        return violations;
    }
}
