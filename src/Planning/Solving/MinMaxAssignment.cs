using System.Collections.Immutable;

namespace Planning.Solving;

/// <summary>A resource of a <see cref="MinMaxAssignment"/>: a rank, a node, a device.</summary>
internal sealed record AssignmentResource
{
    /// <summary>A resource with neither a slot limit nor a capacity.</summary>
    public static AssignmentResource Unlimited { get; } = new();

    /// <summary>
    /// The most optional pieces it may host (<see cref="AssignmentConstraint.SlotLimit"/>), or <see langword="null"/>
    /// for no limit. Fixed pieces hold slots of their own and do not count (a master keeps its slot; only replicas
    /// use the redundant ones).
    /// </summary>
    public int? SlotLimit { get; init; }

    /// <summary>The most load it may take (<see cref="AssignmentConstraint.LoadWithinCapacity"/>), or <see langword="null"/> for no limit.</summary>
    public long? Capacity { get; init; }
}

/// <summary>
/// A (work, resource) pair on which a piece of the work may lie. Only listed pairs get variables; a fixed pair is
/// always hosted (a master that must stay on its rank) and its amount may still be anything from 0 to the weight.
/// </summary>
/// <param name="Work">The work's index.</param>
/// <param name="Resource">The resource's index.</param>
internal readonly record struct AssignmentPair(int Work, int Resource)
{
    /// <summary>Whether the piece is always there (no <c>host</c> variable, no slot used, no minimum amount).</summary>
    public bool IsFixed { get; init; }

    /// <summary>
    /// Added to the objective when the pair is hosted (a move penalty: bytes or time to bring the expert's weights
    /// to the rank). Non-negative, in the same unit as the load.
    /// </summary>
    public long Cost { get; init; }

    /// <summary>
    /// The load the piece puts on its resource when hosted, in place of its amount, or <see langword="null"/> (the
    /// default) for the amount. Only for works that may not be split: a kernel takes a different time on each
    /// accelerator, so its load depends on the pair while its amount (the whole work) does not. Non-negative.
    /// </summary>
    public long? Load { get; init; }
}

/// <summary>One piece of an assignment: <paramref name="Amount"/> of work <paramref name="Work"/> served by resource <paramref name="Resource"/>.</summary>
/// <param name="Work">The work's index (an expert, a kernel group).</param>
/// <param name="Resource">The resource's index (a rank, a device).</param>
/// <param name="Amount">How much of the work's weight it serves (tokens, microseconds); may be 0 for a hosted piece.</param>
internal readonly record struct AssignmentPiece(int Work, int Resource, long Amount);

/// <summary>
/// A min-max assignment problem: place works with integral weights on resources, each work's weight split into
/// amounts over the resources that host a piece of it, so that the largest resource load (plus any pair costs) is
/// as small as possible. The problem facts live here; <see cref="Solve"/> builds the CP-SAT model and
/// <see cref="LinearRelaxationBound"/> its LP relaxation from this one description.
/// </summary>
/// <remarks>
/// <para>Decision variables: <c>host[w, r]</c> (a Boolean per optional pair), <c>amount[w, r]</c> (an integer in
/// [0, weight] per pair where the work may be split; <c>weight x host[w, r]</c> where it may not), and
/// <c>maxLoad</c>. A zero-weight work's optional amounts are the constant 0. A fixed pair's amount is a variable
/// even for a zero weight (as <c>ultraep-exact</c> always built it; the model's variable layout, and so CP-SAT's
/// search, is unchanged).</para>
/// <para>Constraints: the <see cref="AssignmentConstraint"/> families. Objective: <c>maxLoad</c> plus the costs of
/// the hosted pairs.</para>
/// <para>Loads: a resource's load is the sum of its pieces' amounts, except that a pair with its own
/// <see cref="AssignmentPair.Load"/> adds that load when hosted (<c>load x host[w, r]</c>), so a work that may not be
/// split can weigh differently on each resource (a kernel's time per accelerator).</para>
/// <para>Shapes: <c>exact</c> (every expert on any rank, a slot limit per rank, <see cref="SymmetryByLoad"/>);
/// <c>ultraep-exact</c> (a fixed master per expert, replicas within its domain under the redundant slot limit,
/// <see cref="MinimumAmount"/>); expert reordering (pair costs as a move penalty); kernel mapping
/// (<see cref="SplitAllowed"/> false, a pair load per accelerator, device capacities as time budgets).</para>
/// </remarks>
internal sealed record MinMaxAssignment
{
    /// <summary>The works' weights (an expert's load in tokens; a kernel group's duration). Non-negative.</summary>
    public required ImmutableArray<long> Weights { get; init; }

    /// <summary>The resources.</summary>
    public required ImmutableArray<AssignmentResource> Resources { get; init; }

    /// <summary>
    /// The allowed pairs, each once. Variables are created work by work, each work's pairs in this order, so the
    /// order is part of the model CP-SAT sees.
    /// </summary>
    public required ImmutableArray<AssignmentPair> Pairs { get; init; }

    /// <summary>The least amount a hosted optional piece of a loaded work serves (<see cref="AssignmentConstraint.MinimumAmount"/>); 0 for none.</summary>
    public long MinimumAmount { get; init; }

    /// <summary>Whether a work's weight may be split over several resources (an expert's tokens: yes; a kernel: no). Default yes.</summary>
    public bool SplitAllowed { get; init; } = true;

    /// <summary>
    /// Whether to order resource loads non-increasingly (<see cref="AssignmentConstraint.SymmetryByLoad"/>). Only for
    /// interchangeable resources: all alike, every pair allowed, none fixed, no costs. An incumbent is relabelled
    /// (heaviest resource first) before it is given as a hint.
    /// </summary>
    public bool SymmetryByLoad { get; init; }

    /// <summary>Checks the facts and throws <see cref="PlanningInputException"/> naming the bad field.</summary>
    /// <returns>This problem.</returns>
    public MinMaxAssignment Validate()
    {
        if (Weights.IsDefault || Resources.IsDefaultOrEmpty || Pairs.IsDefault)
        {
            throw new PlanningInputException(Weights.IsDefault ? "weights" : Pairs.IsDefault ? "pairs" : "resources", "must be given (resources: at least one)");
        }

        for (var w = 0; w < Weights.Length; w++)
        {
            if (Weights[w] < 0)
            {
                throw new PlanningInputException($"weights[{w}]", $"must be non-negative, got {Weights[w]}");
            }
        }

        for (var r = 0; r < Resources.Length; r++)
        {
            if (Resources[r] is null)
            {
                throw new PlanningInputException($"resources[{r}]", "must be given");
            }

            if (Resources[r].SlotLimit is < 0)
            {
                throw new PlanningInputException($"resources[{r}].slotLimit", $"must be non-negative, got {Resources[r].SlotLimit}");
            }

            if (Resources[r].Capacity is < 0)
            {
                throw new PlanningInputException($"resources[{r}].capacity", $"must be non-negative, got {Resources[r].Capacity}");
            }
        }

        if (MinimumAmount < 0)
        {
            throw new PlanningInputException("minimumAmount", $"must be non-negative, got {MinimumAmount}");
        }

        var seen = new HashSet<(int, int)>();
        for (var p = 0; p < Pairs.Length; p++)
        {
            var pair = Pairs[p];
            if ((uint)pair.Work >= (uint)Weights.Length || (uint)pair.Resource >= (uint)Resources.Length)
            {
                throw new PlanningInputException($"pairs[{p}]", $"(work {pair.Work}, resource {pair.Resource}) is out of range ({Weights.Length} works, {Resources.Length} resources)");
            }

            if (!seen.Add((pair.Work, pair.Resource)))
            {
                throw new PlanningInputException($"pairs[{p}]", $"(work {pair.Work}, resource {pair.Resource}) is listed twice");
            }

            if (pair.Cost < 0)
            {
                throw new PlanningInputException($"pairs[{p}].cost", $"must be non-negative, got {pair.Cost}");
            }

            if (pair.Load is { } load && (load < 0 || SplitAllowed))
            {
                throw new PlanningInputException($"pairs[{p}].load", load < 0 ? $"must be non-negative, got {load}" : "is only for works that may not be split (splitAllowed is true)");
            }
        }

        if (SymmetryByLoad)
        {
            var interchangeable = Resources.All(resource => resource == Resources[0])
                && Pairs.Length == Weights.Length * Resources.Length
                && Pairs.All(pair => !pair.IsFixed && pair.Cost == 0 && pair.Load is null);
            if (!interchangeable)
            {
                throw new PlanningInputException("symmetryByLoad", "needs interchangeable resources: all alike, every pair allowed, none fixed, no costs, no pair loads");
            }
        }

        return this;
    }

    /// <summary>The families the model holds at least one constraint of, in model order.</summary>
    public ImmutableArray<AssignmentConstraint> Families => [.. AssignmentConstraints.All.Where(MinMaxAssignmentModel.Index(Validate()).Holds)];

    /// <summary>
    /// The families an assignment breaks, checked directly on its pieces (pieces on one pair are merged). Empty for a
    /// feasible assignment. <see cref="AssignmentConstraint.SymmetryByLoad"/> is not a rule of the problem and is
    /// never reported; <see cref="AssignmentConstraint.LoadBelowMax"/> holds by definition of the largest load.
    /// </summary>
    /// <param name="assignment">The pieces; each must lie on an allowed pair.</param>
    /// <returns>The broken families, in model order.</returns>
    public ImmutableArray<AssignmentConstraint> Violations(IEnumerable<AssignmentPiece> assignment)
    {
        var index = MinMaxAssignmentModel.Index(Validate());
        return index.Evaluate(index.Merge(assignment, "assignment")).Broken;
    }

    /// <summary>
    /// The families an assignment makes tight: at least one of their constraints holds with equality (a rank using
    /// all its slots, a replica at the minimum quota, an equality such as <see cref="AssignmentConstraint.AmountsCoverWeight"/>).
    /// </summary>
    /// <param name="assignment">The pieces; each must lie on an allowed pair.</param>
    /// <returns>The tight families, in model order.</returns>
    public ImmutableArray<AssignmentConstraint> TightFamilies(IEnumerable<AssignmentPiece> assignment)
    {
        var index = MinMaxAssignmentModel.Index(Validate());
        return index.Evaluate(index.Merge(assignment, "assignment")).Tight;
    }

    /// <summary>The objective of an assignment: its largest resource load plus the costs of the pairs it hosts.</summary>
    /// <param name="assignment">The pieces; each must lie on an allowed pair.</param>
    /// <returns>The objective.</returns>
    public long Objective(IEnumerable<AssignmentPiece> assignment)
    {
        var index = MinMaxAssignmentModel.Index(Validate());
        var merged = index.Merge(assignment, "assignment");
        return index.MaxLoad(merged) + index.Cost(merged);
    }

    /// <summary>
    /// Solves the LP relaxation of the same model with GLOP (<c>host</c> in [0, 1], amounts continuous, no
    /// <c>maxLoad</c> bound), a fast lower bound on the objective.
    /// </summary>
    /// <param name="options">Time limit, seed and workers.</param>
    /// <param name="cancellationToken">Interrupts the solve.</param>
    /// <returns>The LP optimum, or <see langword="null"/> when GLOP did not prove one.</returns>
    public double? LinearRelaxationBound(SolverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MinMaxAssignmentModel.Index(Validate()).SolveRelaxation(options, cancellationToken);
    }

    /// <summary>
    /// The CP-SAT model of these facts, built but not solved, with the builder's variables (<c>host</c> and amount per
    /// pair, <c>maxLoad</c>), for a planner that adds constraints over them: the kernel mapping adds interval variables
    /// on the <c>host</c> literals (no overlap per accelerator, precedences) and minimises the makespan instead.
    /// </summary>
    /// <param name="knownLowerBound">A proven lower bound on the largest load; <c>maxLoad</c>'s domain starts there.</param>
    /// <param name="upper">The largest <c>maxLoad</c> to consider.</param>
    /// <returns>The model and its variables, by pair index (the order of <see cref="Pairs"/>).</returns>
    internal MinMaxAssignmentModel.Built BuildModel(long knownLowerBound, long upper) =>
        MinMaxAssignmentModel.Index(Validate()).BuildForExtension(knownLowerBound, Math.Max(knownLowerBound, upper));

    /// <summary>
    /// Builds the CP-SAT model, warm-starts it from the incumbent, solves it with <see cref="CpSat.Solve"/> and keeps
    /// the incumbent unless the solver strictly beats it.
    /// </summary>
    /// <remarks>
    /// <para>The incumbent (a heuristic plan) is checked against the families first: one that breaks a rule is
    /// rejected rather than kept. It is given as a hint on every variable (relabelled for
    /// <see cref="SymmetryByLoad"/>), and its objective caps <c>maxLoad</c>'s domain.</para>
    /// <para>The proven bound is the largest of <paramref name="knownLowerBound"/>, <paramref name="relaxationBound"/>
    /// and CP-SAT's, each rounded up (the objective is integral); the status is
    /// <see cref="SolveStatus.Optimal"/> when it meets the kept objective.</para>
    /// <para>An infeasible model is diagnosed by re-solving it with one family relaxed (left out) at a time, in
    /// model order, with the same options: the families whose relaxation alone makes it feasible are reported in
    /// <see cref="MinMaxAssignmentResult.InfeasibleFamilies"/>. When none does (two rules must give way together),
    /// the list is empty.</para>
    /// </remarks>
    /// <param name="options">Time limit, seed and workers of each CP-SAT solve.</param>
    /// <param name="incumbent">A feasible assignment to start from and to keep unless beaten, or <see langword="null"/>.</param>
    /// <param name="knownLowerBound">
    /// A proven lower bound on the largest load (a domain bound); <c>maxLoad</c>'s domain starts there.
    /// </param>
    /// <param name="relaxationBound">Another proven bound, used only to clamp the reported one (an LP relaxation's optimum).</param>
    /// <param name="cancellationToken">Stops the search; the best so far (or the incumbent) is kept.</param>
    /// <returns>The kept assignment, where it came from, status, objective, bound and gap.</returns>
    public MinMaxAssignmentResult Solve(
        SolverOptions options,
        IEnumerable<AssignmentPiece>? incumbent = null,
        long knownLowerBound = 0,
        double? relaxationBound = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return MinMaxAssignmentModel.Index(Validate()).Solve(options, incumbent, knownLowerBound, relaxationBound, cancellationToken);
    }
}
