using Google.OrTools.Sat;
using Planning.Solving;

namespace Planning.Moe.UltraEp;

/// <summary>
/// The <c>ultraep-exact</c> policy: UltraEP's rules solved exactly, as the certificate for the quota planner. It
/// reports the quota planner's gap to the optimum (<see cref="LayerPlan.Check"/>).
/// </summary>
/// <remarks>
/// <para>Problem facts: expert loads, master ranks, domains, redundant slots per rank, the minimum replica quota.</para>
/// <para>Decision variables: <c>masterQuota[e]</c>; for every other rank r of e's domain, <c>replica[e, r]</c>
/// (a replica of e on r) and <c>quota[e, r]</c>.</para>
/// <para>Named constraints: <c>quotasCoverLoad</c> (an expert's quotas sum to its load), <c>quotaNeedsReplica</c>
/// (<c>quota &lt;= load x replica</c>), <c>minReplicaQuota</c> (<c>quota &gt;= min x replica</c>),
/// <c>redundantSlots</c> (at most that many replicas per rank), <c>rankLoadBelowMax</c>. Objective: the largest rank
/// load. This is a mixed-integer linear program; it is solved with CP-SAT (integral data), warm-started from the quota
/// planner's plan, and its LP relaxation (replica variables in [0, 1]) is solved with GLOP as a fast bound.</para>
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
        var loads = problem.Loads;
        var heuristic = _quotaPlanner.Plan(problem with { Previous = null }, cancellationToken);
        var minQuota = _quotaPlanner.Options.MinReplicaQuota;
        var domainBound = UltraEpPolicy.PlannerFor(topology).LowerBound;
        var mean = (double)problem.TotalLoad / topology.Ranks;
        var lpBound = LpBound(topology, loads, minQuota, SolverOptions, cancellationToken);

        int ranks = topology.Ranks, experts = topology.Experts, domainSize = ranks / topology.Domains;
        var model = new CpModel();
        var maxLoad = model.NewIntVar(domainBound, Math.Max(domainBound, heuristic.MaxRankLoad), "maxRankLoad");
        var masterQuota = new IntVar[experts];
        var replica = new Dictionary<(int Expert, int Rank), (BoolVar Host, IntVar Quota)>();
        var rankTerms = new List<LinearExpr>[ranks];
        var rankReplicas = new List<BoolVar>[ranks];
        for (var r = 0; r < ranks; r++)
        {
            rankTerms[r] = [];
            rankReplicas[r] = [];
        }

        var hintQuota = new Dictionary<(int, int), long>();
        foreach (var instance in heuristic.Instances)
        {
            hintQuota[(instance.Expert, instance.Rank)] = instance.Quota;
        }

        for (var e = 0; e < experts; e++)
        {
            var master = topology.ExpertMaster[e];
            masterQuota[e] = model.NewIntVar(0, loads[e], $"masterQuota_e{e}");
            model.AddHint(masterQuota[e], hintQuota.GetValueOrDefault((e, master)));
            rankTerms[master].Add(masterQuota[e]);
            var pieces = new List<LinearExpr> { masterQuota[e] };
            if (loads[e] > 0 && topology.RedundantSlotsPerRank > 0 && loads[e] >= minQuota)
            {
                var first = topology.RankDomain[master] * domainSize;
                for (var r = first; r < first + domainSize; r++)
                {
                    if (r == master)
                    {
                        continue;
                    }

                    var host = model.NewBoolVar($"replica_e{e}_r{r}");
                    var quota = model.NewIntVar(0, loads[e], $"quota_e{e}_r{r}");
                    var hinted = hintQuota.TryGetValue((e, r), out var q);
                    model.AddHint(host, hinted);
                    model.AddHint(quota, hinted ? q : 0);
                    model.Add(quota <= host * loads[e]);                       // quotaNeedsReplica
                    if (minQuota > 0)
                    {
                        model.Add(quota >= host * minQuota);                   // minReplicaQuota
                    }

                    replica[(e, r)] = (host, quota);
                    rankTerms[r].Add(quota);
                    rankReplicas[r].Add(host);
                    pieces.Add(quota);
                }
            }

            model.Add(LinearExpr.Sum(pieces) == loads[e]);                     // quotasCoverLoad
        }

        for (var r = 0; r < ranks; r++)
        {
            model.Add(LinearExpr.Sum(rankReplicas[r]) <= topology.RedundantSlotsPerRank);   // redundantSlots
            model.Add(LinearExpr.Sum(rankTerms[r]) <= maxLoad);                             // rankLoadBelowMax
        }

        model.AddHint(maxLoad, heuristic.MaxRankLoad);
        model.Minimize(maxLoad);
        var solution = CpSat.Solve(model, SolverOptions, cancellationToken);
        var result = solution.Result;
        if (result.Status is SolveStatus.Infeasible or SolveStatus.ModelInvalid)
        {
            throw new InvalidOperationException($"The ultraep-exact model is {result.Status}, yet the quota planner's plan satisfies it: a constraint is wrong.");
        }

        var bestBound = Math.Max(Math.Max(domainBound, Math.Ceiling(lpBound - 1e-6)), double.IsFinite(result.BestBound) ? Math.Ceiling(result.BestBound - 1e-6) : 0);
        var lowerBound = BalanceBounds.ToImbalance(bestBound, problem.TotalLoad, ranks);
        LayerPlan plan;
        if (result.IsSuccess && (long)Math.Round(result.Objective!.Value) < heuristic.MaxRankLoad)
        {
            var instances = new List<ExpertInstance>(experts + replica.Count);
            for (var e = 0; e < experts; e++)
            {
                instances.Add(new ExpertInstance(e, topology.ExpertMaster[e], solution.Value(masterQuota[e])));
            }

            foreach (var ((expert, rank), (host, quota)) in replica)
            {
                if (solution.Value(host))
                {
                    instances.Add(new ExpertInstance(expert, rank, solution.Value(quota)));
                }
            }

            plan = LayerPlan.Create(topology, instances, lowerBound, result with { BestBound = bestBound });
        }
        else
        {
            // The solver did not beat the quota planner in time: keep its plan, with the proven bound.
            var status = bestBound >= heuristic.MaxRankLoad ? SolveStatus.Optimal : SolveStatus.Feasible;
            plan = LayerPlan.Create(topology, heuristic.Instances, lowerBound, result with { Status = status, Objective = heuristic.MaxRankLoad, BestBound = bestBound });
        }

        return plan.WithCheck(new OptimalityCheck(heuristic.MaxRankLoad, plan.MaxRankLoad, bestBound, lpBound, mean));
    }

    /// <summary>The LP relaxation's optimum: a lower bound on the largest rank load, solved with GLOP.</summary>
    private static double LpBound(MoeTopology topology, System.Collections.Immutable.ImmutableArray<long> loads, long minQuota, SolverOptions options, CancellationToken cancellationToken)
    {
        using var solver = LinearProgram.Create(LinearBackend.Glop);
        int ranks = topology.Ranks, domainSize = ranks / topology.Domains;
        var maxLoad = solver.MakeNumVar(0, double.PositiveInfinity, "maxRankLoad");
        var loadTerms = new List<Google.OrTools.LinearSolver.Variable>[ranks];
        var slotTerms = new List<Google.OrTools.LinearSolver.Variable>[ranks];
        for (var r = 0; r < ranks; r++)
        {
            loadTerms[r] = [];
            slotTerms[r] = [];
        }

        for (var e = 0; e < topology.Experts; e++)
        {
            var master = topology.ExpertMaster[e];
            var masterQuota = solver.MakeNumVar(0, loads[e], $"masterQuota_e{e}");
            loadTerms[master].Add(masterQuota);
            var cover = solver.MakeConstraint(loads[e], loads[e], $"quotasCoverLoad_e{e}");
            cover.SetCoefficient(masterQuota, 1);
            if (loads[e] == 0 || topology.RedundantSlotsPerRank == 0 || loads[e] < minQuota)
            {
                continue;
            }

            var first = topology.RankDomain[master] * domainSize;
            for (var r = first; r < first + domainSize; r++)
            {
                if (r == master)
                {
                    continue;
                }

                var host = solver.MakeNumVar(0, 1, $"replica_e{e}_r{r}");
                var quota = solver.MakeNumVar(0, loads[e], $"quota_e{e}_r{r}");
                var needs = solver.MakeConstraint(double.NegativeInfinity, 0, $"quotaNeedsReplica_e{e}_r{r}");
                needs.SetCoefficient(quota, 1);
                needs.SetCoefficient(host, -loads[e]);
                if (minQuota > 0)
                {
                    var least = solver.MakeConstraint(0, double.PositiveInfinity, $"minReplicaQuota_e{e}_r{r}");
                    least.SetCoefficient(quota, 1);
                    least.SetCoefficient(host, -minQuota);
                }

                cover.SetCoefficient(quota, 1);
                loadTerms[r].Add(quota);
                slotTerms[r].Add(host);
            }
        }

        for (var r = 0; r < ranks; r++)
        {
            var slots = solver.MakeConstraint(double.NegativeInfinity, topology.RedundantSlotsPerRank, $"redundantSlots_r{r}");
            foreach (var host in slotTerms[r])
            {
                slots.SetCoefficient(host, 1);
            }

            var below = solver.MakeConstraint(double.NegativeInfinity, 0, $"rankLoadBelowMax_r{r}");
            foreach (var quota in loadTerms[r])
            {
                below.SetCoefficient(quota, 1);
            }

            below.SetCoefficient(maxLoad, -1);
        }

        solver.Objective().SetCoefficient(maxLoad, 1);
        solver.Objective().SetMinimization();
        var result = LinearProgram.Solve(solver, options, cancellationToken);
        return result.Status == SolveStatus.Optimal ? result.Objective!.Value : 0;
    }
}
