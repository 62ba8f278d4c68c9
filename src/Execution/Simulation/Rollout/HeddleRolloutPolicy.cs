using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Execution.Simulation.Rollout;

/// <summary>Heddle's mechanisms, each of which can be switched off for an ablation.</summary>
[Flags]
public enum HeddleMechanisms
{
    /// <summary>None: a sticky FIFO (the first request goes to the instance with the fewest requests, later turns return to it) at equal TP.</summary>
    None = 0,

    /// <summary>
    /// Progressive priority: longest predicted remaining work first, re-ranked after every turn, with preemption at
    /// iteration boundaries; and trajectory-level admission: a trajectory starts on an instance only when the predicted
    /// final contexts of the trajectories already running there, with its own, fit the instance's KV cache (see
    /// <see cref="HeddlePolicyOptions.AdmissionKvFraction"/>).
    /// </summary>
    Priority = 1,

    /// <summary>Presorted-DP placement of trajectories on instances from their prompt predictions (sticky afterwards).</summary>
    Placement = 2,

    /// <summary>Opportunistic migration at tool calls (KV transfer hidden in the tool time, or re-prefill, or stay).</summary>
    Migration = 4,

    /// <summary>The resource manager's tensor-parallel degree per instance (sort-based mapping refined by simulated annealing).</summary>
    Resources = 8,

    /// <summary>Every mechanism.</summary>
    All = Priority | Placement | Migration | Resources,
}

/// <summary>Names and parsing of <see cref="HeddleMechanisms"/>.</summary>
public static class HeddleMechanismNames
{
    private static readonly (string Name, HeddleMechanisms Flag)[] Flags =
    [
        ("priority", HeddleMechanisms.Priority),
        ("placement", HeddleMechanisms.Placement),
        ("migration", HeddleMechanisms.Migration),
        ("resources", HeddleMechanisms.Resources),
    ];

    /// <summary>The mechanism names, in canonical order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Flags.Select(f => f.Name)];

    /// <summary>Parses a comma-separated list (<c>priority,placement</c>; <c>all</c>; <c>none</c> or empty for none).</summary>
    /// <param name="text">The list.</param>
    /// <param name="field">The field named in errors.</param>
    /// <returns>The set.</returns>
    /// <exception cref="PlanningInputException">An unknown name.</exception>
    public static HeddleMechanisms Parse(string? text, string field = "mechanisms")
    {
        var result = HeddleMechanisms.None;
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant();
            if (name == "all")
            {
                result |= HeddleMechanisms.All;
                continue;
            }

            if (name == "none")
            {
                continue;
            }

            var match = Array.FindIndex(Flags, f => f.Name == name);
            if (match < 0)
            {
                throw new PlanningInputException(field, $"must list mechanisms among {string.Join(", ", Names)} (or all, none), got \"{part}\"");
            }

            result |= Flags[match].Flag;
        }

        return result;
    }

    /// <summary>The canonical comma-separated form (<c>none</c> for none).</summary>
    /// <param name="mechanisms">The set.</param>
    /// <returns>The names.</returns>
    public static string Format(HeddleMechanisms mechanisms)
    {
        var names = Flags.Where(f => (mechanisms & f.Flag) != 0).Select(f => f.Name).ToArray();
        return names.Length == 0 ? "none" : string.Join(",", names);
    }
}

/// <summary>What <see cref="HeddleRolloutPolicy"/> needs besides its predictor.</summary>
public sealed record HeddlePolicyOptions
{
    /// <summary>
    /// Tool seconds expected per output token still to generate (a trajectory's predicted tool time is its predicted
    /// remaining tokens times this), estimated on the predictor's training trace; default 0.
    /// </summary>
    public double ToolSecondsPerOutputToken { get; init; }

    /// <summary>
    /// Observation tokens expected per output token still to generate, estimated on the predictor's training trace;
    /// default 0. The placement counts a trajectory's context as its prompt plus its predicted observations, so that a
    /// group's predicted KV peak includes what the tool calls will append.
    /// </summary>
    public double ObservationTokensPerOutputToken { get; init; }

    /// <summary>
    /// The width, in natural log of tokens, under which the initial placement treats two turn-0 predictions as equal:
    /// predictions are rounded to a geometric grid of this width before the presorted DP sorts them (ties then
    /// interleave GRPO siblings, see the placement). Set it to the predictor's typical error (the CLI uses the median
    /// absolute log error of turn-0 predictions on the training trace): finer differences are noise, and sorting on them
    /// packs prompts of nearly equal prediction into one block. Default 0 (no rounding).
    /// </summary>
    public double PlacementLogResolution { get; init; }

    /// <summary>The preemption margins of the progressive priority; null for its defaults.</summary>
    public ProgressivePriorityOptions? Priority { get; init; }

    /// <summary>The migration planner's options; null for its defaults (its bandwidth should match the simulator's).</summary>
    public MigrationOptions? Migration { get; init; }

    /// <summary>The resource manager's options; null for its defaults.</summary>
    public ResourceManagerOptions? Resources { get; init; }

    /// <summary>
    /// Output tokens of the longest trajectory a rollout of this kind is expected to hold (the CLI takes the longest of
    /// the predictor's training trace, which has the same size and family). Turn-0 predictions cannot tell which
    /// trajectory will be the straggler (they regress to the mean), so the annealed layout is chosen for the predicted
    /// work alone while the unknown straggler's critical path, which decides a skewed rollout, may run at the layout's
    /// smallest degree. With this set, the resource manager scores its layout and each uniform one by the worse of the
    /// predicted makespan and that critical path (this many tokens alone at the smallest degree, plus their tool time),
    /// and takes a uniform one only when it scores more than 10 % better. Default 0 (the annealed layout as it is).
    /// </summary>
    public double ExpectedLongestTokens { get; init; }

    /// <summary>
    /// Trajectory-level admission (with <see cref="HeddleMechanisms.Priority"/>): a trajectory starts on an instance only
    /// when the predicted final contexts (context so far plus predicted remaining output and observations) of the
    /// unfinished trajectories already started there, with its own, stay within this fraction of the instance's KV
    /// capacity; an instance with none started always starts one. A started trajectory is never held back, so its cache
    /// is not evicted by newcomers while it waits on a tool: a step-centric engine admits whatever fits the memory of
    /// the moment and, on long agentic contexts, evicts caches of trajectories in tool calls that then re-prefill tens of
    /// thousands of tokens. Default 1.25: the sum of final contexts is the worst case, and the trajectories started on
    /// an instance do not all reach their final contexts at once (one that finishes frees its cache while the others
    /// grow), so admission overcommits by a quarter; on the agentic family (seeds 1 and 2, 16 and 64 GPUs, 8b to 32b)
    /// that was 0.4-9 % faster than 1 with few or no evictions, while 1.5 evicted thousands of caches. 0 or less turns
    /// admission off.
    /// </summary>
    public double AdmissionKvFraction { get; init; } = 1.25;

    /// <summary>
    /// Seconds between the resource manager's re-runs during the rollout (with <see cref="HeddleMechanisms.Resources"/>):
    /// each gives the GPUs of idle instances to the instance of their node with the most predicted remaining work when
    /// the higher degree saves more predicted time than the reload costs. Default 10; 0 or less turns re-runs off.
    /// </summary>
    public double RegroupEverySeconds { get; init; } = 10;

    /// <summary>
    /// The least fraction of an instance's predicted remaining seconds a regroup must save (after the reload) to be
    /// made; predictions are noisy, and a merge cannot be undone. Default 0.05.
    /// </summary>
    public double RegroupMinimumGain { get; init; } = 0.05;

    /// <summary>
    /// Whether a <see cref="ProgressiveRemainingWorkPredictor"/> learns from the rollout as it runs: each completed
    /// trajectory is observed (its GRPO group's evidence, and the predictor's own periodic refit), and predictions use
    /// the evidence of the trajectory's group. Default false: on the generated families it changed the makespan by
    /// under 2 % either way and cost about a second per 1,024 trajectories. Other predictors are used as they are.
    /// </summary>
    public bool LearnOnline { get; init; }
}

/// <summary>
/// <c>heddle</c>: trajectory-centric orchestration. Each mechanism of <see cref="HeddleMechanisms"/> runs for real on the
/// predictor's predictions (never the trace's future): the layout from <see cref="ResourceManager"/> (else the baselines'
/// equal TP), the initial assignment from <see cref="PresortedDpPlacement"/> (else fewest assigned requests, as verl),
/// sticky afterwards; the queue order and preemption from <see cref="ProgressivePriority"/> (else FIFO); and at every
/// tool call a <see cref="MigrationPlanner"/> decision (else stay).
/// </summary>
public sealed class HeddleRolloutPolicy : IRolloutPolicy
{
    private readonly IRemainingWorkPredictor _predictor;
    private readonly HeddlePolicyOptions _options;
    private readonly ProgressivePriority _priority;
    private readonly StickyRouter _router = new();
    private double[] _predicted = [];
    private long[] _predictedAt = [];
    private MigrationPlanner? _migration;
    private IReadOnlyList<Trajectory> _trace = [];

    /// <summary>Creates the policy.</summary>
    /// <param name="predictor">The remaining-work predictor (fitted on another trace than the one simulated).</param>
    /// <param name="mechanisms">The mechanisms that run.</param>
    /// <param name="options">Options; null for the defaults.</param>
    public HeddleRolloutPolicy(IRemainingWorkPredictor predictor, HeddleMechanisms mechanisms = HeddleMechanisms.All, HeddlePolicyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        _predictor = predictor;
        Mechanisms = mechanisms & HeddleMechanisms.All;
        _options = options ?? new HeddlePolicyOptions();
        _priority = new ProgressivePriority(_options.Priority);
    }

    /// <summary>The mechanisms that run.</summary>
    public HeddleMechanisms Mechanisms { get; }

    /// <inheritdoc />
    public string Name => Mechanisms == HeddleMechanisms.All ? "heddle" : $"heddle[{HeddleMechanismNames.Format(Mechanisms)}]";

    /// <summary>How much better (a fraction of its score) a uniform layout must score to replace the annealed one.</summary>
    private const double RobustLayoutMargin = 0.10;

    private bool Has(HeddleMechanisms mechanism) => (Mechanisms & mechanism) != 0;

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        if (!Has(HeddleMechanisms.Resources))
        {
            return EqualTensorParallel.Layout(trace, gpus, cost, options);
        }

        // Only degrees whose KV cache holds the longest trajectory: the simulator rejects a layout that cannot run the trace.
        var longest = trace.Max(t => t.FinalContextTokens);
        if (!cost.TensorParallelDegrees.Any(d => d <= gpus && cost.KvCapacityTokens(d) >= longest))
        {
            return EqualTensorParallel.Layout(trace, gpus, cost, options);
        }

        var items = InitialItems(trace);
        var fitting = new FittingDegrees(cost, longest);
        var manager = new ResourceManager(fitting, _options.Resources);
        var plan = manager.ChooseDegrees(items, gpus);
        if (_options.ExpectedLongestTokens <= 0)
        {
            return plan;
        }

        // The straggler may land on any instance (turn-0 predictions do not single it out), so a layout is scored by
        // the worse of its predicted makespan and the straggler's critical path at its smallest degree; the annealed
        // layout is kept unless a uniform one scores clearly better on that (both scores are estimates: a uniform
        // layout within the margin is no evidence against the annealed one, which fits the predicted work).
        var tokens = _options.ExpectedLongestTokens;
        var context = (long)trace.Average(t => t.PromptTokens) + (long)(tokens * (0.5 + _options.ObservationTokensPerOutputToken));
        double Robust(IReadOnlyList<int> layout) => Math.Max(
            manager.PredictMakespan(items, layout),
            (tokens * cost.DecodeIterationSeconds(1, context, layout.Min())) + (tokens * _options.ToolSecondsPerOutputToken));

        var best = plan;
        var bestScore = Robust(plan);
        foreach (var degree in fitting.TensorParallelDegrees.Where(d => d <= gpus))
        {
            ImmutableArray<int> uniform = [.. Enumerable.Repeat(degree, gpus / degree)];
            var score = Robust(uniform);
            if (score < (1 - RobustLayoutMargin) * bestScore)
            {
                best = uniform;
                bestScore = score;
            }
        }

        return best;
    }

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Trace.Count;
        _trace = state.Trace;
        if (Online is { } online)
        {
            // Group names may repeat between rollout steps; the evidence is this step's.
            online.ForgetGroups();
        }

        _router.Reset(n, state.Degrees.Length);
        _predicted = new double[n];
        _predictedAt = new long[n];
        for (var t = 0; t < n; t++)
        {
            _predicted[t] = Predict(t, state.Progress(t));
        }

        if (Has(HeddleMechanisms.Placement))
        {
            var plan = new PresortedDpPlacement(state.Cost).Place(InitialItems(state.Trace), state.Degrees);
            for (var t = 0; t < n; t++)
            {
                _router.Assign(t, plan.InstanceOf[t]);
            }
        }

        if (Has(HeddleMechanisms.Migration))
        {
            _migration = new MigrationPlanner(state.Cost, _options.Migration ?? new MigrationOptions { TransferBytesPerSecond = state.Options.MigrationBytesPerSecond });
        }
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);

        // A new prediction after every completed turn (progressive): the queue key and the migration loads use it.
        _predicted[trajectory] = Predict(trajectory, state.Progress(trajectory));
        _predictedAt[trajectory] = state.Progress(trajectory).GeneratedTokens;
        return _router.Route(trajectory);
    }

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => Has(HeddleMechanisms.Priority) ? _predicted[trajectory] : 0;

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) =>
        Has(HeddleMechanisms.Priority)
        && _priority.ShouldPreempt(new RolloutWorkItem(0, waitingPriority, 0, 0), new RolloutWorkItem(0, runningPriority, 0, 0), batchFull: true);

    /// <inheritdoc />
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory, double toolSeconds)
    {
        ArgumentNullException.ThrowIfNull(state);
        var progress = state.Progress(trajectory);
        _predicted[trajectory] = Predict(trajectory, progress);
        _predictedAt[trajectory] = progress.GeneratedTokens;
        if (_migration is null || state.CachedOn(trajectory) < 0)
        {
            return ToolCallDecision.Stay;
        }

        var source = state.CachedOn(trajectory);
        var loads = InstanceLoads(state, trajectory, out var remaining, out var resident);

        // Room on a target is what its KV cache has free now and will still have once the trajectories assigned to it
        // (and this one) reach their predicted final contexts: a move that fits only today's contexts evicts cached
        // trajectories as contexts grow, and each eviction re-prefills tens of thousands of tokens on an agentic trace
        // (1,118 evictions on agentic 8b before this rule).
        var growth = (long)Math.Ceiling(_predicted[trajectory] * (1 + _options.ObservationTokensPerOutputToken));
        var free = new long[state.Degrees.Length];
        for (var i = 0; i < free.Length; i++)
        {
            var headroom = state.Cost.KvCapacityTokens(state.Degrees[i]) - resident[i] - growth;
            free[i] = Math.Min(state.FreeKvTokens(i), headroom);
        }

        var decision = _migration.Decide(new MigrationRequest(source, loads, state.Degrees, progress.ContextTokens, toolSeconds, remaining, free));
        if (decision.Kind == MigrationKind.Stay || decision.TargetInstance == source)
        {
            return ToolCallDecision.Stay;
        }

        _router.Assign(trajectory, decision.TargetInstance);
        return new ToolCallDecision(decision.Kind == MigrationKind.MigrateKv ? ToolCallAction.MigrateKv : ToolCallAction.Reprefill, decision.TargetInstance);
    }

    /// <inheritdoc />
    public bool MayStart(IRolloutState state, int instance, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Has(HeddleMechanisms.Priority) || _options.AdmissionKvFraction <= 0)
        {
            return true;
        }

        var demand = PredictedFinalContext(state, trajectory);
        var started = 0;
        foreach (var t in _router.Members(instance))
        {
            if (t != trajectory && state.HasStarted(t) && !state.IsFinished(t))
            {
                demand += PredictedFinalContext(state, t);
                started++;
            }
        }

        return started == 0 || demand <= _options.AdmissionKvFraction * state.Cost.KvCapacityTokens(state.Degrees[instance]);
    }

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        _predicted[trajectory] = 0;
        if (Online is not { } online)
        {
            return;
        }

        online.Observe(state.Trace[trajectory]);

        // The group's evidence changed: refresh its unfinished members' predictions (the simulator re-keys the queues
        // with them, see PrioritiesChangeOnCompletion), so a waiting turn is ranked by what is known now.
        var group = state.Trace[trajectory].Group;
        for (var t = 0; t < _predicted.Length; t++)
        {
            var progress = state.Progress(t);
            if (t != trajectory && !state.IsFinished(t) && state.Trace[t].Group == group)
            {
                _predicted[t] = Predict(t, progress);
                _predictedAt[t] = progress.GeneratedTokens;
            }
        }
    }

    /// <inheritdoc />
    public bool PrioritiesChangeOnCompletion => Has(HeddleMechanisms.Priority) && Online is not null;

    /// <inheritdoc />
    public double RegroupIntervalSeconds => Has(HeddleMechanisms.Resources) && _options.RegroupEverySeconds > 0 ? _options.RegroupEverySeconds : 0;

    /// <inheritdoc />
    /// <remarks>
    /// The resource manager's re-run, for the tail of the rollout: the instances with the most predicted remaining work
    /// (the longest trajectories, on the predictions made so far) take the GPUs of idle instances of their node, one
    /// degree step at a time (TP2 to TP4 takes two idle GPUs), when the continuous-batch estimate at the higher degree
    /// saves more than the reload (weights and resident KV over <see cref="RolloutSimulationOptions.ReloadBytesPerSecond"/>)
    /// plus <see cref="HeddlePolicyOptions.RegroupMinimumGain"/> of the remaining time. An instance is idle when nothing
    /// runs, waits or is cached on it and no unfinished trajectory is assigned to it.
    /// </remarks>
    public IReadOnlyList<InstanceMerge> Regroup(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Degrees.Length;
        var groups = InstanceGroups(state);
        var assigned = new int[n];
        for (var t = 0; t < _router.Trajectories; t++)
        {
            if (_router.InstanceOf(t) >= 0 && !state.IsFinished(t))
            {
                assigned[_router.InstanceOf(t)]++;
            }
        }

        var idle = new List<int>();
        for (var j = 0; j < n; j++)
        {
            if (state.IsIdle(j) && assigned[j] == 0 && state.NodeOf(j) >= 0)
            {
                idle.Add(j);
            }
        }

        var merges = new List<InstanceMerge>();
        if (idle.Count == 0)
        {
            return merges;
        }

        var loads = new double[n];
        for (var i = 0; i < n; i++)
        {
            loads[i] = state.IsRetired(i) ? 0 : GroupSeconds(state.Cost, groups[i], state.Degrees[i]);
        }

        var used = new HashSet<int>();
        foreach (var i in Enumerable.Range(0, n).Where(i => loads[i] > 0 && !state.IsRetired(i)).OrderByDescending(i => loads[i]).ThenBy(i => i))
        {
            var node = state.NodeOf(i);
            var degree = state.Degrees[i];
            var higher = state.Cost.TensorParallelDegrees.Where(d => d > degree).Order().FirstOrDefault();
            if (node < 0 || higher == 0)
            {
                continue;
            }

            // Idle instances of the node, largest degree first, whose degrees add up to the step exactly.
            var need = higher - degree;
            var absorbed = new List<int>();
            foreach (var j in idle.Where(j => !used.Contains(j) && state.NodeOf(j) == node).OrderByDescending(j => state.Degrees[j]).ThenBy(j => j))
            {
                if (state.Degrees[j] <= need)
                {
                    absorbed.Add(j);
                    need -= state.Degrees[j];
                }
            }

            if (need != 0)
            {
                continue;
            }

            long resident = 0;
            foreach (var member in groups[i])
            {
                resident += member.Context;
            }

            var reload = (state.Cost.WeightBytes + ((double)resident * state.Cost.KvBytesPerToken)) / (higher * state.Options.ReloadBytesPerSecond);
            var saving = loads[i] - GroupSeconds(state.Cost, groups[i], higher) - reload;
            if (saving > _options.RegroupMinimumGain * loads[i])
            {
                merges.Add(new InstanceMerge(i, [.. absorbed]));
                used.UnionWith(absorbed);
            }
        }

        return merges;
    }

    private ProgressiveRemainingWorkPredictor? Online => _options.LearnOnline ? _predictor as ProgressiveRemainingWorkPredictor : null;

    private double Predict(int trajectory, TrajectoryProgress progress)
    {
        var value = Online is { } online && _trace.Count > trajectory
            ? online.PredictRemainingTokens(progress, _trace[trajectory].Group)
            : _predictor.PredictRemainingTokens(progress);
        return double.IsFinite(value) && value > 0 ? value : 0;
    }

    private ImmutableArray<RolloutWorkItem> InitialItems(IReadOnlyList<Trajectory> trace)
    {
        // GRPO siblings share their prompt, so their turn-0 predictions are identical, while their true lengths are
        // correlated (the prompt's difficulty). The placement sorts by prediction and breaks ties by the item's
        // Trajectory number, so numbering items in trace order packed a whole group into one contiguous block, onto one
        // instance, concentrating correlated work (placement alone was 0.75-0.78x on agentic). Number them so that
        // siblings interleave (rank within the group x groups + the group's index): ties spread a group over instances,
        // as a round robin does, and a real difference in prediction still sorts first. The plan is indexed by position.
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
            var predicted = _predictor.PredictRemainingTokens(new TrajectoryProgress(trace[t].PromptTokens, 0, 0, trace[t].PromptTokens, 0));
            predicted = double.IsFinite(predicted) && predicted > 0 ? predicted : 0;
            if (_options.PlacementLogResolution > 0 && predicted > 0)
            {
                var step = _options.PlacementLogResolution;
                predicted = Math.Exp(Math.Round(Math.Log(predicted) / step) * step);
            }

            var context = trace[t].PromptTokens + (long)(predicted * _options.ObservationTokensPerOutputToken);
            var tieBreak = (rankInGroup[t] * groupIndex.Count) + groupIndex[trace[t].Group];
            builder.Add(new RolloutWorkItem(tieBreak, predicted, context, predicted * _options.ToolSecondsPerOutputToken));
        }

        return builder.MoveToImmutable();
    }

    /// <summary>
    /// Each instance's predicted remaining decode seconds (<see cref="GroupSeconds"/>), the seconds of
    /// <paramref name="trajectory"/>'s own remaining tokens at its instance's current batch, and each instance's
    /// predicted resident KV: its other trajectories' predicted final contexts.
    /// </summary>
    private double[] InstanceLoads(IRolloutState state, int trajectory, out double remaining, out long[] resident)
    {
        var n = state.Degrees.Length;
        var groups = InstanceGroups(state);
        resident = new long[n];
        for (var t = 0; t < _router.Trajectories; t++)
        {
            var instance = _router.InstanceOf(t);
            if (t != trajectory && instance >= 0 && _predicted[t] > 0 && !state.IsFinished(t))
            {
                resident[instance] += PredictedFinalContext(state, t);
            }
        }

        var loads = new double[n];
        remaining = 0;
        for (var i = 0; i < n; i++)
        {
            loads[i] = GroupSeconds(state.Cost, groups[i], state.Degrees[i]);
            if (i == _router.InstanceOf(trajectory) && groups[i].Count > 0)
            {
                double meanContext = 0;
                foreach (var member in groups[i])
                {
                    meanContext += member.Context + (member.Work / 2);
                }

                remaining = _predicted[trajectory] * state.Cost.DecodeIterationSeconds(groups[i].Count, (long)meanContext, state.Degrees[i]);
            }
        }

        return loads;
    }

    /// <summary>
    /// A trajectory's predicted final context: its context so far plus its predicted remaining output (the prediction made
    /// at its last turn boundary less what it generated since) and the observations expected with it.
    /// </summary>
    private long PredictedFinalContext(IRolloutState state, int trajectory)
    {
        var progress = state.Progress(trajectory);
        var work = Math.Max(0, _predicted[trajectory] - (progress.GeneratedTokens - _predictedAt[trajectory]));
        return progress.ContextTokens + (long)Math.Ceiling(work * (1 + _options.ObservationTokensPerOutputToken));
    }

    /// <summary>
    /// The unfinished trajectories assigned to each instance: predicted remaining tokens and current context, longest
    /// work first. Fresh predictions when learning online (the group evidence may have grown since the trajectory's last
    /// turn); otherwise the prediction made at its last turn boundary (Route, OnToolCall; the predictor is trained at
    /// turn boundaries) less the tokens generated since: re-predicting every trajectory at every tool call cost seconds a
    /// rollout on long agentic traces.
    /// </summary>
    private List<(double Work, long Context)>[] InstanceGroups(IRolloutState state)
    {
        var groups = new List<(double Work, long Context)>[state.Degrees.Length];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = [];
        }

        for (var t = 0; t < _router.Trajectories; t++)
        {
            if (_router.InstanceOf(t) < 0 || _predicted[t] <= 0)
            {
                continue;
            }

            var progress = state.Progress(t);
            if (!state.IsFinished(t))
            {
                double work;
                if (Online is not null)
                {
                    _predicted[t] = Predict(t, progress);
                    _predictedAt[t] = progress.GeneratedTokens;
                    work = _predicted[t];
                }
                else
                {
                    work = Math.Max(0, _predicted[t] - (progress.GeneratedTokens - _predictedAt[t]));
                }

                groups[_router.InstanceOf(t)].Add((work, progress.ContextTokens));
            }
        }

        foreach (var group in groups)
        {
            group.Sort(static (a, b) => b.Work.CompareTo(a.Work));
        }

        return groups;
    }

    /// <summary>
    /// A group's predicted remaining decode seconds at a degree: its members' remaining tokens run as one continuous
    /// batch (the longest w1 &gt;= w2 &gt;= ...; the batch holds k members for w(k) - w(k+1) iterations), as
    /// <see cref="GroupTimeEstimator"/> models a group, without prefill.
    /// </summary>
    private static double GroupSeconds(IInferenceCostModel cost, List<(double Work, long Context)> group, int degree)
    {
        double meanContext = 0;
        double load = 0;
        for (var k = 0; k < group.Count; k++)
        {
            meanContext += group[k].Context + (group[k].Work / 2);
            var next = k + 1 < group.Count ? group[k + 1].Work : 0;
            load += (group[k].Work - next) * cost.DecodeIterationSeconds(k + 1, (long)meanContext, degree);
        }

        return load;
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
