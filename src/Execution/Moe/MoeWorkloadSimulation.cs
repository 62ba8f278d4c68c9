using System.Globalization;
using Planning.Execution.Moe.Strategies;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.Workloads;

namespace Planning.Execution.Moe;

/// <summary>
/// Runs deployment policies over a workload (a sequence of microbatches) on the <see cref="MoeStepSimulator"/> and
/// reports each policy's mean step time, throughput, ratios to the ideal and to no balancing, final imbalance and
/// bytes synced. Deterministic when the planner's time is fixed (<see cref="MoeSimulationOptions.PlannerSecondsPerLayer"/>)
/// or the clock is; the plans never depend on the clock.
/// </summary>
/// <remarks>
/// <para>The policies (<see cref="MoeDeploymentStrategies"/>), each layer of each microbatch:</para>
/// <list type="bullet">
/// <item><description><c>none</c>: masters only.</description></item>
/// <item><description><c>eplb</c>: EPLB as deployed: placed from the loads of the previous
/// <see cref="MoeSimulationOptions.EplbWindow"/> microbatches (a moving window; the first microbatch from its own loads),
/// quotas following the current loads (<see cref="MoeLayerProblem.PlacementLoads"/>). The placement is known before the
/// microbatch starts, so the planner and the weight moves run off the critical path: no time is charged for either,
/// but the bytes are counted.</description></item>
/// <item><description><c>eplb-oracle</c>: EPLB placed from the current loads, also with no planner or sync time (an
/// oracle that knew the loads in advance).</description></item>
/// <item><description><c>ultraep</c>: <see cref="Planning.Moe.UltraEp.UltraEpPolicy"/> on the current loads, incremental
/// (the previous microbatch's instances of the layer are <see cref="MoeLayerProblem.Previous"/>, so replicas in place
/// are preferred), with locality-aware rerouting (<see cref="Rerouter"/>). New replicas' weights are synced by the relay
/// schedule and its exposed part charged; the planner's solve time is charged to every layer.</description></item>
/// <item><description><c>ultraep-reorder</c>: <c>ultraep</c> on a master layout that
/// <see cref="Planning.Moe.Reordering.DomainReordering"/> reorders across scale-up domains between batches (every
/// <see cref="MoeSimulationOptions.ReorderEvery"/> microbatches, from the loads of the last microbatches before the
/// batch, every microbatch balanced at once; the first batch from the first microbatch's loads, the steady state of a
/// run that reordered before, as <c>eplb</c>'s first placement; or, with <see cref="MoeSimulationOptions.ReorderFromReplay"/>,
/// from the batch's own microbatches, known in RL training from routing replay). UltraEP keeps replicas inside a
/// domain, so without this a hot domain stays hot. The swaps' weights and optimizer state
/// (<see cref="MoeModelConfig.ExpertStateBytes"/>) cross the inter-domain network at the batch boundary,
/// where nothing overlaps them: that time is charged, fully exposed, to the first microbatch of the batch (the first
/// batch's layout is charged nothing). Replicas of swapped slots no longer hold the right weights and count as not in
/// place.</description></item>
/// <item><description><c>ideal</c>: force-balanced: every rank computes exactly the mean, the all-to-all is the uniform
/// spread, no sync and no planner. Where a policy of the run keeps so many tokens local that its all-to-all beats the
/// uniform spread (small clusters), the ideal takes that all-to-all instead, so that the ideal is never slower than a
/// simulated policy; <see cref="MoeSimulationResult.IdealAllToAllFromPlans"/> counts those layers.</description></item>
/// </list>
/// <para>Only the policies asked for run, plus the two references every result reports against: <c>none</c> (the
/// reference of <see cref="MoePolicyOutcome.RatioToNone"/> and of <see cref="MoeSimulationResult.InitialImbalance"/>)
/// and <c>ideal</c> (of <see cref="MoePolicyOutcome.RatioToIdeal"/>); neither plans anything that costs time, so a
/// run of one policy costs about that policy's time. The ideal is defined against the policies that run: asking
/// for fewer can only make it slower (where a policy left out had the fastest all-to-all of a layer), never faster.
/// The result lists the requested policies, in the order requested. Policies run in the registry's order, the ideal
/// last in each layer. Weights in place: a rank holds the weights of its masters and of every instance the policy's
/// previous plan of the layer put on it; the first microbatch starts from the masters alone.</para>
/// <para>The planner's time (<see cref="MoeSimulationResult.PlannerSecondsPerLayer"/>) is UltraEP's: the solves of the
/// first policy that plans on the critical path (<c>ultraep</c> when it runs, else <c>ultraep-reorder</c>) are timed,
/// and the median is charged to every layer of every such policy (both run the same planner, on the same problems up
/// to the order of the masters).</para>
/// </remarks>
public static class MoeWorkloadSimulation
{
    /// <summary>Simulates the policies over a generated workload.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="policies">The policies to run and report (from <see cref="MoeDeploymentStrategies.Names"/>).</param>
    /// <param name="model">The model.</param>
    /// <param name="cluster">The ranks and the hardware they run on (<see cref="MoeDeployment.Cluster"/>); the workload must have its shape.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="PlanningInputException">A policy is unknown, or the workload does not fit the model or the cluster.</exception>
    public static MoeSimulationResult Run(MoeWorkload workload, IEnumerable<string> policies, MoeModelConfig model, ClusterGraph cluster, MoeSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return Run(workload.Microbatches, policies, model, cluster, options);
    }

    /// <summary>Simulates the policies over a sequence of microbatches.</summary>
    /// <param name="microbatches">The microbatches, in order; all with the same shape and layers, the model's number of experts, and the cluster's ranks, node and domain sizes.</param>
    /// <param name="policies">The policies to run and report (from <see cref="MoeDeploymentStrategies.Names"/>).</param>
    /// <param name="model">The model.</param>
    /// <param name="cluster">
    /// The ranks and the hardware they run on, built with figures (<see cref="MoeDeployment.Cluster"/>, or
    /// <see cref="ClusterGraph.Build"/> with a <see cref="HardwareSpec"/>): the simulator times on its devices and
    /// links, and the policies plan on the topology read from it.
    /// </param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="PlanningInputException">A policy is unknown, there are no microbatches, or they do not fit each other, the model or the cluster (the field is named).</exception>
    public static MoeSimulationResult Run(IReadOnlyList<MoeCase> microbatches, IEnumerable<string> policies, MoeModelConfig model, ClusterGraph cluster, MoeSimulationOptions? options = null) =>
        Run(microbatches, policies, model, cluster, options, MoeDeploymentStrategies.Default);

    /// <summary>Simulates the policies of a registry (tests pass their own).</summary>
    /// <param name="microbatches">The microbatches.</param>
    /// <param name="policies">The policies to run and report.</param>
    /// <param name="model">The model.</param>
    /// <param name="cluster">The ranks and the hardware they run on.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="registry">The strategies by name; must hold <c>none</c> and <c>ideal</c>.</param>
    /// <returns>The figures.</returns>
    internal static MoeSimulationResult Run(IReadOnlyList<MoeCase> microbatches, IEnumerable<string> policies, MoeModelConfig model, ClusterGraph cluster, MoeSimulationOptions? options, MoeDeploymentStrategies registry)
    {
        ArgumentNullException.ThrowIfNull(microbatches);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(registry);
        options = (options ?? MoeSimulationOptions.Default).Validate();
        var requested = registry.Parse(string.Join(',', policies));
        CheckShape(microbatches, model, cluster);

        // The simulator and the policies read one cluster: the simulator its figures, the policies its topology.
        var first = microbatches[0];
        var simulator = new MoeStepSimulator(model, cluster, options.Phase);
        var topology = MoeTopology.From(cluster, first.ExpertsPerRank, first.RedundantSlotsPerRank, first.EffectiveExpertGroups);
        var context = new MoeSimulationContext(microbatches, topology, simulator);

        // Only what was asked for is built, plus the references; those that compare with the plans step last.
        var runs = registry.Names
            .Where(name => requested.Contains(name) || name is NoBalancingStrategy.PolicyName or IdealStrategy.PolicyName)
            .Select(name => registry.Create(name, options, model))
            .OrderBy(strategy => strategy.ComparesWithPlans)
            .Select(strategy => new StrategyRun(strategy, strategy.Start(context), new MoePolicyFigures(strategy.Name, context.Layers)))
            .ToArray();
        var timed = runs.FirstOrDefault(run => run.Strategy.PlannerTime == MoePlannerTime.OnCriticalPath);
        var timer = new MoePlannerTimer(options);
        var boundary = new MoeBoundaryMoves?[runs.Length];
        var idealFromPlans = 0;

        for (var m = 0; m < microbatches.Count; m++)
        {
            options.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"simulate: microbatch {m + 1}/{microbatches.Count}"));
            for (var i = 0; i < runs.Length; i++)
            {
                runs[i].Figures.BeginMicrobatch();
                boundary[i] = runs[i].Strategy.BeginMicrobatch(runs[i].State, m);
                runs[i].Figures.AddBytes(boundary[i]?.Bytes ?? 0);
            }

            for (var l = 0; l < context.Layers; l++)
            {
                var tokens = microbatches[m].Layers[l];
                var fastest = double.PositiveInfinity;
                for (var i = 0; i < runs.Length; i++)
                {
                    var run = runs[i];
                    var input = new MoeLayerInput(m, l, tokens, boundary[i]?.SecondsPerLayer[l] ?? 0, run == timed ? timer : null, fastest);
                    var step = run.Strategy.Step(run.State, input);
                    if (!run.Strategy.ComparesWithPlans)
                    {
                        fastest = Math.Min(fastest, step.Time.DispatchSeconds / context.Simulator.AllToAllPasses);
                    }

                    idealFromPlans += step.TookPlannedAllToAll ? 1 : 0;
                    run.Figures.Record(l, step);
                }
            }
        }

        var (planner, plannerP99) = timer.Result();
        foreach (var run in runs.Where(run => run.Strategy.PlannerTime == MoePlannerTime.OnCriticalPath))
        {
            run.Figures.ChargePlanner(planner);
        }

        var tokensPerStep = microbatches.Average(c => c.Layers.Average(layer => (double)layer.ExpertLoads.Sum())) / model.TopK;
        var figures = runs.ToDictionary(run => run.Strategy.Name, run => run.Figures);
        var idealMean = figures[IdealStrategy.PolicyName].MeanStepSeconds;
        var noneMean = figures[NoBalancingStrategy.PolicyName].MeanStepSeconds;
        var outcomes = figures.ToDictionary(pair => pair.Key, pair => pair.Value.Outcome(tokensPerStep, idealMean, noneMean));
        return new MoeSimulationResult(
            model,
            simulator.Hardware,
            options.Phase,
            first.Ranks,
            first.RanksPerNode,
            first.RanksPerDomain,
            first.ExpertsPerRank,
            first.RedundantSlotsPerRank,
            microbatches.Count,
            first.Layers.Length,
            tokensPerStep,
            outcomes[NoBalancingStrategy.PolicyName].MeanImbalance,
            [.. requested.Select(name => outcomes[name])],
            outcomes[NoBalancingStrategy.PolicyName],
            outcomes[IdealStrategy.PolicyName],
            planner,
            options.PlannerSecondsPerLayer is null && timed is not null,
            plannerP99,
            idealFromPlans);
    }

    private static void CheckShape(IReadOnlyList<MoeCase> microbatches, MoeModelConfig model, ClusterGraph cluster)
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

        // A case states its own shape (the CASE.json contract); it must be the shape of the cluster it is timed on.
        var shape = cluster.Shape;
        AgreesWithCluster("ranks", first.Ranks, shape.Devices, "devices");
        AgreesWithCluster("ranksPerNode", first.RanksPerNode, shape.DevicesPerNode, "devices per node");
        AgreesWithCluster("ranksPerDomain", first.RanksPerDomain, shape.DevicesPerDomain, "devices per scale-up domain");

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

    private static void AgreesWithCluster(string field, int value, int clusterValue, string what)
    {
        if (value != clusterValue)
        {
            throw new PlanningInputException(
                $"microbatches[0].{field}",
                string.Create(CultureInfo.InvariantCulture, $"must be the cluster's {clusterValue} {what}, got {value}"));
        }
    }

    /// <summary>One strategy in one run: what decides, what it carries, what it measured.</summary>
    private sealed record StrategyRun(IMoeDeploymentStrategy Strategy, MoeStrategyState State, MoePolicyFigures Figures);
}
