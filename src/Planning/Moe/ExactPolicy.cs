using Google.OrTools.Sat;
using Planning.Solving;

namespace Planning.Moe;

/// <summary>
/// The <c>exact</c> policy: minimises the largest rank load under EPLB's slot rules with CP-SAT, and reports the
/// proven bound and gap.
/// </summary>
/// <remarks>
/// <para>Rules (problem facts): <c>ranks x slotsPerRank</c> slots; any expert may go on any rank, at most once per
/// rank (a second copy on the same rank adds nothing); every expert has at least one instance; quotas are
/// non-negative integers that sum to the expert's load. The quota split is free, which includes EPLB's even split,
/// so EPLB's plan (copies on one rank merged) is a feasible solution. The better of it and a split packing
/// (<see cref="SplitPacking"/>) is given to the solver as a hint and kept whenever the solver does not beat it, so
/// <c>exact</c> is never worse than <c>eplb</c>. EPLB's node hierarchy
/// is not imposed: it is a heuristic, not a rule of the hardware.</para>
/// <para>Decision variables: <c>host[e, r]</c> (expert <c>e</c> has an instance on rank <c>r</c>) and
/// <c>quota[e, r]</c>. Named constraints: <c>everyExpertPlaced</c>, <c>quotasCoverLoad</c>,
/// <c>quotaNeedsInstance</c>, <c>slotsPerRank</c>, <c>rankLoadBelowMax</c>, and <c>ranksByLoad</c>, which breaks the
/// symmetry between ranks (they are interchangeable under these rules) by ordering rank loads non-increasingly.
/// Objective: the largest rank load.</para>
/// </remarks>
/// <param name="options">Time limit (default 10 s), seed and workers of the CP-SAT solve.</param>
public sealed class ExactPolicy(SolverOptions options) : IBalancingPolicy
{
    private readonly EplbPolicy _eplb = new();

    /// <summary>Creates the policy with the default options (10 s).</summary>
    public ExactPolicy()
        : this(SolverOptions.Default)
    {
    }

    /// <summary>The solver options.</summary>
    public SolverOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public string Name => "exact";

    /// <inheritdoc />
    public bool ReroutesTokens => false;

    /// <inheritdoc />
    public bool IsRealTime => false;

    /// <inheritdoc />
    public LayerPlan Plan(MoeLayerProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var topology = problem.Topology;
        var loads = problem.Loads;
        var eplb = _eplb.Plan(problem with { PlacementLoads = null }, cancellationToken);
        var slotBound = BalanceBounds.SlotRulesMaxLoad(topology, loads.AsSpan());

        // Warm start: EPLB's plan, or the split packing's when it is better (it often meets the bound outright).
        var poured = SplitPacking.Plan(topology, loads.AsSpan(), slotBound, eplb.MaxRankLoad);
        var pouredPlan = poured is null ? null : LayerPlan.Create(topology, poured, eplb.LowerBound);
        var hint = pouredPlan is not null && pouredPlan.MaxRankLoad < eplb.MaxRankLoad ? pouredPlan : eplb;

        int ranks = topology.Ranks, experts = topology.Experts;

        // The hint, copies on one rank merged, ranks relabelled by load, heaviest first, so that it
        // satisfies the symmetry-breaking order.
        var hintQuota = new long[experts, ranks];
        foreach (var instance in hint.Instances)
        {
            hintQuota[instance.Expert, instance.Rank] += instance.Quota;
        }

        var hintHost = new bool[experts, ranks];
        foreach (var instance in hint.Instances)
        {
            hintHost[instance.Expert, instance.Rank] = true;
        }

        var rankOrder = Enumerable.Range(0, ranks).OrderByDescending(r => hint.RankLoads[r]).ThenBy(r => r).ToArray();

        var model = new CpModel();
        var maxLoad = model.NewIntVar(slotBound, Math.Max(slotBound, hint.MaxRankLoad), "maxRankLoad");
        var host = new BoolVar[experts, ranks];
        var quota = new LinearExpr[experts, ranks];
        for (var e = 0; e < experts; e++)
        {
            for (var r = 0; r < ranks; r++)
            {
                host[e, r] = model.NewBoolVar($"host_e{e}_r{r}");
                model.AddHint(host[e, r], hintHost[e, rankOrder[r]]);
                if (loads[e] == 0)
                {
                    quota[e, r] = LinearExpr.Constant(0);
                    continue;
                }

                var q = model.NewIntVar(0, loads[e], $"quota_e{e}_r{r}");
                model.AddHint(q, hintQuota[e, rankOrder[r]]);
                quota[e, r] = q;

                // quotaNeedsInstance: a rank serves an expert's tokens only if it hosts the expert.
                model.Add(q <= host[e, r] * loads[e]);
            }

            // everyExpertPlaced and quotasCoverLoad.
            model.Add(LinearExpr.Sum(Row(host, e)) >= 1);
            model.Add(LinearExpr.Sum(Row(quota, e)) == loads[e]);
        }

        var rankLoad = new LinearExpr[ranks];
        for (var r = 0; r < ranks; r++)
        {
            // slotsPerRank and rankLoadBelowMax.
            model.Add(LinearExpr.Sum(Column(host, r)) <= topology.SlotsPerRank);
            rankLoad[r] = LinearExpr.Sum(Column(quota, r));
            model.Add(rankLoad[r] <= maxLoad);
        }

        // ranksByLoad: symmetry breaking between interchangeable ranks.
        for (var r = 0; r + 1 < ranks; r++)
        {
            model.Add(rankLoad[r] >= rankLoad[r + 1]);
        }

        model.AddHint(maxLoad, hint.MaxRankLoad);
        model.Minimize(maxLoad);

        var solution = CpSat.Solve(model, Options, cancellationToken);
        var result = solution.Result;
        var bestBound = Math.Max(slotBound, result.IsSuccess || result.Status == SolveStatus.Unknown ? SafeCeil(result.BestBound) : slotBound);
        if (result.Status == SolveStatus.Infeasible || result.Status == SolveStatus.ModelInvalid)
        {
            throw new InvalidOperationException(
                $"The exact balancing model is {result.Status}, yet EPLB's plan satisfies it: a constraint is wrong (slotsPerRank = {topology.SlotsPerRank}).");
        }

        var lowerBound = BalanceBounds.ToImbalance(bestBound, problem.TotalLoad, ranks);
        if (!result.IsSuccess || (long)Math.Round(result.Objective!.Value) >= hint.MaxRankLoad)
        {
            // The solver did not beat its warm start in time: keep the warm start (never worse than EPLB), with the solver's bound.
            var status = bestBound >= hint.MaxRankLoad ? SolveStatus.Optimal : SolveStatus.Feasible;
            var kept = result with { Status = status, Objective = hint.MaxRankLoad, BestBound = bestBound };
            return LayerPlan.Create(topology, hint.Instances, lowerBound, kept);
        }

        var instances = new List<ExpertInstance>(experts + (ranks * topology.RedundantSlotsPerRank));
        for (var e = 0; e < experts; e++)
        {
            var placed = false;
            for (var r = 0; r < ranks; r++)
            {
                var q = solution.Value(quota[e, r]);
                // A hosted copy that serves nothing is dropped, except an idle expert's one required instance.
                if (q > 0 || (!placed && loads[e] == 0 && solution.Value(host[e, r])))
                {
                    instances.Add(new ExpertInstance(e, r, q));
                    placed = true;
                }
            }
        }

        return LayerPlan.Create(topology, instances, lowerBound, result with { BestBound = bestBound });
    }

    private static long SafeCeil(double bound) =>
        double.IsFinite(bound) ? (long)Math.Ceiling(bound - 1e-6) : 0;

    private static IEnumerable<T> Row<T>(T[,] matrix, int row)
    {
        for (var c = 0; c < matrix.GetLength(1); c++)
        {
            yield return matrix[row, c];
        }
    }

    private static IEnumerable<T> Column<T>(T[,] matrix, int column)
    {
        for (var r = 0; r < matrix.GetLength(0); r++)
        {
            yield return matrix[r, column];
        }
    }
}
