using System.Collections.Immutable;
using Google.OrTools.Sat;
using Planning.Graph;
using Planning.Solving;

namespace Planning.Soc;

/// <summary>
/// The facts of one mapping, in integral microseconds: the kernels, the accelerators, each kernel's time on each
/// accelerator it may use, its DRAM bytes, its predecessors, the shared DRAM's bandwidth and an optional time budget
/// per accelerator. It poses the min-max assignment (<see cref="ToAssignment"/>) and evaluates a mapping's schedule
/// (<see cref="Evaluate"/>) independently of the solver.
/// </summary>
internal sealed record SocMappingProblem
{
    /// <summary>The kernels, in execution order (every predecessor comes earlier).</summary>
    public required ImmutableArray<SocKernel> Kernels { get; init; }

    /// <summary>The accelerators, in resource order.</summary>
    public required ImmutableArray<DeviceKind> Accelerators { get; init; }

    /// <summary>Each kernel's time on each accelerator in microseconds, <see langword="null"/> where it may not run; [kernel][accelerator].</summary>
    public required ImmutableArray<ImmutableArray<long?>> LoadMicroseconds { get; init; }

    /// <summary>Each kernel's DRAM bytes.</summary>
    public required ImmutableArray<double> Bytes { get; init; }

    /// <summary>Each kernel's predecessors (indices of kernels that must finish before it starts).</summary>
    public required ImmutableArray<ImmutableArray<int>> Predecessors { get; init; }

    /// <summary>The shared DRAM bandwidth, bytes per second.</summary>
    public required double DramBytesPerSecond { get; init; }

    /// <summary>A time budget for each accelerator's busy time, microseconds, or <see langword="null"/>.</summary>
    public long? CapacityMicroseconds { get; init; }

    /// <summary>The DRAM's busy time: total bytes over the bandwidth, in microseconds, rounded up.</summary>
    public long DramMicroseconds => (long)Math.Ceiling((Bytes.Sum() / DramBytesPerSecond * 1e6) - 1e-9);

    /// <summary>The facts of a list of kernels priced by a cost model (prefill precedences).</summary>
    /// <param name="cost">The cost model.</param>
    /// <param name="kernels">The kernels, as <see cref="SocCostModel.Prefill"/> gives them.</param>
    /// <param name="deadlineMilliseconds">A budget per accelerator, or <see langword="null"/>.</param>
    /// <returns>The problem.</returns>
    public static SocMappingProblem From(SocCostModel cost, ImmutableArray<SocKernel> kernels, double? deadlineMilliseconds)
    {
        var accelerators = cost.Soc.Accelerators;
        return new SocMappingProblem
        {
            Kernels = kernels,
            Accelerators = accelerators,
            LoadMicroseconds = [.. kernels.Select(k => accelerators.Select(a => k.MayRunOn(a) ? Micros(cost.Cost(k, a).Seconds) : (long?)null).ToImmutableArray())],
            Bytes = [.. kernels.Select(k => cost.Cost(k, k.Accelerators[0]).Bytes)],
            Predecessors = PrefillPredecessors(kernels),
            DramBytesPerSecond = cost.Soc.DramBytesPerSecond,
            CapacityMicroseconds = deadlineMilliseconds is { } deadline ? (long)Math.Floor(deadline * 1000) : null,
        };
    }

    /// <summary>
    /// The precedences of a prefill: a chunk's attention after its linear kernel of the same layer group and after the
    /// previous chunk's (which wrote the KV cache it reads); a layer group's linear kernel after the previous group's
    /// attention of the same chunk; a decode step's groups in layer order.
    /// </summary>
    /// <param name="kernels">The kernels.</param>
    /// <returns>Predecessor indices per kernel.</returns>
    public static ImmutableArray<ImmutableArray<int>> PrefillPredecessors(ImmutableArray<SocKernel> kernels)
    {
        var index = new Dictionary<(SocKernelKind, int, int), int>();
        for (var k = 0; k < kernels.Length; k++)
        {
            index[(kernels[k].Kind, kernels[k].ContextTokens, kernels[k].FirstLayer)] = k;
        }

        // The chunk before each chunk start, and the layer group before each group start.
        var chunkStarts = kernels.Where(k => k.Kind == SocKernelKind.PrefillChunk).Select(k => k.ContextTokens).Distinct().Order().ToArray();
        var groupEnds = kernels.ToLookup(k => k.EndLayer, k => k.FirstLayer);
        var result = ImmutableArray.CreateBuilder<ImmutableArray<int>>(kernels.Length);
        for (var k = 0; k < kernels.Length; k++)
        {
            var kernel = kernels[k];
            var predecessors = new List<int>();
            var previousGroup = groupEnds[kernel.FirstLayer].FirstOrDefault(-1);
            switch (kernel.Kind)
            {
                case SocKernelKind.PrefillChunk when previousGroup >= 0:
                    predecessors.Add(index[(SocKernelKind.PrefillAttention, kernel.ContextTokens, previousGroup)]);
                    break;
                case SocKernelKind.PrefillAttention:
                    predecessors.Add(index[(SocKernelKind.PrefillChunk, kernel.ContextTokens, kernel.FirstLayer)]);
                    var position = Array.IndexOf(chunkStarts, kernel.ContextTokens);
                    if (position > 0)
                    {
                        predecessors.Add(index[(SocKernelKind.PrefillChunk, chunkStarts[position - 1], kernel.FirstLayer)]);
                    }

                    break;
                case SocKernelKind.DecodeStep when previousGroup >= 0:
                    predecessors.Add(index[(SocKernelKind.DecodeStep, kernel.ContextTokens, previousGroup)]);
                    break;
            }

            if (predecessors.Any(p => p >= k))
            {
                throw new ArgumentException($"{kernel.Name} precedes a kernel that comes before it: kernels must be in execution order.", nameof(kernels));
            }

            result.Add([.. predecessors.Order()]);
        }

        return result.MoveToImmutable();
    }

    /// <summary>
    /// The min-max assignment: works 0..K-1 are the kernels (not split, one pair per allowed accelerator with its time
    /// as the pair load), work K the prefill's DRAM traffic, fixed on the last resource (the shared DRAM) with the DRAM
    /// time as its load; accelerators get the budget as capacity.
    /// </summary>
    /// <returns>The builder's facts.</returns>
    public MinMaxAssignment ToAssignment()
    {
        var pairs = ImmutableArray.CreateBuilder<AssignmentPair>();
        for (var k = 0; k < Kernels.Length; k++)
        {
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is { } load)
                {
                    pairs.Add(new AssignmentPair(k, a) { Load = load });
                }
            }
        }

        pairs.Add(new AssignmentPair(Kernels.Length, Accelerators.Length) { IsFixed = true, Load = DramMicroseconds });
        var accelerator = new AssignmentResource { Capacity = CapacityMicroseconds };
        return new MinMaxAssignment
        {
            Weights = [.. Enumerable.Repeat(1L, Kernels.Length + 1)],
            Resources = [.. Enumerable.Repeat(accelerator, Accelerators.Length), AssignmentResource.Unlimited],
            Pairs = pairs.ToImmutable(),
            SplitAllowed = false,
        };
    }

    /// <summary>A mapping (accelerator index per kernel) as the builder's pieces, with the DRAM piece.</summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <returns>The pieces.</returns>
    public ImmutableArray<AssignmentPiece> Pieces(IReadOnlyList<int> acceleratorOfKernel) =>
        [.. acceleratorOfKernel.Select((a, k) => new AssignmentPiece(k, a, 1)), new AssignmentPiece(Kernels.Length, Accelerators.Length, 1)];

    /// <summary>The largest busy time of an accelerator or of the DRAM under a mapping: the objective, computed directly.</summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <returns>Microseconds.</returns>
    public long Objective(IReadOnlyList<int> acceleratorOfKernel) => Math.Max(DramMicroseconds, Busy(acceleratorOfKernel).Max());

    /// <summary>Each accelerator's busy time under a mapping, in microseconds.</summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <returns>Busy time by accelerator index.</returns>
    public long[] Busy(IReadOnlyList<int> acceleratorOfKernel)
    {
        var busy = new long[Accelerators.Length];
        for (var k = 0; k < Kernels.Length; k++)
        {
            busy[acceleratorOfKernel[k]] += LoadMicroseconds[k][acceleratorOfKernel[k]]!.Value;
        }

        return busy;
    }

    /// <summary>
    /// The schedule of a mapping: the shorter of two list schedules, each deterministic and independent of the
    /// solver. Both repeatedly start one of the kernels whose predecessors are done, at the later of its predecessors'
    /// ends and its accelerator's last end: the first rule starts the one that can start earliest (ties: execution
    /// order); the second (Giffler and Thompson's, with a critical-path priority) takes the kernel that can finish
    /// first and, of the kernels on its accelerator that could start before that, starts the one with the longest
    /// remaining chain (its time plus its successors' longest chain).
    /// </summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <returns>Start and end of each kernel, and the makespan, in microseconds.</returns>
    public (long[] Start, long[] End, long Makespan) Evaluate(IReadOnlyList<int> acceleratorOfKernel)
    {
        var active = ListSchedule(acceleratorOfKernel, criticalPath: true);
        var greedy = ListSchedule(acceleratorOfKernel, criticalPath: false);
        return greedy.Makespan < active.Makespan ? greedy : active;
    }

    private (long[] Start, long[] End, long Makespan) ListSchedule(IReadOnlyList<int> acceleratorOfKernel, bool criticalPath)
    {
        var count = Kernels.Length;
        var duration = Enumerable.Range(0, count).Select(k => LoadMicroseconds[k][acceleratorOfKernel[k]]!.Value).ToArray();
        var remaining = new long[count];
        var successors = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        for (var k = 0; k < count; k++)
        {
            foreach (var p in Predecessors[k])
            {
                successors[p].Add(k);
            }
        }

        for (var k = count - 1; k >= 0; k--)
        {
            remaining[k] = duration[k] + successors[k].Select(s => remaining[s]).DefaultIfEmpty(0).Max();
        }

        var start = new long[count];
        var end = new long[count];
        var done = new bool[count];
        var laneFree = new long[Accelerators.Length];
        long EarliestStart(int k) => Math.Max(Predecessors[k].Select(p => end[p]).DefaultIfEmpty(0).Max(), laneFree[acceleratorOfKernel[k]]);
        for (var step = 0; step < count; step++)
        {
            var ready = Enumerable.Range(0, count).Where(k => !done[k] && Predecessors[k].All(p => done[p])).ToList();
            var first = ready.OrderBy(k => EarliestStart(k) + duration[k]).ThenBy(k => k).First();
            var lane = acceleratorOfKernel[first];
            var finish = EarliestStart(first) + duration[first];
            var chosen = !criticalPath
                ? ready.OrderBy(EarliestStart).ThenBy(k => k).First()
                : ready
                    .Where(k => acceleratorOfKernel[k] == lane && EarliestStart(k) < finish)
                    .OrderByDescending(k => remaining[k])
                    .ThenBy(k => k)
                    .First();
            start[chosen] = EarliestStart(chosen);
            end[chosen] = start[chosen] + duration[chosen];
            laneFree[acceleratorOfKernel[chosen]] = end[chosen];
            done[chosen] = true;
        }

        return (start, end, count == 0 ? 0 : end.Max());
    }

    /// <summary>The longest chain of predecessors with every kernel at its fastest accelerator, in microseconds: no schedule is shorter.</summary>
    /// <returns>Microseconds.</returns>
    public long CriticalPath()
    {
        var finish = new long[Kernels.Length];
        for (var k = 0; k < Kernels.Length; k++)
        {
            var fastest = LoadMicroseconds[k].Where(l => l is not null).Min()!.Value;
            finish[k] = Predecessors[k].Select(p => finish[p]).DefaultIfEmpty(0).Max() + fastest;
        }

        return finish.DefaultIfEmpty(0).Max();
    }

    /// <summary>The largest DRAM bandwidth a schedule draws at once: at every kernel start, the summed rates of the kernels running.</summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <param name="start">Starts, microseconds.</param>
    /// <param name="end">Ends, microseconds.</param>
    /// <returns>Bytes per second.</returns>
    public double PeakDramBytesPerSecond(IReadOnlyList<int> acceleratorOfKernel, long[] start, long[] end)
    {
        double Rate(int k) => end[k] > start[k] ? Bytes[k] / ((end[k] - start[k]) / 1e6) : 0;
        double peak = 0;
        for (var k = 0; k < Kernels.Length; k++)
        {
            var at = start[k];
            var sum = Enumerable.Range(0, Kernels.Length).Where(j => start[j] <= at && at < end[j]).Sum(Rate);
            peak = Math.Max(peak, sum);
        }

        return peak;
    }

    /// <summary>
    /// Solves the bottleneck model: CP-SAT on the builder (<see cref="ToAssignment"/>), warm-started from a greedy
    /// mapping when it is feasible. The objective is the busiest accelerator or the DRAM.
    /// </summary>
    /// <param name="options">Solver options.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The status, objective, bound and mapping (or the families of an infeasible model).</returns>
    public (SolveStatus Status, long? Objective, long Bound, ImmutableArray<int> Mapping, ImmutableArray<string> Infeasible) SolveBottleneck(SolverOptions options, CancellationToken cancellationToken)
    {
        var facts = ToAssignment();
        var greedy = Greedy();
        IEnumerable<AssignmentPiece>? incumbent = facts.Violations(Pieces(greedy)).IsEmpty ? Pieces(greedy) : null;
        var result = facts.Solve(options, incumbent, TrivialBound(), cancellationToken: cancellationToken);
        ImmutableArray<int> mapping = result.Source == AssignmentSource.None
            ? []
            : [.. result.Pieces.Where(p => p.Work < Kernels.Length).OrderBy(p => p.Work).Select(p => p.Resource)];
        return (
            result.Result.Status,
            result.Result.Objective is { } objective ? (long)Math.Round(objective) : null,
            double.IsFinite(result.Result.BestBound) ? (long)Math.Ceiling(result.Result.BestBound - 1e-6) : TrivialBound(),
            mapping,
            [.. result.InfeasibleFamilies.Select(f => f.ToString())]);
    }

    /// <summary>
    /// Solves the makespan exactly: the builder's model (its <c>host</c> literals, pair loads and <c>maxLoad</c>)
    /// extended with an optional interval per (kernel, accelerator) pair, present when the pair is hosted, of the
    /// kernel's time there; no overlap per accelerator; every kernel after its predecessors; the makespan at least every
    /// kernel's end, the DRAM time and <c>maxLoad</c>; minimise the makespan. Warm-started from a mapping and its
    /// evaluated schedule.
    /// </summary>
    /// <param name="options">Solver options.</param>
    /// <param name="hint">A mapping to start from, or <see langword="null"/>.</param>
    /// <param name="lowerBound">A proven lower bound on the makespan.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The status, makespan, bound, mapping and starts (empty without a solution).</returns>
    public (SolveStatus Status, long? Makespan, long Bound, ImmutableArray<int> Mapping, ImmutableArray<long> Starts) SolveMakespan(
        SolverOptions options, IReadOnlyList<int>? hint, long lowerBound, CancellationToken cancellationToken)
    {
        var facts = ToAssignment();
        var serial = LoadMicroseconds.Sum(l => l.Where(x => x is not null).Max()!.Value) + DramMicroseconds;
        var hinted = hint is null ? ((long[] Start, long[] End, long Makespan)?)null : Evaluate(hint);
        var upper = Math.Max(lowerBound, hinted?.Makespan ?? serial);
        var built = facts.BuildModel(Math.Min(TrivialBound(), upper), upper);
        var model = built.Model;
        var makespan = model.NewIntVar(lowerBound, upper, "makespan");
        model.Add(built.MaxLoad <= makespan);
        model.Add(makespan >= DramMicroseconds);
        var start = new IntVar[Kernels.Length];
        var end = new LinearExpr[Kernels.Length];
        var onLane = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<IntervalVar>()).ToArray();
        var pair = 0;
        for (var k = 0; k < Kernels.Length; k++)
        {
            start[k] = model.NewIntVar(0, upper, $"start_k{k}");
            var durations = new List<LinearExpr>();
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is not { } load)
                {
                    continue;
                }

                // The builder's pairs are kernel by kernel, each kernel's accelerators in order (ToAssignment).
                var host = built.Host[pair++]!;
                onLane[a].Add(model.NewOptionalFixedSizeIntervalVar(start[k], load, host, $"run_k{k}_a{a}"));
                durations.Add(host * load);
                if (hint is not null)
                {
                    model.AddHint(host, hint[k] == a);
                }
            }

            end[k] = start[k] + LinearExpr.Sum(durations);
            model.Add(end[k] <= makespan);
            if (hinted is { } schedule)
            {
                model.AddHint(start[k], schedule.Start[k]);
            }
        }

        foreach (var lane in onLane)
        {
            model.AddNoOverlap(lane);
        }

        for (var k = 0; k < Kernels.Length; k++)
        {
            foreach (var p in Predecessors[k])
            {
                model.Add(start[k] >= end[p]);
            }
        }

        if (hinted is { } known)
        {
            model.AddHint(makespan, known.Makespan);
        }

        model.Minimize(makespan);
        var solution = CpSat.Solve(model, options, cancellationToken);
        var result = solution.Result;
        var bound = double.IsFinite(result.BestBound) ? Math.Max(lowerBound, (long)Math.Ceiling(result.BestBound - 1e-6)) : lowerBound;
        if (!result.IsSuccess)
        {
            return (result.Status, null, bound, [], []);
        }

        var mapping = new int[Kernels.Length];
        pair = 0;
        for (var k = 0; k < Kernels.Length; k++)
        {
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is not null && solution.Value(built.Host[pair++]!))
                {
                    mapping[k] = a;
                }
            }
        }

        var value = solution.Value(makespan);
        return (bound >= value ? SolveStatus.Optimal : result.Status, value, bound, [.. mapping], [.. start.Select(s => solution.Value(s))]);
    }

    /// <summary>
    /// Checks a schedule independently of the solver: every kernel after its predecessors, no two kernels of one
    /// accelerator at once; returns its makespan.
    /// </summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <param name="start">Each kernel's start, microseconds.</param>
    /// <returns>The makespan, microseconds.</returns>
    /// <exception cref="InvalidOperationException">The schedule breaks a precedence or overlaps two kernels.</exception>
    public long Verify(IReadOnlyList<int> acceleratorOfKernel, IReadOnlyList<long> start)
    {
        var end = Enumerable.Range(0, Kernels.Length).Select(k => start[k] + LoadMicroseconds[k][acceleratorOfKernel[k]]!.Value).ToArray();
        for (var k = 0; k < Kernels.Length; k++)
        {
            if (Predecessors[k].Any(p => start[k] < end[p]))
            {
                throw new InvalidOperationException($"{Kernels[k].Name} starts before a predecessor ends.");
            }
        }

        foreach (var lane in Enumerable.Range(0, Kernels.Length).GroupBy(k => acceleratorOfKernel[k]))
        {
            var ordered = lane.OrderBy(k => start[k]).ToArray();
            for (var i = 1; i < ordered.Length; i++)
            {
                if (start[ordered[i]] < end[ordered[i - 1]])
                {
                    throw new InvalidOperationException($"{Kernels[ordered[i]].Name} overlaps {Kernels[ordered[i - 1]].Name}.");
                }
            }
        }

        return end.DefaultIfEmpty(0).Max();
    }

    /// <summary>A bound every mapping's bottleneck meets: the DRAM time, and the largest kernel at its fastest.</summary>
    /// <returns>Microseconds.</returns>
    public long TrivialBound() =>
        Math.Max(DramMicroseconds, LoadMicroseconds.Select(l => l.Where(x => x is not null).Min()!.Value).DefaultIfEmpty(0).Max());

    /// <summary>The graph of a solved mapping: the SoC's cluster, a kernel vertex per kernel assigned to its device (amount: its time in microseconds), and precedence edges.</summary>
    /// <param name="soc">The SoC.</param>
    /// <param name="mapping">The accelerator index of each kernel.</param>
    /// <returns>The annotated graph.</returns>
    public PlanGraph ToPlanGraph(SocSpec soc, IReadOnlyList<int> mapping)
    {
        var vertices = Kernels.Select((k, i) => new KernelVertex(i, k.Name)).ToArray();
        var annotated = soc.Cluster.Annotate(vertices.Select((v, k) =>
        {
            var a = mapping[k];
            return new Assignment(v, soc.Cluster.Devices[soc.DeviceIndex(Accelerators[a])], LoadMicroseconds[k][a]!.Value);
        }));
        var builder = annotated.ToBuilder();
        for (var k = 0; k < Kernels.Length; k++)
        {
            foreach (var p in Predecessors[k])
            {
                builder.AddEdge(new PlanEdge(vertices[p], vertices[k], EdgeKind.Precedes));
            }
        }

        return builder.Freeze();
    }

    /// <summary>A greedy mapping: kernels by decreasing fastest time, each to the accelerator that ends up least busy.</summary>
    private int[] Greedy()
    {
        var busy = new long[Accelerators.Length];
        var mapping = new int[Kernels.Length];
        var order = Enumerable.Range(0, Kernels.Length)
            .OrderByDescending(k => LoadMicroseconds[k].Where(l => l is not null).Min())
            .ThenBy(k => k);
        foreach (var k in order)
        {
            var best = -1;
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is { } load && (best < 0 || busy[a] + load < busy[best] + LoadMicroseconds[k][best]!.Value))
                {
                    best = a;
                }
            }

            mapping[k] = best;
            busy[best] += LoadMicroseconds[k][best]!.Value;
        }

        return mapping;
    }

    private static long Micros(double seconds) => (long)Math.Ceiling((seconds * 1e6) - 1e-9);
}
