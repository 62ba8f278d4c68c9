namespace Planning.Moe.UltraEp;

/// <summary>
/// The <c>ultraep</c> policy: UltraEP's real-time quota planner (<see cref="QuotaPlanner"/>) on every layer and
/// microbatch. Masters stay put; replicas only in redundant slots of the master's domain. With the previous
/// microbatch's instances (<see cref="MoeLayerProblem.Previous"/>) it plans incrementally: it keeps replicas already in
/// place when that costs at most <see cref="UltraEpOptions.ReuseSlack"/> over the fresh plan's largest rank load, and
/// reports what it reuses and the bytes to move.
/// </summary>
/// <param name="options">Minimum replica quota, reuse slack and expert bytes.</param>
public sealed class UltraEpPolicy(UltraEpOptions options) : IBalancingPolicy
{
    // One planner (its buffers) per thread, rebuilt when the topology changes: the policy stays thread-safe and the
    // solve allocates nothing in steady state. A planner holds no state between calls that matters to the next one.
    [ThreadStatic]
    private static QuotaPlanner? t_planner;

    /// <summary>Creates the policy with the default options (exact loads: no minimum quota).</summary>
    public UltraEpPolicy()
        : this(UltraEpOptions.Default)
    {
    }

    /// <summary>The options.</summary>
    public UltraEpOptions Options { get; } = (options ?? throw new ArgumentNullException(nameof(options))).Validate();

    /// <inheritdoc />
    public string Name => "ultraep";

    /// <inheritdoc />
    public bool ReroutesTokens => true;

    /// <inheritdoc />
    public bool IsRealTime => true;

    /// <summary>The planner for <paramref name="topology"/> on this thread.</summary>
    /// <param name="topology">The topology.</param>
    /// <returns>The planner, with buffers sized for the topology.</returns>
    internal static QuotaPlanner PlannerFor(MoeTopology topology)
    {
        var planner = t_planner;
        if (planner is null || !ReferenceEquals(planner.Topology, topology))
        {
            planner = new QuotaPlanner(topology);
            t_planner = planner;
        }

        return planner;
    }

    /// <inheritdoc />
    public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var topology = problem.Topology;
        var planner = PlannerFor(topology);
        var loads = problem.Loads.AsSpan();
        var fresh = planner.Solve(loads, Options.MinReplicaQuota);
        var lowerBound = BalanceBounds.ToImbalance(planner.LowerBound, problem.TotalLoad, topology.Ranks);

        if (problem.Previous is not { } previous)
        {
            return ToPlan(topology, planner, lowerBound);
        }

        var freshPlan = ToPlan(topology, planner, lowerBound);
        planner.SetPrevious(previous.AsSpan());
        var freshReuse = Reuse(planner, freshPlan);

        // Incremental: prefer replicas in place, first at the fresh threshold, then within the slack.
        var slackThreshold = (long)Math.Floor(fresh * (1 + Options.ReuseSlack));
        foreach (var threshold in new[] { fresh, slackThreshold })
        {
            if (planner.SolveAt(loads, threshold, Options.MinReplicaQuota, preferPrevious: true))
            {
                var incremental = ToPlan(topology, planner, lowerBound);
                var reuse = Reuse(planner, incremental);
                if (reuse.NewReplicas < freshReuse.NewReplicas)
                {
                    return incremental.WithReuse(reuse);
                }
            }
        }

        return freshPlan.WithReuse(freshReuse);
    }

    private ReplicaReuse Reuse(QuotaPlanner planner, LayerPlan plan)
    {
        int reused = 0, fresh = 0;
        foreach (var instance in plan.Instances)
        {
            if (instance.Rank == planner.Topology.ExpertMaster[instance.Expert])
            {
                continue;
            }

            if (planner.WasInPlace(instance.Expert, instance.Rank))
            {
                reused++;
            }
            else
            {
                fresh++;
            }
        }

        return new ReplicaReuse(reused, fresh, fresh * Options.ExpertBytes);
    }

    private static LayerPlan ToPlan(MoeTopology topology, QuotaPlanner planner, double lowerBound)
    {
        var replicas = planner.Replicas;
        var instances = new ExpertInstance[topology.Experts + replicas.Length];
        var masterQuotas = planner.MasterQuotas;
        for (var e = 0; e < topology.Experts; e++)
        {
            instances[e] = new ExpertInstance(e, topology.ExpertMaster[e], masterQuotas[e]);
        }

        replicas.CopyTo(instances.AsSpan(topology.Experts));
        return LayerPlan.Create(topology, instances, lowerBound);
    }
}
