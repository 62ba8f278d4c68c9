using System.Collections.Immutable;
using System.Globalization;
using Planning.Moe;
using Planning.Moe.Reordering;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Execution.Moe;

/// <summary>
/// Runs balancing policies over a workload (a sequence of microbatches) on the <see cref="MoeStepSimulator"/> and
/// reports each policy's mean step time, throughput, ratios to the ideal and to no balancing, final imbalance and
/// bytes synced. Deterministic when the planner's time is fixed (<see cref="MoeSimulationOptions.PlannerSecondsPerLayer"/>)
/// or the clock is; the plans never depend on the clock.
/// </summary>
/// <remarks>
/// <para>The policies (<see cref="PolicyNames"/>), each layer of each microbatch:</para>
/// <list type="bullet">
/// <item><description><c>none</c>: masters only.</description></item>
/// <item><description><c>eplb</c>: EPLB as deployed: placed from the loads of the previous
/// <see cref="MoeSimulationOptions.EplbWindow"/> microbatches (a moving window; the first microbatch from its own loads),
/// quotas following the current loads (<see cref="MoeLayerProblem.PlacementLoads"/>). The placement is known before the
/// microbatch starts, so the planner and the weight moves run off the critical path: no time is charged for either,
/// but the bytes are counted.</description></item>
/// <item><description><c>eplb-oracle</c>: EPLB placed from the current loads, also with no planner or sync time (an
/// oracle that knew the loads in advance).</description></item>
/// <item><description><c>ultraep</c>: <see cref="UltraEpPolicy"/> on the current loads, incremental (the previous
/// microbatch's instances of the layer are <see cref="MoeLayerProblem.Previous"/>, so replicas in place are preferred),
/// with locality-aware rerouting (<see cref="Rerouter"/>). New replicas' weights are synced by the relay schedule and its
/// exposed part charged; the planner's solve time is charged to every layer.</description></item>
/// <item><description><c>ultraep-reorder</c>: <c>ultraep</c> on a master layout that <see cref="DomainReordering"/>
/// reorders across scale-up domains between batches (every <see cref="MoeSimulationOptions.ReorderEvery"/>
/// microbatches, from the loads of the last microbatches before the batch, every microbatch balanced at once; the first
/// batch from the first microbatch's loads, the steady state of a run that reordered before, as <c>eplb</c>'s first
/// placement; or, with <see cref="MoeSimulationOptions.ReorderFromReplay"/>, from the batch's own microbatches, known
/// in RL training from routing replay). UltraEP keeps replicas inside a
/// domain, so without this a hot domain stays hot. The swaps' weights and optimizer state
/// (<see cref="MoeModelConfig.ExpertStateBytes"/>) cross the inter-domain network at the batch boundary,
/// where nothing overlaps them: that time is charged, fully exposed, to the first microbatch of the batch (the first
/// batch's layout is charged nothing). Replicas of swapped slots no longer hold the right weights and count as not in
/// place.</description></item>
/// <item><description><c>ideal</c>: force-balanced: every rank computes exactly the mean, the all-to-all is the uniform
/// spread, no sync and no planner. Where a policy's plan keeps so many tokens local that its all-to-all beats the
/// uniform spread (small clusters), the ideal takes that all-to-all instead, so that the ideal is never slower than a
/// simulated policy; <see cref="MoeSimulationResult.IdealAllToAllFromPlans"/> counts those layers.</description></item>
/// </list>
/// <para>All four planning policies are always simulated (the ideal is defined against them and <c>none</c> is the
/// reference of the speed-ups); the result lists the requested ones. Weights in place: a rank holds the weights of its
/// masters and of every instance the policy's previous plan of the layer put on it; the first microbatch starts from the
/// masters alone.</para>
/// </remarks>
public static class MoeWorkloadSimulation
{
    private const string None = "none";
    private const string Eplb = "eplb";
    private const string EplbOracle = "eplb-oracle";
    private const string UltraEp = "ultraep";
    private const string UltraEpReorder = "ultraep-reorder";
    private const string Ideal = "ideal";

    /// <summary>The policies the simulation knows, in a stable order.</summary>
    public static ImmutableArray<string> PolicyNames { get; } = [None, Eplb, EplbOracle, UltraEp, UltraEpReorder, Ideal];

    /// <summary>Parses a comma-separated list of policy names (spaces around names ignored, duplicates dropped).</summary>
    /// <param name="list">The list, such as <c>none,eplb,ultraep,ideal</c>.</param>
    /// <param name="field">The field to blame (the CLI passes <c>--policies</c>).</param>
    /// <returns>The names, in the order given.</returns>
    /// <exception cref="PlanningInputException">The list is empty or names an unknown policy.</exception>
    public static ImmutableArray<string> ParsePolicies(string list, string field = "policies")
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = new List<string>();
        foreach (var part in list.Split(','))
        {
            var name = part.Trim();
            if (!PolicyNames.Contains(name))
            {
                throw new PlanningInputException(field, $"must be a comma-separated list of {string.Join(", ", PolicyNames)}, got \"{name}\"");
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    /// <summary>Simulates the policies over a generated workload.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="policies">The policies to report (from <see cref="PolicyNames"/>).</param>
    /// <param name="model">The model.</param>
    /// <param name="hardware">The machine.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="PlanningInputException">A policy is unknown, or the workload does not fit the model.</exception>
    public static MoeSimulationResult Run(MoeWorkload workload, IEnumerable<string> policies, MoeModelConfig model, MoeHardwareConfig hardware, MoeSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return Run(workload.Microbatches, policies, model, hardware, options);
    }

    /// <summary>Simulates the policies over a sequence of microbatches.</summary>
    /// <param name="microbatches">The microbatches, in order; all with the same topology and layers, and the model's number of experts.</param>
    /// <param name="policies">The policies to report (from <see cref="PolicyNames"/>).</param>
    /// <param name="model">The model.</param>
    /// <param name="hardware">The machine (bandwidths, compute; the topology comes from the microbatches).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="PlanningInputException">A policy is unknown, there are no microbatches, or they do not fit each other or the model.</exception>
    public static MoeSimulationResult Run(IReadOnlyList<MoeCase> microbatches, IEnumerable<string> policies, MoeModelConfig model, MoeHardwareConfig hardware, MoeSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(microbatches);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hardware);
        options = (options ?? MoeSimulationOptions.Default).Validate();
        var requested = ParsePolicies(string.Join(',', policies));
        CheckShape(microbatches, model);

        var first = microbatches[0];
        var topology = MoeTopology.From(first);
        var simulator = new MoeStepSimulator(model, hardware, options.Phase);
        var ultraEpPolicy = new UltraEpPolicy(options.UltraEp with { ExpertBytes = model.ExpertBytes });
        var ultraEp = new PolicyState(UltraEp, ultraEpPolicy, first);
        var reordered = new PolicyState(UltraEpReorder, new UltraEpPolicy(ultraEpPolicy.Options), first);
        var states = new[]
        {
            new PolicyState(None, new NoBalancingPolicy(), first),
            new PolicyState(Eplb, new EplbPolicy(), first),
            new PolicyState(EplbOracle, new EplbPolicy(), first),
            ultraEp,
            reordered,
        };
        var ideal = new PolicyState(Ideal, null, first);
        var timer = new PlannerTimer(options);
        var idealFromPlans = 0;

        for (var m = 0; m < microbatches.Count; m++)
        {
            options.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"simulate: microbatch {m + 1}/{microbatches.Count}"));
            foreach (var state in states)
            {
                state.BeginMicrobatch();
            }

            ideal.BeginMicrobatch();
            var reorderSeconds = m % options.ReorderEvery == 0
                ? Reorder(reordered, topology, microbatches, m, options, model, hardware)
                : new double[first.Layers.Length];
            for (var l = 0; l < first.Layers.Length; l++)
            {
                var tokens = microbatches[m].Layers[l];
                var fastest = double.PositiveInfinity;
                foreach (var state in states)
                {
                    var stateTokens = state.Tokens(l, tokens);
                    var problem = Problem(state, topology, microbatches, m, l, options.EplbWindow, stateTokens);
                    var plan = state.Name == UltraEp ? timer.Plan(state.Policy!, problem) : state.Policy!.Plan(problem);
                    if (state.Policy!.ReroutesTokens)
                    {
                        plan = plan.WithRoutes(Rerouter.Route(stateTokens, plan));
                    }

                    var execution = MoeStepSimulator.Execute(stateTokens, plan);
                    var transfers = simulator.NewReplicaTransfers(plan, state.InPlace(l), topology);
                    var syncSeconds = state.Name is UltraEp or UltraEpReorder ? simulator.PlanWeightSync(transfers, topology.Ranks)?.PredictedSeconds ?? 0 : 0;
                    var time = simulator.LayerTime(execution, topology, syncSeconds);
                    if (state == reordered && reorderSeconds[l] > 0)
                    {
                        // The batch boundary's moves: nothing overlaps them, so they are exposed in full.
                        time = time with
                        {
                            WeightSyncSeconds = time.WeightSyncSeconds + reorderSeconds[l],
                            ExposedWeightSyncSeconds = time.ExposedWeightSyncSeconds + reorderSeconds[l],
                        };
                    }

                    fastest = Math.Min(fastest, time.DispatchSeconds / simulator.AllToAllPasses);
                    state.Record(l, plan, time, transfers.Sum(t => t.Receivers.Length * t.Bytes), execution.ReceivedTokens.Select(x => (double)x));
                }

                var uniform = simulator.UniformAllToAllSeconds(tokens, topology);
                if (fastest < uniform)
                {
                    idealFromPlans++;
                }

                var idealTime = simulator.IdealLayerTime(tokens, Math.Min(uniform, fastest));
                var mean = tokens.ExpertLoads.Sum() / (double)topology.Ranks;
                ideal.RecordIdeal(l, idealTime, Enumerable.Repeat(mean, topology.Ranks));
            }
        }

        var (planner, plannerP99) = timer.Result();
        ultraEp.ChargePlanner(planner);
        reordered.ChargePlanner(planner);

        var tokensPerStep = microbatches.Average(c => c.Layers.Average(layer => (double)layer.ExpertLoads.Sum())) / model.TopK;
        var idealMean = ideal.MeanStepSeconds;
        var noneMean = states[0].MeanStepSeconds;
        var outcomes = states.Append(ideal).ToDictionary(s => s.Name, s => s.Outcome(tokensPerStep, idealMean, noneMean));
        return new MoeSimulationResult(
            model,
            hardware,
            options.Phase,
            first.Ranks,
            first.RanksPerNode,
            first.RanksPerDomain,
            first.ExpertsPerRank,
            first.RedundantSlotsPerRank,
            microbatches.Count,
            first.Layers.Length,
            tokensPerStep,
            outcomes[None].MeanImbalance,
            [.. requested.Select(name => outcomes[name])],
            outcomes[None],
            outcomes[Ideal],
            planner,
            options.PlannerSecondsPerLayer is null,
            plannerP99,
            idealFromPlans);
    }

    /// <summary>
    /// Reorders the masters of every layer across domains from the previous batch's loads (microbatch 0: its own), or
    /// from the batch's own loads when they are known from routing replay, and returns, per layer, the time the moves
    /// take (0 for microbatch 0, the steady-state layout).
    /// </summary>
    private static double[] Reorder(PolicyState state, MoeTopology topology, IReadOnlyList<MoeCase> microbatches, int m, MoeSimulationOptions options, MoeModelConfig model, MoeHardwareConfig hardware)
    {
        var layers = microbatches[0].Layers.Length;
        var seconds = new double[layers];
        var bytesPerExpert = options.ReorderBytesPerExpert ?? model.ExpertStateBytes(options.Phase);
        var (from, to) = options.ReorderFromReplay
            ? (m, Math.Min(microbatches.Count, m + options.ReorderEvery))
            : m == 0 ? (0, 1) : (Math.Max(0, m - Math.Min(options.ReorderEvery, options.ReorderWindow)), m);
        for (var l = 0; l < layers; l++)
        {
            var expertAt = state.ExpertAt(l);
            var scenarios = new List<IReadOnlyList<long>>();
            for (var h = from; h < to; h++)
            {
                var loads = microbatches[h].Layers[l].ExpertLoads;
                scenarios.Add([.. expertAt.Select(expert => loads[expert])]);
            }

            var plan = DomainReordering.Plan(topology, scenarios, options.Reordering);
            state.ApplyReorder(l, plan);
            if (m == 0 || plan.Swaps.IsEmpty)
            {
                continue;
            }

            // Each swap sends one expert's state each way between the two slots' ranks, over the network.
            var sent = new long[topology.Ranks];
            var received = new long[topology.Ranks];
            foreach (var swap in plan.Swaps)
            {
                var a = topology.ExpertMaster[swap.SlotA];
                var b = topology.ExpertMaster[swap.SlotB];
                sent[a] += bytesPerExpert;
                received[a] += bytesPerExpert;
                sent[b] += bytesPerExpert;
                received[b] += bytesPerExpert;
            }

            var busiest = 0L;
            for (var r = 0; r < topology.Ranks; r++)
            {
                busiest = Math.Max(busiest, Math.Max(sent[r], received[r]));
            }

            seconds[l] = (busiest / hardware.InterDomainBytesPerSecond) + hardware.LatencySeconds;
            state.AddBytes(2L * plan.Swaps.Length * bytesPerExpert);
        }

        return seconds;
    }

    private static MoeLayerProblem Problem(PolicyState state, MoeTopology topology, IReadOnlyList<MoeCase> microbatches, int m, int l, int window, LayerTokens tokens)
    {
        switch (state.Name)
        {
            case Eplb when m > 0:
                var experts = topology.Experts;
                var sum = new long[experts];
                for (var h = Math.Max(0, m - window); h < m; h++)
                {
                    var loads = microbatches[h].Layers[l].ExpertLoads;
                    for (var e = 0; e < experts; e++)
                    {
                        sum[e] += loads[e];
                    }
                }

                return new MoeLayerProblem(topology, tokens.ExpertLoads, PlacementLoads: [.. sum], Tokens: tokens);
            case UltraEp or UltraEpReorder:
                return new MoeLayerProblem(topology, tokens.ExpertLoads, Tokens: tokens, Previous: state.Previous(l));
            default:
                return new MoeLayerProblem(topology, tokens.ExpertLoads, Tokens: tokens);
        }
    }

    private static void CheckShape(IReadOnlyList<MoeCase> microbatches, MoeModelConfig model)
    {
        if (microbatches.Count == 0)
        {
            throw new PlanningInputException("microbatches", "must hold at least one microbatch, got none");
        }

        var first = microbatches[0];
        ArgumentNullException.ThrowIfNull(first);
        if (first.Experts != model.Experts)
        {
            throw new PlanningInputException("microbatches[0]", string.Create(CultureInfo.InvariantCulture, $"must have the model's {model.Experts} experts ({model.Name}), got {first.Experts}"));
        }

        for (var m = 1; m < microbatches.Count; m++)
        {
            var c = microbatches[m];
            ArgumentNullException.ThrowIfNull(c);
            if (c.Ranks != first.Ranks || c.RanksPerNode != first.RanksPerNode || c.RanksPerDomain != first.RanksPerDomain
                || c.ExpertsPerRank != first.ExpertsPerRank || c.RedundantSlotsPerRank != first.RedundantSlotsPerRank
                || c.EffectiveExpertGroups != first.EffectiveExpertGroups || c.Layers.Length != first.Layers.Length)
            {
                throw new PlanningInputException(
                    string.Create(CultureInfo.InvariantCulture, $"microbatches[{m}]"),
                    "must have the topology, slots, expert groups and number of layers of microbatch 0");
            }
        }
    }

    /// <summary>Times UltraEP's solves: a warm-up per path, then every solve repeated; or a fixed time.</summary>
    private sealed class PlannerTimer(MoeSimulationOptions options)
    {
        private readonly List<double> _samples = [];
        private bool _warmFresh;
        private bool _warmIncremental;

        public LayerPlan Plan(IBalancingPolicy policy, MoeLayerProblem problem)
        {
            if (options.PlannerSecondsPerLayer is not null)
            {
                return policy.Plan(problem);
            }

            // Warm up each path once (a fresh plan, then the first incremental one): both reach steady state untimed.
            var clock = options.Clock;
            var incremental = problem.Previous is not null;
            if (incremental ? !_warmIncremental : !_warmFresh)
            {
                var started = clock.GetTimestamp();
                for (var i = 0; i < 10_000 && (i == 0 || clock.GetElapsedTime(started) < options.WarmupDuration); i++)
                {
                    policy.Plan(problem);
                }

                _warmFresh |= !incremental;
                _warmIncremental |= incremental;
            }

            LayerPlan? plan = null;
            for (var i = 0; i < options.TimedSolves; i++)
            {
                var started = clock.GetTimestamp();
                plan = policy.Plan(problem);
                _samples.Add(clock.GetElapsedTime(started).TotalMicroseconds);
            }

            return plan!;
        }

        public (double Median, double P99) Result()
        {
            if (options.PlannerSecondsPerLayer is { } fixedSeconds)
            {
                return (fixedSeconds, fixedSeconds);
            }

            var timing = SolveTiming.From(_samples);
            return (timing.MedianMicroseconds / 1e6, timing.P99Microseconds / 1e6);
        }
    }

    /// <summary>One policy's running figures.</summary>
    private sealed class PolicyState(string name, IBalancingPolicy? policy, MoeCase first)
    {
        private readonly ImmutableArray<ExpertInstance>?[] _previous = new ImmutableArray<ExpertInstance>?[first.Layers.Length];
        private readonly List<MoeLayerTime[]> _times = [];
        private readonly ImmutableArray<ExpertInstance> _masters = [.. Enumerable.Range(0, first.Experts).Select(e => new ExpertInstance(e, first.MasterRank(e), 0))];
        /// <summary>Per layer, the logical expert in each master slot; <see langword="null"/> while the layout is the identity.</summary>
        private readonly int[]?[] _expertAt = new int[]?[first.Layers.Length];
        private double _imbalance;
        private double _replicas;
        private int _layers;
        private long _bytes;
        private ImmutableArray<double> _sample = [];

        public string Name { get; } = name;

        public IBalancingPolicy? Policy { get; } = policy;

        public double MeanStepSeconds => _times.Average(step => step.Sum(t => t.TotalSeconds));

        public ImmutableArray<ExpertInstance>? Previous(int layer) => _previous[layer];

        /// <summary>The logical expert in each master slot of a layer.</summary>
        public int[] ExpertAt(int layer) => _expertAt[layer] ?? [.. Enumerable.Range(0, first.Experts)];

        /// <summary>The layer's routing in slot terms: slot <c>s</c>'s column is its logical expert's.</summary>
        public LayerTokens Tokens(int layer, LayerTokens tokens)
        {
            if (_expertAt[layer] is not { } expertAt)
            {
                return tokens;
            }

            var rows = new IReadOnlyList<int>[tokens.SourceRanks];
            for (var r = 0; r < rows.Length; r++)
            {
                var source = tokens.Row(r);
                var row = new int[expertAt.Length];
                for (var s = 0; s < row.Length; s++)
                {
                    row[s] = source[expertAt[s]];
                }

                rows[r] = row;
            }

            return new LayerTokens(rows);
        }

        /// <summary>Applies a reordering; replicas of swapped slots now stand for other experts and are dropped.</summary>
        public void ApplyReorder(int layer, DomainReorderPlan plan)
        {
            if (plan.Swaps.IsEmpty)
            {
                return;
            }

            _expertAt[layer] = plan.Apply(ExpertAt(layer));
            var swapped = plan.Swaps.SelectMany(swap => new[] { swap.SlotA, swap.SlotB }).ToHashSet();
            if (_previous[layer] is { } previous)
            {
                _previous[layer] = [.. previous.Where(instance => !swapped.Contains(instance.Expert))];
            }
        }

        public void AddBytes(long bytes) => _bytes += bytes;

        public IEnumerable<ExpertInstance> InPlace(int layer) => _previous[layer] is { } previous ? previous.Concat(_masters) : _masters;

        public void BeginMicrobatch() => _times.Add(new MoeLayerTime[_previous.Length]);

        public void Record(int layer, LayerPlan plan, MoeLayerTime time, long bytes, IEnumerable<double> rankLoads)
        {
            _times[^1][layer] = time;
            _previous[layer] = plan.Instances;
            _imbalance += plan.Imbalance;
            _replicas += plan.Replicas;
            _layers++;
            _bytes += bytes;
            if (layer == 0)
            {
                _sample = [.. rankLoads];
            }
        }

        public void RecordIdeal(int layer, MoeLayerTime time, IEnumerable<double> rankLoads)
        {
            _times[^1][layer] = time;
            _imbalance += 1.0;
            _layers++;
            if (layer == 0)
            {
                _sample = [.. rankLoads];
            }
        }

        public void ChargePlanner(double seconds)
        {
            foreach (var step in _times)
            {
                for (var l = 0; l < step.Length; l++)
                {
                    step[l] = step[l] with { PlannerSeconds = seconds };
                }
            }
        }

        public MoePolicyOutcome Outcome(double tokensPerStep, double idealMean, double noneMean)
        {
            var steps = _times.Select(step => step.Sum(t => t.TotalSeconds)).ToImmutableArray();
            var mean = steps.Average();
            var count = (double)_times.Count;
            var parts = new MoeLayerTime(
                _times.Sum(s => s.Sum(t => t.DispatchSeconds)) / count,
                _times.Sum(s => s.Sum(t => t.ComputeSeconds)) / count,
                _times.Sum(s => s.Sum(t => t.CombineSeconds)) / count,
                _times.Sum(s => s.Sum(t => t.WeightSyncSeconds)) / count,
                _times.Sum(s => s.Sum(t => t.ExposedWeightSyncSeconds)) / count,
                _times.Sum(s => s.Sum(t => t.PlannerSeconds)) / count);
            return new MoePolicyOutcome(
                Name,
                mean,
                tokensPerStep / mean,
                idealMean / mean,
                noneMean / mean,
                _imbalance / _layers,
                _bytes,
                _replicas / _layers,
                parts,
                steps,
                _sample);
        }
    }
}
