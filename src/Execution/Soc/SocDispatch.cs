using System.Collections.Immutable;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>Why the scheduler started a run: the rule of its policy that chose it (for timelines, tests and logs).</summary>
public enum SocRunReason
{
    /// <summary>A reactive request's kernel (or a decode batch holding a reactive request).</summary>
    Reactive,

    /// <summary>A proactive request whose wait passed the age limit, served ahead of reactive work for one kernel.</summary>
    Aged,

    /// <summary>A proactive kernel backfilled into an idle lane's slack, under the memory-pressure thresholds.</summary>
    Backfill,

    /// <summary>A baseline's first-come-first-served iteration or kernel.</summary>
    Fcfs,
}

/// <summary>
/// One kernel launch the scheduler asks a lane to run: the kernel, the requests it serves (one for a prefill kernel,
/// the batch for a decode step or a continuous-batching iteration) and its predicted time.
/// </summary>
/// <param name="Kernel">The kernel of the heterogeneous execution graph (for a fused continuous-batching iteration, its largest part).</param>
/// <param name="RequestIds">The requests it serves, in batch order.</param>
/// <param name="PredictedMs">The cost model's uncontended time on the lane, in milliseconds.</param>
public sealed record SocKernelRun(SocKernel Kernel, ImmutableArray<string> RequestIds, double PredictedMs)
{
    /// <summary>The cost model's uncontended cost of the run on its lane (time, DRAM traffic, FLOPs); the simulator runs it at this cost, slowed by contention.</summary>
    public KernelCost Cost { get; init; }

    /// <summary>The rule that chose the run.</summary>
    public SocRunReason Reason { get; init; }

    /// <summary>
    /// Requests whose prefill this run advances (a continuous-batching iteration fuses prompt chunks with decode tokens);
    /// the others in <see cref="RequestIds"/> each get one output token. Empty for a pure decode step; the one request
    /// for a prefill kernel.
    /// </summary>
    public ImmutableArray<string> PrefillRequestIds { get; init; } = [];

    /// <summary>
    /// Every kernel the launch runs, in order: <see cref="Kernel"/> alone for Agent.xpu and the serial baseline; for a
    /// continuous-batching iteration the decode step of its batch and the prefill kernels fused with it.
    /// </summary>
    public ImmutableArray<SocKernel> Parts { get; init; } = [];
}

/// <summary>What the scheduler asks of one lane (an accelerator of the SoC).</summary>
/// <param name="Lane">The lane.</param>
public abstract record SocDispatch(DeviceKind Lane);

/// <summary>Start <paramref name="Run"/> on <paramref name="Lane"/> now; the lane is free.</summary>
/// <param name="Lane">The lane.</param>
/// <param name="Run">The run.</param>
public sealed record SocStart(DeviceKind Lane, SocKernelRun Run) : SocDispatch(Lane);

/// <summary>
/// Terminate the run on <paramref name="Lane"/> (its work is lost); the executor reports it with
/// <see cref="SocScheduler.Aborted"/> once it has stopped. Only asked for with <see cref="SocSchedulerOptions.AbortProactiveForReactive"/>.
/// </summary>
/// <param name="Lane">The lane.</param>
public sealed record SocAbort(DeviceKind Lane) : SocDispatch(Lane);

/// <summary>A finished request: when it arrived, when its first and last output tokens came.</summary>
/// <param name="Id">The request's id.</param>
/// <param name="Kind">Reactive or proactive.</param>
/// <param name="ArrivalMs">Arrival time.</param>
/// <param name="FirstTokenMs">When its first output token came (the end of its last prefill kernel).</param>
/// <param name="LastTokenMs">When its last output token came.</param>
/// <param name="OutputTokens">Output tokens it produced.</param>
public sealed record SocCompletion(string Id, SocRequestKind Kind, double ArrivalMs, double FirstTokenMs, double LastTokenMs, int OutputTokens)
{
    /// <summary>Arrival to last output token, in milliseconds.</summary>
    public double LatencyMs => LastTokenMs - ArrivalMs;
}
