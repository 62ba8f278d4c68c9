using System.Collections.Immutable;
using Google.OrTools.Sat;
using Lp = Google.OrTools.LinearSolver;

namespace Planning.Solving;

/// <summary>
/// The indexed form of a validated <see cref="MinMaxAssignment"/>: pairs grouped by work, and the code that turns
/// the facts into a CP-SAT model, its LP relaxation, a check of an assignment, and a solve with warm start,
/// keep-the-incumbent rule, clamped bound and infeasibility diagnosis. One place builds every model, so the
/// relaxation, the diagnosis and the solve cannot drift apart.
/// </summary>
internal sealed class MinMaxAssignmentModel
{
    private readonly MinMaxAssignment _facts;
    private readonly int[][] _pairsOfWork;
    private readonly int[] _fixedPairsOfWork;
    private readonly Dictionary<(int Work, int Resource), int> _pairIndex;

    private MinMaxAssignmentModel(MinMaxAssignment facts)
    {
        _facts = facts;
        var works = facts.Weights.Length;
        var byWork = new List<int>[works];
        for (var w = 0; w < works; w++)
        {
            byWork[w] = [];
        }

        _fixedPairsOfWork = new int[works];
        _pairIndex = new Dictionary<(int, int), int>(facts.Pairs.Length);
        for (var p = 0; p < facts.Pairs.Length; p++)
        {
            var pair = facts.Pairs[p];
            byWork[pair.Work].Add(p);
            _pairIndex[(pair.Work, pair.Resource)] = p;
            if (pair.IsFixed)
            {
                _fixedPairsOfWork[pair.Work]++;
            }
        }

        _pairsOfWork = [.. byWork.Select(list => list.ToArray())];
    }

    private int Works => _facts.Weights.Length;

    private int Resources => _facts.Resources.Length;

    /// <summary>Indexes validated facts.</summary>
    /// <param name="facts">Facts that passed <see cref="MinMaxAssignment.Validate"/>.</param>
    /// <returns>The index.</returns>
    public static MinMaxAssignmentModel Index(MinMaxAssignment facts) => new(facts);

    /// <summary>Whether the model holds at least one constraint of <paramref name="family"/>.</summary>
    /// <param name="family">The family.</param>
    /// <returns>Whether it is present.</returns>
    public bool Holds(AssignmentConstraint family) => family switch
    {
        AssignmentConstraint.EveryWorkPlaced => _fixedPairsOfWork.Any(count => count == 0),
        AssignmentConstraint.AmountsCoverWeight => Works > 0,
        AssignmentConstraint.AmountNeedsHost => _facts.SplitAllowed && _facts.Pairs.Any(pair => !pair.IsFixed && _facts.Weights[pair.Work] > 0),
        AssignmentConstraint.MinimumAmount => _facts.Pairs.Any(pair => !pair.IsFixed && HasMinimum(_facts.Weights[pair.Work])),
        AssignmentConstraint.NotSplit => !_facts.SplitAllowed && Works > 0,
        AssignmentConstraint.SlotLimit => _facts.Resources.Any(resource => resource.SlotLimit is not null),
        AssignmentConstraint.LoadWithinCapacity => _facts.Resources.Any(resource => resource.Capacity is not null),
        AssignmentConstraint.LoadBelowMax => true,
        AssignmentConstraint.SymmetryByLoad => _facts.SymmetryByLoad && Resources > 1,
        _ => false,
    };

    /// <summary>
    /// An assignment as the amount on each pair, <see langword="null"/> where the pair is not hosted; pieces on one
    /// pair are merged (two copies of an expert on one rank serve as one), fixed pairs are always hosted.
    /// </summary>
    /// <param name="assignment">The pieces.</param>
    /// <param name="field">The field to name in an error.</param>
    /// <returns>Amounts by pair index.</returns>
    public long?[] Merge(IEnumerable<AssignmentPiece> assignment, string field)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var amounts = new long?[_facts.Pairs.Length];
        for (var p = 0; p < amounts.Length; p++)
        {
            amounts[p] = _facts.Pairs[p].IsFixed ? 0 : null;
        }

        var i = 0;
        foreach (var piece in assignment)
        {
            if (!_pairIndex.TryGetValue((piece.Work, piece.Resource), out var p))
            {
                throw new PlanningInputException($"{field}[{i}]", $"(work {piece.Work}, resource {piece.Resource}) is not an allowed pair");
            }

            if (piece.Amount < 0)
            {
                throw new PlanningInputException($"{field}[{i}].amount", $"must be non-negative, got {piece.Amount}");
            }

            amounts[p] = (amounts[p] ?? 0) + piece.Amount;
            i++;
        }

        return amounts;
    }

    /// <summary>The families a merged assignment breaks and those it makes tight, each in model order.</summary>
    /// <param name="amounts">Amounts by pair (<see cref="Merge"/>).</param>
    /// <returns>Broken and tight families.</returns>
    public (ImmutableArray<AssignmentConstraint> Broken, ImmutableArray<AssignmentConstraint> Tight) Evaluate(long?[] amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var broken = new HashSet<AssignmentConstraint>();
        var tight = new HashSet<AssignmentConstraint>();

        void Check(AssignmentConstraint family, bool isBroken, bool isTight)
        {
            if (isBroken)
            {
                broken.Add(family);
            }
            else if (isTight)
            {
                tight.Add(family);
            }
        }

        for (var w = 0; w < Works; w++)
        {
            var weight = _facts.Weights[w];
            var pieces = 0;
            long total = 0;
            foreach (var p in _pairsOfWork[w])
            {
                if (amounts[p] is not { } amount)
                {
                    continue;
                }

                pieces++;
                total += amount;
                if (_facts.Pairs[p].IsFixed || weight == 0)
                {
                    continue;
                }

                if (_facts.SplitAllowed)
                {
                    Check(AssignmentConstraint.AmountNeedsHost, amount > weight, amount == weight);
                }

                if (HasMinimum(weight))
                {
                    Check(AssignmentConstraint.MinimumAmount, amount < _facts.MinimumAmount, amount == _facts.MinimumAmount);
                }
            }

            if (_fixedPairsOfWork[w] == 0)
            {
                Check(AssignmentConstraint.EveryWorkPlaced, pieces == 0, pieces == 1);
            }

            Check(AssignmentConstraint.AmountsCoverWeight, total != weight, isTight: true);
            if (!_facts.SplitAllowed)
            {
                Check(AssignmentConstraint.NotSplit, pieces > 1, pieces == 1);
            }
        }

        var loads = Loads(amounts);
        var used = new int[Resources];
        for (var p = 0; p < amounts.Length; p++)
        {
            used[_facts.Pairs[p].Resource] += !_facts.Pairs[p].IsFixed && amounts[p] is not null ? 1 : 0;
        }

        for (var r = 0; r < Resources; r++)
        {
            var resource = _facts.Resources[r];
            if (resource.SlotLimit is { } slots)
            {
                Check(AssignmentConstraint.SlotLimit, used[r] > slots, used[r] == slots);
            }

            if (resource.Capacity is { } capacity)
            {
                Check(AssignmentConstraint.LoadWithinCapacity, loads[r] > capacity, loads[r] == capacity);
            }
        }

        // The largest load meets maxLoad by definition; the symmetry order is a search device, not a rule.
        tight.Add(AssignmentConstraint.LoadBelowMax);
        return (Ordered(broken), Ordered(tight));
    }

    /// <summary>The largest resource load of a merged assignment.</summary>
    /// <param name="amounts">Amounts by pair.</param>
    /// <returns>The largest load.</returns>
    public long MaxLoad(long?[] amounts) => Loads(amounts).Max();

    /// <summary>The summed costs of the pairs a merged assignment hosts.</summary>
    /// <param name="amounts">Amounts by pair.</param>
    /// <returns>The cost.</returns>
    public long Cost(long?[] amounts) => _facts.Pairs.Where((_, p) => amounts[p] is not null).Sum(pair => pair.Cost);

    /// <summary>Solves the LP relaxation with GLOP (see <see cref="MinMaxAssignment.LinearRelaxationBound"/>).</summary>
    /// <param name="options">Solver options.</param>
    /// <param name="cancellationToken">Interrupts the solve.</param>
    /// <returns>The LP optimum, or <see langword="null"/>.</returns>
    public double? SolveRelaxation(SolverOptions options, CancellationToken cancellationToken)
    {
        using var solver = LinearProgram.Create(LinearBackend.Glop);
        var maxLoad = solver.MakeNumVar(0, double.PositiveInfinity, "maxLoad");
        var loadTerms = new List<(Lp.Variable Variable, double Coefficient)>[Resources];
        var loadConstant = new double[Resources];
        var slotTerms = new List<Lp.Variable>[Resources];
        for (var r = 0; r < Resources; r++)
        {
            loadTerms[r] = [];
            slotTerms[r] = [];
        }

        var objective = solver.Objective();
        objective.SetCoefficient(maxLoad, 1);
        double fixedCost = 0;
        for (var w = 0; w < Works; w++)
        {
            var weight = _facts.Weights[w];
            var cover = solver.MakeConstraint(weight, weight, $"{AssignmentConstraint.AmountsCoverWeight}_w{w}");
            double coverConstant = 0;
            var hosts = new List<Lp.Variable>();
            foreach (var p in _pairsOfWork[w])
            {
                var pair = _facts.Pairs[p];
                var r = pair.Resource;
                if (pair.IsFixed)
                {
                    fixedCost += pair.Cost;
                    if (_facts.SplitAllowed)
                    {
                        var fixedAmount = solver.MakeNumVar(0, weight, $"amount_w{w}_r{r}");
                        cover.SetCoefficient(fixedAmount, 1);
                        loadTerms[r].Add((fixedAmount, 1));
                    }
                    else
                    {
                        coverConstant += weight;
                        loadConstant[r] += pair.Load ?? weight;
                    }

                    continue;
                }

                var host = solver.MakeNumVar(0, 1, $"host_w{w}_r{r}");
                hosts.Add(host);
                slotTerms[r].Add(host);
                objective.SetCoefficient(host, pair.Cost);
                if (weight == 0)
                {
                    continue;
                }

                if (_facts.SplitAllowed)
                {
                    var amount = solver.MakeNumVar(0, weight, $"amount_w{w}_r{r}");
                    var needsHost = solver.MakeConstraint(double.NegativeInfinity, 0, $"{AssignmentConstraint.AmountNeedsHost}_w{w}_r{r}");
                    needsHost.SetCoefficient(amount, 1);
                    needsHost.SetCoefficient(host, -weight);
                    if (HasMinimum(weight))
                    {
                        var least = solver.MakeConstraint(0, double.PositiveInfinity, $"{AssignmentConstraint.MinimumAmount}_w{w}_r{r}");
                        least.SetCoefficient(amount, 1);
                        least.SetCoefficient(host, -_facts.MinimumAmount);
                    }

                    cover.SetCoefficient(amount, 1);
                    loadTerms[r].Add((amount, 1));
                }
                else
                {
                    if (HasMinimum(weight))
                    {
                        var none = solver.MakeConstraint(double.NegativeInfinity, 0, $"{AssignmentConstraint.MinimumAmount}_w{w}_r{r}");
                        none.SetCoefficient(host, 1);
                    }

                    cover.SetCoefficient(host, weight);
                    loadTerms[r].Add((host, pair.Load ?? weight));
                }
            }

            if (coverConstant != 0)
            {
                cover.SetBounds(weight - coverConstant, weight - coverConstant);
            }

            if (_fixedPairsOfWork[w] == 0)
            {
                AddSum(solver.MakeConstraint(1, double.PositiveInfinity, $"{AssignmentConstraint.EveryWorkPlaced}_w{w}"), hosts);
            }

            if (!_facts.SplitAllowed)
            {
                AddSum(solver.MakeConstraint(double.NegativeInfinity, 1 - _fixedPairsOfWork[w], $"{AssignmentConstraint.NotSplit}_w{w}"), hosts);
            }
        }

        for (var r = 0; r < Resources; r++)
        {
            var resource = _facts.Resources[r];
            if (resource.SlotLimit is { } slots)
            {
                AddSum(solver.MakeConstraint(double.NegativeInfinity, slots, $"{AssignmentConstraint.SlotLimit}_r{r}"), slotTerms[r]);
            }

            var below = solver.MakeConstraint(double.NegativeInfinity, -loadConstant[r], $"{AssignmentConstraint.LoadBelowMax}_r{r}");
            foreach (var (variable, coefficient) in loadTerms[r])
            {
                below.SetCoefficient(variable, coefficient);
            }

            below.SetCoefficient(maxLoad, -1);
            if (resource.Capacity is { } capacity)
            {
                var within = solver.MakeConstraint(double.NegativeInfinity, capacity - loadConstant[r], $"{AssignmentConstraint.LoadWithinCapacity}_r{r}");
                foreach (var (variable, coefficient) in loadTerms[r])
                {
                    within.SetCoefficient(variable, coefficient);
                }
            }
        }

        if (Holds(AssignmentConstraint.SymmetryByLoad))
        {
            for (var r = 0; r + 1 < Resources; r++)
            {
                var ordered = solver.MakeConstraint(loadConstant[r + 1] - loadConstant[r], double.PositiveInfinity, $"{AssignmentConstraint.SymmetryByLoad}_r{r}");
                foreach (var (variable, coefficient) in loadTerms[r])
                {
                    ordered.SetCoefficient(variable, coefficient);
                }

                foreach (var (variable, coefficient) in loadTerms[r + 1])
                {
                    ordered.SetCoefficient(variable, -coefficient);
                }
            }
        }

        objective.SetOffset(fixedCost);
        objective.SetMinimization();
        var result = LinearProgram.Solve(solver, options, cancellationToken);
        return result.Status == SolveStatus.Optimal ? result.Objective : null;
    }

    /// <summary>Solves the model (see <see cref="MinMaxAssignment.Solve"/>).</summary>
    /// <param name="options">Validated solver options.</param>
    /// <param name="incumbent">The warm start, or <see langword="null"/>.</param>
    /// <param name="knownLowerBound">A proven bound on the largest load.</param>
    /// <param name="relaxationBound">A proven bound used to clamp the reported one.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The result.</returns>
    public MinMaxAssignmentResult Solve(SolverOptions options, IEnumerable<AssignmentPiece>? incumbent, long knownLowerBound, double? relaxationBound, CancellationToken cancellationToken)
    {
        if (knownLowerBound < 0)
        {
            throw new PlanningInputException("knownLowerBound", $"must be non-negative, got {knownLowerBound}");
        }

        long?[]? start = null;
        long startMaxLoad = 0, startObjective = 0;
        if (incumbent is not null)
        {
            start = Merge(incumbent, "incumbent");
            var broken = Evaluate(start).Broken;
            if (!broken.IsEmpty)
            {
                // Keeping a warm start that breaks a rule would return an infeasible plan.
                throw new PlanningInputException("incumbent", $"breaks {string.Join(", ", broken)}: a warm start must be a feasible assignment");
            }

            startMaxLoad = MaxLoad(start);
            startObjective = startMaxLoad + Cost(start);
        }

        // maxLoad's domain: from the known bound up to what the incumbent already achieves (the solver only
        // matters if it does better), or the total weight, which no load exceeds.
        var upper = Math.Max(knownLowerBound, start is null ? TotalLoad() : startObjective);
        var model = Build(knownLowerBound, upper, start is null ? null : Hint(start), startMaxLoad, relaxed: null, minimise: true);
        var solution = CpSat.Solve(model.Model, options, cancellationToken);
        var result = solution.Result;
        if (result.Status is SolveStatus.Infeasible or SolveStatus.ModelInvalid)
        {
            var culprits = result.Status == SolveStatus.Infeasible ? Diagnose(options, knownLowerBound, upper, cancellationToken) : [];
            return new MinMaxAssignmentResult { Source = AssignmentSource.None, Pieces = [], Result = result, InfeasibleFamilies = culprits };
        }

        var bound = Math.Max(Math.Max(knownLowerBound, RoundUp(relaxationBound ?? 0)), RoundUp(result.BestBound));
        if (result.IsSuccess && (start is null || (long)Math.Round(result.Objective!.Value) < startObjective))
        {
            var pieces = Read(model, solution);

            // The objective is integral; CP-SAT's floating-point value can carry noise (51.00000000000001 after a
            // hint), which must not turn a proven optimum into "feasible".
            var objective = Math.Round(result.Objective!.Value);
            return new MinMaxAssignmentResult
            {
                Source = AssignmentSource.Solver,
                Pieces = pieces,
                Result = result with { Status = Status(bound, objective), Objective = objective, BestBound = bound },
                TightFamilies = Evaluate(Merge(pieces, "solution")).Tight,
            };
        }

        if (start is not null)
        {
            // The solver did not beat its warm start in time: keep the warm start, with the solver's bound.
            return new MinMaxAssignmentResult
            {
                Source = AssignmentSource.Incumbent,
                Pieces = Pieces(start),
                Result = result with { Status = Status(bound, startObjective), Objective = startObjective, BestBound = bound },
                TightFamilies = Evaluate(start).Tight,
            };
        }

        return new MinMaxAssignmentResult { Source = AssignmentSource.None, Pieces = [], Result = result with { BestBound = bound } };
    }

    private static SolveStatus Status(double bound, double objective) => bound >= objective ? SolveStatus.Optimal : SolveStatus.Feasible;

    // The objective is integral, so a fractional bound rounds up; the tolerance absorbs the solvers' float noise.
    private static double RoundUp(double bound) => double.IsFinite(bound) ? Math.Ceiling(bound - 1e-6) : 0;

    private static void AddSum(Lp.Constraint constraint, List<Lp.Variable> variables)
    {
        foreach (var variable in variables)
        {
            constraint.SetCoefficient(variable, 1);
        }
    }

    private static ImmutableArray<AssignmentConstraint> Ordered(HashSet<AssignmentConstraint> families) =>
        [.. AssignmentConstraints.All.Where(families.Contains)];

    private bool HasMinimum(long weight) =>
        _facts.MinimumAmount > 0 && weight > 0 && (_facts.SplitAllowed || weight < _facts.MinimumAmount);

    private long[] Loads(long?[] amounts)
    {
        var loads = new long[Resources];
        for (var p = 0; p < amounts.Length; p++)
        {
            // A pair with its own load puts that load on its resource when hosted, whatever the amount.
            loads[_facts.Pairs[p].Resource] += _facts.Pairs[p].Load is { } load ? (amounts[p] is null ? 0 : load) : amounts[p] ?? 0;
        }

        return loads;
    }

    /// <summary>
    /// A load no resource exceeds: every work's weight, or its largest pair load where pairs carry their own; the
    /// total weight when none does (so the models without pair loads keep their domain).
    /// </summary>
    private long TotalLoad()
    {
        long total = 0;
        for (var w = 0; w < Works; w++)
        {
            var most = _facts.Weights[w];
            foreach (var p in _pairsOfWork[w])
            {
                most = Math.Max(most, _facts.Pairs[p].Load ?? 0);
            }

            total += most;
        }

        return total;
    }

    private ImmutableArray<AssignmentPiece> Pieces(long?[] amounts)
    {
        var pieces = ImmutableArray.CreateBuilder<AssignmentPiece>();
        for (var w = 0; w < Works; w++)
        {
            foreach (var p in _pairsOfWork[w])
            {
                if (amounts[p] is { } amount)
                {
                    pieces.Add(new AssignmentPiece(w, _facts.Pairs[p].Resource, amount));
                }
            }
        }

        return pieces.ToImmutable();
    }

    /// <summary>
    /// The hint on each pair: hosted or not, and its amount. Under <see cref="MinMaxAssignment.SymmetryByLoad"/>
    /// the incumbent's resources are relabelled heaviest first, so that the hint satisfies the order.
    /// </summary>
    private (bool Host, long Amount)[] Hint(long?[] start)
    {
        var order = Enumerable.Range(0, Resources).ToArray();
        if (_facts.SymmetryByLoad)
        {
            var loads = Loads(start);
            order = [.. order.OrderByDescending(r => loads[r]).ThenBy(r => r)];
        }

        var hint = new (bool, long)[start.Length];
        for (var p = 0; p < start.Length; p++)
        {
            var pair = _facts.Pairs[p];
            var source = _pairIndex[(pair.Work, order[pair.Resource])];
            hint[p] = (start[source] is not null, start[source] ?? 0);
        }

        return hint;
    }

    /// <summary>
    /// Builds the CP-SAT model, optionally without one family (for the diagnosis). The creation order (variables
    /// work by work in pair order, each work's constraints after its variables, then resource by resource, then the
    /// symmetry order, then the objective) is fixed: with one worker and a seed, CP-SAT's answer depends on it.
    /// </summary>
    private Built Build(long lower, long upper, (bool Host, long Amount)[]? hint, long hintMaxLoad, AssignmentConstraint? relaxed, bool minimise)
    {
        bool Keep(AssignmentConstraint family) => relaxed != family;

        var model = new CpModel();
        var maxLoad = model.NewIntVar(lower, upper, "maxLoad");
        var host = new BoolVar?[_facts.Pairs.Length];
        var amount = new LinearExpr[_facts.Pairs.Length];
        var hostsOn = new List<BoolVar>[Resources];
        var amountsOn = new List<LinearExpr>[Resources];
        for (var r = 0; r < Resources; r++)
        {
            hostsOn[r] = [];
            amountsOn[r] = [];
        }

        var costTerms = new List<LinearExpr>();
        long fixedCost = 0;
        for (var w = 0; w < Works; w++)
        {
            var weight = _facts.Weights[w];
            var hosts = new List<BoolVar>();
            var amounts = new List<LinearExpr>();
            foreach (var p in _pairsOfWork[w])
            {
                var pair = _facts.Pairs[p];
                var r = pair.Resource;
                if (pair.IsFixed)
                {
                    fixedCost += pair.Cost;
                    if (_facts.SplitAllowed)
                    {
                        var fixedAmount = model.NewIntVar(0, weight, $"amount_w{w}_r{r}");
                        if (hint is not null)
                        {
                            model.AddHint(fixedAmount, hint[p].Amount);
                        }

                        amount[p] = fixedAmount;
                    }
                    else
                    {
                        amount[p] = LinearExpr.Constant(weight);
                    }
                }
                else
                {
                    var hosted = model.NewBoolVar($"host_w{w}_r{r}");
                    if (hint is not null)
                    {
                        model.AddHint(hosted, hint[p].Host);
                    }

                    host[p] = hosted;
                    hosts.Add(hosted);
                    hostsOn[r].Add(hosted);
                    if (pair.Cost > 0)
                    {
                        costTerms.Add(hosted * pair.Cost);
                    }

                    if (weight == 0)
                    {
                        amount[p] = LinearExpr.Constant(0);
                    }
                    else if (_facts.SplitAllowed)
                    {
                        var served = model.NewIntVar(0, weight, $"amount_w{w}_r{r}");
                        if (hint is not null)
                        {
                            model.AddHint(served, hint[p].Amount);
                        }

                        amount[p] = served;
                        if (Keep(AssignmentConstraint.AmountNeedsHost))
                        {
                            model.Add(served <= hosted * weight);
                        }

                        if (HasMinimum(weight) && Keep(AssignmentConstraint.MinimumAmount))
                        {
                            model.Add(served >= hosted * _facts.MinimumAmount);
                        }
                    }
                    else
                    {
                        amount[p] = hosted * weight;
                        if (HasMinimum(weight) && Keep(AssignmentConstraint.MinimumAmount))
                        {
                            // A whole work below the minimum is not worth a piece anywhere.
                            model.Add(hosted == 0);
                        }
                    }
                }

                amounts.Add(amount[p]);
                amountsOn[r].Add(pair.Load is { } pairLoad ? (host[p] is { } hostedHere ? hostedHere * pairLoad : LinearExpr.Constant(pairLoad)) : amount[p]);
            }

            if (_fixedPairsOfWork[w] == 0 && Keep(AssignmentConstraint.EveryWorkPlaced))
            {
                model.Add(LinearExpr.Sum(hosts) >= 1);
            }

            if (Keep(AssignmentConstraint.AmountsCoverWeight))
            {
                model.Add(LinearExpr.Sum(amounts) == weight);
            }

            if (!_facts.SplitAllowed && Keep(AssignmentConstraint.NotSplit))
            {
                model.Add(LinearExpr.Sum(hosts) <= 1 - _fixedPairsOfWork[w]);
            }
        }

        var load = new LinearExpr[Resources];
        for (var r = 0; r < Resources; r++)
        {
            var resource = _facts.Resources[r];
            if (resource.SlotLimit is { } slots && Keep(AssignmentConstraint.SlotLimit))
            {
                model.Add(LinearExpr.Sum(hostsOn[r]) <= slots);
            }

            load[r] = LinearExpr.Sum(amountsOn[r]);
            if (Keep(AssignmentConstraint.LoadBelowMax))
            {
                model.Add(load[r] <= maxLoad);
            }

            if (resource.Capacity is { } capacity && Keep(AssignmentConstraint.LoadWithinCapacity))
            {
                model.Add(load[r] <= capacity);
            }
        }

        if (_facts.SymmetryByLoad && Keep(AssignmentConstraint.SymmetryByLoad))
        {
            for (var r = 0; r + 1 < Resources; r++)
            {
                model.Add(load[r] >= load[r + 1]);
            }
        }

        if (hint is not null)
        {
            model.AddHint(maxLoad, hintMaxLoad);
        }

        if (minimise)
        {
            if (costTerms.Count == 0 && fixedCost == 0)
            {
                model.Minimize(maxLoad);
            }
            else
            {
                model.Minimize(maxLoad + LinearExpr.Sum(costTerms) + fixedCost);
            }
        }

        return new Built(model, host, amount, maxLoad);
    }

    private ImmutableArray<AssignmentPiece> Read(Built model, CpSatSolution solution)
    {
        var pieces = ImmutableArray.CreateBuilder<AssignmentPiece>();
        for (var w = 0; w < Works; w++)
        {
            foreach (var p in _pairsOfWork[w])
            {
                if (model.Host[p] is not { } hosted || solution.Value(hosted))
                {
                    pieces.Add(new AssignmentPiece(w, _facts.Pairs[p].Resource, solution.Value(model.Amount[p])));
                }
            }
        }

        return pieces.ToImmutable();
    }

    /// <summary>
    /// The families whose relaxation alone makes the model feasible: the model is rebuilt without each held family
    /// in turn (no hint, no objective) and solved with the same options; a family counts when that solve finds a
    /// solution.
    /// </summary>
    private ImmutableArray<AssignmentConstraint> Diagnose(SolverOptions options, long lower, long upper, CancellationToken cancellationToken)
    {
        var culprits = ImmutableArray.CreateBuilder<AssignmentConstraint>();
        foreach (var family in AssignmentConstraints.All.Where(Holds))
        {
            var relaxed = Build(lower, upper, hint: null, hintMaxLoad: 0, family, minimise: false);
            if (CpSat.Solve(relaxed.Model, options, cancellationToken).Result.IsSuccess)
            {
                culprits.Add(family);
            }
        }

        return culprits.ToImmutable();
    }

    /// <summary>
    /// Builds the model with its objective (minimise <c>maxLoad</c>, plus costs) and no hint, for a planner that adds
    /// constraints of its own over the builder's variables (intervals over the <c>host</c> literals, a different
    /// objective) and solves it itself.
    /// </summary>
    /// <param name="lower">The lower end of <c>maxLoad</c>'s domain (a proven bound).</param>
    /// <param name="upper">The upper end of <c>maxLoad</c>'s domain.</param>
    /// <returns>The model and its variables, by pair index.</returns>
    public Built BuildForExtension(long lower, long upper) => Build(lower, upper, hint: null, hintMaxLoad: 0, relaxed: null, minimise: true);

    /// <summary>A built CP-SAT model and the builder's variables: <c>host</c> per pair (<see langword="null"/> for a fixed pair), the amount per pair, and <c>maxLoad</c>.</summary>
    /// <param name="Model">The model.</param>
    /// <param name="Host">The host literal of each pair, by pair index.</param>
    /// <param name="Amount">The amount expression of each pair, by pair index.</param>
    /// <param name="MaxLoad">The largest resource load.</param>
    internal sealed record Built(CpModel Model, BoolVar?[] Host, LinearExpr[] Amount, IntVar MaxLoad);
}
