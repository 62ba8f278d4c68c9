using System.Collections.Immutable;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// One run of a workload on the real executor, in the SoC's ms (wall ms over the time scale) from its start: the
/// scheduler's completion records and every lane run.
/// </summary>
/// <param name="Workload">The requests, in arrival order.</param>
/// <param name="FedMs">When the executor handed each request of <paramref name="Workload"/> to the scheduler (at or after its arrival; NaN if the run ended first).</param>
/// <param name="Completions">The finished requests as the scheduler recorded them (arrival, first- and last-token times, tokens), in the order they finished.</param>
/// <param name="Timeline">Every lane run, in the order the lanes reported them.</param>
/// <param name="ElapsedMs">From the start of the run to its end.</param>
/// <param name="ReachedHorizon">Whether the run was stopped at its horizon (or cancelled) rather than drained.</param>
public sealed record SocRuntimeResult(
    ImmutableArray<SocRequest> Workload,
    ImmutableArray<double> FedMs,
    ImmutableArray<SocCompletion> Completions,
    ImmutableArray<SocRuntimeRun> Timeline,
    double ElapsedMs,
    bool ReachedHorizon)
{
    /// <summary>The finished requests of a kind, arrival to last token, in ms, ascending.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The latencies.</returns>
    public ImmutableArray<double> Latencies(SocRequestKind kind) =>
        [.. Completions.Where(c => c.Kind == kind).Select(c => c.LatencyMs).Order()];

    /// <summary>Requests of a kind in the workload.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>How many.</returns>
    public int Count(SocRequestKind kind) => Workload.Count(r => r.Kind == kind);

    /// <summary>Requests of a kind that did not finish by the end of the run.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>How many.</returns>
    public int Unfinished(SocRequestKind kind) => Count(kind) - Completions.Count(c => c.Kind == kind);

    /// <summary>
    /// Output tokens of the finished requests of a kind per second, over the span the simulator uses
    /// (<see cref="SocProactiveSummary.TokensPerSecond"/>): from the first arrival of that kind to its last completion,
    /// or to the end of the run when some request of that kind did not finish (what it produced is not counted). 0
    /// when none finished.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Tokens per second.</returns>
    public double TokensPerSecond(SocRequestKind kind)
    {
        var done = Completions.Where(c => c.Kind == kind).ToList();
        if (done.Count == 0)
        {
            return 0;
        }

        var first = Workload.Where(r => r.Kind == kind).Min(r => r.ArrivalMs);
        var last = Unfinished(kind) > 0 ? ElapsedMs : done.Max(c => c.LastTokenMs);
        return last > first ? done.Sum(c => (double)c.OutputTokens) * 1000 / (last - first) : 0;
    }
}
