using System.Collections.Immutable;
using Planning.Solving;

namespace Planning.Moe.UltraEp;

/// <summary>
/// The <c>ultraep-exact</c> policy: UltraEP's rules solved exactly, as the certificate for the quota planner. It
/// reports the quota planner's gap to the optimum (<see cref="LayerPlan.Check"/>).
/// </summary>
/// <remarks>
/// <para>Problem facts: expert loads, master ranks, domains, redundant slots per rank, the minimum replica quota.</para>
/// <para>The model is a <see cref="MinMaxAssignment"/> (experts are the works, ranks the resources; built by
/// <see cref="Assignment"/>). Decision variables: the master's quota (the fixed pair's <c>amount</c>); for every
/// other rank r of e's domain, <c>host[e, r]</c> (a replica of e on r) and <c>quota[e, r]</c>; <c>maxLoad</c>.</para>
/// <para>Named constraints (<see cref="AssignmentConstraint"/>): <see cref="AssignmentConstraint.AmountsCoverWeight"/>
/// (an expert's quotas sum to its load), <see cref="AssignmentConstraint.AmountNeedsHost"/>
/// (<c>quota &lt;= load x replica</c>), <see cref="AssignmentConstraint.MinimumAmount"/>
/// (<c>quota &gt;= min x replica</c>), <see cref="AssignmentConstraint.SlotLimit"/> (at most the redundant slots of
/// replicas per rank), <see cref="AssignmentConstraint.LoadBelowMax"/>. Objective: the largest rank load. This is a
/// mixed-integer linear program; it is solved with CP-SAT (integral data), warm-started from the quota planner's
/// plan (kept unless beaten), and its LP relaxation (<see cref="MinMaxAssignment.LinearRelaxationBound"/>: replica
/// variables in [0, 1]) is solved with GLOP as a fast bound; the reported bound is the best of the domain bound, the
/// LP's and CP-SAT's.</para>
/// </remarks>
/// <param name="solverOptions">Time limit (default 10 s), seed and workers.</param>
/// <param name="ultraEpOptions">The minimum replica quota shared with the quota planner.</param>
public sealed class UltraEpExactPolicy(SolverOptions solverOptions, UltraEpOptions ultraEpOptions) : IBalancingPolicy
{
    private readonly UltraEpPolicy _quotaPlanner = new(ultraEpOptions);

    /// <summary>Creates the policy with default options.</summary>
    public UltraEpExactPolicy()
        : this(SolverOptions.Default, UltraEpOptions.Default)
    {
    }

    /// <summary>The solver options.</summary>
    public SolverOptions SolverOptions { get; } = solverOptions ?? throw new ArgumentNullException(nameof(solverOptions));

    /// <inheritdoc />
    public string Name => "ultraep-exact";

    /// <inheritdoc />
    public bool ReroutesTokens => true;

    /// <inheritdoc />
    public bool IsRealTime => false;

    /// <inheritdoc />
    public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var topology = problem.Topology;
        var heuristic = _quotaPlanner.Plan(problem with { Previous = null }, cancellationToken);
        var domainBound = UltraEpPolicy.PlannerFor(topology).LowerBound;
        var mean = (double)problem.TotalLoad / topology.Ranks;
        var assignment = Assignment(topology, problem.Loads, _quotaPlanner.Options.MinReplicaQuota);
        var lpBound = assignment.LinearRelaxationBound(SolverOptions, cancellationToken) ?? 0;

        var outcome = assignment.Solve(
            SolverOptions,
            heuristic.Instances.Select(instance => new AssignmentPiece(instance.Expert, instance.Rank, instance.Quota)),
            knownLowerBound: domainBound,
            relaxationBound: lpBound,
            cancellationToken);
        if (outcome.Source == AssignmentSource.None)
        {
            throw new InvalidOperationException(
                $"The ultraep-exact model is {outcome.Result.Status} ({string.Join(", ", outcome.InfeasibleFamilies)}), yet the quota planner's plan satisfies it: a constraint is wrong.");
        }

        var bestBound = outcome.Result.BestBound;
        var lowerBound = BalanceBounds.ToImbalance(bestBound, problem.TotalLoad, topology.Ranks);
        LayerPlan plan;
        if (outcome.Source == AssignmentSource.Solver)
        {
            // Masters first, expert by expert, then the hosted replicas in (expert, rank) order.
            var instances = new List<ExpertInstance>(outcome.Pieces.Length);
            instances.AddRange(outcome.Pieces.Where(piece => piece.Resource == topology.ExpertMaster[piece.Work]).Select(ToInstance));
            instances.AddRange(outcome.Pieces.Where(piece => piece.Resource != topology.ExpertMaster[piece.Work]).Select(ToInstance));
            plan = LayerPlan.Create(topology, instances, lowerBound, outcome.Result);
        }
        else
        {
            // The solver did not beat the quota planner in time: keep its plan, with the proven bound.
            plan = LayerPlan.Create(topology, heuristic.Instances, lowerBound, outcome.Result);
        }

        return plan.WithCheck(new OptimalityCheck(heuristic.MaxRankLoad, plan.MaxRankLoad, bestBound, lpBound, mean));
    }

    /// <summary>
    /// UltraEP's rules as a <see cref="MinMaxAssignment"/>: expert by expert, a fixed pair on its master rank, then
    /// an optional pair on every other rank of its domain when it has load, there are redundant slots and its load
    /// reaches the minimum quota (a replica could serve no less); a slot limit of
    /// <see cref="MoeTopology.RedundantSlotsPerRank"/> per rank.
    /// </summary>
    /// <param name="topology">The topology.</param>
    /// <param name="loads">The experts' loads.</param>
    /// <param name="minQuota">The minimum replica quota.</param>
    /// <returns>The problem facts.</returns>
    internal static MinMaxAssignment Assignment(MoeTopology topology, ImmutableArray<long> loads, long minQuota)
    {
        int ranks = topology.Ranks, domainSize = ranks / topology.Domains;
        var pairs = ImmutableArray.CreateBuilder<AssignmentPair>();
        for (var e = 0; e < topology.Experts; e++)
        {
            var master = topology.ExpertMaster[e];
            pairs.Add(new AssignmentPair(e, master) { IsFixed = true });
            if (loads[e] > 0 && topology.RedundantSlotsPerRank > 0 && loads[e] >= minQuota)
            {
                var first = topology.RankDomain[master] * domainSize;
                for (var r = first; r < first + domainSize; r++)
                {
                    if (r != master)
                    {
                        pairs.Add(new AssignmentPair(e, r));
                    }
                }
            }
        }

        return new MinMaxAssignment
        {
            Weights = loads,
            Resources = [.. Enumerable.Repeat(new AssignmentResource { SlotLimit = topology.RedundantSlotsPerRank }, ranks)],
            Pairs = pairs.ToImmutable(),
            MinimumAmount = minQuota,
        };
    }

    private static ExpertInstance ToInstance(AssignmentPiece piece) => new(piece.Work, piece.Resource, piece.Amount);
}
