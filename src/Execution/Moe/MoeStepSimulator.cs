using System.Collections.Immutable;
using System.Globalization;
using Planning.Execution.WeightSync;
using Planning.Graph;
using Planning.Moe;

namespace Planning.Execution.Moe;

/// <summary>
/// Times one MoE layer under a <see cref="LayerPlan"/> on a cluster (<see cref="ClusterGraph"/> with its
/// <see cref="HardwareSpec"/>): dispatch all-to-all, the busiest rank's expert compute, combine all-to-all, the exposed
/// part of the replicas' weight sync and the planner's own time. Every figure comes from the cluster: each rank's
/// sustained FLOP/s from its device, each pair of ranks' bandwidth and latency from the link between them. Stateless
/// and deterministic.
/// </summary>
/// <remarks>
/// <para><b>Routing.</b> Tokens go to instances by the plan's reroute table (<see cref="LayerPlan.Routes"/>, UltraEP's
/// locality-aware rerouting) when it has one, else by <see cref="MoeDispatcher"/>'s rule (local first, then sources in
/// rank order).</para>
/// <para><b>All-to-all.</b> A routed token (one token-expert assignment) carries <c>hidden x bytesPerParameter</c>
/// bytes between two ranks; tokens that stay on their source rank cost nothing. Bytes between two ranks use the link
/// between them in the cluster graph: the scale-up link (NVLink) inside a domain, the network between domains, at the
/// link class's bandwidth per device and per direction (<see cref="LinkSpec.BytesPerSecond"/>). A rank's ports of
/// different classes work at the same time and each direction is full duplex, so a rank's time is the slowest of its
/// serialisations (per class, send and receive); a link class that is one shared medium (<see cref="LinkSpec.Shared"/>)
/// serialises everything sent over it instead. A phase ends with the slowest rank, plus the latency of the slowest
/// link class that moved a byte (one message per phase). Tokens that go to several experts on one rank are counted
/// once per expert (no de-duplication). The combine sends the same bytes back, so it takes as long as the dispatch
/// (the transposed traffic swaps each rank's send and receive). Training runs both twice
/// (<see cref="MoeStepPhase.Training"/>).</para>
/// <para><b>Compute.</b> The busiest rank's routed tokens x <see cref="MoeModelConfig.FlopsPerRoutedToken"/> / the
/// device's <see cref="DeviceSpec.SustainedFlops"/> (peak x compute efficiency): the layer waits for the slowest rank.
/// Every rank must sustain the same rate: the planners balance token counts, so a cluster of unlike ranks would be
/// timed on a balance no planner aimed at. The phases are added, not overlapped: a conservative model in which
/// imbalance costs its full weight.</para>
/// <para><b>Weight sync.</b> Replicas whose weights are not already on their rank get them from the expert's master
/// through <see cref="WeightSyncPlanner"/>'s relay schedule over <see cref="WeightSyncLink"/> (the cluster's scale-up
/// link: UltraEP keeps replicas inside their master's domain); the sync starts when the plan is known and runs
/// alongside the forward dispatch, so only <c>max(0, predicted sync - one dispatch)</c> is exposed. This ignores that
/// the sync and the dispatch share the NVLink ports (optimistic where the dispatch is NVLink-bound) and charges no time
/// for returning a replica's gradients in training (deferred to the end of the backward pass, off the critical
/// path).</para>
/// <para><b>Planner.</b> A planner on the critical path (UltraEP, every layer and microbatch) adds its solve time;
/// the caller supplies it (<see cref="MoeWorkloadSimulation"/> measures it).</para>
/// </remarks>
internal sealed class MoeStepSimulator
{
    // The link class of every ordered pair of ranks (source x ranks + target), as an index into _links; -1 where there
    // is none (a rank and itself). Read from the cluster's link edges once: the all-to-all looks a pair up for every
    // rank pair that exchanges tokens, every layer of every policy.
    private readonly int[] _pairLink;
    private readonly LinkSpec[] _links;
    private readonly Lazy<LinkModel> _weightSyncLink;

    /// <summary>Creates a simulator.</summary>
    /// <param name="model">The model's sizes.</param>
    /// <param name="cluster">
    /// The ranks and the hardware they run on: one rank per device, built with figures
    /// (<see cref="MoeDeployment.Cluster"/>, or <see cref="ClusterGraph.Build"/> with a <see cref="HardwareSpec"/>).
    /// </param>
    /// <param name="phase">Training (default) or prefill.</param>
    /// <exception cref="ArgumentException">The cluster was built from a shape only: it has no figures to time on.</exception>
    /// <exception cref="PlanningInputException">The ranks do not all sustain one rate (<c>hardware.devices</c>).</exception>
    public MoeStepSimulator(MoeModelConfig model, ClusterGraph cluster, MoeStepPhase phase = MoeStepPhase.Training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cluster);
        if (!Enum.IsDefined(phase))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a defined phase");
        }

        Model = model;
        Cluster = cluster;
        Hardware = cluster.Hardware ?? throw new ArgumentException("The cluster was built from a shape only: the simulator needs its devices' and links' figures.", nameof(cluster));
        Phase = phase;
        FlopsPerRoutedToken = model.FlopsPerRoutedToken(phase);
        Ranks = cluster.Devices.Length;
        SustainedFlops = UniformSustainedFlops(cluster);
        (_pairLink, _links) = ReadLinks(cluster);
        _weightSyncLink = new Lazy<LinkModel>(() => LinkModel.From(cluster.Link(Hardware.ScaleUpLink)));
    }

    /// <summary>The model.</summary>
    public MoeModelConfig Model { get; }

    /// <summary>The ranks and their links.</summary>
    public ClusterGraph Cluster { get; }

    /// <summary>The hardware the cluster was laid out from.</summary>
    public HardwareSpec Hardware { get; }

    /// <summary>The number of ranks: the cluster's devices.</summary>
    public int Ranks { get; }

    /// <summary>What a step runs.</summary>
    public MoeStepPhase Phase { get; }

    /// <summary>Expert FLOPs per routed token in <see cref="Phase"/>.</summary>
    public double FlopsPerRoutedToken { get; }

    /// <summary>The FLOP/s every rank's experts sustain: its device's <see cref="DeviceSpec.SustainedFlops"/>.</summary>
    public double SustainedFlops { get; }

    /// <summary>
    /// The link model weight sync is planned on: the cluster's scale-up link class (<see cref="LinkModel.From"/>), since
    /// replicas stay inside their master's domain.
    /// </summary>
    /// <exception cref="PlanningInputException">The hardware has no scale-up link (<c>hardware.links.nvlink</c>).</exception>
    /// <exception cref="ArgumentException">The scale-up link is a shared medium, which the relay model does not describe.</exception>
    public LinkModel WeightSyncLink => _weightSyncLink.Value;

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
    public double ComputeSeconds(double routedTokens) => routedTokens * FlopsPerRoutedToken / SustainedFlops;

    /// <summary>One dispatch (or combine) phase of an execution (see the type's remarks).</summary>
    /// <param name="execution">The routed layer, on the cluster's ranks.</param>
    /// <returns>Seconds.</returns>
    /// <exception cref="ArgumentException">The layer has another number of ranks than the cluster.</exception>
    public double AllToAllSeconds(MoeLayerExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var ranks = execution.Ranks;
        CheckRanks(ranks);
        var traffic = NewTraffic();
        for (var s = 0; s < ranks; s++)
        {
            var row = execution.Traffic.Row(s);
            for (var t = 0; t < ranks; t++)
            {
                if (t != s && row[t] != 0)
                {
                    traffic.Add(s, t, row[t]);
                }
            }
        }

        return PhaseSeconds(traffic, Model.TokenBytes);
    }

    /// <summary>
    /// One dispatch phase of the force-balanced ideal: every source rank spreads its routed tokens evenly over all
    /// ranks (its own share stays local), so every rank sends and receives the same.
    /// </summary>
    /// <param name="tokens">The layer's routing (only each source rank's total matters).</param>
    /// <returns>Seconds.</returns>
    /// <exception cref="ArgumentException">The layer has another number of ranks than the cluster.</exception>
    public double UniformAllToAllSeconds(LayerTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ranks = tokens.SourceRanks;
        CheckRanks(ranks);
        var traffic = NewTraffic();
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
                    traffic.Add(s, t, share);
                }
            }
        }

        return PhaseSeconds(traffic, Model.TokenBytes);
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
        return ReplicaTransfer.NewReplicas(plan.Instances, inPlace, topology.ExpertMaster, Model.ExpertBytes);
    }

    /// <summary>The relay weight-sync schedule of the transfers over the cluster's ranks (<see cref="WeightSyncPlanner.Plan"/> on <see cref="WeightSyncLink"/>).</summary>
    /// <param name="transfers">The transfers.</param>
    /// <returns>The schedule; <see langword="null"/> when there is nothing to transfer.</returns>
    public WeightSyncSchedule? PlanWeightSync(IReadOnlyList<ReplicaTransfer> transfers)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        return transfers.Count == 0 ? null : WeightSyncPlanner.Plan(transfers, WeightSyncLink, Ranks);
    }

    /// <summary>The layer's time under a plan (see the type's remarks).</summary>
    /// <param name="execution">The routed layer (<see cref="Execute"/>), on the cluster's ranks.</param>
    /// <param name="weightSyncSeconds">The predicted weight-sync time on the critical path (0 when none).</param>
    /// <param name="plannerSeconds">The planner's time on the critical path (0 when none).</param>
    /// <returns>The time by part.</returns>
    public MoeLayerTime LayerTime(MoeLayerExecution execution, double weightSyncSeconds = 0, double plannerSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(execution);
        NonNegative(weightSyncSeconds, nameof(weightSyncSeconds));
        NonNegative(plannerSeconds, nameof(plannerSeconds));
        var allToAll = AllToAllSeconds(execution);
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

    /// <summary>
    /// The time of one exchange of point-to-point transfers between ranks (masters swapped between domains, say), on the
    /// all-to-all's model: each transfer over the link between its two ranks, each rank's ports serialising what they
    /// send and receive per link class, plus the latency of the slowest link class used.
    /// </summary>
    /// <param name="transfers">The transfers: sending rank, receiving rank (another), bytes.</param>
    /// <returns>Seconds; 0 when there are none.</returns>
    internal double ExchangeSeconds(IEnumerable<(int From, int To, long Bytes)> transfers)
    {
        var traffic = NewTraffic();
        foreach (var (from, to, bytes) in transfers)
        {
            traffic.Add(from, to, bytes);
        }

        return PhaseSeconds(traffic, 1.0);
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

    private RankTraffic NewTraffic() => new(Ranks, _pairLink, _links.Length);

    private double PhaseSeconds(RankTraffic traffic, double bytesPerUnit)
    {
        if (!traffic.Any)
        {
            return 0;
        }

        double slowest = 0;
        double latency = 0;
        for (var k = 0; k < _links.Length; k++)
        {
            if (!traffic.Used[k])
            {
                continue;
            }

            var link = _links[k];
            latency = Math.Max(latency, link.LatencySeconds);
            var send = traffic.Send[k];
            var receive = traffic.Receive[k];
            if (link.Shared)
            {
                // One medium: everything sent over it, by every rank, shares its bandwidth.
                double total = 0;
                foreach (var units in send)
                {
                    total += units;
                }

                slowest = Math.Max(slowest, total * bytesPerUnit / link.BytesPerSecond);
                continue;
            }

            for (var r = 0; r < send.Length; r++)
            {
                slowest = Math.Max(slowest, Math.Max(send[r], receive[r]) * bytesPerUnit / link.BytesPerSecond);
            }
        }

        return slowest + latency;
    }

    private void CheckRanks(int ranks)
    {
        if (ranks != Ranks)
        {
            throw new ArgumentException($"The cluster has {Ranks} ranks but the layer has {ranks}.");
        }
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
        }
    }

    /// <summary>The one rate every rank sustains, read from each rank's device.</summary>
    private static double UniformSustainedFlops(ClusterGraph cluster)
    {
        var rate = cluster.DeviceSpec(0).SustainedFlops;
        for (var r = 1; r < cluster.Devices.Length; r++)
        {
            var other = cluster.DeviceSpec(r).SustainedFlops;
            if (other != rate)
            {
                throw new PlanningInputException(
                    "hardware.devices",
                    string.Create(CultureInfo.InvariantCulture, $"must sustain one rate on every rank of an expert-parallel group, but rank 0 sustains {rate:G4} FLOP/s and rank {r} {other:G4}"));
            }
        }

        return rate;
    }

    /// <summary>Reads the link class of every ordered pair of ranks from the cluster's link edges, and each class's figures.</summary>
    private static (int[] PairLink, LinkSpec[] Links) ReadLinks(ClusterGraph cluster)
    {
        var ranks = cluster.Devices.Length;
        var pairLink = new int[ranks * ranks];
        Array.Fill(pairLink, -1);
        var classes = new List<LinkClass>();
        for (var s = 0; s < ranks; s++)
        {
            foreach (var edge in cluster.Graph.OutEdges(cluster.Devices[s], EdgeKind.Link))
            {
                // Links to a node (the host bus) carry no token; only device-to-device links do.
                if (edge.Target is DeviceVertex target && edge.LinkClass is { } linkClass)
                {
                    var k = classes.IndexOf(linkClass);
                    if (k < 0)
                    {
                        k = classes.Count;
                        classes.Add(linkClass);
                    }

                    pairLink[(s * ranks) + target.Index] = k;
                }
            }
        }

        return (pairLink, [.. classes.Select(cluster.Link)]);
    }

    /// <summary>Per-rank amounts (tokens or bytes) of one phase, sent and received per link class.</summary>
    private sealed class RankTraffic
    {
        private readonly int _ranks;
        private readonly int[] _pairLink;

        public RankTraffic(int ranks, int[] pairLink, int classes)
        {
            _ranks = ranks;
            _pairLink = pairLink;
            Send = new double[classes][];
            Receive = new double[classes][];
            Used = new bool[classes];
            for (var k = 0; k < classes; k++)
            {
                Send[k] = new double[ranks];
                Receive[k] = new double[ranks];
            }
        }

        public double[][] Send { get; }

        public double[][] Receive { get; }

        public bool[] Used { get; }

        public bool Any { get; private set; }

        public void Add(int source, int target, double amount)
        {
            var k = _pairLink[(source * _ranks) + target];
            if (k < 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Ranks {source} and {target} have no link in the cluster."));
            }

            Send[k][source] += amount;
            Receive[k][target] += amount;
            Used[k] = true;
            Any = true;
        }
    }
}
