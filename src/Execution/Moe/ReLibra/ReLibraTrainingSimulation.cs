using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.ReLibra;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Moe.ReLibra;

/// <summary>
/// Times MoE training steps (batches) of a routing replay under the balancing policies ReLibra is measured against,
/// on a cluster with figures (h800-class nodes, say): forward and backward, dispatch and combine in both passes, the
/// replicas' weights and gradients, and the experts moved between batches. Deterministic for the planner's seed
/// (CP-SAT runs with one worker unless told otherwise).
/// </summary>
/// <remarks>
/// <para><b>A layer</b> of a microbatch, under a plan: tokens go to instances by the plan's reroute table, else by
/// <see cref="MoeDispatcher"/>'s rule; with <see cref="ReLibraSimulationOptions.SpreadNetworkArrivals"/> every policy with
/// replicas routes by the table that spreads the tokens arriving over the network over a node's ranks. Compute: the busiest rank's routed tokens x the expert FLOPs of a forward
/// (<c>2 x 3 x hidden x intermediate</c> per token) and a backward (twice the forward) over the device's sustained FLOP/s.
/// All-to-all: four phases (dispatch and combine forward; the gradients' dispatch and combine backward), each timed by
/// <see cref="MoeStepSimulator.AllToAllSeconds"/> on the cluster's links. The phases are added, not overlapped.</para>
/// <para><b>Replicas inside a batch</b> (<c>ultraep</c>, <c>relibra</c>: replicas per microbatch and layer, inside the
/// node): a rank's redundant slots of a layer hold replicas across the batch's microbatches, as gradient accumulation
/// does (the weights do not change inside a batch; a slot holds the replica's weights and its gradient buffer). A
/// replica a microbatch needs and the rank does not hold yet is fetched from its master (<c>ExpertBytes</c> over the
/// link between them; only the part longer than one forward dispatch is exposed); when every slot is taken, the least
/// recently used replica the microbatch does not need is evicted and its accumulated gradients go to its master
/// (<c>ExpertBytes</c>; with <see cref="ReLibraSimulationOptions.OverlapTransfers"/>, in one exchange with the fetches,
/// of which only the part longer than the microbatch's forward dispatch and compute is exposed, since the
/// gradient buffer is written again only in the backward pass; otherwise fully charged). At the end of the batch, before
/// the optimizer step, every replica still held sends its gradients to its master (one exchange, fully charged). <see cref="ReLibraSimulationOptions.ReplicasPersistInBatch"/>
/// off charges a fetch and a gradient reduction for every replica of every microbatch and layer instead (no
/// accumulation in the slot: the sensitivity check).</para>
/// <para><b>Batch boundary</b>: every policy starts from the identity layout (expert <c>e</c> in master slot
/// <c>e</c>). <c>relibra</c> reorders each layer's experts across nodes (<see cref="ExpertReordering"/>, with the move
/// penalty from the hardware: <see cref="MovePenalty"/>) and every moved expert's weights and optimizer state
/// (<see cref="MoeModelConfig.ExpertStateBytes"/>) go from its old rank to its new one. <c>eplb</c> and
/// <c>eplb-oracle</c> place every slot once per batch (EPLB, <see cref="EplbPolicy"/>): each instance the previous
/// placement did not have receives the expert's weights from the rank that held its first instance, and where the
/// first instance (the one that takes the replicas' gradients and runs the optimizer step) changes rank, the optimizer
/// state follows it; at the end of the batch each replica's gradients go to the expert's first instance and the updated
/// weights back (EPLB's replicas accumulate over the batch). A boundary's weights form one exchange
/// (<see cref="MoeStepSimulator.ExchangeSeconds"/>), charged fully: the first forward needs them. Its optimizer state
/// forms another, needed only at the batch's optimizer step: with <see cref="ReLibraSimulationOptions.OverlapTransfers"/>
/// only the part longer than the batch's expert compute is charged, otherwise all of it (with the weights, in one
/// exchange).</para>
/// <para><b>Policies</b>: <c>megatron</c> (no balancing, experts fixed); <c>eplb</c> (placed from history: the
/// previous batch's loads, batch 0 from its first microbatch's); <c>eplb-oracle</c> (placed from the batch's own loads,
/// known from the replay); <c>ultraep</c> (UltraEP's quota planner per microbatch and layer, the node as the domain,
/// no reordering); <c>relibra</c> (reordering between batches, then <c>ultraep</c> on the new layout; with
/// <see cref="ReLibraSimulationOptions.GuardEachBatch"/>, a batch keeps the current layout or goes without replicas when
/// that simulates faster); <c>ideal</c>
/// (force-balanced: every rank computes the mean, the all-to-all is the uniform spread, nothing moves). The planners'
/// own time is not charged: ReLibra plans from the replay before the step, and UltraEP's solve takes microseconds.</para>
/// </remarks>
public static class ReLibraTrainingSimulation
{
    /// <summary>The policies, in the order they run.</summary>
    public static ImmutableArray<string> Names { get; } = ["megatron", "eplb", "eplb-oracle", "ultraep", "relibra", "ideal"];

    /// <summary>Simulates the policies over the replay.</summary>
    /// <param name="replay">The routing replay: every batch runs as one training step.</param>
    /// <param name="policies">The policies to report, from <see cref="Names"/>; <c>megatron</c> and <c>ideal</c> always run.</param>
    /// <param name="model">The model; its experts must be the replay's.</param>
    /// <param name="cluster">The ranks with their figures; its shape must be the replay's (ranks, per node, per domain).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops CP-SAT in the reordering (the heuristic's layout is kept).</param>
    /// <returns>The figures.</returns>
    /// <exception cref="PlanningInputException">A policy is unknown, or the replay does not fit the model or the cluster (the field is named).</exception>
    public static ReLibraSimulationResult Run(
        RoutingReplay replay,
        IEnumerable<string> policies,
        MoeModelConfig model,
        ClusterGraph cluster,
        ReLibraSimulationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cluster);
        options = (options ?? ReLibraSimulationOptions.Default).Validate();
        var requested = Parse(policies);
        CheckShape(replay, model, cluster);
        var simulator = new MoeStepSimulator(model, cluster, MoeStepPhase.Training);
        var session = new Session(replay, model, simulator, options);
        var outcomes = Names
            .Where(name => requested.Contains(name) || name is "megatron" or "ideal")
            .ToDictionary(name => name, name => session.Simulate(name, cancellationToken));
        return new ReLibraSimulationResult(
            model.Name,
            simulator.Hardware.Name,
            replay.Shape.Ranks,
            replay.Shape.Nodes,
            replay.Batches.Length,
            replay.Microbatches.Length,
            replay.Layers,
            [.. requested.Select(name => outcomes[name])],
            outcomes["megatron"],
            outcomes["ideal"]);
    }

    private static ImmutableArray<string> Parse(IEnumerable<string> policies)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        foreach (var name in policies.SelectMany(p => (p ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Names.Contains(name))
            {
                throw new PlanningInputException("policies", $"must be from {string.Join(", ", Names)}, got \"{name}\"");
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return names.Count > 0 ? names.ToImmutable() : throw new PlanningInputException("policies", "must name at least one policy, got none");
    }

    private static void CheckShape(RoutingReplay replay, MoeModelConfig model, ClusterGraph cluster)
    {
        var shape = replay.Shape;
        if (shape.Experts != model.Experts)
        {
            throw new PlanningInputException("replay.expertsPerRank", string.Create(CultureInfo.InvariantCulture, $"must give the model's {model.Experts} experts ({model.Name}) over {shape.Ranks} ranks, got {shape.Experts}"));
        }

        if (cluster.Shape.Devices != shape.Ranks || cluster.Shape.DevicesPerNode != shape.RanksPerNode)
        {
            throw new PlanningInputException(
                "replay.ranks",
                string.Create(CultureInfo.InvariantCulture, $"must be the cluster's {cluster.Shape.Devices} ranks in nodes of {cluster.Shape.DevicesPerNode}, got {shape.Ranks} in nodes of {shape.RanksPerNode}"));
        }
    }

    /// <summary>
    /// ReLibra's move penalty for a batch, in tokens of node load: what of one expert a move exposes over every node's
    /// network links together (moves between different nodes run at the same time), times the tokens a node gets through
    /// per second: its ranks, each taking the expert compute of a token (forward and backward) plus its four all-to-all
    /// phases over the network, the worst case for a token of a node's load. 0 on one node.
    /// </summary>
    /// <remarks>
    /// What a move exposes: its weights alone when the optimizer state is sure to stream behind the batch's compute,
    /// that is with <paramref name="overlapTransfers"/> and when the batch's expert compute, at its least (every rank
    /// at the mean load), outlasts the state exchange of the most any rank can send or receive (all its experts, in
    /// every layer); otherwise its weights and optimizer state.
    /// </remarks>
    /// <param name="simulator">The simulator (its model and cluster).</param>
    /// <param name="replay">The replay.</param>
    /// <param name="batch">The batch the penalty prices moves for.</param>
    /// <param name="overlapTransfers">Whether the optimizer state streams behind the compute (<see cref="ReLibraSimulationOptions.OverlapTransfers"/>).</param>
    /// <returns>The penalty.</returns>
    internal static long MovePenalty(MoeStepSimulator simulator, RoutingReplay replay, int batch, bool overlapTransfers)
    {
        var shape = replay.Shape;
        if (shape.Nodes < 2 || !simulator.Hardware.Links.TryGetValue(LinkClass.Network, out var network))
        {
            return 0;
        }

        var secondsPerToken = simulator.ComputeSeconds(1) + (4.0 * simulator.Model.TokenBytes / network.BytesPerSecond);
        var nodeTokensPerSecond = shape.RanksPerNode / secondsPerToken;
        var stateBytes = simulator.Model.ExpertStateBytes(MoeStepPhase.Training);
        var exposedBytes = stateBytes;
        if (overlapTransfers)
        {
            double leastCompute = 0;
            foreach (var microbatch in replay.Batches[batch])
            {
                foreach (var layer in microbatch.Case.Layers)
                {
                    leastCompute += simulator.ComputeSeconds(layer.ExpertLoads.Sum() / (double)shape.Ranks);
                }
            }

            var mostState = (double)replay.Layers * shape.ExpertsPerRank * (stateBytes - simulator.Model.ExpertBytes) / network.BytesPerSecond;
            exposedBytes = leastCompute >= mostState ? simulator.Model.ExpertBytes : stateBytes;
        }

        return ExpertReorderingOptions.MovePenaltyTokens(exposedBytes, network.BytesPerSecond * shape.Ranks, nodeTokensPerSecond);
    }

    /// <summary>One simulation's shared facts and the policies' step loops.</summary>
    private sealed class Session(RoutingReplay replay, MoeModelConfig model, MoeStepSimulator simulator, ReLibraSimulationOptions options)
    {
        private readonly MoeTopology _topology = ReLibraPlanner.NodeTopology(replay.Shape);
        private readonly int _experts = replay.Shape.Experts;

        public ReLibraPolicyOutcome Simulate(string policy, CancellationToken cancellationToken)
        {
            var figures = NewFigures(policy);
            var identity = Enumerable.Range(0, _experts).ToArray();
            var layouts = Enumerable.Range(0, replay.Layers).Select(_ => (int[])identity.Clone()).ToArray();
            var eplbPrevious = Enumerable.Range(0, replay.Layers).Select(_ => Masters()).ToArray();
            for (var b = 0; b < replay.Batches.Length; b++)
            {
                options.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"relibra simulate: {policy}, batch {b + 1}/{replay.Batches.Length}"));
                if (policy == "relibra")
                {
                    layouts = ReLibraBatch(b, layouts, figures, cancellationToken);
                    continue;
                }

                figures.StartBatch();
                var boundary = new List<Move>();
                var batchEnd = new List<(int From, int To, long Bytes)>();
                ImmutableArray<long>[]? eplbLoads = policy is "eplb" or "eplb-oracle" ? PlaceEplb(policy, b, eplbPrevious, boundary, batchEnd, figures) : null;
                RunMicrobatches(policy, b, layouts, eplbLoads, figures, batchEnd, cancellationToken);
                figures.AddBoundary(simulator, boundary, batchEnd);
            }

            return figures.Outcome(replay.Batches.Length);
        }

        /// <summary>Without slots kept across microbatches, a microbatch's flushes are its own replicas' gradients, which exist only after its backward pass: nothing hides them.</summary>
        private Figures NewFigures(string policy) => new(policy, options.OverlapTransfers, options.OverlapTransfers && options.ReplicasPersistInBatch);

        /// <summary>
        /// One batch of <c>relibra</c>: the reordered layout with replicas inside nodes, and, with
        /// <see cref="ReLibraSimulationOptions.GuardEachBatch"/>, also the current layout and either layout without replicas,
        /// each simulated on the batch (its routing is known from the replay) with what it moves; the fastest is kept (the
        /// first on ties, so the full mechanism wins them).
        /// </summary>
        /// <returns>The layout the next batch starts from.</returns>
        private int[][] ReLibraBatch(int batch, int[][] layouts, Figures figures, CancellationToken cancellationToken)
        {
            var reordered = layouts.Select(l => (int[])l.Clone()).ToArray();
            var moves = new List<Move>();
            Reorder(batch, reordered, moves, cancellationToken);
            var candidates = new List<(int[][] Layouts, List<Move> Moves, string Mode)> { (reordered, moves, "ultraep") };
            if (options.GuardEachBatch)
            {
                if (moves.Count > 0)
                {
                    candidates.Add((layouts, [], "ultraep"));
                }

                candidates.Add((reordered, moves, "megatron"));
                if (moves.Count > 0)
                {
                    candidates.Add((layouts, [], "megatron"));
                }
            }

            Figures? best = null;
            var kept = reordered;
            foreach (var (candidate, boundary, mode) in candidates)
            {
                var trial = NewFigures("relibra");
                trial.StartBatch();
                var batchEnd = new List<(int From, int To, long Bytes)>();
                RunMicrobatches(mode, batch, candidate, null, trial, batchEnd, cancellationToken);
                trial.AddBoundary(simulator, boundary, batchEnd);
                if (best is null || trial.TotalSeconds < best.TotalSeconds)
                {
                    (best, kept) = (trial, candidate);
                }
            }

            figures.Absorb(best!);
            return kept;
        }

        /// <summary>
        /// Runs a batch's microbatches under a mode (a policy's name; <c>ultraep</c> replicates inside nodes, as
        /// <c>relibra</c> does after reordering), adding each layer to <paramref name="figures"/> and the batch end's
        /// replica gradients to <paramref name="batchEnd"/>.
        /// </summary>
        private void RunMicrobatches(string mode, int batch, int[][] layouts, ImmutableArray<long>[]? eplbLoads, Figures figures, List<(int From, int To, long Bytes)> batchEnd, CancellationToken cancellationToken)
        {
            var slots = mode is "ultraep" or "relibra" ? new ReplicaSlots(replay.Layers, replay.Shape.Ranks, options.ReplicasPersistInBatch ? replay.Shape.RedundantSlotsPerRank : 0) : null;
            foreach (var microbatch in replay.Batches[batch])
            {
                for (var l = 0; l < replay.Layers; l++)
                {
                    var tokens = ReLibraPlanner.BySlot(microbatch.Case.Layers[l], layouts[l]);
                    if (mode == "ideal")
                    {
                        figures.AddIdeal(simulator, tokens);
                        continue;
                    }

                    var plan = mode switch
                    {
                        "megatron" => new NoBalancingPolicy().Plan(new MoeLayerProblem(_topology, tokens.ExpertLoads), cancellationToken),
                        "eplb" or "eplb-oracle" => Routed(tokens, new EplbPolicy().Plan(new MoeLayerProblem(_topology, tokens.ExpertLoads, eplbLoads![l]), cancellationToken)),
                        _ => Replicate(tokens, cancellationToken),
                    };
                    var (fetches, flushes) = slots is null ? (ImmutableArray<ReplicaSlots.Replica>.Empty, ImmutableArray<ReplicaSlots.Replica>.Empty) : slots.Use(l, ReplicaTransfers(plan));
                    figures.AddLayer(simulator, MoeStepSimulator.Execute(tokens, plan), fetches, flushes);
                }
            }

            if (slots is not null)
            {
                // Before the optimizer step: the gradients every held replica accumulated go to its master.
                var held = slots.FlushAll();
                batchEnd.AddRange(held.Select(r => (From: r.Rank, To: r.Master, Bytes: model.ExpertBytes)));
                figures.AddGradients(held.Length * model.ExpertBytes);
            }
        }

        private LayerPlan Replicate(LayerTokens tokens, CancellationToken cancellationToken)
        {
            var slotCase = MoeCase.Create(replay.Shape.Ranks, replay.Shape.RanksPerNode, replay.Shape.RanksPerNode, replay.Shape.ExpertsPerRank, replay.Shape.RedundantSlotsPerRank, null, [tokens]);
            var timing = new BalanceTimingOptions { TimedSolves = 1, WarmupSolves = 0, WarmupDuration = TimeSpan.Zero };
            var plan = MoeBalancer.Balance(slotCase, new UltraEpPolicy(options.Planner.Replication), timing: timing, cancellationToken: cancellationToken).Layers[0];
            return Routed(tokens, plan);
        }

        /// <summary>The plan with the reroute table that spreads network arrivals, when the options ask for it.</summary>
        private LayerPlan Routed(LayerTokens tokens, LayerPlan plan) =>
            options.SpreadNetworkArrivals ? plan.WithRoutes(Rerouter.RouteSpreadingArrivals(tokens, plan, replay.Shape.RanksPerNode)) : plan;

        /// <summary>The replicas serving tokens: (expert slot, master rank, replica rank) each.</summary>
        private ImmutableArray<ReplicaSlots.Replica> ReplicaTransfers(LayerPlan plan)
        {
            var transfers = ImmutableArray.CreateBuilder<ReplicaSlots.Replica>();
            foreach (var instance in plan.Instances)
            {
                var master = _topology.ExpertMaster[instance.Expert];
                if (instance.Rank != master && instance.Quota > 0)
                {
                    transfers.Add(new ReplicaSlots.Replica(instance.Expert, master, instance.Rank));
                }
            }

            return transfers.ToImmutable();
        }

        private void Reorder(int batch, int[][] layouts, List<Move> boundary, CancellationToken cancellationToken)
        {
            var optimizerBytes = OptimizerStateBytes;
            var penalty = MovePenalty(simulator, replay, batch, options.OverlapTransfers);
            var reordering = options.Planner.Reordering with { MovePenalty = penalty };
            var epr = replay.Shape.ExpertsPerRank;
            for (var l = 0; l < replay.Layers; l++)
            {
                var plan = ExpertReordering.PlanBatch(replay, batch, l, layouts[l], reordering, cancellationToken);
                var oldSlot = new int[_experts];
                for (var s = 0; s < _experts; s++)
                {
                    oldSlot[layouts[l][s]] = s;
                }

                for (var s = 0; s < _experts; s++)
                {
                    var e = plan.SlotExpert[s];
                    if (oldSlot[e] / epr != s / epr)
                    {
                        boundary.Add(new Move(oldSlot[e] / epr, s / epr, model.ExpertBytes, optimizerBytes));
                    }
                }

                layouts[l] = [.. plan.SlotExpert];
            }
        }

        /// <summary>Places every layer with EPLB for the batch, records the moves and the batch-end replica traffic, and returns the loads placed from.</summary>
        private ImmutableArray<long>[] PlaceEplb(string policy, int batch, LayerPlan[] previous, List<Move> boundary, List<(int From, int To, long Bytes)> batchEnd, Figures figures)
        {
            var optimizerBytes = OptimizerStateBytes;
            var placement = new LayerPlan[replay.Layers];
            var placedFrom = new ImmutableArray<long>[replay.Layers];
            for (var l = 0; l < replay.Layers; l++)
            {
                var loads = policy == "eplb-oracle" ? BatchLoads(batch, l) : batch == 0 ? replay.Batches[0][0].Case.Layers[l].ExpertLoads : BatchLoads(batch - 1, l);
                placedFrom[l] = loads;
                placement[l] = new EplbPolicy().Plan(new MoeLayerProblem(_topology, loads));
                var before = previous[l].Instances.Select(i => (i.Expert, i.Rank)).ToHashSet();
                var firstRank = new Dictionary<int, int>();
                foreach (var instance in previous[l].Instances)
                {
                    firstRank.TryAdd(instance.Expert, instance.Rank);
                }

                var holder = new Dictionary<int, int>();
                foreach (var instance in placement[l].Instances)
                {
                    if (!holder.TryAdd(instance.Expert, instance.Rank) && holder[instance.Expert] != instance.Rank)
                    {
                        // A replica: its gradients go to the first instance at the end of the batch, the weights come back.
                        batchEnd.Add((instance.Rank, holder[instance.Expert], model.ExpertBytes));
                        batchEnd.Add((holder[instance.Expert], instance.Rank, model.ExpertBytes));
                        figures.AddGradients(model.ExpertBytes);
                        figures.AddWeights(model.ExpertBytes);
                    }

                    if (!before.Contains((instance.Expert, instance.Rank)))
                    {
                        boundary.Add(new Move(firstRank[instance.Expert], instance.Rank, model.ExpertBytes, 0));
                    }
                }

                // The optimizer state lives with the first instance, which runs the expert's optimizer step.
                foreach (var (expert, rank) in holder)
                {
                    if (rank != firstRank[expert])
                    {
                        boundary.Add(new Move(firstRank[expert], rank, 0, optimizerBytes));
                    }
                }

                previous[l] = placement[l];
            }

            return placedFrom;
        }

        private ImmutableArray<long> BatchLoads(int batch, int layer)
        {
            var loads = new long[_experts];
            foreach (var row in replay.Loads(batch, layer))
            {
                for (var e = 0; e < _experts; e++)
                {
                    loads[e] += row[e];
                }
            }

            return [.. loads];
        }

        /// <summary>What moves with an expert besides its weights in training: fp32 main weights and Adam's two moments.</summary>
        private long OptimizerStateBytes => model.ExpertStateBytes(MoeStepPhase.Training) - model.ExpertBytes;

        private LayerPlan Masters() =>
            LayerPlan.Create(_topology, Enumerable.Range(0, _experts).Select(e => new ExpertInstance(e, _topology.ExpertMaster[e], 0)), 1.0);
    }

    /// <summary>One expert's move at a batch boundary: its weights (needed before the first forward) and its optimizer state (needed at the optimizer step), either possibly 0.</summary>
    private readonly record struct Move(int From, int To, long WeightBytes, long OptimizerBytes);

    /// <summary>One policy's running totals.</summary>
    /// <param name="policy">The policy's name.</param>
    /// <param name="overlapState">Whether moved experts' optimizer state streams behind the batch's compute.</param>
    /// <param name="overlapEvictions">Whether evicted replicas' gradients go during the microbatch's forward.</param>
    private sealed class Figures(string policy, bool overlapState, bool overlapEvictions)
    {
        private double _compute;
        private double _computeAtBatchStart;
        private double _allToAll;
        private double _replica;
        private double _boundary;
        private long _boundaryBytes;
        private long _replicaWeightBytes;
        private long _replicaGradientBytes;
        private long _forward;
        private long _backward;
        private double _imbalance;
        private int _layers;

        public void AddIdeal(MoeStepSimulator simulator, LayerTokens tokens)
        {
            long total = 0;
            foreach (var load in tokens.ExpertLoads)
            {
                total += load;
            }

            _compute += simulator.ComputeSeconds(total / (double)tokens.SourceRanks);
            _allToAll += 4 * simulator.UniformAllToAllSeconds(tokens);
            _forward += total;
            _backward += total;
            _imbalance += 1.0;
            _layers++;
        }

        public void StartBatch() => _computeAtBatchStart = _compute;

        /// <summary>Everything charged so far: compute, all-to-all, replicas and boundaries.</summary>
        public double TotalSeconds => _compute + _allToAll + _replica + _boundary;

        /// <summary>Adds another's totals (a batch simulated on its own) to these.</summary>
        public void Absorb(Figures other)
        {
            _compute += other._compute;
            _allToAll += other._allToAll;
            _replica += other._replica;
            _boundary += other._boundary;
            _boundaryBytes += other._boundaryBytes;
            _replicaWeightBytes += other._replicaWeightBytes;
            _replicaGradientBytes += other._replicaGradientBytes;
            _forward += other._forward;
            _backward += other._backward;
            _imbalance += other._imbalance;
            _layers += other._layers;
        }

        public void AddGradients(long bytes) => _replicaGradientBytes += bytes;

        public void AddWeights(long bytes) => _replicaWeightBytes += bytes;

        public void AddLayer(MoeStepSimulator simulator, MoeLayerExecution execution, ImmutableArray<ReplicaSlots.Replica> fetches, ImmutableArray<ReplicaSlots.Replica> flushes)
        {
            long busiest = 0;
            long total = 0;
            foreach (var load in execution.ReceivedTokens)
            {
                busiest = Math.Max(busiest, load);
                total += load;
            }

            var phase = simulator.AllToAllSeconds(execution);
            _compute += simulator.ComputeSeconds(busiest);
            _allToAll += 4 * phase;
            _forward += total;

            // The backward pass sends each token's gradient back along the combine's transpose: the traffic between
            // ranks plus what stayed local.
            long backward = 0;
            for (var s = 0; s < execution.Ranks; s++)
            {
                foreach (var amount in execution.Traffic.Row(s))
                {
                    backward += amount;
                }

                backward += execution.LocalTokens[s];
            }

            _backward += backward;
            _imbalance += total == 0 ? 1.0 : busiest / (total / (double)execution.Ranks);
            _layers++;
            var bytes = simulator.Model.ExpertBytes;
            _replicaGradientBytes += flushes.Length * bytes;
            _replicaWeightBytes += fetches.Length * bytes;
            var gradients = flushes.Select(r => (From: r.Rank, To: r.Master, Bytes: bytes));
            var weights = fetches.Select(r => (From: r.Master, To: r.Rank, Bytes: bytes));

            // A fetched replica's weights must be in place before the forward compute: they hide behind the dispatch only.
            var exposed = fetches.IsEmpty ? 0 : Math.Max(0, simulator.ExchangeSeconds(weights) - phase);
            if (!flushes.IsEmpty)
            {
                if (overlapEvictions)
                {
                    // The evicted replicas' gradients must reach their masters before the backward pass writes the slots'
                    // gradient buffers again. With the fetches, they get the dispatch (as the fetches do) and the forward
                    // compute; the combine is not counted, so what a combine could hide is charged.
                    var window = phase + (simulator.ComputeSeconds(busiest) * ForwardShare(simulator.Model));
                    exposed = Math.Max(exposed, simulator.ExchangeSeconds(gradients.Concat(weights)) - window);
                }
                else
                {
                    // Before the slots take the new weights.
                    exposed += simulator.ExchangeSeconds(gradients);
                }
            }

            _replica += exposed;
        }

        /// <summary>The forward pass's share of a training step's expert FLOPs.</summary>
        private static double ForwardShare(MoeModelConfig model) => model.FlopsPerRoutedToken(MoeStepPhase.Prefill) / model.FlopsPerRoutedToken(MoeStepPhase.Training);

        public void AddBoundary(MoeStepSimulator simulator, List<Move> boundary, List<(int From, int To, long Bytes)> batchEnd)
        {
            // Replicas' batch-end traffic (gradients to the masters before the optimizer step; EPLB's updated weights
            // back) is replica time; the moves after the step are the boundary's.
            _replica += simulator.ExchangeSeconds(batchEnd);
            _boundaryBytes += boundary.Sum(m => m.WeightBytes + m.OptimizerBytes);
            if (!overlapState)
            {
                _boundary += simulator.ExchangeSeconds(boundary.Select(m => (m.From, m.To, Bytes: m.WeightBytes + m.OptimizerBytes)));
                return;
            }

            // The weights before the batch's first forward; the optimizer state during the batch's expert compute, when
            // the network is idle, by the optimizer step.
            var weights = simulator.ExchangeSeconds(boundary.Where(m => m.WeightBytes > 0).Select(m => (m.From, m.To, Bytes: m.WeightBytes)));
            var state = simulator.ExchangeSeconds(boundary.Where(m => m.OptimizerBytes > 0).Select(m => (m.From, m.To, Bytes: m.OptimizerBytes)));
            _boundary += weights + Math.Max(0, state - (_compute - _computeAtBatchStart));
        }

        public ReLibraPolicyOutcome Outcome(int batches)
        {
            var step = (_compute + _allToAll + _replica + _boundary) / batches;
            return new ReLibraPolicyOutcome(
                policy,
                step,
                _compute / batches,
                _allToAll / batches,
                _replica / batches,
                _boundary / batches,
                _boundaryBytes,
                _replicaWeightBytes,
                _replicaGradientBytes,
                _forward,
                _backward,
                _layers == 0 ? 1.0 : _imbalance / _layers);
        }
    }
}
