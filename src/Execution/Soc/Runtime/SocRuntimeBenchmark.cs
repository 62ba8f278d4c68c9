using System.Collections.Immutable;
using System.Globalization;
using Planning.Soc;

namespace Planning.Execution.Soc.Runtime;

/// <summary>The settings of <see cref="SocRuntimeBenchmark.Measure"/>.</summary>
public sealed record SocRuntimeBenchmarkOptions
{
    /// <summary>The defaults.</summary>
    public static SocRuntimeBenchmarkOptions Default { get; } = new();

    /// <summary>The policy measured: <c>agentxpu</c> (default).</summary>
    public string Policy { get; init; } = "agentxpu";

    /// <summary>
    /// The first-come-first-served baseline the policy is compared with under the same load: <c>openvino</c> (default;
    /// iGPU, continuous batching, FCFS) or <c>llamacpp</c> (CPU).
    /// </summary>
    public string Baseline { get; init; } = "openvino";

    /// <summary>
    /// How long each case runs at least, in the SoC's ms (default 120 s; a generated workload's arrivals span it): a case
    /// runs until every one of its requests has finished (so that a policy that delays background work is charged the
    /// delay, not credited with the work it left undone), but never after <see cref="CapFactor"/> times this; runs still
    /// in flight then are terminated. Throughput is counted as the simulator counts it (<see cref="SocRuntimeResult.TokensPerSecond"/>).
    /// </summary>
    public double DurationMs { get; init; } = 120_000;

    /// <summary>A case is stopped after this many times <see cref="DurationMs"/> whatever is left (default 2).</summary>
    public double CapFactor { get; init; } = 2;

    /// <summary>Wall ms per SoC ms for the cases (default: the executor's <see cref="SocRuntimeOptions.TimeScale"/>).</summary>
    public double? TimeScale { get; init; }

    /// <summary>
    /// Rounds of the four cases, run interleaved (alone, alone, baseline, policy, then again), default 1. A round is a
    /// fresh start of every case on the same workload; the target's ratios pool the rounds, so that the machine's drift
    /// and a first case's warm-up weigh on every case alike.
    /// </summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Checks the settings; errors name the field.</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public SocRuntimeBenchmarkOptions Validate()
    {
        if (string.IsNullOrEmpty(Policy))
        {
            throw new PlanningInputException("policy", "must name a policy");
        }

        if (string.IsNullOrEmpty(Baseline))
        {
            throw new PlanningInputException("baseline", "must name a policy");
        }

        if (Baseline == Policy)
        {
            throw new PlanningInputException("baseline", $"must differ from the policy measured, both are \"{Policy}\"");
        }

        if (!double.IsFinite(DurationMs) || DurationMs <= 0)
        {
            throw new PlanningInputException("durationMs", string.Create(CultureInfo.InvariantCulture, $"must be a finite time above 0, got {DurationMs}"));
        }

        if (!double.IsFinite(CapFactor) || CapFactor < 1)
        {
            throw new PlanningInputException("capFactor", string.Create(CultureInfo.InvariantCulture, $"must be a finite number at least 1, got {CapFactor}"));
        }

        if (Rounds is < 1 or > 100)
        {
            throw new PlanningInputException("rounds", string.Create(CultureInfo.InvariantCulture, $"must be 1 to 100, got {Rounds}"));
        }

        if (TimeScale is { } scale && (!double.IsFinite(scale) || scale <= 0))
        {
            throw new PlanningInputException("timeScale", string.Create(CultureInfo.InvariantCulture, $"must be a finite number above 0, got {scale}"));
        }

        return this;
    }
}

/// <summary>One measured case: which requests ran under which policy, and what the executor measured.</summary>
/// <param name="Name">
/// <c>reactive-alone</c> (the reactive requests only), <c>proactive-alone</c> (the proactive requests only), or the
/// policy's name with the whole workload (the baseline's and the policy's).
/// </param>
/// <param name="Policy">The scheduler's policy.</param>
/// <param name="Result">The run.</param>
public sealed record SocRuntimeCase(string Name, string Policy, SocRuntimeResult Result)
{
    /// <summary>The round the case ran in, from 0 (<see cref="SocRuntimeBenchmarkOptions.Rounds"/>).</summary>
    public int Round { get; init; }

    /// <summary>Median reactive latency (arrival to last token, nearest rank) over the finished reactive requests, in ms; null if none finished.</summary>
    public double? ReactiveP50Ms => SocRuntimeBenchmark.Percentile(Result.Latencies(SocRequestKind.Reactive), 0.50);

    /// <summary>95th-percentile reactive latency (nearest rank), in ms; null if none finished.</summary>
    public double? ReactiveP95Ms => SocRuntimeBenchmark.Percentile(Result.Latencies(SocRequestKind.Reactive), 0.95);

    /// <summary>Proactive output tokens per second of the run.</summary>
    public double ProactiveTokensPerSecond => Result.TokensPerSecond(SocRequestKind.Proactive);
}

/// <summary>
/// What <c>plan soc run</c> reports: the calibration, every case, and the two ratios of the target (issue 15): the
/// policy's reactive p95 under load over its p95 alone (at most 1.5), and its proactive throughput under load over the
/// throughput alone (at least 0.7).
/// </summary>
/// <param name="Model">The model the cost model describes.</param>
/// <param name="Workload">Where the workload came from.</param>
/// <param name="Options">The executor's options (lanes, time scale).</param>
/// <param name="Calibrations">Every lane's calibration.</param>
/// <param name="Settings">The benchmark's settings.</param>
/// <param name="Cases">reactive-alone, proactive-alone, the baseline, the policy.</param>
public sealed record SocRuntimeReport(
    string Model,
    string Workload,
    SocRuntimeOptions Options,
    ImmutableArray<SocLaneCalibration> Calibrations,
    SocRuntimeBenchmarkOptions Settings,
    ImmutableArray<SocRuntimeCase> Cases)
{
    /// <summary>The largest calibration error over every lane and shape.</summary>
    public double CalibrationMaxAbsError => Calibrations.IsDefaultOrEmpty ? 0 : Calibrations.Max(c => c.MaxAbsError);

    /// <summary>The case of a name.</summary>
    /// <param name="name">The case's name.</param>
    /// <returns>The case.</returns>
    /// <exception cref="KeyNotFoundException">No case has that name.</exception>
    public SocRuntimeCase this[string name] => Cases.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"no case \"{name}\"");

    /// <summary>The rounds of a case, in order.</summary>
    /// <param name="name">The case's name.</param>
    /// <returns>Its runs, one a round.</returns>
    public IEnumerable<SocRuntimeCase> Rounds(string name) => Cases.Where(c => c.Name == name);

    /// <summary>Reactive p95 (nearest rank) over the finished reactive requests of every round of a case; null if none finished.</summary>
    /// <param name="name">The case's name.</param>
    /// <returns>The pooled p95 in ms.</returns>
    public double? PooledReactiveP95Ms(string name) =>
        SocRuntimeBenchmark.Percentile([.. Rounds(name).SelectMany(c => c.Result.Latencies(SocRequestKind.Reactive)).Order()], 0.95);

    /// <summary>Mean over the rounds of a case of its proactive tokens per second.</summary>
    /// <param name="name">The case's name.</param>
    /// <returns>The mean throughput.</returns>
    public double MeanProactiveTokensPerSecond(string name) => Rounds(name).Select(c => c.ProactiveTokensPerSecond).DefaultIfEmpty(0).Average();

    /// <summary>The policy's reactive p95 under load / reactive p95 alone, each pooled over the rounds; null when either is missing.</summary>
    public double? ReactiveP95Ratio => PooledReactiveP95Ms(Settings.Policy) / PooledReactiveP95Ms(SocRuntimeBenchmark.ReactiveAlone);

    /// <summary>The policy's proactive throughput under load / proactive throughput alone, each the mean over the rounds; null when alone is 0.</summary>
    public double? ProactiveThroughputRatio => MeanProactiveTokensPerSecond(SocRuntimeBenchmark.ProactiveAlone) is var alone && alone > 0
        ? MeanProactiveTokensPerSecond(Settings.Policy) / alone
        : null;

    /// <summary>The time scale the cases ran at.</summary>
    public double TimeScale => Settings.TimeScale ?? Options.TimeScale;

    /// <summary>Whether the target holds: reactive p95 ratio at most 1.5, proactive throughput ratio at least 0.7, every reactive request finished.</summary>
    public bool MeetsTarget => ReactiveP95Ratio <= 1.5 && ProactiveThroughputRatio >= 0.7 && Rounds(Settings.Policy).All(c => c.Result.Unfinished(SocRequestKind.Reactive) == 0);
}

/// <summary>
/// Measures the real executor on this machine: a workload's reactive requests alone, its proactive requests alone, and
/// the whole workload under the FCFS baseline and under the policy (<see cref="SocRuntimeBenchmarkOptions"/>), each
/// case on fresh scheduler state and the same calibrated lanes.
/// </summary>
public static class SocRuntimeBenchmark
{
    /// <summary>The name of the case with the reactive requests only.</summary>
    public const string ReactiveAlone = "reactive-alone";

    /// <summary>The name of the case with the proactive requests only.</summary>
    public const string ProactiveAlone = "proactive-alone";

    /// <summary>Runs the four cases.</summary>
    /// <param name="executor">The calibrated executor.</param>
    /// <param name="cost">The cost model the schedulers plan with.</param>
    /// <param name="workload">The requests, with both kinds.</param>
    /// <param name="workloadName">Where the workload came from, for the report.</param>
    /// <param name="settings">Policies and horizon.</param>
    /// <param name="progress">Told the name of each case as it starts (the CLI prints it on stderr).</param>
    /// <returns>The report.</returns>
    /// <exception cref="PlanningInputException">The workload lacks a kind, or a setting or policy name is bad.</exception>
    public static SocRuntimeReport Measure(
        SocRuntimeExecutor executor,
        SocCostModel cost,
        IReadOnlyList<SocRequest> workload,
        string workloadName,
        SocRuntimeBenchmarkOptions settings,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        CheckWorkload(workload);
        var reactive = workload.Where(r => r.Kind == SocRequestKind.Reactive).ToList();
        var proactive = workload.Where(r => r.Kind == SocRequestKind.Proactive).ToList();

        // Built before anything runs, so that a bad policy name fails at once.
        (string Name, string Policy, IReadOnlyList<SocRequest> Requests)[] plan =
        [
            (ReactiveAlone, settings.Policy, reactive),
            (ProactiveAlone, settings.Policy, proactive),
            (settings.Baseline, settings.Baseline, workload),
            (settings.Policy, settings.Policy, workload),
        ];
        _ = plan.Select(p => NewScheduler(p.Policy, cost)).ToList();
        var cases = ImmutableArray.CreateBuilder<SocRuntimeCase>(plan.Length * settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            for (var i = 0; i < plan.Length; i++)
            {
                progress?.Report(settings.Rounds == 1 ? plan[i].Name : string.Create(CultureInfo.InvariantCulture, $"{plan[i].Name} (round {round + 1} of {settings.Rounds})"));
                var result = executor.Run(plan[i].Requests, NewScheduler(plan[i].Policy, cost), settings.DurationMs * settings.CapFactor, settings.TimeScale);
                cases.Add(new SocRuntimeCase(plan[i].Name, plan[i].Policy, result) { Round = round });
            }
        }

        return new SocRuntimeReport(cost.Model.Name, workloadName, executor.Options, executor.Calibrations, settings, cases.MoveToImmutable());
    }

    /// <summary>
    /// Checks that a workload can be measured (before the minutes a measurement takes): it has both kinds of request,
    /// and every request is well formed with a unique id.
    /// </summary>
    /// <param name="workload">The requests.</param>
    /// <exception cref="PlanningInputException">It cannot (field <c>workload</c>, or the bad request's).</exception>
    public static void CheckWorkload(IReadOnlyList<SocRequest> workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        SocRuntimeExecutor.CheckRequests(workload);
        if (!workload.Any(r => r.Kind == SocRequestKind.Reactive))
        {
            throw new PlanningInputException("workload", "has no reactive request: there is no latency to measure");
        }

        if (!workload.Any(r => r.Kind == SocRequestKind.Proactive))
        {
            throw new PlanningInputException("workload", "has no proactive request: there is no load to measure under");
        }
    }

    /// <summary>The simulator's nearest-rank percentile of ascending values; null when there are none.</summary>
    internal static double? Percentile(ImmutableArray<double> ascending, double fraction) =>
        ascending.IsDefaultOrEmpty ? null : SocSimulator.Percentile(ascending, fraction);

    private static SocScheduler NewScheduler(string policy, SocCostModel cost) => new(policy, cost);
}
