using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Google.OrTools.Graph;
using Google.OrTools.Sat;
using Planning.Solving;
using Variable = Google.OrTools.LinearSolver.Variable;

namespace Planning.Moe.ReLibra;

/// <summary>
/// ReLibra's inter-batch step as a solver model: from the routing replay of the next batch, assign one layer's experts
/// to nodes (and so to master slots) so that every node's load is even in every microbatch, counting what moving an
/// expert between nodes costs.
/// </summary>
/// <remarks>
/// <para><b>Facts.</b> Nodes of <c>ranksPerNode x expertsPerRank</c> master slots each; the current layout (the expert
/// in each slot); per microbatch <c>m</c> and expert <c>e</c> the load <c>l[m, e]</c> (tokens routed to it, from the
/// replay); a move penalty <c>P</c> in tokens (<see cref="ExpertReorderingOptions.MovePenaltyTokens"/>).</para>
/// <para><b>Model</b> (on the shared <see cref="MinMaxAssignment"/> builder). Works: the experts, weighted by their
/// batch load; resources: the nodes, each with a slot limit of its master slots; every (expert, node) pair allowed,
/// with cost <c>P</c> where the node is not the expert's current one; experts are not split. So the builder's
/// families place every expert on exactly one node (<see cref="AssignmentConstraint.EveryWorkPlaced"/>,
/// <see cref="AssignmentConstraint.NotSplit"/>) within the slots (<see cref="AssignmentConstraint.SlotLimit"/>; every
/// slot is then full, since experts and slots are as many). On top of the builder's <c>host[e, n]</c> literals, one
/// variable per microbatch <c>peak[m] &gt;= sum over e of l[m, e] x host[e, n]</c> for every node <c>n</c>.
/// Objective: minimise <c>sum over m of peak[m] + P x moved</c>, where moved counts the experts off their current node:
/// the sum over the microbatches of the largest node load, because microbatches run one after another and each waits
/// for its busiest node (the replicas inside a node even out its ranks).</para>
/// <para><b>Heuristic</b> (the warm start, and the answer where CP-SAT is off): a first-improvement search over swaps
/// of two experts on different nodes from a vector packing of the microbatch loads (largest peak share first, each
/// expert to the node whose loads it overlaps least; see <c>Pack</c>), and with a move penalty also from the current
/// layout, each until no swap lowers the objective or, at equal objective, the sum of squared node loads; the best of
/// those and the current layout, which it never does worse than. The packing's nodes are renamed, before and after the
/// search, so that the most experts stay where they are (<c>KeepMostAtHome</c>).</para>
/// <para><b>Bound.</b> The largest of: CP-SAT's proven bound; the LP relaxation of the model (GLOP: <c>host</c> in
/// [0, 1]); and <c>sum over m of max(ceil(total[m] / nodes), max over e of l[m, e])</c> (a node holds at least the mean
/// and an expert is not split).</para>
/// <para><b>Ranks.</b> An expert that stays on its node keeps its slot; experts that arrive take the slots that left
/// it, in slot order, by expert index. Balancing ranks inside a node is the intra-batch replication's job (fast NVLink).</para>
/// </remarks>
public static class ExpertReordering
{
    /// <summary>Plans one layer's reordering from a replay's batch.</summary>
    /// <param name="replay">The routing replay.</param>
    /// <param name="batch">The batch to plan for.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="currentSlotExpert">The expert in each master slot now; <see langword="null"/> for expert <c>s</c> in slot <c>s</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops CP-SAT; the heuristic's layout is kept.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="PlanningInputException">The batch or layer is out of range, or the layout is not a permutation of the experts.</exception>
    public static ExpertReorderPlan PlanBatch(
        RoutingReplay replay,
        int batch,
        int layer,
        IReadOnlyList<int>? currentSlotExpert = null,
        ExpertReorderingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var shape = replay.Shape;
        return Plan(shape.RanksPerNode, shape.ExpertsPerRank, currentSlotExpert ?? Enumerable.Range(0, shape.Experts).ToArray(), [.. replay.Loads(batch, layer).Select(l => (IReadOnlyList<long>)l)], options, cancellationToken);
    }

    /// <summary>Plans one layer's reordering from per-microbatch expert loads.</summary>
    /// <param name="ranksPerNode">Ranks per node.</param>
    /// <param name="expertsPerRank">Master slots per rank.</param>
    /// <param name="currentSlotExpert">The expert in each master slot now: a permutation of the experts, a whole number of nodes.</param>
    /// <param name="microbatchLoads">Per microbatch, per expert, its load; at least one microbatch.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops CP-SAT; the heuristic's layout is kept.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="PlanningInputException">A size is out of range, the layout is not a permutation, or a load is negative or of the wrong length.</exception>
    public static ExpertReorderPlan Plan(
        int ranksPerNode,
        int expertsPerRank,
        IReadOnlyList<int> currentSlotExpert,
        IReadOnlyList<IReadOnlyList<long>> microbatchLoads,
        ExpertReorderingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options = (options ?? ExpertReorderingOptions.Default).Validate();
        var problem = ReorderProblem.Create(ranksPerNode, expertsPerRank, currentSlotExpert, microbatchLoads, options.MovePenalty);
        var clock = options.Solver.Clock;
        var started = clock.GetTimestamp();
        var home = problem.HomeNodes();
        var noMove = problem.Objective(home);
        var heuristic = problem.LocalSearch(problem.KeepMostAtHome(problem.Pack()), options.MaxLocalSearchPasses);

        // With a move penalty the current layout is where the cheap plans are, so the search starts there too; without one
        // it is one packing among many (about 6 % above the bound after the search on the default replay, against 4.6 %
        // from the vector packing) and not moving is only the floor.
        var fromHome = options.MovePenalty > 0 ? problem.LocalSearch((int[])home.Clone(), options.MaxLocalSearchPasses) : home;
        if (problem.Objective(fromHome) <= problem.Objective(heuristic))
        {
            heuristic = fromHome;
        }

        heuristic = problem.KeepMostAtHome(heuristic);

        var heuristicObjective = problem.Objective(heuristic);
        var heuristicTime = clock.GetElapsedTime(started);
        var best = heuristic;
        var source = heuristicObjective < noMove ? ReorderSource.Heuristic : ReorderSource.NoMove;
        var bound = problem.CombinatorialBound();
        if (options.UseSolver && heuristicObjective > bound)
        {
            bound = Math.Max(bound, problem.LinearRelaxationBound(options.Solver, cancellationToken));
            if (heuristicObjective > bound)
            {
                var (solved, solverBound) = problem.Solve(options.Solver, heuristic, heuristicObjective, bound, cancellationToken);
                bound = Math.Max(bound, solverBound);
                if (solved is not null && problem.Objective(solved) < heuristicObjective)
                {
                    best = solved;
                    source = ReorderSource.Solver;
                }
            }
        }

        var objective = problem.Objective(best);
        bound = Math.Min(bound, objective);
        return problem.ToPlan(best, objective, noMove, heuristicObjective, bound, source, heuristicTime, clock.GetElapsedTime(started));
    }

    /// <summary>The objective of a node assignment (for tests and for callers that compare layouts).</summary>
    /// <param name="ranksPerNode">Ranks per node.</param>
    /// <param name="expertsPerRank">Master slots per rank.</param>
    /// <param name="currentSlotExpert">The current layout (for the moves).</param>
    /// <param name="microbatchLoads">Per microbatch, per expert, its load.</param>
    /// <param name="movePenalty">The penalty per moved expert.</param>
    /// <param name="expertNode">The node of each expert.</param>
    /// <returns><c>sum over m of max node load + movePenalty x moved</c>.</returns>
    internal static long Objective(int ranksPerNode, int expertsPerRank, IReadOnlyList<int> currentSlotExpert, IReadOnlyList<IReadOnlyList<long>> microbatchLoads, long movePenalty, int[] expertNode) =>
        ReorderProblem.Create(ranksPerNode, expertsPerRank, currentSlotExpert, microbatchLoads, movePenalty).Objective(expertNode);

    /// <summary>The model's facts in arrays, and the heuristic, bounds and CP-SAT model over them.</summary>
    internal sealed class ReorderProblem
    {
        private readonly int _slotsPerNode;
        private readonly int[] _slotExpert;
        private readonly long[][] _load;
        private readonly long _penalty;

        private ReorderProblem(int nodes, int slotsPerNode, int[] slotExpert, long[][] load, long penalty)
        {
            Nodes = nodes;
            _slotsPerNode = slotsPerNode;
            _slotExpert = slotExpert;
            _load = load;
            _penalty = penalty;
        }

        public int Nodes { get; }

        public int Experts => _slotExpert.Length;

        public int Microbatches => _load.Length;

        public static ReorderProblem Create(int ranksPerNode, int expertsPerRank, IReadOnlyList<int> currentSlotExpert, IReadOnlyList<IReadOnlyList<long>> microbatchLoads, long penalty)
        {
            ArgumentNullException.ThrowIfNull(currentSlotExpert);
            ArgumentNullException.ThrowIfNull(microbatchLoads);
            if (ranksPerNode <= 0 || expertsPerRank <= 0)
            {
                throw new PlanningInputException(ranksPerNode <= 0 ? "ranksPerNode" : "expertsPerRank", string.Create(CultureInfo.InvariantCulture, $"must be positive, got {Math.Min(ranksPerNode, expertsPerRank)}"));
            }

            var experts = currentSlotExpert.Count;
            var slotsPerNode = ranksPerNode * expertsPerRank;
            if (experts == 0 || experts % slotsPerNode != 0)
            {
                throw new PlanningInputException("currentSlotExpert", string.Create(CultureInfo.InvariantCulture, $"must fill whole nodes of {slotsPerNode} slots, got {experts} slots"));
            }

            var seen = new bool[experts];
            var slotExpert = new int[experts];
            for (var s = 0; s < experts; s++)
            {
                var e = currentSlotExpert[s];
                if ((uint)e >= (uint)experts || seen[e])
                {
                    throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"currentSlotExpert[{s}]"), string.Create(CultureInfo.InvariantCulture, $"must be an expert in [0, {experts}) held by no other slot, got {e}"));
                }

                seen[e] = true;
                slotExpert[s] = e;
            }

            if (microbatchLoads.Count == 0)
            {
                throw new PlanningInputException("microbatchLoads", "must hold at least one microbatch, got none");
            }

            var load = new long[microbatchLoads.Count][];
            for (var m = 0; m < load.Length; m++)
            {
                var row = microbatchLoads[m] ?? throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"microbatchLoads[{m}]"), "must be given");
                if (row.Count != experts)
                {
                    throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"microbatchLoads[{m}]"), string.Create(CultureInfo.InvariantCulture, $"must have one load per expert ({experts}), got {row.Count}"));
                }

                load[m] = new long[experts];
                for (var e = 0; e < experts; e++)
                {
                    load[m][e] = row[e] >= 0 ? row[e] : throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"microbatchLoads[{m}][{e}]"), string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {row[e]}"));
                }
            }

            return new ReorderProblem(experts / slotsPerNode, slotsPerNode, slotExpert, load, penalty);
        }

        /// <summary>Each expert's current node.</summary>
        public int[] HomeNodes()
        {
            var node = new int[Experts];
            for (var s = 0; s < Experts; s++)
            {
                node[_slotExpert[s]] = s / _slotsPerNode;
            }

            return node;
        }

        public long Objective(int[] expertNode)
        {
            var home = HomeNodes();
            long total = 0;
            var nodeLoad = new long[Nodes];
            for (var m = 0; m < Microbatches; m++)
            {
                Array.Clear(nodeLoad);
                for (var e = 0; e < Experts; e++)
                {
                    nodeLoad[expertNode[e]] += _load[m][e];
                }

                total += nodeLoad.Max();
            }

            for (var e = 0; e < Experts; e++)
            {
                total += expertNode[e] != home[e] ? _penalty : 0;
            }

            return total;
        }

        /// <summary>
        /// Vector packing, the local search's start: experts in order of their peak share (the largest over microbatches of
        /// the expert's load over the microbatch's mean node load), each to the node with a free slot it overlaps least,
        /// the smallest sum over microbatches of <c>nodeLoad[n, m] x l[m, e] / mean[m]^2</c> (how much the expert grows the
        /// sum of squared node loads, each microbatch on its own scale); its current node on a tie, then the lowest. A
        /// packing of the batch's summed loads (LPT) evens the batch and leaves each microbatch's hot experts stacked
        /// (5.9 % above the bound on the default replay after the search, against 4.6 % from this start).
        /// </summary>
        public int[] Pack()
        {
            var home = HomeNodes();
            var microbatches = Microbatches;
            var scale = new double[microbatches];
            for (var m = 0; m < microbatches; m++)
            {
                var mean = (double)_load[m].Sum() / Nodes;
                scale[m] = mean > 0 ? 1 / mean : 0;
            }

            var peak = new double[Experts];
            for (var e = 0; e < Experts; e++)
            {
                for (var m = 0; m < microbatches; m++)
                {
                    peak[e] = Math.Max(peak[e], _load[m][e] * scale[m]);
                }
            }

            var order = Enumerable.Range(0, Experts).OrderByDescending(e => peak[e]).ThenBy(e => e).ToArray();
            var nodeLoad = new double[Nodes * microbatches];
            var free = Enumerable.Repeat(_slotsPerNode, Nodes).ToArray();
            var node = new int[Experts];
            foreach (var e in order)
            {
                var chosen = -1;
                var least = double.MaxValue;
                for (var n = 0; n < Nodes; n++)
                {
                    if (free[n] == 0)
                    {
                        continue;
                    }

                    double overlap = 0;
                    for (var m = 0; m < microbatches; m++)
                    {
                        overlap += nodeLoad[(n * microbatches) + m] * _load[m][e] * scale[m] * scale[m];
                    }

                    if (chosen < 0 || overlap < least || (overlap == least && n == home[e]))
                    {
                        chosen = n;
                        least = overlap;
                    }
                }

                node[e] = chosen;
                free[chosen]--;
                for (var m = 0; m < microbatches; m++)
                {
                    nodeLoad[(chosen * microbatches) + m] += _load[m][e];
                }
            }

            return node;
        }

        /// <summary>
        /// The layout with its nodes renamed so that as many experts as possible stay on their current node: nodes are
        /// interchangeable (the same slots each), so a packing's node numbers are arbitrary, and the renaming that keeps
        /// most experts home is an assignment problem (OR-Tools' <see cref="LinearSumAssignment"/>, nodes x nodes). The
        /// microbatch peaks do not change and no more experts move, so neither does the objective rise; what the plan moves
        /// at the batch boundary (weights and optimizer state over the inter-node links) falls.
        /// </summary>
        public int[] KeepMostAtHome(int[] node)
        {
            var home = HomeNodes();
            var staying = new long[Nodes, Nodes];
            for (var e = 0; e < Experts; e++)
            {
                staying[node[e], home[e]]++;
            }

            using var renaming = new LinearSumAssignment();
            for (var from = 0; from < Nodes; from++)
            {
                for (var to = 0; to < Nodes; to++)
                {
                    renaming.AddArcWithCost(from, to, -staying[from, to]);
                }
            }

            // A complete square cost matrix always has an optimal assignment; keep the names if OR-Tools says otherwise.
            if (renaming.Solve() != LinearSumAssignment.Status.OPTIMAL)
            {
                return node;
            }

            var renamed = new int[Experts];
            for (var e = 0; e < Experts; e++)
            {
                renamed[e] = renaming.RightMate(node[e]);
            }

            return renamed;
        }

        /// <summary>
        /// First-improvement swap search, at most <paramref name="passes"/> passes: a swap of two experts on different nodes
        /// is taken when it lowers the objective, or keeps it, moves no more experts off their node and lowers the sum over
        /// microbatches and nodes of the squared node loads (which moves the search off a plateau where several nodes share
        /// a microbatch's peak). Every step lowers the pair (objective, squares) lexicographically, so the search ends and
        /// never raises the objective.
        /// </summary>
        /// <remarks>
        /// Speed (issue 18's 10 ms for 256 experts, 16 nodes, 8 microbatches): an expert whose partners all failed is not
        /// scanned again until a swap touches its node (don't-look bits); and a swap's change to a microbatch's peak is
        /// <c>max(min(others[p], others[q]), loadP + shift, loadQ - shift) - peak</c>, where <c>others[n]</c> is the largest
        /// load of the nodes other than n, kept per node and microbatch, so that the microbatches are added up a vector at a
        /// time. (The minimum of the two is the largest load off p and q, except when p and q hold the two largest; then
        /// it is the larger of their old loads, and one of the new ones is above it, so the maximum is still right.)
        /// </remarks>
        public int[] LocalSearch(int[] node, int passes)
        {
            var home = HomeNodes();
            var microbatches = Microbatches;
            var experts = Experts;

            // Flat, expert-major and node-major arrays: the inner loop over microbatches reads contiguous rows.
            var load = new long[experts * microbatches];
            for (var m = 0; m < microbatches; m++)
            {
                for (var e = 0; e < experts; e++)
                {
                    load[(e * microbatches) + m] = _load[m][e];
                }
            }

            var nodeLoad = new long[Nodes * microbatches];
            for (var e = 0; e < experts; e++)
            {
                for (var m = 0; m < microbatches; m++)
                {
                    nodeLoad[(node[e] * microbatches) + m] += load[(e * microbatches) + m];
                }
            }

            var peak = new long[microbatches];
            var others = new long[Nodes * microbatches];
            RefreshPeaks(nodeLoad, peak, others);
            var active = new bool[experts];
            Array.Fill(active, true);
            for (var pass = 0; pass < passes; pass++)
            {
                var improved = false;
                for (var a = 0; a < experts; a++)
                {
                    if (!active[a])
                    {
                        continue;
                    }

                    var found = false;
                    for (var b = 0; b < experts; b++)
                    {
                        var p = node[a];
                        var q = node[b];

                        // An earlier expert that is idle found no swap with any partner when it was last scanned: the
                        // pair is left to it (a don't-look rule; it halves the first pass).
                        if (p == q || (b < a && !active[b]))
                        {
                            continue;
                        }

                        var moves = (Moved(home, a, q) + Moved(home, b, p)) - (Moved(home, a, p) + Moved(home, b, q));
                        var loadA = load.AsSpan(a * microbatches, microbatches);
                        var loadB = load.AsSpan(b * microbatches, microbatches);
                        var loadP = nodeLoad.AsSpan(p * microbatches, microbatches);
                        var loadQ = nodeLoad.AsSpan(q * microbatches, microbatches);
                        var (peaks, squares) = SwapDelta(loadA, loadB, loadP, loadQ, others.AsSpan(p * microbatches, microbatches), others.AsSpan(q * microbatches, microbatches), peak);
                        var delta = peaks + (_penalty * moves);
                        if (delta < 0 || (delta == 0 && squares < 0 && moves <= 0))
                        {
                            node[a] = q;
                            node[b] = p;
                            for (var m = 0; m < microbatches; m++)
                            {
                                var shift = loadB[m] - loadA[m];
                                loadP[m] += shift;
                                loadQ[m] -= shift;
                            }

                            RefreshPeaks(nodeLoad, peak, others);
                            for (var e = 0; e < experts; e++)
                            {
                                active[e] |= node[e] == p || node[e] == q;
                            }

                            found = true;
                            improved = true;
                        }
                    }

                    active[a] = found;
                }

                if (!improved)
                {
                    break;
                }
            }

            return node;
        }

        /// <summary>
        /// A swap's change to the sum of the microbatch peaks and to the sum of squared node loads (see
        /// <see cref="LocalSearch"/>): expert a on node p trades places with expert b on node q.
        /// </summary>
        private static (long Peaks, long Squares) SwapDelta(
            ReadOnlySpan<long> loadA,
            ReadOnlySpan<long> loadB,
            ReadOnlySpan<long> loadP,
            ReadOnlySpan<long> loadQ,
            ReadOnlySpan<long> othersP,
            ReadOnlySpan<long> othersQ,
            ReadOnlySpan<long> peak)
        {
            long peaks = 0, squares = 0;
            var m = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var peaksVector = Vector<long>.Zero;
                var squaresVector = Vector<long>.Zero;
                for (; m <= loadA.Length - Vector<long>.Count; m += Vector<long>.Count)
                {
                    var shift = new Vector<long>(loadB[m..]) - new Vector<long>(loadA[m..]);
                    var p = new Vector<long>(loadP[m..]);
                    var q = new Vector<long>(loadQ[m..]);
                    var rest = Vector.Min(new Vector<long>(othersP[m..]), new Vector<long>(othersQ[m..]));
                    peaksVector += Vector.Max(rest, Vector.Max(p + shift, q - shift)) - new Vector<long>(peak[m..]);
                    squaresVector += shift * (p - q + shift);
                }

                peaks = Vector.Sum(peaksVector);
                squares = Vector.Sum(squaresVector);
            }

            for (; m < loadA.Length; m++)
            {
                var shift = loadB[m] - loadA[m];
                var rest = Math.Min(othersP[m], othersQ[m]);
                peaks += Math.Max(rest, Math.Max(loadP[m] + shift, loadQ[m] - shift)) - peak[m];
                squares += shift * (loadP[m] - loadQ[m] + shift);
            }

            return (peaks, 2 * squares);
        }

        /// <summary>Each microbatch's peak node load, and per node the largest load of the other nodes (node-major loads).</summary>
        private void RefreshPeaks(long[] nodeLoad, long[] peak, long[] others)
        {
            var microbatches = peak.Length;
            for (var m = 0; m < microbatches; m++)
            {
                long first = long.MinValue, second = long.MinValue;
                var firstNode = -1;
                for (var n = 0; n < Nodes; n++)
                {
                    var value = nodeLoad[(n * microbatches) + m];
                    if (value > first)
                    {
                        second = first;
                        first = value;
                        firstNode = n;
                    }
                    else if (value > second)
                    {
                        second = value;
                    }
                }

                // One node: nothing else holds load.
                second = Math.Max(0, second);
                peak[m] = first;
                for (var n = 0; n < Nodes; n++)
                {
                    others[(n * microbatches) + m] = n == firstNode ? second : first;
                }
            }
        }

        public long CombinatorialBound()
        {
            long bound = 0;
            for (var m = 0; m < Microbatches; m++)
            {
                var total = _load[m].Sum();
                bound += Math.Max((total + Nodes - 1) / Nodes, _load[m].Max());
            }

            return bound;
        }

        /// <summary>The LP relaxation's optimum (GLOP), rounded up, or 0 when GLOP proves none.</summary>
        public long LinearRelaxationBound(SolverOptions options, CancellationToken cancellationToken)
        {
            using var solver = LinearProgram.Create(LinearBackend.Glop);
            var home = HomeNodes();
            var host = new Variable[Experts, Nodes];
            var objective = new List<(Variable Variable, double Coefficient)>();
            for (var e = 0; e < Experts; e++)
            {
                var placed = solver.MakeConstraint(1, 1, $"placed_e{e}");
                for (var n = 0; n < Nodes; n++)
                {
                    host[e, n] = solver.MakeNumVar(0, 1, $"host_e{e}_n{n}");
                    placed.SetCoefficient(host[e, n], 1);
                    if (n != home[e] && _penalty > 0)
                    {
                        objective.Add((host[e, n], _penalty));
                    }
                }
            }

            for (var n = 0; n < Nodes; n++)
            {
                var slots = solver.MakeConstraint(double.NegativeInfinity, _slotsPerNode, $"slots_n{n}");
                for (var e = 0; e < Experts; e++)
                {
                    slots.SetCoefficient(host[e, n], 1);
                }
            }

            for (var m = 0; m < Microbatches; m++)
            {
                var peak = solver.MakeNumVar(0, double.PositiveInfinity, $"peak_m{m}");
                objective.Add((peak, 1));
                for (var n = 0; n < Nodes; n++)
                {
                    var below = solver.MakeConstraint(double.NegativeInfinity, 0, $"peak_m{m}_n{n}");
                    below.SetCoefficient(peak, -1);
                    for (var e = 0; e < Experts; e++)
                    {
                        below.SetCoefficient(host[e, n], _load[m][e]);
                    }
                }
            }

            var goal = solver.Objective();
            foreach (var (variable, coefficient) in objective)
            {
                goal.SetCoefficient(variable, coefficient);
            }

            goal.SetMinimization();
            var result = LinearProgram.Solve(solver, options, cancellationToken);
            return result.Status == SolveStatus.Optimal && result.Objective is { } value ? (long)Math.Ceiling(value - 1e-6) : 0;
        }

        /// <summary>
        /// The shared min-max builder's facts for this problem: experts weighted by their batch load on nodes with a
        /// slot limit each, every pair allowed, the move penalty as the cost of a pair off the expert's current node.
        /// Pairs are expert by expert, each expert's nodes in order, so pair <c>e x nodes + n</c> is (e, n).
        /// </summary>
        public MinMaxAssignment ToAssignment()
        {
            var home = HomeNodes();
            var batch = BatchLoads();
            var pairs = ImmutableArray.CreateBuilder<AssignmentPair>(Experts * Nodes);
            for (var e = 0; e < Experts; e++)
            {
                for (var n = 0; n < Nodes; n++)
                {
                    pairs.Add(new AssignmentPair(e, n) { Cost = n == home[e] ? 0 : _penalty });
                }
            }

            return new MinMaxAssignment
            {
                Weights = [.. batch],
                Resources = [.. Enumerable.Repeat(new AssignmentResource { SlotLimit = _slotsPerNode }, Nodes)],
                Pairs = pairs.MoveToImmutable(),
                SplitAllowed = false,
            };
        }

        /// <summary>CP-SAT on the builder's model with one peak per microbatch, hinted by <paramref name="hint"/>; the layout found (or null) and the proven bound.</summary>
        public (int[]? Layout, long Bound) Solve(SolverOptions options, int[] hint, long hintObjective, long knownBound, CancellationToken cancellationToken)
        {
            var home = HomeNodes();
            var batch = BatchLoads();
            var total = batch.Sum();
            var built = ToAssignment().BuildModel(0, total);
            var model = built.Model;
            var terms = new List<LinearExpr>();
            var peaks = new IntVar[Microbatches];
            for (var m = 0; m < Microbatches; m++)
            {
                var microbatchTotal = _load[m].Sum();
                peaks[m] = model.NewIntVar((microbatchTotal + Nodes - 1) / Nodes, microbatchTotal, $"peak_m{m}");
                for (var n = 0; n < Nodes; n++)
                {
                    var onNode = new List<LinearExpr>();
                    for (var e = 0; e < Experts; e++)
                    {
                        if (_load[m][e] > 0)
                        {
                            onNode.Add(built.Host[(e * Nodes) + n]! * _load[m][e]);
                        }
                    }

                    model.Add(LinearExpr.Sum(onNode) <= peaks[m]);
                }

                terms.Add(peaks[m]);
            }

            for (var e = 0; e < Experts; e++)
            {
                for (var n = 0; n < Nodes; n++)
                {
                    var host = built.Host[(e * Nodes) + n]!;
                    model.AddHint(host, hint[e] == n);
                    if (n != home[e] && _penalty > 0)
                    {
                        terms.Add(host * _penalty);
                    }
                }
            }

            var objective = LinearExpr.Sum(terms);
            model.Add(objective <= hintObjective);
            model.Add(objective >= knownBound);
            model.Minimize(objective);
            var solution = CpSat.Solve(model, options, cancellationToken);
            var result = solution.Result;
            var bound = double.IsFinite(result.BestBound) ? (long)Math.Ceiling(result.BestBound - 1e-6) : 0;
            if (!result.IsSuccess)
            {
                // The hint meets every constraint, so only the time limit (or a cancellation) ends here.
                return (null, result.Status == SolveStatus.Unknown ? bound : 0);
            }

            var layout = new int[Experts];
            for (var e = 0; e < Experts; e++)
            {
                for (var n = 0; n < Nodes; n++)
                {
                    if (solution.Value(built.Host[(e * Nodes) + n]!))
                    {
                        layout[e] = n;
                    }
                }
            }

            return (layout, bound);
        }

        public ExpertReorderPlan ToPlan(int[] expertNode, long objective, long noMove, long heuristic, long bound, ReorderSource source, TimeSpan heuristicTime, TimeSpan wall)
        {
            var home = HomeNodes();
            var slotExpert = new int[Experts];
            Array.Fill(slotExpert, -1);
            var arrivals = new List<int>[Nodes];
            for (var n = 0; n < Nodes; n++)
            {
                arrivals[n] = [];
            }

            for (var s = 0; s < Experts; s++)
            {
                var e = _slotExpert[s];
                if (expertNode[e] == home[e])
                {
                    slotExpert[s] = e;
                }
            }

            for (var e = 0; e < Experts; e++)
            {
                if (expertNode[e] != home[e])
                {
                    arrivals[expertNode[e]].Add(e);
                }
            }

            for (var n = 0; n < Nodes; n++)
            {
                var next = 0;
                for (var s = n * _slotsPerNode; s < (n + 1) * _slotsPerNode; s++)
                {
                    if (slotExpert[s] < 0)
                    {
                        slotExpert[s] = arrivals[n][next++];
                    }
                }

                Debug.Assert(next == arrivals[n].Count, "every arrival takes a vacated slot");
            }

            var peaks = new long[Microbatches];
            var nodeLoad = new long[Nodes];
            for (var m = 0; m < Microbatches; m++)
            {
                Array.Clear(nodeLoad);
                for (var e = 0; e < Experts; e++)
                {
                    nodeLoad[expertNode[e]] += _load[m][e];
                }

                peaks[m] = nodeLoad.Max();
            }

            return new ExpertReorderPlan
            {
                SlotExpert = [.. slotExpert],
                ExpertNode = [.. expertNode],
                MovedExperts = [.. Enumerable.Range(0, Experts).Where(e => expertNode[e] != home[e])],
                MaxNodeLoads = [.. peaks],
                Objective = objective,
                NoMoveObjective = noMove,
                HeuristicObjective = heuristic,
                Bound = bound,
                Status = bound >= objective ? SolveStatus.Optimal : SolveStatus.Feasible,
                Source = source,
                HeuristicTime = heuristicTime,
                WallTime = wall,
            };
        }

        private static int Moved(int[] home, int expert, int node) => home[expert] == node ? 0 : 1;

        private long[] BatchLoads()
        {
            var batch = new long[Experts];
            foreach (var row in _load)
            {
                for (var e = 0; e < Experts; e++)
                {
                    batch[e] += row[e];
                }
            }

            return batch;
        }
    }
}
