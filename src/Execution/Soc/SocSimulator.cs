using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>
/// A discrete-event simulator of SoC serving: requests arrive at their times, <see cref="SocScheduler"/> decides, and
/// each lane runs its kernels at the cost model's uncontended times stretched by DRAM contention. Deterministic.
/// </summary>
/// <remarks>
/// <para>Events are arrivals, run completions and the scheduler's wake-ups. At each event time the simulator reports
/// completions, then arrivals, then asks the scheduler to decide, and starts what it says.</para>
/// <para>Contention: whenever the set of running kernels changes, every running kernel is re-rated. Kernel i's
/// slowdown is <see cref="SocCostModel.Slowdown"/> of the other running kernels' uncontended bandwidth demand; if the
/// kernels would then together draw more than the DRAM's bandwidth, every slowdown is scaled up by the excess, so the
/// DRAM is never asked for more than it has. A kernel's remaining work (in uncontended seconds) drains at
/// 1 / slowdown per second.</para>
/// </remarks>
public sealed class SocSimulator
{
    private readonly SocSpec _soc;
    private readonly SocCostModel _cost;
    private readonly SocSimulationOptions _options;

    /// <summary>Creates a simulator of a SoC serving a model.</summary>
    /// <param name="soc">The SoC.</param>
    /// <param name="model">The model.</param>
    /// <param name="options">Options; null for the defaults.</param>
    public SocSimulator(SocSpec soc, LlmSpec model, SocSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(soc);
        ArgumentNullException.ThrowIfNull(model);
        _soc = soc;
        Model = model;
        _cost = SocCostModel.For(soc, model);
        _options = options ?? SocSimulationOptions.Default;
    }

    /// <summary>The model served.</summary>
    public LlmSpec Model { get; }

    /// <summary>The kernel cost model the simulator charges.</summary>
    public SocCostModel CostModel => _cost;

    /// <summary>Simulates a workload under a policy until every request has finished.</summary>
    /// <param name="workload">The requests (any order; ids unique; at least one).</param>
    /// <param name="options">The policy and its settings.</param>
    /// <returns>The result.</returns>
    /// <exception cref="PlanningInputException">The workload is empty, a request is invalid or an id repeats (field <c>requests[i]...</c>).</exception>
    public SocSimulationResult Simulate(IReadOnlyList<SocRequest> workload, SocSchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(options);
        var arrivals = Validate(workload);
        var scheduler = new SocScheduler(options, _cost);
        var running = new Dictionary<DeviceKind, Running>();
        var busyMs = scheduler.Lanes.ToDictionary(l => l, _ => 0.0);
        var runs = scheduler.Lanes.ToDictionary(l => l, _ => 0);
        var timeline = ImmutableArray.CreateBuilder<SocLaneRun>();
        var peak = 0.0;
        var now = 0.0;
        var next = 0;
        var finished = new List<DeviceKind>();
        while (true)
        {
            while (next < arrivals.Length && arrivals[next].ArrivalMs <= now)
            {
                scheduler.Arrive(arrivals[next], now);
                next++;
            }

            foreach (var dispatch in scheduler.Decide(now))
            {
                switch (dispatch)
                {
                    case SocStart start:
                        running.Add(start.Lane, new Running(start.Run, now, start.Run.Cost.Seconds));
                        break;
                    case SocAbort abort:
                        running.Remove(abort.Lane);
                        scheduler.Aborted(abort.Lane, now);
                        break;
                }
            }

            peak = Math.Max(peak, Rerate(running));

            var at = double.PositiveInfinity;
            foreach (var r in running.Values)
            {
                at = Math.Min(at, now + (r.RemainingSeconds / r.Rate * 1000));
            }

            if (next < arrivals.Length)
            {
                at = Math.Min(at, arrivals[next].ArrivalMs);
            }

            if (scheduler.NextWakeMs is { } wake && wake > now)
            {
                at = Math.Min(at, wake);
            }

            if (double.IsPositiveInfinity(at))
            {
                if (scheduler.IsDrained && next == arrivals.Length)
                {
                    break;
                }

                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the {SocSchedulerOptions.PolicyName(options.Policy)} scheduler left work undone at {now} ms with every lane idle"));
            }

            // Advance to the event: every running kernel drains at its rate; the earliest to finish ends exactly now.
            finished.Clear();
            foreach (var (lane, r) in running)
            {
                var end = now + (r.RemainingSeconds / r.Rate * 1000);
                r.RemainingSeconds = end <= at ? 0 : r.RemainingSeconds - ((at - now) / 1000 * r.Rate);
                if (r.RemainingSeconds <= 0)
                {
                    finished.Add(lane);
                }
            }

            now = at;
            foreach (var lane in finished.OrderBy(l => l))
            {
                var r = running[lane];
                running.Remove(lane);
                busyMs[lane] += now - r.StartMs;
                runs[lane]++;
                var tokens = scheduler.Complete(lane, now);
                if (_options.RecordTimeline)
                {
                    timeline.Add(new SocLaneRun(lane, r.StartMs, now, r.Run) { TokenRequestIds = [.. tokens] });
                }
            }
        }

        var completions = scheduler.Completions.ToImmutableArray();
        return new SocSimulationResult
        {
            Policy = SocSchedulerOptions.PolicyName(options.Policy),
            Settings = options.DescribeSettings(),
            Model = Model.Name,
            Requests = arrivals.Length,
            Reactive = ReactiveSummary(completions) with { P50LowerBoundMs = Percentile([.. arrivals.Where(r => r.Kind == SocRequestKind.Reactive).Select(LatencyLowerBoundMs).Order()], 0.5) },
            Proactive = ProactiveSummary(completions),
            Lanes = [.. scheduler.Lanes.Select(l => new SocLaneUsage(l, busyMs[l], runs[l]))],
            MakespanMs = now,
            PeakDramUtilization = peak,
            Completions = completions,
            Timeline = [.. timeline.OrderBy(t => t.StartMs).ThenBy(t => t.Lane)],
        };
    }

    /// <summary>The value at a nearest-rank percentile of ascending values.</summary>
    internal static double Percentile(IReadOnlyList<double> ascending, double p) =>
        ascending.Count == 0 ? double.NaN : ascending[Math.Clamp((int)Math.Ceiling(p * ascending.Count) - 1, 0, ascending.Count - 1)];

    /// <summary>
    /// A latency no policy can beat for a request, whatever it fuses or overlaps: its prefill's critical path in the
    /// execution graph counting each kernel's compute term only (operations cannot be shared), at its fastest
    /// accelerator, then, per output token after the first, the time to stream the model's weights once at the fastest
    /// accelerator's bandwidth (each token needs a pass over the weights after the previous one).
    /// </summary>
    internal double LatencyLowerBoundMs(SocRequest request)
    {
        var kernels = _cost.Prefill(request.PromptTokens);
        var predecessors = SocMappingProblem.PrefillPredecessors(kernels);
        var finish = new double[kernels.Length];
        for (var k = 0; k < kernels.Length; k++)
        {
            var start = 0.0;
            foreach (var p in predecessors[k])
            {
                start = Math.Max(start, finish[p]);
            }

            var kernel = kernels[k];
            finish[k] = start + kernel.Accelerators.Min(a => _cost.Cost(kernel, a).ComputeSeconds);
        }

        var step = _cost.DecodeSteps(1, request.PromptTokens + 1).Sum(kernel => kernel.Accelerators.Min(a => WeightSeconds(kernel, _cost.Cost(kernel, a))));
        return (finish.Max() + ((request.OutputTokens - 1) * step)) * 1000;
    }

    /// <summary>The time to stream a kernel's weights at the bandwidth its cost implies (its bytes over its memory term).</summary>
    private double WeightSeconds(SocKernel kernel, KernelCost cost)
    {
        var weights = ((double)kernel.Layers * Model.LayerWeights * Model.BytesPerWeight) + (kernel.IncludesLmHead ? Model.LmHeadWeights * Model.BytesPerWeight : 0);
        return cost.MemorySeconds > 0 ? weights * cost.MemorySeconds / cost.Bytes : 0;
    }

    private static SocReactiveSummary ReactiveSummary(ImmutableArray<SocCompletion> completions)
    {
        var reactive = completions.Where(c => c.Kind == SocRequestKind.Reactive).ToList();
        var latencies = reactive.Select(c => c.LatencyMs).Order().ToList();
        var firstTokens = reactive.Select(c => c.FirstTokenMs - c.ArrivalMs).Order().ToList();
        return new SocReactiveSummary(
            reactive.Count,
            Percentile(latencies, 0.5),
            Percentile(latencies, 0.95),
            latencies.Count == 0 ? double.NaN : latencies.Average(),
            Percentile(firstTokens, 0.5));
    }

    private static SocProactiveSummary ProactiveSummary(ImmutableArray<SocCompletion> completions)
    {
        var proactive = completions.Where(c => c.Kind == SocRequestKind.Proactive).ToList();
        if (proactive.Count == 0)
        {
            return new SocProactiveSummary(0, 0, double.NaN, 0, double.NaN);
        }

        var tokens = proactive.Sum(c => (long)c.OutputTokens);
        var span = proactive.Max(c => c.LastTokenMs) - proactive.Min(c => c.ArrivalMs);
        return new SocProactiveSummary(proactive.Count, tokens, span > 0 ? tokens / (span / 1000) : double.NaN, span, proactive.Average(c => c.LatencyMs));
    }

    private static ImmutableArray<SocRequest> Validate(IReadOnlyList<SocRequest> workload)
    {
        if (workload.Count == 0)
        {
            throw new PlanningInputException("requests", "must hold at least one request, got none");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < workload.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"requests[{i}]");
            if (workload[i] is null)
            {
                throw new PlanningInputException(field, "must be a request, got null");
            }

            SocScheduler.CheckFits(workload[i].Validate(field), field);
            if (!ids.TryAdd(workload[i].Id, i))
            {
                throw new PlanningInputException(field + ".id", string.Create(CultureInfo.InvariantCulture, $"must be unique, but \"{workload[i].Id}\" is also requests[{ids[workload[i].Id]}].id"));
            }
        }

        // Stable: requests arriving at the same time keep their order.
        return [.. workload.Select((r, i) => (r, i)).OrderBy(p => p.r.ArrivalMs).ThenBy(p => p.i).Select(p => p.r)];
    }

    /// <summary>Re-rates the running kernels for contention; returns the DRAM utilisation they draw together.</summary>
    private double Rerate(Dictionary<DeviceKind, Running> running)
    {
        if (running.Count == 0)
        {
            return 0;
        }

        var totalDemand = running.Values.Sum(r => r.Demand);
        var draw = 0.0;
        foreach (var r in running.Values)
        {
            r.Slowdown = Math.Max(1, _cost.Slowdown(totalDemand - r.Demand, r.Run.Cost));
            draw += r.Demand / r.Slowdown;
        }

        var dram = _soc.DramBytesPerSecond;
        if (draw > dram)
        {
            // The DRAM serves no more than its bandwidth: every kernel slows by the excess.
            var excess = draw / dram;
            foreach (var r in running.Values)
            {
                r.Slowdown *= excess;
            }

            draw = dram;
        }

        return draw / dram;
    }

    private sealed class Running(SocKernelRun run, double startMs, double seconds)
    {
        public SocKernelRun Run { get; } = run;

        public double StartMs { get; } = startMs;

        public double RemainingSeconds { get; set; } = seconds;

        public double Slowdown { get; set; } = 1;

        public double Rate => 1 / Slowdown;

        public double Demand => Run.Cost.Seconds > 0 ? Run.Cost.Bytes / Run.Cost.Seconds : 0;
    }
}
