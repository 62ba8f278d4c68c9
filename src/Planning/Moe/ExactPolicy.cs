using System.Collections.Immutable;
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
/// (<see cref="SplitPacking"/>) is the incumbent: given to the solver as a hint and kept whenever the solver does
/// not beat it, so <c>exact</c> is never worse than <c>eplb</c>. EPLB's node hierarchy is not imposed: it is a
/// heuristic, not a rule of the hardware.</para>
/// <para>The model is a <see cref="MinMaxAssignment"/> (experts are the works, ranks the resources; built by
/// <see cref="Assignment"/>). Decision variables: <c>host[e, r]</c> (expert <c>e</c> has an instance on rank <c>r</c>),
/// <c>quota[e, r]</c> (the builder's <c>amount</c>) and <c>maxLoad</c>. Named constraints
/// (<see cref="AssignmentConstraint"/>): <see cref="AssignmentConstraint.EveryWorkPlaced"/>,
/// <see cref="AssignmentConstraint.AmountsCoverWeight"/>, <see cref="AssignmentConstraint.AmountNeedsHost"/>,
/// <see cref="AssignmentConstraint.SlotLimit"/> (<c>slotsPerRank</c>), <see cref="AssignmentConstraint.LoadBelowMax"/>,
/// and <see cref="AssignmentConstraint.SymmetryByLoad"/>, which breaks the symmetry between ranks (they are
/// interchangeable under these rules) by ordering rank loads non-increasingly. Objective: the largest rank load;
/// its reported bound is clamped below by <see cref="BalanceBounds.SlotRulesMaxLoad"/>.</para>
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

        var outcome = Assignment(topology, loads).Solve(
            Options,
            hint.Instances.Select(instance => new AssignmentPiece(instance.Expert, instance.Rank, instance.Quota)),
            knownLowerBound: slotBound,
            cancellationToken: cancellationToken);
        if (outcome.Source == AssignmentSource.None)
        {
            throw new InvalidOperationException(
                $"The exact balancing model is {outcome.Result.Status} ({string.Join(", ", outcome.InfeasibleFamilies)}), yet EPLB's plan satisfies it: a constraint is wrong (slotLimit = {topology.SlotsPerRank}).");
        }

        var lowerBound = BalanceBounds.ToImbalance(outcome.Result.BestBound, problem.TotalLoad, topology.Ranks);
        if (outcome.Source != AssignmentSource.Solver)
        {
            // The solver did not beat its warm start in time: keep the warm start (never worse than EPLB), with the solver's bound.
            return LayerPlan.Create(topology, hint.Instances, lowerBound, outcome.Result);
        }

        var instances = new List<ExpertInstance>(topology.Experts + (topology.Ranks * topology.RedundantSlotsPerRank));
        var placed = new bool[topology.Experts];
        foreach (var piece in outcome.Pieces)
        {
            // A hosted copy that serves nothing is dropped, except an idle expert's one required instance.
            if (piece.Amount > 0 || (!placed[piece.Work] && loads[piece.Work] == 0))
            {
                instances.Add(new ExpertInstance(piece.Work, piece.Resource, piece.Amount));
                placed[piece.Work] = true;
            }
        }

        return LayerPlan.Create(topology, instances, lowerBound, outcome.Result);
    }

    /// <summary>
    /// EPLB's slot rules as a <see cref="MinMaxAssignment"/>: every expert may go on every rank (the pairs, expert by
    /// expert, so that the variables come in the order <c>host[e, r]</c>, <c>quota[e, r]</c>), at most
    /// <see cref="MoeTopology.SlotsPerRank"/> experts per rank, ranks interchangeable.
    /// </summary>
    /// <param name="topology">The topology.</param>
    /// <param name="loads">The experts' loads.</param>
    /// <returns>The problem facts.</returns>
    internal static MinMaxAssignment Assignment(MoeTopology topology, ImmutableArray<long> loads)
    {
        var pairs = new AssignmentPair[topology.Experts * topology.Ranks];
        for (var e = 0; e < topology.Experts; e++)
        {
            for (var r = 0; r < topology.Ranks; r++)
            {
                pairs[(e * topology.Ranks) + r] = new AssignmentPair(e, r);
            }
        }

        return new MinMaxAssignment
        {
            Weights = loads,
            Resources = [.. Enumerable.Repeat(new AssignmentResource { SlotLimit = topology.SlotsPerRank }, topology.Ranks)],
            Pairs = [.. pairs],
            SymmetryByLoad = true,
        };
    }
}
