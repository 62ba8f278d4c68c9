using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Soc;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Tests.Soc;

public sealed class SocSimulatorTests
{
    private static readonly SocSimulator Simulator = new(SocSpec.Default, LlmSpec.Llama32_3B);

    private static readonly SocCostModel Cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);

    public static TheoryData<string> Policies => [.. SocSchedulerOptions.PolicyNames];

    [Property(MaxTest = 60)]
    public Property Simulate_GeneratedWorkloads_EveryTokenProducedExactlyOnce() =>
        Prop.ForAll(SocWorkloads.Small, workload =>
        {
            foreach (var policy in SocSchedulerOptions.PolicyNames)
            {
                var result = Simulator.Simulate(workload, SocSchedulerOptions.For(policy));

                // Each request finishes once, with all its output tokens: the first at the end of prefill, one more at the
                // end of each decode step it rode in; no run gives it a token twice.
                Assert.Equal(workload.Select(r => r.Id).Order(), result.Completions.Select(c => c.Id).Order());
                foreach (var request in workload)
                {
                    var done = result.Completions.Single(c => c.Id == request.Id);
                    Assert.Equal(request.OutputTokens, done.OutputTokens);
                    Assert.Equal(request.OutputTokens, result.Timeline.Sum(t => t.TokenRequestIds.Count(id => id == request.Id)));
                    Assert.True(done.FirstTokenMs >= request.ArrivalMs && done.LastTokenMs >= done.FirstTokenMs);
                    Assert.Equal(done.LastTokenMs, result.Timeline.Where(t => t.TokenRequestIds.Contains(request.Id)).Max(t => t.EndMs));

                    // No policy beats a request's latency alone.
                    Assert.True(done.LatencyMs >= Simulator.LatencyLowerBoundMs(request) - 1e-6, $"{policy}: {request.Id} took {done.LatencyMs} ms, under its bound {Simulator.LatencyLowerBoundMs(request)}");
                }

                if (result.Reactive.Count > 0)
                {
                    Assert.True(result.Reactive.P50LatencyMs >= result.Reactive.P50LowerBoundMs - 1e-6);
                }

                // Prefill work is conserved: the prefill kernels run add up to every request's prefill, token for token.
                var expected = workload.Sum(r => Cost.Prefill(r.PromptTokens).Sum(k => (long)k.Tokens * k.Layers));
                var ran = result.Timeline.Sum(t => t.Run.Parts.Where(k => k.Kind != SocKernelKind.DecodeStep).Sum(k => (long)k.Tokens * k.Layers));
                Assert.Equal(expected, ran);
            }

            return true;
        });

    [Property(MaxTest = 60)]
    public Property Simulate_GeneratedWorkloads_NoLaneRunsTwoKernelsAtOnceAndDramNeverExceeded() =>
        Prop.ForAll(SocWorkloads.Small, workload =>
        {
            foreach (var policy in SocSchedulerOptions.PolicyNames)
            {
                var result = Simulator.Simulate(workload, SocSchedulerOptions.For(policy));
                foreach (var lane in result.Timeline.GroupBy(t => t.Lane))
                {
                    var runs = lane.OrderBy(t => t.StartMs).ToList();
                    for (var i = 1; i < runs.Count; i++)
                    {
                        Assert.True(runs[i].StartMs >= runs[i - 1].EndMs, $"{policy}: {lane.Key} starts a run at {runs[i].StartMs} before the last ends at {runs[i - 1].EndMs}");
                    }
                }

                // Every kernel after its predecessors: a prefill kernel after those of the execution graph, decode after the
                // whole prefill, each decode kernel after the request's earlier runs.
                foreach (var request in workload)
                {
                    var runs = result.Timeline.Where(t => t.Run.RequestIds.Contains(request.Id)).OrderBy(t => t.StartMs).ToList();
                    Assert.True(runs[0].StartMs >= request.ArrivalMs);
                    foreach (var run in runs.Where(r => r.Run.Parts.Length == 1))
                    {
                        // (A continuous-batching iteration fuses kernels in execution order into one launch.)
                        Assert.True(run.StartMs >= ReadyMs(request, run, runs), $"{policy}: {run.Run.Kernel.Name} of {request.Id} starts before its predecessors end");
                    }
                }

                Assert.InRange(result.PeakDramUtilization, 0, 1 + 1e-9);
            }

            return true;
        });

    [Property(MaxTest = 100)]
    public Property Simulate_AgentXpu_ReactiveDecodeBatchCarriesAtMostThreeProactive() =>
        Prop.ForAll(SocWorkloads.Small, workload =>
        {
            var result = Simulator.Simulate(workload, SocSchedulerOptions.For(SocPolicy.AgentXpu));
            var reactive = workload.Where(r => r.Kind == SocRequestKind.Reactive).Select(r => r.Id).ToHashSet();
            foreach (var run in result.Timeline.Where(t => t.Run.RequestIds.Any(reactive.Contains)))
            {
                Assert.True(run.Run.RequestIds.Count(id => !reactive.Contains(id)) <= 3);
            }

            return true;
        });

    [Property(MaxTest = 100)]
    public Property Simulate_AgentXpu_ReactiveKernelsStartAtKernelBoundariesAndNeverWaitForLaterBackfill() =>
        Prop.ForAll(SocWorkloads.Small, workload =>
        {
            var result = Simulator.Simulate(workload, SocSchedulerOptions.For(SocPolicy.AgentXpu));
            var reactive = workload.Where(r => r.Kind == SocRequestKind.Reactive).Select(r => r.Id).ToHashSet();
            foreach (var request in workload.Where(r => r.Kind == SocRequestKind.Reactive))
            {
                var runs = result.Timeline.Where(t => t.Run.RequestIds.Contains(request.Id)).OrderBy(t => t.StartMs).ToList();
                foreach (var run in runs)
                {
                    // Ready at `ready`, started at run.StartMs: either at once, or the moment a kernel on its lane ended
                    // (preemption at a kernel boundary) or another reactive decode step ended (it joins the next step's
                    // batch).
                    var ready = ReadyMs(request, run, runs);
                    if (run.StartMs > ready)
                    {
                        Assert.Contains(result.Timeline, t => t.EndMs == run.StartMs && (t.Lane == run.Lane || (t.Run.PrefillRequestIds.IsEmpty && t.Run.RequestIds.Any(reactive.Contains))));
                        // If it waited for the kernel on its lane, that kernel was not backfilled after it became ready.
                        var blocker = result.Timeline.FirstOrDefault(t => t.Lane == run.Lane && t.EndMs == run.StartMs);
                        Assert.True(
                            blocker is null || blocker.Run.Reason != SocRunReason.Backfill || blocker.StartMs <= ready,
                            $"{blocker?.Run.Kernel.Name} was backfilled on {run.Lane} at {blocker?.StartMs} after {run.Run.Kernel.Name} of {request.Id} was ready at {ready}, which waited for it");
                    }
                }
            }

            return true;
        });

    [Fact]
    public void Simulate_ReactiveStream_ProactiveWaitsAtMostTheAgeLimitPlusItsQueue()
    {
        // Long reactive prompts arriving faster than they prefill keep the prefill lanes busy with reactive work for
        // tens of seconds; three proactive requests arrive just after the first.
        var workload = Enumerable.Range(0, 20).Select(i => new SocRequest($"r{i}", i * 500.0, SocRequestKind.Reactive, 4096, 2))
            .Concat(Enumerable.Range(0, 3).Select(i => new SocRequest($"p{i}", 100 + i, SocRequestKind.Proactive, 2048, 8)))
            .ToList();
        var options = SocSchedulerOptions.For(SocPolicy.AgentXpu) with { AgeLimitMs = 2000 };

        var result = Simulator.Simulate(workload, options);

        var longestRun = result.Timeline.Max(t => t.EndMs - t.StartMs);
        var bound = options.AgeLimitMs + (3 * longestRun);
        Assert.True(LongestProactiveWait(result, workload) <= bound, $"a proactive request waited {LongestProactiveWait(result, workload)} ms, more than {bound}");

        // Without the age limit the same stream starves them past that bound, so the bound is the limit's doing.
        var starved = Simulator.Simulate(workload, options with { AgeLimitMs = double.PositiveInfinity });
        Assert.True(LongestProactiveWait(starved, workload) > bound);
    }

    [Fact]
    public void Simulate_OneShortReactiveRequestAlone_LatencyIsTheSumOfItsKernels()
    {
        // A prompt shorter than a chunk: its prefill is a chain of iGPU kernels; alone there is no contention and no
        // batching, so the latency is that chain plus one decode step of batch 1 per token after the first, each
        // kernel on its fastest lane, at the context so far.
        var request = new SocRequest("r", 100, SocRequestKind.Reactive, 200, 5);

        var result = Simulator.Simulate([request], SocSchedulerOptions.For(SocPolicy.AgentXpu));

        var expected = Cost.Prefill(200).Sum(k => k.Accelerators.Min(a => Cost.Cost(k, a).Seconds));
        for (var generated = 1; generated < 5; generated++)
        {
            expected += Cost.DecodeSteps(1, 200 + generated).Sum(k => k.Accelerators.Min(a => Cost.Cost(k, a).Seconds));
        }

        Assert.Equal(expected * 1000, result.Completions.Single().LatencyMs, 6);
        Assert.Equal(1, result.Reactive.Count);
        Assert.Equal(expected * 1000, result.Reactive.P50LatencyMs, 6);
    }

    [Theory]
    [InlineData(700)]
    [InlineData(3000)]
    public void Simulate_OneLongReactiveRequestAlone_PrefillBetweenItsCriticalPathAndItsKernelsInSeries(int prompt)
    {
        var request = new SocRequest("r", 0, SocRequestKind.Reactive, prompt, 1);

        var result = Simulator.Simulate([request], SocSchedulerOptions.For(SocPolicy.AgentXpu));

        // Chunks overlap on the two lanes: no faster than the longest chain of predecessors at each kernel's fastest
        // lane, no slower than every kernel one after another there (one output token: the latency is the prefill).
        var kernels = Cost.Prefill(prompt);
        var fastest = kernels.Select(k => k.Accelerators.Min(a => Cost.Cost(k, a).Seconds) * 1000).ToArray();
        var predecessors = SocMappingProblem.PrefillPredecessors(kernels);
        var finish = new double[kernels.Length];
        for (var k = 0; k < kernels.Length; k++)
        {
            finish[k] = predecessors[k].Select(p => finish[p]).DefaultIfEmpty(0).Max() + fastest[k];
        }

        var latency = result.Completions.Single().LatencyMs;
        Assert.InRange(latency, finish.Max() - 1e-6, fastest.Sum() + 1e-6);
        Assert.True(latency < fastest.Sum() * 0.95, $"{latency} ms: the lanes should overlap (in series {fastest.Sum()} ms)");
    }

    [Fact]
    public void Simulate_OneRequestSerial_PrefillOnTheNpuDecodeOnTheIgpu()
    {
        var request = new SocRequest("p", 0, SocRequestKind.Proactive, 300, 3);

        var result = Simulator.Simulate([request], SocSchedulerOptions.For(SocPolicy.Serial));

        // The static split: the full chunk's linear kernels on the NPU, the rest on the iGPU; then decode there.
        var kernels = Cost.Prefill(300);
        var lane = kernels.Select(k => k.MayRunOn(DeviceKind.Npu) ? DeviceKind.Npu : DeviceKind.IntegratedGpu).ToArray();
        var times = kernels.Select((k, i) => Cost.Cost(k, lane[i]).Seconds * 1000).ToArray();
        var decode = Cost.DecodeSteps(1, 301).Concat(Cost.DecodeSteps(1, 302)).Sum(k => Cost.Cost(k, DeviceKind.IntegratedGpu).Seconds) * 1000;
        var prefillEnd = result.Completions.Single().FirstTokenMs;
        Assert.InRange(prefillEnd, times.Max(), times.Sum() + 1e-6);
        Assert.Equal(prefillEnd + decode, result.MakespanMs, 6);
        Assert.Equal(3 / (result.MakespanMs / 1000), result.Proactive.TokensPerSecond, 6);
        foreach (var run in result.Timeline)
        {
            var expectedLane = run.Run.PrefillRequestIds.IsEmpty ? DeviceKind.IntegratedGpu : lane[kernels.Select(k => k.Name).ToList().IndexOf(run.Run.Kernel.Name)];
            Assert.Equal(expectedLane, run.Lane);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Simulate_SameWorkloadTwice_SameResult(string policy)
    {
        var workload = Enumerable.Range(0, 12).Select(i => new SocRequest($"x{i}", i * 700.0, i % 3 == 0 ? SocRequestKind.Reactive : SocRequestKind.Proactive, 200 + (i * 97), 3 + i)).ToList();

        var first = Simulator.Simulate(workload, SocSchedulerOptions.For(policy));
        var second = Simulator.Simulate(workload, SocSchedulerOptions.For(policy));

        Assert.Equal(SocSimulationJson.Serialize(first, "w", "soc"), SocSimulationJson.Serialize(second, "w", "soc"));
        Assert.Equal(first.Timeline.Select(t => (t.Lane, t.StartMs, t.EndMs, string.Join(',', t.Run.RequestIds))), second.Timeline.Select(t => (t.Lane, t.StartMs, t.EndMs, string.Join(',', t.Run.RequestIds))));
    }

    [Fact]
    public void Simulate_EmptyWorkload_Rejected()
    {
        Assert.Equal("requests", Assert.Throws<PlanningInputException>(() => Simulator.Simulate([], SocSchedulerOptions.For(SocPolicy.AgentXpu))).Field);
    }

    [Fact]
    public void Simulate_DuplicateId_NamesTheSecond()
    {
        SocRequest[] workload = [new("a", 0, SocRequestKind.Reactive, 10, 2), new("a", 5, SocRequestKind.Proactive, 10, 2)];

        Assert.Equal("requests[1].id", Assert.Throws<PlanningInputException>(() => Simulator.Simulate(workload, SocSchedulerOptions.For(SocPolicy.Serial))).Field);
    }

    [Fact]
    public void Simulate_RequestLongerThanTheContext_NamesItsPrompt()
    {
        SocRequest[] workload = [new("a", 0, SocRequestKind.Reactive, 8000, 193)];

        var ex = Assert.Throws<PlanningInputException>(() => Simulator.Simulate(workload, SocSchedulerOptions.For(SocPolicy.AgentXpu)));

        Assert.Equal("requests[0].promptTokens", ex.Field);
        Assert.Contains("8192", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_BadRequest_NamesItsMember()
    {
        SocRequest[] workload = [new("a", 0, SocRequestKind.Reactive, 10, 2), new("b", 5, SocRequestKind.Proactive, 0, 2)];

        Assert.Equal("requests[1].promptTokens", Assert.Throws<PlanningInputException>(() => Simulator.Simulate(workload, SocSchedulerOptions.For(SocPolicy.Serial))).Field);
    }

    /// <summary>
    /// When a run of a request could start: a prefill kernel when its predecessors in the execution graph (found by
    /// name among the request's runs) had ended, or at arrival; a decode kernel when every earlier run of the request had.
    /// </summary>
    private static double ReadyMs(SocRequest request, SocLaneRun run, List<SocLaneRun> runs)
    {
        if (run.Run.PrefillRequestIds.IsEmpty)
        {
            return runs.Where(r => r.StartMs < run.StartMs).Select(r => r.EndMs).DefaultIfEmpty(request.ArrivalMs).Max();
        }

        var kernels = Cost.Prefill(request.PromptTokens);
        var index = kernels.Select(k => k.Name).ToList().IndexOf(run.Run.Kernel.Name);
        var predecessors = Planning.Soc.SocMappingProblem.PrefillPredecessors(kernels)[index].Select(p => kernels[p].Name).ToHashSet();
        return runs.Where(r => predecessors.Contains(r.Run.Kernel.Name) && !r.Run.PrefillRequestIds.IsEmpty).Select(r => r.EndMs).DefaultIfEmpty(request.ArrivalMs).Max();
    }

    /// <summary>The longest time a proactive request was ready (arrived, or its last kernel ended) before its next kernel started.</summary>
    private static double LongestProactiveWait(SocSimulationResult result, IEnumerable<SocRequest> workload)
    {
        var longest = 0.0;
        foreach (var request in workload.Where(r => r.Kind == SocRequestKind.Proactive))
        {
            // Between any two moments it made progress (arrival, a kernel's end) and the next start of a kernel of it.
            var runs = result.Timeline.Where(t => t.Run.RequestIds.Contains(request.Id)).OrderBy(t => t.StartMs).ToList();
            var progress = runs.Select(r => r.EndMs).Append(request.ArrivalMs).Order().ToList();
            foreach (var moment in progress.Take(progress.Count - 1))
            {
                var next = runs.Where(r => r.StartMs >= moment).Select(r => r.StartMs).DefaultIfEmpty(moment).Min();
                if (runs.Exists(r => r.StartMs <= moment && r.EndMs > moment))
                {
                    // Another kernel of it was running: it was making progress.
                    continue;
                }

                longest = Math.Max(longest, next - moment);
            }
        }

        return longest;
    }
}
