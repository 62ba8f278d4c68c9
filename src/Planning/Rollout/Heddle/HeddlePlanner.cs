using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// Heddle, trajectory-centric rollout orchestration, as one fitted planner: <see cref="Fit"/> trains the progressive
/// predictor on a training trace and measures the <see cref="HeddleCalibration"/>; the planner then makes every decision
/// of a rollout from the predictor's predictions (never the trace's future) and plain inputs: the layout
/// (<see cref="ResourceManager"/> with the straggler-robust uniform choice), the initial placement
/// (<see cref="PresortedDpPlacement"/>), the priority and preemption (<see cref="ProgressivePriority"/>), trajectory-level
/// KV admission, the migration at tool calls (<see cref="MigrationPlanner"/>) and the regroups of idle instances.
/// <c>HeddlePlanner.Fit(training, HeddleOptions.Default)</c> on <see cref="GenerateTrainingTrace"/> is the Heddle that
/// <c>plan rollout simulate</c> and the benchmarks measure; a runtime (the simulator's <c>HeddleRolloutPolicy</c>) keeps
/// only the bookkeeping of which trajectory is where.
/// </summary>
public sealed class HeddlePlanner
{
    /// <summary>The training trace's seed is the rollout's seed plus this, so the predictor never sees the rollout it plans.</summary>
    public const int TrainingSeedOffset = 7919;

    /// <summary>Prompts of the generated training trace (a rollout step of the benchmarks' size).</summary>
    public const int TrainingPrompts = 64;

    /// <summary>Samples per prompt (the GRPO group) of the generated training trace.</summary>
    public const int TrainingSamplesPerPrompt = 16;

    /// <summary>How much better (a fraction of its score) a uniform layout must score to replace the annealed one.</summary>
    private const double RobustLayoutMargin = 0.10;

    private readonly ProgressivePriority _priority;

    /// <summary>Creates a planner from a predictor fitted elsewhere (or an oracle, in tests) and a calibration given by hand.</summary>
    /// <param name="predictor">The remaining-work predictor (fitted on another trace than the ones planned).</param>
    /// <param name="options">Options; null for <see cref="HeddleOptions.Default"/>.</param>
    /// <param name="calibration">The calibration; null for <see cref="HeddleCalibration.None"/>.</param>
    /// <param name="toolPredictor">The tool-duration predictor (fitted on another trace); null to expect <see cref="HeddleCalibration.ToolSecondsPerOutputToken"/> times the turn's output.</param>
    /// <exception cref="PlanningInputException">An option or a calibration figure is out of range.</exception>
    internal HeddlePlanner(IRemainingWorkPredictor predictor, HeddleOptions? options = null, HeddleCalibration? calibration = null, ToolDurationPredictor? toolPredictor = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        Predictor = predictor;
        ToolPredictor = toolPredictor;
        Options = (options ?? HeddleOptions.Default).Validate();
        Calibration = (calibration ?? HeddleCalibration.None).Validate();
        _priority = new ProgressivePriority(Options.Priority);
    }

    /// <summary>
    /// The completed-turn checkpoints at which <see cref="EvaluatePredictor"/> reports the predictor (agentic trajectories
    /// run tens of turns).
    /// </summary>
    public static ImmutableArray<int> PredictorCheckpoints { get; } = [0, 1, 2, 4, 8];

    /// <summary>The remaining-work predictor.</summary>
    internal IRemainingWorkPredictor Predictor { get; }

    /// <summary>The predictor of a tool call's duration (null: the calibration's seconds per output token).</summary>
    internal ToolDurationPredictor? ToolPredictor { get; }

    /// <summary>The options.</summary>
    public HeddleOptions Options { get; }

    /// <summary>What was measured on the training trace.</summary>
    internal HeddleCalibration Calibration { get; }

    /// <summary>The mechanisms that run.</summary>
    public HeddleMechanisms Mechanisms => Options.Mechanisms;

    /// <summary>The policy name a report shows: <c>heddle</c>, or <c>heddle[priority,placement]</c> for an ablation.</summary>
    public string Name => Mechanisms == HeddleMechanisms.All ? "heddle" : $"heddle[{HeddleMechanismNames.Format(Mechanisms)}]";

    /// <summary>
    /// Whether the predictor learns during a rollout (<see cref="HeddleOptions.LearnOnline"/> with a
    /// <see cref="ProgressiveRemainingWorkPredictor"/>): predictions then use the group's evidence and may change when
    /// another trajectory completes.
    /// </summary>
    public bool LearnsOnline => Online is not null;

    /// <summary>
    /// Whether trajectory-level admission runs (<see cref="HeddleMechanisms.Priority"/> with a positive
    /// <see cref="HeddleOptions.AdmissionKvFraction"/>); otherwise <see cref="MayStart"/> always answers true.
    /// </summary>
    internal bool ControlsAdmission => Uses(HeddleMechanisms.Priority) && Options.AdmissionKvFraction > 0;

    /// <summary>
    /// Seconds between regroups (<see cref="PlanRegroup"/>) during a rollout: <see cref="HeddleOptions.RegroupEverySeconds"/>
    /// with <see cref="HeddleMechanisms.Resources"/>, else 0 (none).
    /// </summary>
    internal double RegroupIntervalSeconds => Uses(HeddleMechanisms.Resources) && Options.RegroupEverySeconds > 0 ? Options.RegroupEverySeconds : 0;

    private ProgressiveRemainingWorkPredictor? Online => Options.LearnOnline ? Predictor as ProgressiveRemainingWorkPredictor : null;

    /// <summary>
    /// Fits Heddle on a training trace: trains the progressive predictor (<see cref="HeddleOptions.Predictor"/>) and
    /// measures the <see cref="HeddleCalibration"/> on the same trace.
    /// </summary>
    /// <param name="training">Completed trajectories of a rollout like the ones to plan (same size and family), not one of them.</param>
    /// <param name="options">Options; null for <see cref="HeddleOptions.Default"/>.</param>
    /// <returns>The fitted planner.</returns>
    /// <exception cref="PlanningInputException">The training trace is empty, or an option is out of range.</exception>
    public static HeddlePlanner Fit(IReadOnlyList<Trajectory> training, HeddleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var chosen = (options ?? HeddleOptions.Default).Validate();
        var predictor = ProgressiveRemainingWorkPredictor.Train(training, chosen.Predictor);
        return new HeddlePlanner(predictor, chosen, HeddleCalibration.Measure(training, predictor), ToolDurationPredictor.Fit(training));
    }

    /// <summary>
    /// The training trace of the measured Heddle for a generated rollout: <see cref="TrainingPrompts"/> x
    /// <see cref="TrainingSamplesPerPrompt"/> of the training family at the rollout's seed plus <see cref="TrainingSeedOffset"/>.
    /// </summary>
    /// <param name="family">The training family (the CLI takes the rollout's own, else long-tail).</param>
    /// <param name="seed">The rollout's seed.</param>
    /// <returns>The training trace.</returns>
    public static RolloutTrace GenerateTrainingTrace(RolloutTraceFamily family, int seed) =>
        RolloutTraceGenerator.Generate(family, TrainingPrompts, TrainingSamplesPerPrompt, seed + TrainingSeedOffset);

    /// <summary>How reports name <see cref="GenerateTrainingTrace"/>'s trace, such as <c>skewed 64x16 seed 7922</c>.</summary>
    /// <param name="family">The training family.</param>
    /// <param name="seed">The rollout's seed.</param>
    /// <returns>The description.</returns>
    public static string DescribeTrainingTrace(RolloutTraceFamily family, int seed) =>
        RolloutTraceGenerator.Describe(family, TrainingPrompts, TrainingSamplesPerPrompt, seed + TrainingSeedOffset);

    /// <summary>
    /// How well the predictor ranks a held-out trace's trajectories by remaining output after each of
    /// <see cref="PredictorCheckpoints"/> completed turns. Call it before a rollout that learns online, or the evidence
    /// of that rollout leaks into it.
    /// </summary>
    /// <param name="heldOut">A trace the predictor was not trained on.</param>
    /// <returns>The evaluation.</returns>
    public PredictorEvaluation EvaluatePredictor(RolloutTrace heldOut) => PredictorEvaluation.Evaluate(Predictor, heldOut, PredictorCheckpoints);

    /// <summary>Whether a mechanism runs.</summary>
    /// <param name="mechanism">The mechanism.</param>
    /// <returns>True when it is among <see cref="Mechanisms"/>.</returns>
    public bool Uses(HeddleMechanisms mechanism) => (Mechanisms & mechanism) != 0;

    /// <summary>Starts a rollout step: a predictor learning online forgets the groups' evidence (group names may repeat between steps).</summary>
    internal void BeginRollout() => Online?.ForgetGroups();

    /// <summary>A completed trajectory, for a predictor learning online (its group's evidence and the periodic refit); otherwise nothing.</summary>
    /// <param name="completed">The trajectory, all its turns done.</param>
    internal void Observe(Trajectory completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        Online?.Observe(completed);
    }

    /// <summary>A trajectory's predicted remaining output tokens (0 for a non-finite or negative prediction).</summary>
    /// <param name="progress">What is known of it: its prompt and the turns completed so far.</param>
    /// <param name="group">Its GRPO group (its evidence is used when learning online).</param>
    /// <returns>Tokens, at least 0.</returns>
    internal double PredictRemainingTokens(in TrajectoryProgress progress, string group)
    {
        var value = Online is { } online ? online.PredictRemainingTokens(progress, group) : Predictor.PredictRemainingTokens(progress);
        return double.IsFinite(value) && value > 0 ? value : 0;
    }

    /// <summary>
    /// The predicted seconds of a tool call that starts now (never the call's actual duration, which a runtime learns
    /// only when it returns): the <see cref="ToolDurationPredictor"/> fitted on the training trace, else
    /// <see cref="HeddleCalibration.ToolSecondsPerOutputToken"/> times the output of the turn that issued the call.
    /// </summary>
    /// <param name="progress">The trajectory as the call starts (the issuing turn completed).</param>
    /// <returns>Seconds, at least 0.</returns>
    internal double PredictToolSeconds(in TrajectoryProgress progress) =>
        ToolPredictor?.PredictSeconds(progress) ?? Math.Max(0, Calibration.ToolSecondsPerOutputToken * progress.LastTurnOutputTokens);

    /// <summary>
    /// A trajectory's predicted final context: its context now plus its predicted remaining output and the observations
    /// expected with it (<see cref="HeddleCalibration.ObservationTokensPerOutputToken"/>).
    /// </summary>
    /// <param name="contextTokens">Its context now.</param>
    /// <param name="remainingTokens">Its predicted remaining output tokens.</param>
    /// <returns>Tokens.</returns>
    internal long PredictedFinalContext(long contextTokens, double remainingTokens) =>
        contextTokens + (long)Math.Ceiling(remainingTokens * (1 + Calibration.ObservationTokensPerOutputToken));

    /// <summary>
    /// The trajectories' turn-0 predicted work, what the layout and the initial placement plan on: predicted output
    /// (rounded to <see cref="HeddleCalibration.PlacementLogResolution"/>), context with the predicted observations, and
    /// predicted tool time. Items are numbered so that GRPO siblings interleave (see the remarks); a plan is indexed by
    /// position, which is the trace's order.
    /// </summary>
    /// <remarks>
    /// Siblings share their prompt, so their turn-0 predictions are identical, while their true lengths are correlated
    /// (the prompt's difficulty). The placement sorts by prediction and breaks ties by the item's number, so numbering
    /// items in trace order packed a whole group into one contiguous block, onto one instance, concentrating correlated
    /// work (placement alone was 0.75-0.78x on agentic). They are numbered rank within the group x groups + the group's
    /// index: ties spread a group over instances, as a round robin does, and a real difference in prediction still sorts first.
    /// </remarks>
    /// <param name="trace">The trajectories (their prompts and groups only are read).</param>
    /// <returns>One item per trajectory, in trace order.</returns>
    internal ImmutableArray<RolloutWorkItem> InitialWorkItems(IReadOnlyList<Trajectory> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return InitialWorkItemsOf([.. trace.Select(RolloutPrompt.Of)]);
    }

    /// <summary><see cref="InitialWorkItems(IReadOnlyList{Trajectory})"/> from the trajectories' prompts (all it reads).</summary>
    /// <param name="trace">The trajectories' prompts, in trace order.</param>
    /// <returns>One item per trajectory, in trace order.</returns>
    internal ImmutableArray<RolloutWorkItem> InitialWorkItemsOf(IReadOnlyList<RolloutPrompt> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var rankInGroup = new int[trace.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < trace.Count; t++)
        {
            groupIndex.TryAdd(trace[t].Group, groupIndex.Count);
            seen.TryGetValue(trace[t].Group, out var rank);
            rankInGroup[t] = rank;
            seen[trace[t].Group] = rank + 1;
        }

        var builder = ImmutableArray.CreateBuilder<RolloutWorkItem>(trace.Count);
        for (var t = 0; t < trace.Count; t++)
        {
            var predicted = Predictor.PredictRemainingTokens(new TrajectoryProgress(trace[t].PromptTokens, 0, 0, trace[t].PromptTokens, 0));
            predicted = double.IsFinite(predicted) && predicted > 0 ? predicted : 0;
            if (Calibration.PlacementLogResolution > 0 && predicted > 0)
            {
                var step = Calibration.PlacementLogResolution;
                predicted = Math.Exp(Math.Round(Math.Log(predicted) / step) * step);
            }

            var context = trace[t].PromptTokens + (long)(predicted * Calibration.ObservationTokensPerOutputToken);
            var tieBreak = (rankInGroup[t] * groupIndex.Count) + groupIndex[trace[t].Group];
            builder.Add(new RolloutWorkItem(tieBreak, predicted, context, predicted * Calibration.ToolSecondsPerOutputToken));
        }

        return builder.MoveToImmutable();
    }

    /// <summary>
    /// The layout (with <see cref="HeddleMechanisms.Resources"/>): the resource manager's degrees for the turn-0 predicted
    /// work, over the degrees whose KV cache holds the rollout's maximum context; with
    /// <see cref="HeddleCalibration.ExpectedLongestTokens"/>, replaced by a uniform layout when one scores more than 10 %
    /// better on the worse of the predicted makespan and the expected straggler's critical path (see the remarks).
    /// </summary>
    /// <remarks>
    /// The straggler may land on any instance (turn-0 predictions do not single it out), so a layout is scored by the
    /// worse of its predicted makespan and the straggler's critical path at its smallest degree: that many tokens alone
    /// at the mean prompt plus half of them (and their observations) as context, plus their tool time. The annealed layout
    /// is kept unless a uniform one scores clearly better on that (both scores are estimates: a uniform layout within
    /// the margin is no evidence against the annealed one, which fits the predicted work).
    /// </remarks>
    /// <param name="trace">The trajectories (their prompts and groups; nothing they have not generated yet).</param>
    /// <param name="maxContextTokens">The rollout's maximum context, which every instance must hold.</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="degrees">The degrees; default when false is returned.</param>
    /// <returns>False when the resource manager does not run, or no degree within the budget holds the maximum context: the caller keeps its uniform layout.</returns>
    internal bool TryChooseDegrees(IReadOnlyList<Trajectory> trace, long maxContextTokens, int gpus, IInferenceCostModel cost, out ImmutableArray<int> degrees)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        degrees = default;
        if (!Uses(HeddleMechanisms.Resources) || trace.Count == 0)
        {
            return false;
        }

        // Only degrees whose KV cache holds the rollout's maximum context (the configured one, not the trace's future): a
        // runtime cannot run a layout that cannot hold its longest trajectory.
        var longest = maxContextTokens;
        if (!cost.TensorParallelDegrees.Any(d => d <= gpus && cost.KvCapacityTokens(d) >= longest))
        {
            return false;
        }

        var items = InitialWorkItems(trace);
        var fitting = new FittingDegrees(cost, longest);
        var manager = new ResourceManager(fitting, Options.Resources);
        var plan = manager.ChooseDegrees(items, gpus);
        degrees = plan;
        if (Calibration.ExpectedLongestTokens <= 0)
        {
            return true;
        }

        var tokens = Calibration.ExpectedLongestTokens;
        var context = (long)trace.Average(t => t.PromptTokens) + (long)(tokens * (0.5 + Calibration.ObservationTokensPerOutputToken));
        double Robust(IReadOnlyList<int> layout) => Math.Max(
            manager.PredictMakespan(items, layout),
            (tokens * cost.DecodeIterationSeconds(1, context, layout.Min())) + (tokens * Calibration.ToolSecondsPerOutputToken));

        var bestScore = Robust(plan);
        foreach (var degree in fitting.TensorParallelDegrees.Where(d => d <= gpus))
        {
            ImmutableArray<int> uniform = [.. Enumerable.Repeat(degree, gpus / degree)];
            var score = Robust(uniform);
            if (score < (1 - RobustLayoutMargin) * bestScore)
            {
                degrees = uniform;
                bestScore = score;
            }
        }

        return true;
    }

    /// <summary>
    /// The initial placement (with <see cref="HeddleMechanisms.Placement"/>): the presorted DP of
    /// <see cref="InitialWorkItems"/> on the instances; trajectories then stay on their instance unless migrated.
    /// </summary>
    /// <param name="trace">The trajectories.</param>
    /// <param name="degrees">Each instance's tensor-parallel degree.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="plan">The plan (its <see cref="PlacementPlan.InstanceOf"/> in trace order); null when false is returned.</param>
    /// <returns>False when the placement does not run: the caller assigns trajectories as they come.</returns>
    internal bool TryPlace(IReadOnlyList<Trajectory> trace, IReadOnlyList<int> degrees, IInferenceCostModel cost, out PlacementPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return TryPlace([.. trace.Select(RolloutPrompt.Of)], degrees, cost, out plan);
    }

    /// <summary>The initial placement from the trajectories' prompts (see <see cref="TryPlace(IReadOnlyList{Trajectory}, IReadOnlyList{int}, IInferenceCostModel, out PlacementPlan)"/>).</summary>
    /// <param name="trace">The trajectories' prompts (what is known before they run).</param>
    /// <param name="degrees">Each instance's tensor-parallel degree.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="plan">The plan; null when false is returned.</param>
    /// <returns>False when the placement does not run.</returns>
    internal bool TryPlace(IReadOnlyList<RolloutPrompt> trace, IReadOnlyList<int> degrees, IInferenceCostModel cost, out PlacementPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(degrees);
        ArgumentNullException.ThrowIfNull(cost);
        plan = Uses(HeddleMechanisms.Placement) ? new PresortedDpPlacement(cost).Place(InitialWorkItemsOf(trace), degrees) : null;
        return plan is not null;
    }

    /// <summary>
    /// The queue key of a ready turn (with <see cref="HeddleMechanisms.Priority"/>): its predicted remaining tokens, the
    /// longest first; 0 (first come, first served) otherwise.
    /// </summary>
    /// <param name="remainingTokens">The trajectory's predicted remaining output tokens.</param>
    /// <returns>The key.</returns>
    internal double Priority(double remainingTokens) => Uses(HeddleMechanisms.Priority) ? remainingTokens : 0;

    /// <summary>
    /// Whether a waiting turn preempts a running one at an iteration boundary of a full instance (with
    /// <see cref="HeddleMechanisms.Priority"/>): the progressive priority's margins on their keys.
    /// </summary>
    /// <param name="waitingPriority">The waiting turn's <see cref="Priority"/>.</param>
    /// <param name="runningPriority">The running turn's.</param>
    /// <returns>True to preempt.</returns>
    internal bool ShouldPreempt(double waitingPriority, double runningPriority) =>
        Uses(HeddleMechanisms.Priority)
        && _priority.ShouldPreempt(new RolloutWorkItem(0, waitingPriority, 0, 0), new RolloutWorkItem(0, runningPriority, 0, 0), batchFull: true);

    /// <summary>
    /// Trajectory-level admission (<see cref="ControlsAdmission"/>): whether a trajectory may start on an instance, given
    /// the predicted final contexts (<see cref="PredictedFinalContext"/>) of the unfinished trajectories already started
    /// there: always when none is, else when theirs and its own stay within <see cref="HeddleOptions.AdmissionKvFraction"/>
    /// of the instance's KV capacity.
    /// </summary>
    /// <param name="finalContextTokens">The candidate's predicted final context.</param>
    /// <param name="startedFinalContextTokens">The sum of the started trajectories' predicted final contexts.</param>
    /// <param name="started">How many trajectories are started and unfinished there.</param>
    /// <param name="kvCapacityTokens">The instance's KV capacity.</param>
    /// <returns>True to let it start.</returns>
    internal bool MayStart(long finalContextTokens, long startedFinalContextTokens, int started, long kvCapacityTokens) =>
        !ControlsAdmission || started == 0 || finalContextTokens + startedFinalContextTokens <= Options.AdmissionKvFraction * kvCapacityTokens;

    /// <summary>
    /// Opportunistic migration at a tool call (with <see cref="HeddleMechanisms.Migration"/>): the
    /// <see cref="MigrationPlanner"/>'s decision on each instance's predicted remaining decode seconds (the continuous
    /// batch of its forecasts), the seconds of the trajectory's own remaining tokens at its instance's batch, and, as each
    /// instance's room, what its KV cache has free now and will still have once the trajectories assigned to it (and this
    /// one) reach their predicted final contexts: a move that fits only today's contexts evicts cached trajectories as
    /// contexts grow, and each eviction re-prefills tens of thousands of tokens on an agentic trace.
    /// </summary>
    /// <param name="request">The trajectory and the instances.</param>
    /// <param name="cost">The instances' cost model.</param>
    /// <param name="transferBytesPerSecond">The runtime's KV transfer bandwidth, used unless <see cref="HeddleOptions.Migration"/> is set.</param>
    /// <returns>The decision; <see cref="MigrationKind.Stay"/> (with the source as target) when the mechanism does not run or the target is the source.</returns>
    /// <exception cref="PlanningInputException">The request's lists disagree in length, or name an instance out of range.</exception>
    internal MigrationDecision DecideMigration(HeddleMigrationRequest request, IInferenceCostModel cost, double transferBytesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cost);
        request.Validate();
        var stay = new MigrationDecision(MigrationKind.Stay, request.SourceInstance, 0, 0, 0);
        if (!Uses(HeddleMechanisms.Migration))
        {
            return stay;
        }

        var n = request.InstanceTensorParallel.Count;
        var groups = InstanceForecasts.Group(request.Forecasts, n);
        var loads = new double[n];
        double remaining = 0;
        for (var i = 0; i < n; i++)
        {
            var degree = request.InstanceTensorParallel[i];
            loads[i] = InstanceForecasts.BatchSeconds(cost, groups[i], degree);
            if (i == request.Instance && groups[i].Count > 0)
            {
                var context = InstanceForecasts.MidWorkContext(groups[i]);
                remaining = request.RemainingTokens * cost.DecodeIterationSeconds(groups[i].Count, (long)context, degree);
            }
        }

        var growth = PredictedFinalContext(0, request.RemainingTokens);
        var free = new long[n];
        for (var i = 0; i < n; i++)
        {
            var headroom = cost.KvCapacityTokens(request.InstanceTensorParallel[i]) - request.InstancePredictedResidentKvTokens[i] - growth;
            free[i] = Math.Min(request.InstanceFreeKvTokens[i], headroom);
        }

        var planner = new MigrationPlanner(cost, Options.Migration ?? new MigrationOptions { TransferBytesPerSecond = transferBytesPerSecond });
        var decision = planner.Decide(new MigrationRequest(
            request.SourceInstance, loads, request.InstanceTensorParallel, request.ContextTokens, request.ToolSeconds, remaining, free));
        return decision.TargetInstance == request.SourceInstance ? stay : decision;
    }

    /// <summary>
    /// The resource manager's re-run for the tail of a rollout (see <see cref="RegroupIntervalSeconds"/>): the instances
    /// with the most predicted remaining work (the continuous batch of their forecasts) take the GPUs of idle instances of
    /// their node, one degree step at a time (TP2 to TP4 takes two idle GPUs), when the estimate at the higher degree
    /// saves more than the change costs (<paramref name="change"/>: a stock engine's restart and the re-prefill of the
    /// contexts it held, or in-place resharding's weights and resident KV over <paramref name="reloadBytesPerSecond"/> per GPU) plus
    /// <see cref="HeddleOptions.RegroupMinimumGain"/> of the remaining time.
    /// </summary>
    /// <param name="instances">Each instance: degree, node, whether retired or idle (idle: nothing running, queued or cached, and no unfinished trajectory assigned).</param>
    /// <param name="forecasts">The unfinished trajectories' forecasts.</param>
    /// <param name="cost">The instances' cost model (its degrees are the steps).</param>
    /// <param name="reloadBytesPerSecond">Bytes per second each GPU of a grown instance loads its new shards at.</param>
    /// <param name="change">What the runtime's engine pays for a degree change (null: <see cref="TensorParallelChange.Stock"/>, a restart).</param>
    /// <returns>The merges, busiest instance first (empty for none).</returns>
    internal ImmutableArray<InstanceMerge> PlanRegroup(
        IReadOnlyList<RegroupInstance> instances, IReadOnlyList<TrajectoryForecast> forecasts, IInferenceCostModel cost, double reloadBytesPerSecond, TensorParallelChange? change = null)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(cost);
        return Regrouping.Plan(instances, InstanceForecasts.Group(forecasts, instances.Count), cost, reloadBytesPerSecond, Options.RegroupMinimumGain, change ?? TensorParallelChange.Stock);
    }

    /// <summary>The cost model restricted to the degrees whose KV cache holds the longest trajectory, for the resource manager.</summary>
    private sealed class FittingDegrees(IInferenceCostModel inner, long longest) : IInferenceCostModel
    {
        public string ModelName => inner.ModelName;

        public IReadOnlyList<int> TensorParallelDegrees { get; } = [.. inner.TensorParallelDegrees.Where(d => inner.KvCapacityTokens(d) >= longest)];

        public long KvBytesPerToken => inner.KvBytesPerToken;

        public double WeightBytes => inner.WeightBytes;

        public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) => inner.DecodeIterationSeconds(batchSize, contextTokens, tensorParallel);

        public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => inner.PrefillSeconds(newTokens, cachedTokens, tensorParallel);

        public long KvCapacityTokens(int tensorParallel) => inner.KvCapacityTokens(tensorParallel);
    }
}

/// <summary>A trajectory entering a tool call, and the instances, as <see cref="HeddlePlanner.DecideMigration"/> reads them.</summary>
/// <param name="SourceInstance">The instance holding its KV cache.</param>
/// <param name="Instance">The instance it is assigned to (usually the source; the absorbing one's GPUs may hold it after a regroup).</param>
/// <param name="RemainingTokens">Its predicted remaining output tokens.</param>
/// <param name="ContextTokens">Its context: the KV tokens a transfer moves or a re-prefill recomputes.</param>
/// <param name="ToolSeconds">The tool call's predicted duration (<see cref="HeddlePlanner.PredictToolSeconds"/>): a transfer predicted shorter than it is hidden.</param>
/// <param name="Forecasts">The unfinished trajectories with a prediction (itself among them), each on its assigned instance.</param>
/// <param name="InstanceTensorParallel">Each instance's tensor-parallel degree.</param>
/// <param name="InstanceFreeKvTokens">Each instance's KV tokens neither reserved nor cached now.</param>
/// <param name="InstancePredictedResidentKvTokens">Each instance's predicted resident KV: the predicted final contexts of the other unfinished trajectories assigned to it.</param>
internal sealed record HeddleMigrationRequest(
    int SourceInstance,
    int Instance,
    double RemainingTokens,
    long ContextTokens,
    double ToolSeconds,
    IReadOnlyList<TrajectoryForecast> Forecasts,
    IReadOnlyList<int> InstanceTensorParallel,
    IReadOnlyList<long> InstanceFreeKvTokens,
    IReadOnlyList<long> InstancePredictedResidentKvTokens)
{
    /// <summary>Checks that the lists agree and the instances are in range; errors name the field.</summary>
    /// <exception cref="PlanningInputException">A list is missing or of another length, or an instance is out of range.</exception>
    public void Validate()
    {
        if (InstanceTensorParallel is null || InstanceTensorParallel.Count == 0)
        {
            throw new PlanningInputException("instanceTensorParallel", "must list at least one instance");
        }

        var n = InstanceTensorParallel.Count;
        if (InstanceFreeKvTokens is null || InstanceFreeKvTokens.Count != n)
        {
            throw new PlanningInputException("instanceFreeKvTokens", Invariant($"must hold one entry per instance ({n}), got {InstanceFreeKvTokens?.Count ?? 0}"));
        }

        if (InstancePredictedResidentKvTokens is null || InstancePredictedResidentKvTokens.Count != n)
        {
            throw new PlanningInputException("instancePredictedResidentKvTokens", Invariant($"must hold one entry per instance ({n}), got {InstancePredictedResidentKvTokens?.Count ?? 0}"));
        }

        if (SourceInstance < 0 || SourceInstance >= n)
        {
            throw new PlanningInputException("sourceInstance", Invariant($"must be an instance between 0 and {n - 1}, got {SourceInstance}"));
        }

        if (Forecasts is null)
        {
            throw new PlanningInputException("forecasts", "must be a list (empty for none)");
        }

        for (var i = 0; i < Forecasts.Count; i++)
        {
            if (Forecasts[i].Instance < 0 || Forecasts[i].Instance >= n)
            {
                throw new PlanningInputException(Invariant($"forecasts[{i}].instance"), Invariant($"must be an instance between 0 and {n - 1}, got {Forecasts[i].Instance}"));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
