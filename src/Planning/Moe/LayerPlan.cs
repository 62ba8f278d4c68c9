using System.Collections.Immutable;
using Planning.Graph;
using Planning.Solving;

namespace Planning.Moe;

/// <summary>One placed copy of an expert (master or replica) and the tokens it serves.</summary>
/// <param name="Expert">The logical expert.</param>
/// <param name="Rank">The rank that hosts the copy.</param>
/// <param name="Quota">The tokens this copy receives in the layer.</param>
public readonly record struct ExpertInstance(int Expert, int Rank, long Quota);

/// <summary>One row of a reroute table: tokens of one source rank for one expert, sent to one instance.</summary>
/// <param name="SourceRank">The rank the tokens come from.</param>
/// <param name="Expert">The logical expert.</param>
/// <param name="Instance">The index of the instance in <see cref="LayerPlan.Instances"/>.</param>
/// <param name="Tokens">How many tokens.</param>
public readonly record struct TokenRoute(int SourceRank, int Expert, int Instance, long Tokens);

/// <summary>What an incremental plan reuses from the previous microbatch's placement.</summary>
/// <param name="ReusedReplicas">Replicas already in place (no weight transfer).</param>
/// <param name="NewReplicas">Replicas whose weights must be copied.</param>
/// <param name="BytesToMove">Weight bytes to copy: new replicas x expert bytes.</param>
public readonly record struct ReplicaReuse(int ReusedReplicas, int NewReplicas, long BytesToMove);

/// <summary>How a heuristic plan compares with the exact optimum under the same rules.</summary>
/// <param name="HeuristicMaxLoad">The heuristic's (UltraEP quota planner's) largest rank load.</param>
/// <param name="ExactMaxLoad">The exact model's best largest rank load.</param>
/// <param name="BestBound">The proven lower bound on the largest rank load (from the exact solve).</param>
/// <param name="LpBound">The LP relaxation's bound, a fast certificate.</param>
/// <param name="MeanLoad">The mean rank load, to express the gaps as imbalance.</param>
public readonly record struct OptimalityCheck(long HeuristicMaxLoad, long ExactMaxLoad, double BestBound, double LpBound, double MeanLoad)
{
    /// <summary>The heuristic's imbalance minus the proven optimum's imbalance bound (0 when it is optimal).</summary>
    public double ImbalanceGapToBound => MeanLoad == 0 ? 0 : (HeuristicMaxLoad - BestBound) / MeanLoad;

    /// <summary>The heuristic's imbalance minus the exact plan's imbalance.</summary>
    public double ImbalanceGapToExact => MeanLoad == 0 ? 0 : (HeuristicMaxLoad - ExactMaxLoad) / MeanLoad;
}

/// <summary>
/// A balancing policy's plan for one layer: every expert instance with its rank and token quota, the load of every
/// rank, the imbalance (max / mean rank load) and the lower bound any plan could reach under the policy's rules.
/// Immutable; build it with <see cref="Create"/>, which derives loads and imbalance from the instances.
/// </summary>
public sealed class LayerPlan
{
    private LayerPlan(ImmutableArray<ExpertInstance> instances, ImmutableArray<long> rankLoads, int experts, double lowerBound, SolveResult? solve)
    {
        Instances = instances;
        RankLoads = rankLoads;
        Imbalance = LoadMath.Imbalance(rankLoads.AsSpan());
        LowerBound = lowerBound;
        Replicas = instances.Length - experts;
        Solve = solve;
    }

    /// <summary>Every expert instance, masters included.</summary>
    public ImmutableArray<ExpertInstance> Instances { get; }

    /// <summary>The tokens each rank serves under the plan.</summary>
    public ImmutableArray<long> RankLoads { get; }

    /// <summary>Max rank load / mean rank load (1 when there is no load at all).</summary>
    public double Imbalance { get; }

    /// <summary>The best imbalance any plan could reach under the policy's rules (a proven bound).</summary>
    public double LowerBound { get; }

    /// <summary>The number of instances beyond one per expert.</summary>
    public int Replicas { get; }

    /// <summary>The solver's result when the policy solved a model (status, bound, gap); otherwise <see langword="null"/>.</summary>
    public SolveResult? Solve { get; }

    /// <summary>The largest rank load.</summary>
    public long MaxRankLoad => RankLoads.Max();

    /// <summary>The reroute table (source rank, expert, instance, tokens), when the policy routed tokens; else empty.</summary>
    public ImmutableArray<TokenRoute> Routes { get; private init; } = [];

    /// <summary>What the plan reuses from the previous placement, when it was planned incrementally.</summary>
    public ReplicaReuse? Reuse { get; private init; }

    /// <summary>The quota planner's gap to the exact optimum, for <c>ultraep-exact</c>.</summary>
    public OptimalityCheck? Check { get; private init; }

    /// <summary>This plan with a reroute table.</summary>
    /// <param name="routes">The routes; their tokens must add up per source rank and expert and per instance.</param>
    /// <returns>A new plan.</returns>
    internal LayerPlan WithRoutes(ImmutableArray<TokenRoute> routes) => Copy(routes, Reuse, Check);

    /// <summary>This plan with what it reuses from the previous placement.</summary>
    /// <param name="reuse">Reused and new replicas, bytes to move.</param>
    /// <returns>A new plan.</returns>
    internal LayerPlan WithReuse(ReplicaReuse reuse) => Copy(Routes, reuse, Check);

    /// <summary>This plan with a comparison against the exact optimum.</summary>
    /// <param name="check">The comparison.</param>
    /// <returns>A new plan.</returns>
    internal LayerPlan WithCheck(OptimalityCheck check) => Copy(Routes, Reuse, check);

    private LayerPlan Copy(ImmutableArray<TokenRoute> routes, ReplicaReuse? reuse, OptimalityCheck? check) =>
        new(Instances, RankLoads, Instances.Length - Replicas, LowerBound, Solve) { Routes = routes, Reuse = reuse, Check = check };

    /// <summary>Creates a plan from its instances, computing rank loads and imbalance.</summary>
    /// <param name="topology">The topology the plan is for.</param>
    /// <param name="instances">Every expert instance with its quota.</param>
    /// <param name="lowerBound">The lower bound on the imbalance under the policy's rules.</param>
    /// <param name="solve">The solver's result, when a solver was used.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">An instance names a rank or expert outside the topology, or has a negative quota.</exception>
    public static LayerPlan Create(MoeTopology topology, IEnumerable<ExpertInstance> instances, double lowerBound, SolveResult? solve = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(instances);
        var array = instances.ToImmutableArray();
        var loads = new long[topology.Ranks];
        foreach (var instance in array)
        {
            if ((uint)instance.Rank >= (uint)topology.Ranks || (uint)instance.Expert >= (uint)topology.Experts || instance.Quota < 0)
            {
                throw new ArgumentException($"Instance {instance} is outside the topology ({topology.Experts} experts on {topology.Ranks} ranks).", nameof(instances));
            }

            loads[instance.Rank] += instance.Quota;
        }

        return new LayerPlan(array, [.. loads], topology.Experts, lowerBound, solve);
    }

    /// <summary>
    /// This plan in the IR's assignment shape: one assignment per expert instance, from the expert to the device (rank)
    /// that runs it, with its token quota as the amount.
    /// </summary>
    /// <param name="topology">The topology the plan was made for.</param>
    /// <returns>The assignments, in the order of <see cref="Instances"/>.</returns>
    public ImmutableArray<Assignment> ToAssignments(MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var experts = topology.Graph.Experts;
        var devices = topology.Cluster.Devices;
        return [.. Instances.Select(i => new Assignment(experts[i.Expert], devices[i.Rank], i.Quota))];
    }

    /// <summary>
    /// The plan as an annotated graph for an adapter or a simulator to read: the topology's cluster with every expert
    /// instance as an <see cref="EdgeKind.AssignedTo"/> edge from the expert to its rank, carrying the quota.
    /// </summary>
    /// <param name="topology">The topology the plan was made for.</param>
    /// <returns>The annotated graph; the topology's graphs are unchanged.</returns>
    public PlanGraph Annotate(MoeTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return topology.Cluster.Annotate(ToAssignments(topology));
    }
}
