using System.Collections.Immutable;
using Planning.Graph;

namespace Planning.Execution.Soc;

/// <summary>Reactive requests' latencies (arrival to last output token) in a simulation.</summary>
/// <param name="Count">Reactive requests served.</param>
/// <param name="P50LatencyMs">Median latency (nearest rank); NaN when there is none.</param>
/// <param name="P95LatencyMs">95th-percentile latency (nearest rank); NaN when there is none.</param>
/// <param name="MeanLatencyMs">Mean latency; NaN when there is none.</param>
/// <param name="P50FirstTokenMs">Median time to first token; NaN when there is none.</param>
public sealed record SocReactiveSummary(int Count, double P50LatencyMs, double P95LatencyMs, double MeanLatencyMs, double P50FirstTokenMs)
{
    /// <summary>
    /// A p50 no policy can beat on this SoC: the median over reactive requests of a latency none of them can beat, its
    /// prefill's critical path counting compute only, each kernel at its fastest accelerator, plus one pass over the
    /// weights at the fastest bandwidth per output token after the first; NaN when there is none.
    /// </summary>
    public double P50LowerBoundMs { get; init; } = double.NaN;
}

/// <summary>Proactive requests' throughput in a simulation.</summary>
/// <param name="Count">Proactive requests served.</param>
/// <param name="OutputTokens">Their output tokens.</param>
/// <param name="TokensPerSecond">Output tokens over the span from the first proactive arrival to the last proactive completion; NaN when there is none.</param>
/// <param name="SpanMs">That span.</param>
/// <param name="MeanLatencyMs">Mean arrival-to-last-token latency; NaN when there is none.</param>
public sealed record SocProactiveSummary(int Count, long OutputTokens, double TokensPerSecond, double SpanMs, double MeanLatencyMs);

/// <summary>How busy one lane was.</summary>
/// <param name="Lane">The lane.</param>
/// <param name="BusyMs">Time it ran a kernel.</param>
/// <param name="Runs">Runs it completed.</param>
public sealed record SocLaneUsage(DeviceKind Lane, double BusyMs, int Runs);

/// <summary>One run as it happened on a lane.</summary>
/// <param name="Lane">The lane.</param>
/// <param name="StartMs">When it started.</param>
/// <param name="EndMs">When it ended.</param>
/// <param name="Run">The run (its kernel, requests, predicted time and reason).</param>
public sealed record SocLaneRun(DeviceKind Lane, double StartMs, double EndMs, SocKernelRun Run)
{
    /// <summary>
    /// The requests that got an output token when the run ended: the request whose prefill it finished (its first
    /// token), and every request of a decode step it finished.
    /// </summary>
    public ImmutableArray<string> TokenRequestIds { get; init; } = [];
}

/// <summary>The outcome of one simulated workload under one policy.</summary>
public sealed record SocSimulationResult
{
    /// <summary>The policy's name, such as <c>agentxpu</c>.</summary>
    public required string Policy { get; init; }

    /// <summary>The policy's settings (<see cref="SocSchedulerOptions.DescribeSettings"/>).</summary>
    public required string Settings { get; init; }

    /// <summary>The model's name, such as <c>llama-3.2-3b</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The requests of the workload.</summary>
    public required int Requests { get; init; }

    /// <summary>Reactive latencies.</summary>
    public required SocReactiveSummary Reactive { get; init; }

    /// <summary>Proactive throughput.</summary>
    public required SocProactiveSummary Proactive { get; init; }

    /// <summary>Per-lane busy time, in the policy's lane order.</summary>
    public required ImmutableArray<SocLaneUsage> Lanes { get; init; }

    /// <summary>From time 0 to the last completion.</summary>
    public required double MakespanMs { get; init; }

    /// <summary>The highest DRAM bandwidth drawn at any time over the DRAM's bandwidth (at most 1: the simulator throttles to it).</summary>
    public required double PeakDramUtilization { get; init; }

    /// <summary>Every request as it finished, in finishing order.</summary>
    public required ImmutableArray<SocCompletion> Completions { get; init; }

    /// <summary>Every run in start order (empty unless <see cref="SocSimulationOptions.RecordTimeline"/>).</summary>
    public required ImmutableArray<SocLaneRun> Timeline { get; init; }
}
