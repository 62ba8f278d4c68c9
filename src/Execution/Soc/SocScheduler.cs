using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>
/// The online scheduler of SoC serving: the one both the discrete-event simulator (<see cref="SocSimulator"/>) and a
/// real executor drive. It knows only the present: the requests that arrived, the cost model's predictions and what
/// each lane runs. The driver reports arrivals (<see cref="Arrive"/>), finished and aborted runs
/// (<see cref="Completed"/>, <see cref="Aborted"/>) and asks what to do now (<see cref="Decide"/>); it also calls
/// <see cref="Decide"/> at <see cref="NextWakeMs"/> when nothing else happens.
/// </summary>
/// <remarks>
/// <para>Lanes are the SoC's accelerators. A lane runs one kernel at a time and the scheduler never starts a kernel on
/// a busy lane. Work comes in jobs, chains of kernels run one at a time in order: a request's prefill (the cost model's
/// <see cref="SocCostModel.Prefill"/>: per chunk and layer group, the linear kernel then the attention kernel; its last
/// kernel yields the first output token) and decode steps (<see cref="SocCostModel.DecodeSteps"/> for a batch: one
/// output token for each request in it when its last kernel ends). Every kernel boundary is a preemption point.</para>
/// <para><c>agentxpu</c> runs on the NPU and the iGPU. On a free lane, in this order of precedence: (1) the next kernel
/// of an aged proactive job (no progress for <see cref="SocSchedulerOptions.AgeLimitMs"/>), oldest first, ahead of
/// reactive work, so background work cannot starve; (2) reactive work, first come first served: the next kernel of each
/// reactive job on the fastest free lane it may use, prefills before the decode step (a reactive kernel waits at most
/// for the kernels running when it became ready: wait-then-execute preemption at kernel boundaries); reactive requests ready to decode form one decode
/// step carrying at most <see cref="SocSchedulerOptions.MaxProactivePerReactiveBatch"/> proactive requests (oldest
/// progress first); (3) slack-aware backfill of proactive work (unfinished decode steps, a new decode step of the
/// proactive requests ready to decode, then prefills in arrival order): a kernel is backfilled only if it is predicted to
/// end before any reactive job is predicted to need that lane, and only under the memory-pressure thresholds (DRAM
/// pressure = the running kernels' uncontended bandwidth demand over the DRAM's bandwidth: below
/// <see cref="SocSchedulerOptions.LowPressure"/> any kernel; up to <see cref="SocSchedulerOptions.HighPressure"/>
/// compute-bound ones; above it, compute-bound ones whose own demand still fits the bandwidth). Elastic kernels run on
/// whichever allowed lane is free, the faster if both are.</para>
/// <para><c>llamacpp</c> (CPU) and <c>openvino</c> (iGPU) are continuous batching on one lane, first come first served:
/// the first <see cref="SocSchedulerOptions.MaxSequences"/> unfinished requests in arrival order are admitted; each
/// iteration decodes one token for every admitted request ready to decode and fills the rest of
/// <see cref="SocSchedulerOptions.MaxBatchedTokens"/> with the admitted prefills' next kernels in arrival order
/// (dynamic split-fuse at kernel granularity; a linear kernel counts its tokens times its share of the layers). The
/// iteration is one fused launch priced as the roofline of one batch (<see cref="FusedCost"/>). <c>serial</c> runs one
/// request at a time, first come first served: each prefill kernel on the NPU when it may run there (else on the iGPU),
/// decode steps of batch 1 on the iGPU.</para>
/// </remarks>
public sealed class SocScheduler
{
    private readonly SocCostModel _cost;
    private readonly double _dramBytesPerSecond;
    private readonly Dictionary<string, SocRequestState> _known = new(StringComparer.Ordinal);
    private readonly List<SocRequestState> _active = [];
    private readonly List<SocJob> _jobs = [];
    private readonly Dictionary<DeviceKind, LaneRun> _running = [];
    private readonly HashSet<DeviceKind> _abortAsked = [];
    private readonly List<SocCompletion> _completions = [];

    // The cost model's prices of the kernels of unfinished jobs, by kernel and lane (the scheduler asks for them often).
    private readonly Dictionary<SocKernel, KernelPrices> _prices = new(ReferenceEqualityComparer.Instance);

    // The decode micro-graphs by batch and context, bound to the policy's lanes (the cost model searches the layer
    // grouping each time it is asked).
    private readonly Dictionary<(int Batch, int Context), ImmutableArray<SocKernel>> _decodeSteps = [];

    private readonly List<int> _readyBuffer = [];
    private readonly int[] _decodeStepsUnderWay = new int[2];

    /// <summary>Creates a scheduler.</summary>
    /// <param name="options">The policy and its settings.</param>
    /// <param name="cost">The kernel cost model of the model served on the SoC (its <see cref="SocCostModel.Soc"/> gives the lanes and the DRAM bandwidth).</param>
    /// <exception cref="PlanningInputException">A setting is out of range.</exception>
    public SocScheduler(SocSchedulerOptions options, SocCostModel cost)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cost);
        Options = options.Validate();
        _cost = cost;
        _dramBytesPerSecond = cost.Soc.DramBytesPerSecond;
        Lanes = options.Policy switch
        {
            SocPolicy.AgentXpu or SocPolicy.Serial => [DeviceKind.Npu, DeviceKind.IntegratedGpu],
            SocPolicy.LlamaCpp => [DeviceKind.Cpu],
            _ => [DeviceKind.IntegratedGpu],
        };
    }

    /// <summary>Creates a scheduler with a policy's best settings (<see cref="SocSchedulerOptions.For(string)"/>).</summary>
    /// <param name="policy">The policy's name: <c>agentxpu</c>, <c>llamacpp</c>, <c>openvino</c> or <c>serial</c>.</param>
    /// <param name="cost">The kernel cost model.</param>
    /// <exception cref="PlanningInputException">The policy is unknown (field <c>policy</c>).</exception>
    public SocScheduler(string policy, SocCostModel cost)
        : this(SocSchedulerOptions.For(policy), cost)
    {
    }

    /// <summary>The policy and its settings.</summary>
    public SocSchedulerOptions Options { get; }

    /// <summary>The lanes the policy uses, in the order it considers them.</summary>
    public ImmutableArray<DeviceKind> Lanes { get; }

    /// <summary>
    /// A time at which <see cref="Decide"/> must be called again even if nothing else happens (a waiting proactive
    /// job reaching the age limit); null when there is none. Set by <see cref="Decide"/>.
    /// </summary>
    public double? NextWakeMs { get; private set; }

    /// <summary>Whether no request is left and no lane runs anything.</summary>
    public bool IsDrained => _active.Count == 0 && _running.Count == 0;

    /// <summary>The finished requests, in the order they finished.</summary>
    public IReadOnlyList<SocCompletion> Completions => _completions;

    /// <summary>The run on a lane, or null when the lane is free.</summary>
    /// <param name="lane">The lane.</param>
    /// <returns>The run.</returns>
    public SocKernelRun? RunningOn(DeviceKind lane) => _running.TryGetValue(lane, out var run) ? run.Run : null;

    /// <summary>A request arrived.</summary>
    /// <param name="request">The request.</param>
    /// <param name="nowMs">Now (its arrival time in a simulation).</param>
    /// <exception cref="PlanningInputException">The request is invalid, does not fit the model's context, or its id was seen before (field <c>request.id</c>).</exception>
    public void Arrive(SocRequest request, double nowMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckFits(request.Validate(), "request");
        if (_known.ContainsKey(request.Id))
        {
            throw new PlanningInputException("request.id", $"must be unique, got \"{request.Id}\" twice");
        }

        var state = new SocRequestState(request, nowMs);
        var prefill = new SocJob(SocJobKind.Prefill, Bind(_cost.Prefill(request.PromptTokens)), [state], nowMs);
        state.Job = prefill;
        _known.Add(request.Id, state);
        _active.Add(state);
        _jobs.Add(prefill);
    }

    /// <summary>Checks that a request fits the model's context (<see cref="SocCostModel.MaxContextTokens"/>, prompt and output together).</summary>
    /// <param name="request">The request.</param>
    /// <param name="field">How errors name it, such as <c>requests[3]</c>.</param>
    /// <exception cref="PlanningInputException">It does not fit (field <c>FIELD.promptTokens</c>).</exception>
    internal static void CheckFits(SocRequest request, string field)
    {
        if ((long)request.PromptTokens + request.OutputTokens > SocCostModel.MaxContextTokens)
        {
            throw new PlanningInputException(
                field + ".promptTokens",
                string.Create(CultureInfo.InvariantCulture, $"prompt ({request.PromptTokens}) and output ({request.OutputTokens}) tokens must fit the model's context of {SocCostModel.MaxContextTokens} tokens"));
        }
    }

    /// <summary>The run on a lane finished: its jobs advance; a finished prefill yields its request's first token, a finished decode step one token for each request in its batch.</summary>
    /// <param name="lane">The lane.</param>
    /// <param name="nowMs">Now.</param>
    /// <exception cref="InvalidOperationException">The lane runs nothing.</exception>
    public void Completed(DeviceKind lane, double nowMs) => Complete(lane, nowMs);

    /// <summary>As <see cref="Completed"/>; returns the requests that got an output token (for the simulator's record).</summary>
    internal List<string> Complete(DeviceKind lane, double nowMs)
    {
        var tokens = new List<string>();
        var run = Take(lane);
        foreach (var (job, kernels) in run.Advances)
        {
            foreach (var kernel in kernels)
            {
                job.MarkDone(kernel);
            }

            job.LastProgressMs = nowMs;
            foreach (var member in job.Members)
            {
                member.LastProgressMs = nowMs;
            }

            if (!job.IsFinished)
            {
                continue;
            }

            _jobs.Remove(job);
            if (job.Kind == SocJobKind.Decode)
            {
                _decodeStepsUnderWay[job.IsReactive ? 1 : 0]--;
            }

            foreach (var kernel in job.Kernels)
            {
                _prices.Remove(kernel);
            }

            // Probes (a decode step priced before it is formed) are not jobs' kernels: bound what they leave behind.
            if (_prices.Count > 100_000)
            {
                _prices.Clear();
            }

            foreach (var member in job.Members)
            {
                member.Job = null;
                tokens.Add(member.Id);
                if (job.Kind == SocJobKind.Prefill)
                {
                    // The last prefill kernel's logits give the first output token.
                    member.Prefilled = true;
                    member.Generated = 1;
                    member.FirstTokenMs = nowMs;
                }
                else
                {
                    member.Generated++;
                }

                if (member.IsDone)
                {
                    _active.Remove(member);
                    _completions.Add(new SocCompletion(member.Id, member.Request.Kind, member.Request.ArrivalMs, member.FirstTokenMs, nowMs, member.Generated));
                }
            }
        }

        return tokens;
    }

    /// <summary>The run on a lane was terminated: its work is lost, and its jobs will run that kernel again.</summary>
    /// <param name="lane">The lane.</param>
    /// <param name="nowMs">Now.</param>
    /// <exception cref="InvalidOperationException">The lane runs nothing.</exception>
    public void Aborted(DeviceKind lane, double nowMs)
    {
        _ = nowMs;
        foreach (var (job, kernels) in Take(lane).Advances)
        {
            foreach (var kernel in kernels)
            {
                job.MarkRunning(kernel, false);
            }
        }
    }

    /// <summary>What to do now: runs to start on free lanes (and, with <see cref="SocSchedulerOptions.AbortProactiveForReactive"/>, runs to abort).</summary>
    /// <param name="nowMs">Now.</param>
    /// <returns>The dispatches; each started run is taken as running from now.</returns>
    public IReadOnlyList<SocDispatch> Decide(double nowMs)
    {
        var dispatches = new List<SocDispatch>();
        switch (Options.Policy)
        {
            case SocPolicy.AgentXpu:
                DecideAgentXpu(nowMs, dispatches);
                break;
            case SocPolicy.Serial:
                DecideSerial(nowMs, dispatches);
                break;
            default:
                DecideContinuous(nowMs, dispatches);
                break;
        }

        NextWakeMs = WakeTime(nowMs);
        return dispatches;
    }

    /// <summary>
    /// The uncontended cost of kernels fused into one launch on one lane (a continuous-batching iteration), as the
    /// roofline of one batch: compute adds up; the weights of the layers the parts share stream once (the traffic is the
    /// parts' traffic less the repeated weight reads); the launch cost is that of the longer chain of launches, the
    /// decode micro-graph's or the prefill kernels'.
    /// </summary>
    /// <param name="parts">The parts and their uncontended costs on the lane (at least one).</param>
    /// <param name="model">The model (for the weight bytes of a layer).</param>
    /// <returns>The fused cost.</returns>
    internal static KernelCost FusedCost(IReadOnlyList<(SocKernel Kernel, KernelCost Cost)> parts, LlmSpec model)
    {
        if (parts.Count == 1)
        {
            return parts[0].Cost;
        }

        double compute = 0, bytes = 0, flops = 0, decodeLaunch = 0, prefillLaunch = 0, bandwidth = 0;
        long resident = 0;
        var weightReads = new int[model.Layers];
        var lmHeadReads = 0;
        foreach (var (kernel, cost) in parts)
        {
            compute += cost.ComputeSeconds;
            bytes += cost.Bytes;
            flops += cost.Flops;
            resident += cost.MemoryBytes;
            var launch = cost.Seconds - Math.Max(cost.ComputeSeconds, cost.MemorySeconds);
            if (kernel.Kind == SocKernelKind.DecodeStep)
            {
                decodeLaunch += launch;
            }
            else
            {
                prefillLaunch += launch;
            }

            if (cost.MemorySeconds > 0)
            {
                bandwidth = cost.Bytes / cost.MemorySeconds;
            }

            if (kernel.Kind != SocKernelKind.PrefillAttention)
            {
                for (var layer = kernel.FirstLayer; layer < kernel.EndLayer; layer++)
                {
                    weightReads[layer]++;
                }

                lmHeadReads += kernel.IncludesLmHead ? 1 : 0;
            }
        }

        // Weights read more than once in the parts are read once by the fused launch.
        var repeated = (weightReads.Sum(r => Math.Max(0, r - 1)) * model.LayerWeights * model.BytesPerWeight) + (Math.Max(0, lmHeadReads - 1) * model.LmHeadWeights * model.BytesPerWeight);
        bytes = Math.Max(0, bytes - repeated);
        var memory = bandwidth > 0 ? bytes / bandwidth : 0;
        return new KernelCost(Math.Max(decodeLaunch, prefillLaunch) + Math.Max(compute, memory), bytes, flops, resident)
        {
            ComputeSeconds = compute,
            MemorySeconds = memory,
        };
    }

    private static double Demand(KernelCost cost) => cost.BytesPerSecond;

    /// <summary>The decode micro-graph of a batch at a mean context, bound to the policy's lanes; cached.</summary>
    private ImmutableArray<SocKernel> DecodeSteps(int batch, int contextTokens)
    {
        if (!_decodeSteps.TryGetValue((batch, contextTokens), out var kernels))
        {
            if (_decodeSteps.Count > 20_000)
            {
                _decodeSteps.Clear();
            }

            kernels = Bind(_cost.DecodeSteps(batch, contextTokens));
            _decodeSteps.Add((batch, contextTokens), kernels);
        }

        return kernels;
    }

    /// <summary>The cost model's uncontended price of a kernel on a lane, cached while its job is unfinished.</summary>
    private KernelCost Price(SocKernel kernel, DeviceKind lane) => Prices(kernel).On(lane, kernel, _cost);

    private KernelPrices Prices(SocKernel kernel)
    {
        if (!_prices.TryGetValue(kernel, out var prices))
        {
            prices = new KernelPrices();
            _prices.Add(kernel, prices);
        }

        return prices;
    }

    /// <summary>The policy's lane where a kernel runs fastest and its time there, in milliseconds (cached with its prices).</summary>
    private (DeviceKind Lane, double Ms) Fastest(SocKernel kernel)
    {
        var prices = Prices(kernel);
        if (prices.FastestLane is not { } fastest)
        {
            var bestSeconds = double.PositiveInfinity;
            fastest = default;
            foreach (var lane in Lanes)
            {
                if (kernel.MayRunOn(lane) && prices.On(lane, kernel, _cost).Seconds is var seconds && seconds < bestSeconds)
                {
                    (fastest, bestSeconds) = (lane, seconds);
                }
            }

            prices.FastestLane = fastest;
            prices.FastestMs = bestSeconds * 1000;
        }

        return (fastest, prices.FastestMs);
    }

    /// <summary>Kernels bound to the lanes the policy uses: a one-lane baseline runs every kernel on its lane.</summary>
    private ImmutableArray<SocKernel> Bind(ImmutableArray<SocKernel> kernels) =>
        Lanes.Length == 1 ? [.. kernels.Select(k => k.Accelerators.Length == 1 && k.Accelerators[0] == Lanes[0] ? k : k with { Accelerators = [Lanes[0]] })] : kernels;

    private LaneRun Take(DeviceKind lane)
    {
        if (!_running.Remove(lane, out var run))
        {
            throw new InvalidOperationException($"the {SocSpec.Name(lane)} runs nothing");
        }

        _abortAsked.Remove(lane);
        return run;
    }

    private bool IsFree(DeviceKind lane) => !_running.ContainsKey(lane);

    private double DemandNow() => _running.Values.Sum(r => Demand(r.Run.Cost));

    /// <summary>A decode step for a batch (a new job holding its requests).</summary>
    private SocJob DecodeJob(List<SocRequestState> batch, double nowMs)
    {
        var meanContext = (int)Math.Ceiling(batch.Average(s => (double)s.ContextTokens));
        // A step is as old as its oldest member's last progress, so a step formed for aged requests is aged itself.
        var job = new SocJob(SocJobKind.Decode, DecodeSteps(batch.Count, meanContext), batch, Math.Min(nowMs, batch.Min(m => m.LastProgressMs)));
        foreach (var member in batch)
        {
            member.Job = job;
        }

        _jobs.Add(job);
        _decodeStepsUnderWay[job.IsReactive ? 1 : 0]++;
        return job;
    }

    /// <summary>Starts one kernel of a job on a lane.</summary>
    private void StartKernel(SocJob job, int index, DeviceKind lane, double nowMs, SocRunReason reason, List<SocDispatch> dispatches)
    {
        var kernel = job.Kernels[index];
        var cost = Price(kernel, lane);
        var run = new SocKernelRun(kernel, job.MemberIds, cost.Seconds * 1000)
        {
            Cost = cost,
            Reason = reason,
            Parts = [kernel],
            PrefillRequestIds = job.Kind == SocJobKind.Prefill ? job.MemberIds : [],
        };
        Start(lane, new LaneRun(run, nowMs, [(job, [index])]), dispatches);
    }

    /// <summary>
    /// Starts what it can of a job's ready kernels, each on a free lane it may use that <paramref name="accept"/> allows:
    /// the fastest (reactive work), or by affinity (proactive work: a prefill chunk's linear kernel on the NPU, a decode
    /// kernel on the iGPU, so background prefill leaves the iGPU to reactive decoding; the other lane when only it is
    /// free).
    /// </summary>
    private void StartReady(SocJob job, double nowMs, SocRunReason reason, List<SocDispatch> dispatches, Func<DeviceKind, KernelCost, bool>? accept = null)
    {
        foreach (var index in job.Ready(_readyBuffer))
        {
            if (!Lanes.Any(IsFree))
            {
                break;
            }

            var kernel = job.Kernels[index];
            var lane = reason == SocRunReason.Reactive ? FastestFreeLane(kernel, accept) : AffineFreeLane(kernel, accept);
            if (lane is { } chosen)
            {
                StartKernel(job, index, chosen, nowMs, reason, dispatches);
            }
        }
    }

    /// <summary>The free lane a proactive kernel goes to by affinity (see <see cref="StartReady"/>) that <paramref name="accept"/> allows; null if none.</summary>
    private DeviceKind? AffineFreeLane(SocKernel kernel, Func<DeviceKind, KernelCost, bool>? accept)
    {
        DeviceKind[] order = kernel.Kind == SocKernelKind.PrefillChunk ? [DeviceKind.Npu, DeviceKind.IntegratedGpu] : [DeviceKind.IntegratedGpu, DeviceKind.Npu];
        foreach (var lane in order)
        {
            if (Lanes.Contains(lane) && IsFree(lane) && kernel.MayRunOn(lane) && (accept is null || accept(lane, Price(kernel, lane))))
            {
                return lane;
            }
        }

        return null;
    }

    private void Start(DeviceKind lane, LaneRun run, List<SocDispatch> dispatches)
    {
        _running.Add(lane, run);
        foreach (var (job, kernels) in run.Advances)
        {
            foreach (var kernel in kernels)
            {
                job.MarkRunning(kernel, true);
            }
        }

        dispatches.Add(new SocStart(lane, run.Run));
    }

    /// <summary>The fastest free lane of the policy's that a kernel may run on and <paramref name="accept"/> allows; null if none.</summary>
    private DeviceKind? FastestFreeLane(SocKernel kernel, Func<DeviceKind, KernelCost, bool>? accept = null)
    {
        DeviceKind? best = null;
        var bestSeconds = double.PositiveInfinity;
        foreach (var lane in Lanes)
        {
            if (!IsFree(lane) || !kernel.MayRunOn(lane))
            {
                continue;
            }

            var cost = Price(kernel, lane);
            if (cost.Seconds < bestSeconds && (accept is null || accept(lane, cost)))
            {
                best = lane;
                bestSeconds = cost.Seconds;
            }
        }

        return best;
    }

    private void DecideAgentXpu(double nowMs, List<SocDispatch> dispatches)
    {
        // (1) Aged proactive work, oldest progress first, ahead of reactive work. Aged requests ready to decode form a
        // decode step together.
        if (Lanes.Any(IsFree) && !HasDecodeStep(reactive: false) && _active.Exists(s => s.IsDecodeReady && s.IsAged(nowMs, Options.AgeLimitMs)))
        {
            DecodeJob([.. ProactiveDecodeReady().Take(Options.MaxDecodeBatch)], nowMs);
        }

        if (Lanes.Any(IsFree))
        {
            foreach (var job in _jobs.Where(j => j.HasReady && j.IsAged(nowMs, Options.AgeLimitMs)).OrderBy(j => j.LastProgressMs))
            {
                StartReady(job, nowMs, SocRunReason.Aged, dispatches);
            }
        }

        // (2) Reactive work, first come first served. Reactive requests ready to decode form one decode step, with at
        // most the cap of proactive riders.
        // Batching is per step, as in continuous batching: a request ready while a step is under way joins the next one,
        // so steps do not multiply (each streams the weights).
        var reactiveReady = _active.Where(s => s.IsReactive && s.IsDecodeReady).Take(Options.MaxDecodeBatch).ToList();
        if (reactiveReady.Count > 0 && !HasDecodeStep(reactive: true))
        {
            var room = Math.Min(Options.MaxProactivePerReactiveBatch, Options.MaxDecodeBatch - reactiveReady.Count);
            reactiveReady.AddRange(ProactiveDecodeReady().Take(room));
            DecodeJob(reactiveReady, nowMs);
        }

        // Prefills before the decode step (each in arrival order): a new request joins the step's batch as soon as it can
        // (steps stream the weights whatever their batch), instead of waiting for earlier requests to finish decoding.
        foreach (var job in _jobs.Where(j => j.HasReady && j.IsReactive).OrderBy(j => j.Kind == SocJobKind.Decode).ThenBy(j => j.ReactiveArrivalMs))
        {
            StartReady(job, nowMs, SocRunReason.Reactive, dispatches);
            if (Options.AbortProactiveForReactive)
            {
                foreach (var index in job.Ready(_readyBuffer))
                {
                    AskAbort(job.Kernels[index], dispatches);
                }
            }
        }

        // (3) Slack-aware backfill of proactive work under the memory-pressure thresholds: unfinished decode steps, a
        // new decode step of the proactive requests ready to decode, then prefills in arrival order.
        if (!Lanes.Any(IsFree))
        {
            return;
        }

        var slack = Lanes.ToDictionary(l => l, l => IsFree(l) ? ReactiveNeedMs(l, nowMs) : 0);
        bool Fits(DeviceKind lane, KernelCost cost) => nowMs + (cost.Seconds * 1000) <= slack[lane] && MayDispatch(cost, DemandNow());
        foreach (var job in _jobs.Where(j => j.HasReady && !j.IsReactive && j.Kind == SocJobKind.Decode).OrderBy(j => j.LastProgressMs))
        {
            StartReady(job, nowMs, SocRunReason.Backfill, dispatches, Fits);
        }

        var ready = ProactiveDecodeReady().Take(Options.MaxDecodeBatch).ToList();
        if (ready.Count > 0 && Lanes.Any(IsFree) && !HasDecodeStep(reactive: false))
        {
            var meanContext = (int)Math.Ceiling(ready.Average(s => (double)s.ContextTokens));
            var first = DecodeSteps(ready.Count, meanContext)[0];
            if (AffineFreeLane(first, Fits) is { } lane)
            {
                StartKernel(DecodeJob(ready, nowMs), 0, lane, nowMs, SocRunReason.Backfill, dispatches);
            }
        }

        foreach (var job in _jobs.Where(j => j.HasReady && !j.IsReactive && j.Kind == SocJobKind.Prefill))
        {
            if (!Lanes.Any(IsFree))
            {
                break;
            }

            StartReady(job, nowMs, SocRunReason.Backfill, dispatches, Fits);
        }
    }

    /// <summary>Whether a decode step of that kind (holding a reactive request, or proactive only) is under way.</summary>
    private bool HasDecodeStep(bool reactive) => _decodeStepsUnderWay[reactive ? 1 : 0] > 0;

    private IEnumerable<SocRequestState> ProactiveDecodeReady() =>
        _active.Where(s => !s.IsReactive && s.IsDecodeReady).OrderBy(s => s.LastProgressMs);

    /// <summary>The memory-pressure thresholds for a new proactive kernel of this cost, given the running kernels' demand.</summary>
    private bool MayDispatch(KernelCost cost, double demand)
    {
        var pressure = demand / _dramBytesPerSecond;
        if (pressure < Options.LowPressure)
        {
            return true;
        }

        if (cost.IsMemoryBound)
        {
            return false;
        }

        return pressure <= Options.HighPressure || pressure + (Demand(cost) / _dramBytesPerSecond) <= 1;
    }

    /// <summary>
    /// The earliest time a reactive job is predicted to need <paramref name="lane"/>, at the cost model's times: a kernel
    /// needs the lane if it may run there and the lane is the fastest it may use, or that one is predicted busy then.
    /// A job's pending kernels are taken as ready when its running kernels are predicted to end (its ready ones, now:
    /// they found no free lane); after a prefill comes its first decode step, after a decode step the next one, when
    /// the job's remaining kernels would have run one after another. Infinity when no reactive job will need the lane.
    /// </summary>
    private double ReactiveNeedMs(DeviceKind lane, double nowMs)
    {
        var need = double.PositiveInfinity;
        var busyUntil = _running.ToDictionary(r => r.Key, r => r.Value.StartMs + r.Value.Run.PredictedMs);
        bool Needs(SocKernel kernel, double t)
        {
            if (!kernel.MayRunOn(lane))
            {
                return false;
            }

            var best = Fastest(kernel).Lane;
            return best == lane || (busyUntil.TryGetValue(best, out var until) && until > t);
        }

        foreach (var job in _jobs)
        {
            if (!job.IsReactive)
            {
                continue;
            }

            var runningEnds = _running.Values.Where(r => r.Advances.Exists(a => a.Job == job)).Select(r => r.StartMs + r.Run.PredictedMs).ToList();
            var t = runningEnds.Count > 0 ? Math.Max(nowMs, runningEnds.Min()) : nowMs;
            if (job.Frontier().Any(k => Needs(job.Kernels[k], t)))
            {
                need = Math.Min(need, t);
                continue;
            }

            // A running reactive job is assumed to be followed by a decode step: a real engine learns that a request
            // has ended only when its end-of-sequence token comes out, so the slack left for backfill cannot use the
            // workload's output length.
            var end = Math.Max(t, runningEnds.DefaultIfEmpty(nowMs).Max()) + job.Pending().Sum(k => Fastest(job.Kernels[k]).Ms);
            var context = (int)Math.Ceiling(job.Members.Average(m => (double)m.ContextTokens)) + 1;
            var first = DecodeSteps(job.Members.Count, Math.Min(context, SocCostModel.MaxContextTokens))[0];
            if (Needs(first, end))
            {
                need = Math.Min(need, end);
            }
        }

        return need;
    }

    private void AskAbort(SocKernel kernel, List<SocDispatch> dispatches)
    {
        if (!Options.AbortProactiveForReactive)
        {
            return;
        }

        foreach (var lane in Lanes)
        {
            if (kernel.MayRunOn(lane) && _running.TryGetValue(lane, out var run) && run.Run.Reason == SocRunReason.Backfill && _abortAsked.Add(lane))
            {
                dispatches.Add(new SocAbort(lane));
                return;
            }
        }
    }

    private void DecideSerial(double nowMs, List<SocDispatch> dispatches)
    {
        if (_active.Count == 0)
        {
            return;
        }

        var state = _active[0];
        if (state.IsDecodeReady)
        {
            DecodeJob([state], nowMs);
        }

        // The static split: prefill kernels on the NPU when they may run there, the rest (and decode) on the iGPU.
        var job = state.Job!;
        foreach (var index in job.Ready(_readyBuffer).ToList())
        {
            var kernel = job.Kernels[index];
            var lane = job.Kind == SocJobKind.Prefill && kernel.MayRunOn(DeviceKind.Npu) ? DeviceKind.Npu : DeviceKind.IntegratedGpu;
            if (IsFree(lane))
            {
                StartKernel(job, index, lane, nowMs, SocRunReason.Fcfs, dispatches);
            }
        }
    }

    private void DecideContinuous(double nowMs, List<SocDispatch> dispatches)
    {
        var lane = Lanes[0];
        if (!IsFree(lane) || _active.Count == 0)
        {
            return;
        }

        var admitted = _active.Take(Options.MaxSequences).ToList();
        var decoders = admitted.Where(s => s.IsDecodeReady).Take(Options.MaxBatchedTokens).ToList();
        var budget = (double)(Options.MaxBatchedTokens - decoders.Count);
        var advances = new List<(SocJob Job, List<int> Kernels)>();
        var parts = new List<SocKernel>();

        // Decode steps of at most the cost model's batch, each a whole micro-graph in this iteration.
        for (var i = 0; i < decoders.Count; i += SocCostModel.MaxBatch)
        {
            var job = DecodeJob(decoders.GetRange(i, Math.Min(SocCostModel.MaxBatch, decoders.Count - i)), nowMs);
            parts.AddRange(job.Kernels);
            advances.Add((job, [.. Enumerable.Range(0, job.Kernels.Length)]));
        }

        var prefillIds = new List<string>();
        foreach (var state in admitted.Where(s => !s.Prefilled))
        {
            // One lane: nothing of the job runs, and its pending kernels in execution order have their predecessors
            // done or earlier in this launch.
            var job = state.Job!;
            var taken = new List<int>();
            foreach (var index in job.Pending())
            {
                var kernel = job.Kernels[index];
                var tokens = kernel.Kind == SocKernelKind.PrefillChunk ? kernel.Tokens * kernel.Layers / (double)_cost.Model.Layers : 0;

                // A kernel larger than the whole budget still runs, alone, so that no request waits forever.
                if (tokens > budget + 1e-9 && parts.Count > 0)
                {
                    break;
                }

                parts.Add(kernel);
                budget -= tokens;
                taken.Add(index);
            }

            if (taken.Count > 0)
            {
                advances.Add((job, taken));
                prefillIds.Add(state.Id);
            }

            if (budget <= 1e-9)
            {
                break;
            }
        }

        var priced = parts.Select(k => (k, _cost.Cost(k, lane))).ToList();
        var cost = FusedCost(priced, _cost.Model);
        var run = new SocKernelRun(priced.MaxBy(p => p.Item2.Seconds).k, [.. prefillIds.Concat(decoders.Select(s => s.Id))], cost.Seconds * 1000)
        {
            Cost = cost,
            Reason = SocRunReason.Fcfs,
            PrefillRequestIds = [.. prefillIds],
            Parts = [.. parts],
        };
        Start(lane, new LaneRun(run, nowMs, advances), dispatches);
    }

    private double? WakeTime(double nowMs)
    {
        // Ageing only matters to a free lane: with every lane busy, the next completion calls Decide anyway.
        if (Options.Policy != SocPolicy.AgentXpu || double.IsPositiveInfinity(Options.AgeLimitMs) || !Lanes.Any(IsFree))
        {
            return null;
        }

        double? wake = null;
        void Consider(double lastProgressMs)
        {
            var at = lastProgressMs + Options.AgeLimitMs;
            if (at > nowMs && (wake is null || at < wake))
            {
                wake = at;
            }
        }

        foreach (var job in _jobs.Where(j => !j.IsReactive && j.HasReady))
        {
            Consider(job.LastProgressMs);
        }

        foreach (var state in _active.Where(s => !s.IsReactive && s.IsDecodeReady))
        {
            Consider(state.LastProgressMs);
        }

        return wake;
    }

    /// <summary>What runs on a lane: the run, when it started, and how many kernels of which jobs it advances.</summary>
    /// <summary>A kernel's cost on each lane, priced on first use, and its fastest lane among the policy's.</summary>
    private sealed class KernelPrices
    {
        private readonly KernelCost[] _byLane = new KernelCost[4];

        public DeviceKind? FastestLane { get; set; }

        public double FastestMs { get; set; }

        public KernelCost On(DeviceKind lane, SocKernel kernel, SocCostModel cost)
        {
            var slot = (int)lane;
            if (_byLane[slot].Seconds == 0)
            {
                _byLane[slot] = cost.Cost(kernel, lane);
            }

            return _byLane[slot];
        }
    }

    private sealed record LaneRun(SocKernelRun Run, double StartMs, List<(SocJob Job, List<int> Kernels)> Advances);
}
