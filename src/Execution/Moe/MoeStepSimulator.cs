using System.Collections.Immutable;
using Planning.Execution.WeightSync;
using Planning.Moe;

namespace Planning.Execution.Moe;

/// <summary>
/// Times one MoE layer under a <see cref="LayerPlan"/> on a <see cref="MoeHardwareConfig"/>: dispatch all-to-all,
/// the busiest rank's expert compute, combine all-to-all, the exposed part of the replicas' weight sync and the
/// planner's own time. Stateless and deterministic.
/// </summary>
/// <remarks>
/// <para><b>Routing.</b> Tokens go to instances by the plan's reroute table (<see cref="LayerPlan.Routes"/>, UltraEP's
/// locality-aware rerouting) when it has one, else by <see cref="MoeDispatcher"/>'s rule (local first, then sources in
/// rank order).</para>
/// <para><b>All-to-all.</b> A routed token (one token-expert assignment) carries <c>hidden x bytesPerParameter</c>
/// bytes between two ranks; tokens that stay on their source rank cost nothing. Bytes to a rank of the same scale-up
/// domain use the intra-domain (NVLink) bandwidth, bytes to another domain the inter-domain (network) bandwidth, both
/// per GPU and per direction. A rank's NVLink and network ports work at the same time and each direction is full
/// duplex, so a rank's time is the slowest of its four serialisations (intra send, intra receive, inter send, inter
/// receive); a phase ends with the slowest rank, plus one <see cref="MoeHardwareConfig.LatencySeconds"/> when any byte
/// moves. Tokens that go to several experts on one rank are counted once per expert (no de-duplication). The combine
/// sends the same bytes back, so it takes as long as the dispatch (the transposed traffic swaps each rank's send and
/// receive). Training runs both twice (<see cref="MoeStepPhase.Training"/>).</para>
/// <para><b>Compute.</b> The busiest rank's routed tokens x <see cref="MoeModelConfig.FlopsPerRoutedToken"/> /
/// (<see cref="MoeHardwareConfig.Bf16PeakFlops"/> x <see cref="MoeHardwareConfig.ComputeEfficiency"/>): the layer
/// waits for the slowest rank. The phases are added, not overlapped: a conservative model in which imbalance costs
/// its full weight.</para>
/// <para><b>Weight sync.</b> Replicas whose weights are not already on their rank get them from the expert's master
/// through <see cref="WeightSyncPlanner"/>'s relay schedule over <see cref="MoeHardwareConfig.WeightSyncLink"/>; the
/// sync starts when the plan is known and runs alongside the forward dispatch, so only
/// <c>max(0, predicted sync - one dispatch)</c> is exposed. This ignores that the sync and the dispatch share the
/// NVLink ports (optimistic where the dispatch is NVLink-bound) and charges no time for returning a replica's
/// gradients in training (deferred to the end of the backward pass, off the critical path).</para>
/// <para><b>Planner.</b> A planner on the critical path (UltraEP, every layer and microbatch) adds its solve time;
/// the caller supplies it (<see cref="MoeWorkloadSimulation"/> measures it).</para>
/// </remarks>
public sealed class MoeStepSimulator
{
    /// <summary>Creates a simulator.</summary>
    /// <param name="model">The model's sizes.</param>
    /// <param name="hardware">The machine.</param>
    /// <param name="phase">Training (default) or prefill.</param>
    public MoeStepSimulator(MoeModelConfig model, MoeHardwareConfig hardware, MoeStepPhase phase = MoeStepPhase.Training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hardware);
        if (!Enum.IsDefined(phase))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a defined phase");
        }

        Model = model;
        Hardware = hardware;
        Phase = phase;
        FlopsPerRoutedToken = model.FlopsPerRoutedToken(phase);
    }

    /// <summary>The model.</summary>
    public MoeModelConfig Model { get; }

    /// <summary>The machine.</summary>
    public MoeHardwareConfig Hardware { get; }

    /// <summary>What a step runs.</summary>
    public MoeStepPhase Phase { get; }

    /// <summary>Expert FLOPs per routed token in <see cref="Phase"/>.</summary>
    public double FlopsPerRoutedToken { get; }

    /// <summary>How many times a step runs the dispatch and the combine: 2 in training (forward and backward), 1 in prefill.</summary>
    public int AllToAllPasses => Phase == MoeStepPhase.Training ? 2 : 1;

    /// <summary>Routes a layer's tokens under a plan: by its reroute table when it has one, else by <see cref="MoeDispatcher"/>.</summary>
    /// <param name="tokens">The layer's routing.</param>
    /// <param name="plan">The plan.</param>
    /// <returns>The measured execution (per-rank compute and the traffic matrix).</returns>
    /// <exception cref="MoeDispatchException">The plan cannot serve the tokens, or its reroute table does not add up.</exception>
    public static MoeLayerExecution Execute(LayerTokens tokens, LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Routes.IsDefaultOrEmpty
            ? MoeDispatcher.Execute(tokens, plan)
            : MoeLayerExecution.Measure(FromRoutes(tokens, plan));
    }

    /// <summary>The time the experts of a rank with <paramref name="routedTokens"/> tokens compute.</summary>
    /// <param name="routedTokens">Token-expert assignments the rank computes.</param>
    /// <returns>Seconds.</returns>
    public double ComputeSeconds(double routedTokens) => routedTokens * FlopsPerRoutedToken / Hardware.SustainedFlops;

    /// <summary>One dispatch (or combine) phase of an execution (see the type's remarks).</summary>
    /// <param name="execution">The routed layer.</param>
    /// <param name="topology">The topology: which ranks share a domain.</param>
    /// <returns>Seconds.</returns>
    public double AllToAllSeconds(MoeLayerExecution execution, MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(topology);
        var ranks = execution.Ranks;
        CheckRanks(ranks, topology);
        var traffic = new RankTraffic(ranks);
        for (var s = 0; s < ranks; s++)
        {
            var row = execution.Traffic.Row(s);
            for (var t = 0; t < ranks; t++)
            {
                if (t != s && row[t] != 0)
                {
                    traffic.Add(s, t, row[t], topology.RankDomain[s] == topology.RankDomain[t]);
                }
            }
        }

        return PhaseSeconds(traffic);
    }

    /// <summary>
    /// One dispatch phase of the force-balanced ideal: every source rank spreads its routed tokens evenly over all
    /// ranks (its own share stays local), so every rank sends and receives the same.
    /// </summary>
    /// <param name="tokens">The layer's routing (only each source rank's total matters).</param>
    /// <param name="topology">The topology.</param>
    /// <returns>Seconds.</returns>
    public double UniformAllToAllSeconds(LayerTokens tokens, MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(topology);
        var ranks = tokens.SourceRanks;
        CheckRanks(ranks, topology);
        var traffic = new RankTraffic(ranks);
        for (var s = 0; s < ranks; s++)
        {
            long sent = 0;
            foreach (var count in tokens.Row(s))
            {
                sent += count;
            }

            // Each source sends sent / ranks to every rank; with integral shares the sums below are exact.
            var share = sent / (double)ranks;
            for (var t = 0; t < ranks; t++)
            {
                if (t != s && share != 0)
                {
                    traffic.Add(s, t, share, topology.RankDomain[s] == topology.RankDomain[t]);
                }
            }
        }

        return PhaseSeconds(traffic);
    }

    /// <summary>
    /// The weight transfers a plan needs: per expert, the ranks that host a new instance of it (not in
    /// <paramref name="inPlace"/>, not its master rank), sent from its master. Empty when every replica is in place.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="inPlace">The instances whose weights are already on their ranks (the previous plan's); masters always are.</param>
    /// <param name="topology">The topology (masters).</param>
    /// <returns>The transfers, by expert in ascending order, receivers in rank order.</returns>
    public ImmutableArray<ReplicaTransfer> NewReplicaTransfers(LayerPlan plan, IEnumerable<ExpertInstance>? inPlace, MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(topology);
        var present = new HashSet<(int Expert, int Rank)>();
        foreach (var instance in inPlace ?? [])
        {
            present.Add((instance.Expert, instance.Rank));
        }

        var receivers = new SortedDictionary<int, SortedSet<int>>();
        foreach (var instance in plan.Instances)
        {
            var master = topology.ExpertMaster[instance.Expert];
            if (instance.Rank != master && !present.Contains((instance.Expert, instance.Rank)))
            {
                if (!receivers.TryGetValue(instance.Expert, out var set))
                {
                    set = [];
                    receivers.Add(instance.Expert, set);
                }

                set.Add(instance.Rank);
            }
        }

        return [.. receivers.Select(pair => new ReplicaTransfer(pair.Key, topology.ExpertMaster[pair.Key], [.. pair.Value], Model.ExpertBytes))];
    }

    /// <summary>The relay weight-sync schedule of the transfers (<see cref="WeightSyncPlanner.Plan"/> on <see cref="MoeHardwareConfig.WeightSyncLink"/>).</summary>
    /// <param name="transfers">The transfers.</param>
    /// <param name="ranks">The number of ranks.</param>
    /// <returns>The schedule; <see langword="null"/> when there is nothing to transfer.</returns>
    public WeightSyncSchedule? PlanWeightSync(IReadOnlyList<ReplicaTransfer> transfers, int ranks)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        return transfers.Count == 0 ? null : WeightSyncPlanner.Plan(transfers, Hardware.WeightSyncLink, ranks);
    }

    /// <summary>The layer's time under a plan (see the type's remarks).</summary>
    /// <param name="execution">The routed layer (<see cref="Execute"/>).</param>
    /// <param name="topology">The topology.</param>
    /// <param name="weightSyncSeconds">The predicted weight-sync time on the critical path (0 when none).</param>
    /// <param name="plannerSeconds">The planner's time on the critical path (0 when none).</param>
    /// <returns>The time by part.</returns>
    public MoeLayerTime LayerTime(MoeLayerExecution execution, MoeTopology topology, double weightSyncSeconds = 0, double plannerSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(execution);
        NonNegative(weightSyncSeconds, nameof(weightSyncSeconds));
        NonNegative(plannerSeconds, nameof(plannerSeconds));
        var allToAll = AllToAllSeconds(execution, topology);
        long busiest = 0;
        foreach (var load in execution.ReceivedTokens)
        {
            busiest = Math.Max(busiest, load);
        }

        return Compose(allToAll, ComputeSeconds(busiest), weightSyncSeconds, plannerSeconds);
    }

    /// <summary>
    /// The layer's time on the force-balanced ideal: every rank computes exactly the mean, the all-to-all is
    /// <paramref name="allToAllSeconds"/> (the uniform spread, <see cref="UniformAllToAllSeconds"/>, unless the caller
    /// knows a faster one), no weight sync and no planner.
    /// </summary>
    /// <param name="tokens">The layer's routing.</param>
    /// <param name="allToAllSeconds">One dispatch phase of the ideal.</param>
    /// <returns>The time by part.</returns>
    public MoeLayerTime IdealLayerTime(LayerTokens tokens, double allToAllSeconds)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        NonNegative(allToAllSeconds, nameof(allToAllSeconds));
        long total = 0;
        foreach (var load in tokens.ExpertLoads)
        {
            total += load;
        }

        return Compose(allToAllSeconds, ComputeSeconds(total / (double)tokens.SourceRanks), 0, 0);
    }

    /// <summary>Builds a dispatch from a plan's reroute table; the table must add up per source and expert and per instance.</summary>
    internal static MoeDispatch FromRoutes(LayerTokens tokens, LayerPlan plan)
    {
        var ranks = plan.RankLoads.Length;
        var experts = tokens.Experts;
        if (tokens.SourceRanks != ranks)
        {
            throw new MoeDispatchException($"The layer has {tokens.SourceRanks} source ranks but the plan is for {ranks} ranks.");
        }

        var byExpert = new List<MoeRoute>[experts];
        var served = new long[plan.Instances.Length];
        var sent = new long[ranks * experts];
        foreach (var route in plan.Routes)
        {
            if ((uint)route.Instance >= (uint)plan.Instances.Length || (uint)route.SourceRank >= (uint)ranks || (uint)route.Expert >= (uint)experts)
            {
                throw new MoeDispatchException($"A reroute row (source {route.SourceRank}, expert {route.Expert}, instance {route.Instance}) is outside the plan.");
            }

            var instance = plan.Instances[route.Instance];
            if (instance.Expert != route.Expert || route.Tokens <= 0 || route.Tokens > int.MaxValue)
            {
                throw new MoeDispatchException(route.Expert, $"A reroute row sends {route.Tokens} tokens of expert {route.Expert} to instance {route.Instance}, which serves expert {instance.Expert}.");
            }

            (byExpert[route.Expert] ??= []).Add(new MoeRoute(route.SourceRank, route.Expert, route.Instance, instance.Rank, (int)route.Tokens));
            served[route.Instance] += route.Tokens;
            sent[(route.SourceRank * experts) + route.Expert] += route.Tokens;
        }

        for (var i = 0; i < served.Length; i++)
        {
            if (served[i] != plan.Instances[i].Quota)
            {
                throw new MoeDispatchException(plan.Instances[i].Expert, $"The reroute table sends {served[i]} tokens to instance {i} (expert {plan.Instances[i].Expert}), whose quota is {plan.Instances[i].Quota}.");
            }
        }

        for (var s = 0; s < ranks; s++)
        {
            for (var e = 0; e < experts; e++)
            {
                if (sent[(s * experts) + e] != tokens[s, e])
                {
                    throw new MoeDispatchException(e, $"The reroute table routes {sent[(s * experts) + e]} tokens of source rank {s} to expert {e}, which has {tokens[s, e]}.");
                }
            }
        }

        var routes = ImmutableArray.CreateBuilder<MoeRoute>(plan.Routes.Length);
        var starts = new int[experts + 1];
        for (var e = 0; e < experts; e++)
        {
            starts[e] = routes.Count;
            if (byExpert[e] is { } list)
            {
                routes.AddRange(list);
            }
        }

        starts[experts] = routes.Count;
        return new MoeDispatch(plan, ranks, experts, routes.DrainToImmutable(), [.. starts]);
    }

    private MoeLayerTime Compose(double allToAll, double compute, double weightSync, double planner)
    {
        var passes = AllToAllPasses;
        var exposed = Math.Max(0, weightSync - allToAll);
        return new MoeLayerTime(passes * allToAll, compute, passes * allToAll, weightSync, exposed, planner);
    }

    private double PhaseSeconds(RankTraffic traffic)
    {
        if (!traffic.Any)
        {
            return 0;
        }

        var bytes = (double)Model.TokenBytes;
        double slowest = 0;
        for (var r = 0; r < traffic.Ranks; r++)
        {
            var intra = Math.Max(traffic.SendIntra[r], traffic.ReceiveIntra[r]) * bytes / Hardware.IntraDomainBytesPerSecond;
            var inter = Math.Max(traffic.SendInter[r], traffic.ReceiveInter[r]) * bytes / Hardware.InterDomainBytesPerSecond;
            slowest = Math.Max(slowest, Math.Max(intra, inter));
        }

        return slowest + Hardware.LatencySeconds;
    }

    private static void CheckRanks(int ranks, MoeTopology topology)
    {
        if (topology.Ranks != ranks)
        {
            throw new ArgumentException($"The topology has {topology.Ranks} ranks but the layer has {ranks}.", nameof(topology));
        }
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
        }
    }

    /// <summary>Per-rank token counts of one all-to-all phase, split by link class.</summary>
    private sealed class RankTraffic(int ranks)
    {
        public int Ranks { get; } = ranks;

        public double[] SendIntra { get; } = new double[ranks];

        public double[] SendInter { get; } = new double[ranks];

        public double[] ReceiveIntra { get; } = new double[ranks];

        public double[] ReceiveInter { get; } = new double[ranks];

        public bool Any { get; private set; }

        public void Add(int source, int target, double tokens, bool sameDomain)
        {
            if (sameDomain)
            {
                SendIntra[source] += tokens;
                ReceiveIntra[target] += tokens;
            }
            else
            {
                SendInter[source] += tokens;
                ReceiveInter[target] += tokens;
            }

            Any = true;
        }
    }
}
