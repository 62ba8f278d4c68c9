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
    /// The precedences of a prefill: a chunk's attention after the linear kernels of the same layer group of this chunk
    /// and of every earlier chunk (they wrote the KV cache it reads); a layer group's linear kernel after the previous
    /// group's attention of the same chunk; a decode step's groups in layer order.
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
                    // Causal attention over the whole prefix: it reads the K and V that the linear kernel of this
                    // chunk and of every earlier chunk wrote for this layer group (the earlier ones are not ordered
                    // among themselves, so each is a direct predecessor).
                    var position = Array.IndexOf(chunkStarts, kernel.ContextTokens);
                    for (var c = 0; c <= position; c++)
                    {
                        predecessors.Add(index[(SocKernelKind.PrefillChunk, chunkStarts[c], kernel.FirstLayer)]);
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

    /// <summary>Whether a mapping keeps every accelerator's busy time within the budget (always, without one).</summary>
    /// <param name="acceleratorOfKernel">The accelerator index of each kernel.</param>
    /// <returns><see langword="true"/> when within the budget.</returns>
    public bool WithinBudget(IReadOnlyList<int> acceleratorOfKernel) =>
        CapacityMicroseconds is not { } budget || Busy(acceleratorOfKernel).All(b => b <= budget);

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
        var successors = Successors();

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

    /// <summary>
    /// A mapping and schedule chosen together by list scheduling (HEFT with insertion): repeatedly take the ready kernel
    /// of highest priority (its longest remaining chain, at the mean of its allowed times) and place it on the
    /// accelerator where it finishes first, in the earliest idle gap long enough for it. Finishing first is greedy:
    /// it puts too much or too little on the slower accelerator, so each run adds a bias to every accelerator's finish
    /// time but the first allowed one's, swept over a range of fractions of the mean kernel time, and later runs
    /// perturb the priorities with a seeded random factor. The best schedule over all runs is returned; it is a valid
    /// schedule (<see cref="Verify"/>) and so an upper bound, and it is optimal whenever it meets a proven lower bound.
    /// </summary>
    /// <param name="seed">Seeds the perturbations: the result is the same for the same seed.</param>
    /// <param name="target">Stop as soon as a schedule this short is found (a proven lower bound), or 0.</param>
    /// <param name="mapping">A mapping to search from as well (the bottleneck's optimum), or <see langword="null"/>.</param>
    /// <returns>The mapping, each kernel's start and the makespan, in microseconds.</returns>
    public (int[] Mapping, long[] Start, long Makespan) ListScheduleJointly(int seed, long target, IReadOnlyList<int>? mapping = null)
    {
        var count = Kernels.Length;
        var successors = Successors();

        var mean = Enumerable.Range(0, count).Select(k => LoadMicroseconds[k].Where(l => l is not null).Average(l => (double)l!.Value)).ToArray();
        var rank = new double[count];
        for (var k = count - 1; k >= 0; k--)
        {
            rank[k] = mean[k] + successors[k].Select(s => rank[s]).DefaultIfEmpty(0).Max();
        }

        var typical = count == 0 ? 0 : mean.Average();
        const int Biases = 17;
        const int PerturbedRounds = 12;
        var random = new Random(seed);
        (int[] Mapping, long[] Start, long Makespan) best = ([], [], long.MaxValue);
        var priority = new double[count];
        for (var round = 0; round <= PerturbedRounds && best.Makespan > target; round++)
        {
            for (var k = 0; k < count; k++)
            {
                priority[k] = round == 0 ? rank[k] : rank[k] * (1 + (0.2 * (random.NextDouble() - 0.5)));
            }

            for (var b = 0; b < Biases && best.Makespan > target; b++)
            {
                var bias = (long)Math.Round(typical * ((2.0 * b / (Biases - 1)) - 1));
                var run = InsertionSchedule(priority, bias, successors);
                if (run.Makespan < best.Makespan)
                {
                    best = run;
                }
            }
        }

        // Second family: non-delay dispatch. Whenever an accelerator is free it starts a ready kernel: on a kernel's
        // fastest accelerator the one with the longest remaining chain; a slower accelerator takes work only up to a
        // quota (swept over every count), and takes the least (or, in the other variant, the most) critical kernel, so
        // that the critical chain stays on the fast accelerator.
        for (var quota = 0; quota <= count && best.Makespan > target; quota++)
        {
            foreach (var leastCritical in (ReadOnlySpan<bool>)[true, false])
            {
                var run = DispatchSchedule(rank, quota, leastCritical, successors);
                if (run.Makespan < best.Makespan)
                {
                    best = run;
                }
            }
        }

        if (count == 0)
        {
            return ([], [], 0);
        }

        // Local search from the best list schedule and, when given, over the orders of the given mapping (the
        // bottleneck's optimum: its busy times already meet the bound, only the order is left to find).
        // A walk that stalls on a plateau rarely leaves it: a few shorter walks from the same start, each with the next
        // numbers of the seeded stream, find the bound far more often than one long walk.
        var improved = best;
        for (var walk = 0; walk < Walks && improved.Makespan > target; walk++)
        {
            var walked = Improve(best, successors, random, target);
            improved = walked.Makespan < improved.Makespan ? walked : improved;
        }

        if (mapping is not null && improved.Makespan > target)
        {
            var evaluated = Evaluate(mapping);
            var fromMapping = Improve(([.. mapping], evaluated.Start, evaluated.Makespan), successors, random, target, orderOnly: true);
            improved = fromMapping.Makespan < improved.Makespan ? fromMapping : improved;
        }

        return improved;
    }

    /// <summary>
    /// Local search over (kernel order, mapping), each decoded by starting the kernels in order as early as their
    /// predecessors and their accelerator allow: a move shifts one kernel within its precedence window
    /// of the order, moves one kernel to another allowed accelerator, or swaps the accelerators of two kernels. The energy is the makespan, then the sum of
    /// the accelerators' last ends (which lets the search walk across schedules of equal makespan towards ones with
    /// room at the end); a move is kept by late acceptance (no worse than now or than the energy a fixed number of
    /// kept moves ago), which escapes the plateaus a strict descent stalls on. A fixed number of seeded moves: deterministic.
    /// </summary>
    private (int[] Mapping, long[] Start, long Makespan) Improve((int[] Mapping, long[] Start, long Makespan) seed, List<int>[] successors, Random random, long target, bool orderOnly = false)
    {
        const int Moves = 60_000;
        var count = Kernels.Length;
        if (count == 0 || seed.Makespan <= target)
        {
            return seed;
        }

        var order = Enumerable.Range(0, count).OrderBy(k => seed.Start[k]).ThenBy(k => k).ToArray();
        var mapping = (int[])seed.Mapping.Clone();
        var elastic = Enumerable.Range(0, count).Where(k => LoadMicroseconds[k].Count(l => l is not null) > 1).ToArray();
        var start = new long[count];
        var end = new long[count];
        var lanes = new long[Accelerators.Length];
        var (makespan, ends) = Decode(order, mapping, start, end, lanes, target);
        var best = (Mapping: (int[])mapping.Clone(), Start: (long[])start.Clone(), Makespan: makespan);
        const int History = 40;
        var history = Enumerable.Repeat(Energy(makespan, ends), History).ToArray();
        bool Accept(long candidate, long candidateEnds, int step)
        {
            var energy = Energy(candidate, candidateEnds);
            var slot = step % History;
            var kept = energy <= Energy(makespan, ends) || energy <= history[slot];
            if (kept)
            {
                history[slot] = Math.Min(history[slot], energy);
            }

            return kept;
        }
        var position = new int[count];
        for (var move = 0; move < Moves && best.Makespan > target; move++)
        {
            var kind = orderOnly ? 0 : random.Next(3);
            if (elastic.Length > 1 && kind == 2)
            {
                // Swap the accelerators of two elastic kernels: keeps the accelerators' shares of the work about even.
                var first = elastic[random.Next(elastic.Length)];
                var second = elastic[random.Next(elastic.Length)];
                var (wasFirst, wasSecond) = (mapping[first], mapping[second]);
                if (wasFirst == wasSecond || LoadMicroseconds[first][wasSecond] is null || LoadMicroseconds[second][wasFirst] is null)
                {
                    continue;
                }

                (mapping[first], mapping[second]) = (wasSecond, wasFirst);
                var (candidate, candidateEnds) = Decode(order, mapping, start, end, lanes, target);
                if (Accept(candidate, candidateEnds, move))
                {
                    (makespan, ends) = (candidate, candidateEnds);
                }
                else
                {
                    (mapping[first], mapping[second]) = (wasFirst, wasSecond);
                }
            }
            else if (elastic.Length > 0 && kind == 1)
            {
                var k = elastic[random.Next(elastic.Length)];
                var was = mapping[k];
                var allowed = Enumerable.Range(0, Accelerators.Length).Where(a => a != was && LoadMicroseconds[k][a] is not null).ToArray();
                mapping[k] = allowed[random.Next(allowed.Length)];
                var (candidate, candidateEnds) = Decode(order, mapping, start, end, lanes, target);
                if (Accept(candidate, candidateEnds, move))
                {
                    (makespan, ends) = (candidate, candidateEnds);
                }
                else
                {
                    mapping[k] = was;
                }
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    position[order[i]] = i;
                }

                var from = random.Next(count);
                var kernel = order[from];
                var low = Predecessors[kernel].Select(p => position[p] + 1).DefaultIfEmpty(0).Max();
                var high = successors[kernel].Select(s => position[s] - 1).DefaultIfEmpty(count - 1).Min();
                var to = low + random.Next(high - low + 1);
                if (to == from)
                {
                    continue;
                }

                Shift(order, from, to);
                var (candidate, candidateEnds) = Decode(order, mapping, start, end, lanes, target);
                if (Accept(candidate, candidateEnds, move))
                {
                    (makespan, ends) = (candidate, candidateEnds);
                }
                else
                {
                    Shift(order, to, from);
                }
            }

            if (makespan < best.Makespan)
            {
                Decode(order, mapping, start, end, lanes, target);
                best = ((int[])mapping.Clone(), (long[])start.Clone(), makespan);
            }
        }

        return best;
    }

    /// <summary>The search's energy: the makespan first, then the sum of the accelerators' last ends and of their busy times above the target (weighted).</summary>
    private static long Energy(long makespan, long laneEnds) => (makespan * 8) + laneEnds;

    /// <summary>The weight of a busy time above the target in the search's energy, per microsecond: it pulls the walk towards mappings whose busy times can meet the bound.</summary>
    private const long ExcessWeight = 128;

    /// <summary>Independent local-search walks from the best list schedule.</summary>
    private const int Walks = 4;

    private static void Shift(int[] order, int from, int to)
    {
        var kernel = order[from];
        if (from < to)
        {
            Array.Copy(order, from + 1, order, from, to - from);
        }
        else
        {
            Array.Copy(order, to, order, to + 1, from - to);
        }

        order[to] = kernel;
    }

    /// <summary>
    /// Starts the kernels in order, each at the later of its predecessors' ends and its accelerator's last end (every
    /// schedule without needless idle time is the decoding of the order of its starts); returns the makespan and the
    /// sum of the accelerators' last ends.
    /// </summary>
    private (long Makespan, long LaneEnds) Decode(int[] order, int[] mapping, long[] start, long[] end, long[] laneFree, long target)
    {
        Array.Clear(laneFree);
        Span<long> busy = stackalloc long[laneFree.Length];
        long makespan = 0;
        foreach (var k in order)
        {
            var at = laneFree[mapping[k]];
            foreach (var p in Predecessors[k])
            {
                at = Math.Max(at, end[p]);
            }

            start[k] = at;
            end[k] = at + LoadMicroseconds[k][mapping[k]]!.Value;
            laneFree[mapping[k]] = end[k];
            busy[mapping[k]] += end[k] - at;
            makespan = Math.Max(makespan, end[k]);
        }

        long laneEnds = 0;
        for (var a = 0; a < laneFree.Length; a++)
        {
            laneEnds += laneFree[a] + (ExcessWeight * Math.Max(0, busy[a] - target));
        }

        return (makespan, laneEnds);
    }

    private (int[] Mapping, long[] Start, long Makespan) InsertionSchedule(double[] priority, long bias, List<int>[] successors)
    {
        var count = Kernels.Length;
        var mapping = new int[count];
        var start = new long[count];
        var end = new long[count];
        var waiting = Predecessors.Select(p => p.Length).ToArray();
        var busy = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<(long Start, long End)>()).ToArray();
        var ready = new List<int>(Enumerable.Range(0, count).Where(k => waiting[k] == 0));
        long makespan = 0;
        while (ready.Count > 0)
        {
            var pick = 0;
            for (var i = 1; i < ready.Count; i++)
            {
                if (priority[ready[i]] > priority[ready[pick]] || (priority[ready[i]] == priority[ready[pick]] && ready[i] < ready[pick]))
                {
                    pick = i;
                }
            }

            var k = ready[pick];
            ready.RemoveAt(pick);
            var release = Predecessors[k].Select(p => end[p]).DefaultIfEmpty(0).Max();
            var chosen = -1;
            long chosenStart = 0, chosenScore = long.MaxValue;
            var first = true;
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is not { } duration)
                {
                    continue;
                }

                var at = EarliestGap(busy[a], release, duration);
                var score = at + duration + (first ? 0 : bias);
                first = false;
                if (score < chosenScore)
                {
                    (chosen, chosenStart, chosenScore) = (a, at, score);
                }
            }

            mapping[k] = chosen;
            start[k] = chosenStart;
            end[k] = chosenStart + LoadMicroseconds[k][chosen]!.Value;
            makespan = Math.Max(makespan, end[k]);
            var lane = busy[chosen];
            var slot = lane.FindIndex(interval => interval.Start >= end[k]);
            lane.Insert(slot < 0 ? lane.Count : slot, (start[k], end[k]));
            foreach (var s in successors[k])
            {
                if (--waiting[s] == 0)
                {
                    ready.Add(s);
                }
            }
        }

        return (mapping, start, makespan);
    }

    /// <summary>The earliest start at or after a release time where an accelerator's sorted busy intervals leave a gap of a duration.</summary>
    private static long EarliestGap(List<(long Start, long End)> lane, long release, long duration)
    {
        var at = release;
        foreach (var (busyStart, busyEnd) in lane)
        {
            if (at + duration <= busyStart)
            {
                return at;
            }

            at = Math.Max(at, busyEnd);
        }

        return at;
    }

    private (int[] Mapping, long[] Start, long Makespan) DispatchSchedule(double[] rank, int quota, bool leastCritical, List<int>[] successors)
    {
        var count = Kernels.Length;
        var lanes = Accelerators.Length;
        var fastest = Enumerable.Range(0, count).Select(k => Enumerable.Range(0, lanes).Where(a => LoadMicroseconds[k][a] is not null).MinBy(a => LoadMicroseconds[k][a]!.Value)).ToArray();
        var mapping = new int[count];
        var start = new long[count];
        var end = new long[count];
        var scheduled = new bool[count];
        var waiting = Predecessors.Select(p => p.Length).ToArray();
        var release = new long[count];
        var free = new long[lanes];
        var slowTaken = new int[lanes];
        var retired = new bool[lanes];
        var left = count;
        while (left > 0)
        {
            var lane = -1;
            for (var a = 0; a < lanes; a++)
            {
                if (!retired[a] && (lane < 0 || free[a] < free[lane]))
                {
                    lane = a;
                }
            }

            if (lane < 0)
            {
                return ([], [], long.MaxValue);
            }

            var pick = -1;
            var anyAllowed = false;
            long next = long.MaxValue;
            for (var k = 0; k < count; k++)
            {
                if (scheduled[k] || LoadMicroseconds[k][lane] is null)
                {
                    continue;
                }

                var slow = fastest[k] != lane;
                if (slow && slowTaken[lane] >= quota)
                {
                    continue;
                }

                anyAllowed = true;
                if (waiting[k] > 0)
                {
                    continue;
                }

                if (release[k] > free[lane])
                {
                    next = Math.Min(next, release[k]);
                    continue;
                }

                if (pick < 0 || Better(k, pick, slow))
                {
                    pick = k;
                }
            }

            if (pick < 0)
            {
                if (!anyAllowed)
                {
                    retired[lane] = true;
                    continue;
                }

                // Nothing ready here yet: wait for the next release or the next end elsewhere.
                for (var k = 0; k < count; k++)
                {
                    if (scheduled[k] && end[k] > free[lane])
                    {
                        next = Math.Min(next, end[k]);
                    }
                }

                if (next == long.MaxValue)
                {
                    return ([], [], long.MaxValue);
                }

                free[lane] = next;
                continue;
            }

            if (fastest[pick] != lane)
            {
                slowTaken[lane]++;
            }

            mapping[pick] = lane;
            start[pick] = free[lane];
            end[pick] = start[pick] + LoadMicroseconds[pick][lane]!.Value;
            free[lane] = end[pick];
            scheduled[pick] = true;
            left--;
            foreach (var s in successors[pick])
            {
                waiting[s]--;
                release[s] = Math.Max(release[s], end[pick]);
            }
        }

        return (mapping, start, end.DefaultIfEmpty(0).Max());

        bool Better(int candidate, int incumbent, bool slow) =>
            rank[candidate] != rank[incumbent]
                ? (slow && leastCritical) ? rank[candidate] < rank[incumbent] : rank[candidate] > rank[incumbent]
                : candidate < incumbent;
    }

    /// <summary>Each kernel's successors (the kernels that list it as a predecessor), in kernel order.</summary>
    private List<int>[] Successors()
    {
        var successors = Enumerable.Range(0, Kernels.Length).Select(_ => new List<int>()).ToArray();
        for (var k = 0; k < Kernels.Length; k++)
        {
            foreach (var p in Predecessors[k])
            {
                successors[p].Add(k);
            }
        }

        return successors;
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
    /// Each kernel's head and tail: the least time any schedule spends before the kernel starts and after it ends. A
    /// head is at least the longest chain of predecessors at their fastest, and at least the summed time of the
    /// ancestors that may run on one accelerator only (they share it, one at a time); a tail likewise with successors
    /// and descendants. Independent of the mapping, so valid for every schedule.
    /// </summary>
    /// <returns>Heads and tails by kernel, microseconds.</returns>
    public (long[] Head, long[] Tail) HeadsAndTails()
    {
        var count = Kernels.Length;
        var fastest = LoadMicroseconds.Select(l => l.Where(x => x is not null).Min()!.Value).ToArray();
        var onlyOn = LoadMicroseconds.Select(l => l.Count(x => x is not null) == 1 ? l.ToList().FindIndex(x => x is not null) : -1).ToArray();
        var successors = Successors();

        // Ancestor and descendant sets, kernels being in execution order (every predecessor earlier).
        var ancestors = new HashSet<int>[count];
        for (var k = 0; k < count; k++)
        {
            ancestors[k] = [.. Predecessors[k]];
            foreach (var p in Predecessors[k])
            {
                ancestors[k].UnionWith(ancestors[p]);
            }
        }

        var descendants = new HashSet<int>[count];
        for (var k = count - 1; k >= 0; k--)
        {
            descendants[k] = [.. successors[k]];
            foreach (var s in successors[k])
            {
                descendants[k].UnionWith(descendants[s]);
            }
        }

        long Shared(IEnumerable<int> kernels) => kernels
            .Where(j => onlyOn[j] >= 0)
            .GroupBy(j => onlyOn[j])
            .Select(g => g.Sum(j => fastest[j]))
            .DefaultIfEmpty(0)
            .Max();

        var head = new long[count];
        for (var k = 0; k < count; k++)
        {
            head[k] = Math.Max(Predecessors[k].Select(p => head[p] + fastest[p]).DefaultIfEmpty(0).Max(), Shared(ancestors[k]));
        }

        var tail = new long[count];
        for (var k = count - 1; k >= 0; k--)
        {
            tail[k] = Math.Max(successors[k].Select(s => fastest[s] + tail[s]).DefaultIfEmpty(0).Max(), Shared(descendants[k]));
        }

        return (head, tail);
    }

    /// <summary>
    /// Solves the head-tail bound: over every mapping, the least of the largest (busy time + smallest head + smallest
    /// tail of the kernels it hosts) over the accelerators, the DRAM time and the critical path. Every kernel on an
    /// accelerator runs after that accelerator's smallest head and ends before the makespan less its smallest tail, so
    /// when proven optimal this is a lower bound on every schedule's makespan, at least the bottleneck bound.
    /// </summary>
    /// <param name="options">Solver options.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <param name="known">A bound already proven (the bottleneck's), or 0: the search starts there.</param>
    /// <param name="schedule">
    /// A schedule in hand, or <see langword="null"/>: its makespan caps the search and its mapping is the hint. The cap
    /// loses nothing, since that mapping's own head-tail value is at most its makespan; and it narrows the search to the
    /// few values between the two bounds, which is what lets the solve finish in milliseconds.
    /// </param>
    /// <returns>The proven bound in microseconds (the trivial bound when the solve proves nothing better).</returns>
    public long SolveHeadTailBound(SolverOptions options, CancellationToken cancellationToken, long known = 0, (IReadOnlyList<int> Mapping, long Makespan)? schedule = null)
    {
        var facts = ToAssignment();
        var trivial = Math.Max(Math.Max(TrivialBound(), CriticalPath()), known);
        var serial = LoadMicroseconds.Sum(l => l.Where(x => x is not null).Max()!.Value) + DramMicroseconds;
        var upper = Math.Max(trivial, schedule?.Makespan ?? serial);
        if (upper <= trivial)
        {
            return trivial;
        }

        var built = facts.BuildModel(TrivialBound(), upper);
        var model = built.Model;
        var bound = model.NewIntVar(trivial, upper, "headTailBound");
        model.Add(built.MaxLoad <= bound);
        AddHeadTailCuts(model, built.Host, bound);
        if (schedule is { } hint)
        {
            var pair = 0;
            for (var k = 0; k < Kernels.Length; k++)
            {
                for (var a = 0; a < Accelerators.Length; a++)
                {
                    if (LoadMicroseconds[k][a] is not null)
                    {
                        model.AddHint(built.Host[pair++]!, hint.Mapping[k] == a);
                    }
                }
            }
        }

        model.Minimize(bound);
        var result = CpSat.Solve(model, options, cancellationToken).Result;
        return double.IsFinite(result.BestBound) ? Math.Max(trivial, (long)Math.Ceiling(result.BestBound - 1e-6)) : trivial;
    }

    /// <summary>
    /// Adds, for each accelerator that hosts a kernel, <c>busy + smallestHead + smallestTail &lt;= makespan</c>, where
    /// the smallest head and tail are the minima over the kernels it hosts (a kernel it does not host counts as the
    /// largest head or tail, so it never sets the minimum), over the builder's host literals (pairs kernel by kernel,
    /// each kernel's accelerators in order, as <see cref="ToAssignment"/> makes them).
    /// </summary>
    private void AddHeadTailCuts(CpModel model, BoolVar?[] host, LinearExpr makespan)
    {
        var (head, tail) = HeadsAndTails();
        var maxHead = head.DefaultIfEmpty(0).Max();
        var maxTail = tail.DefaultIfEmpty(0).Max();
        var busy = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<LinearExpr>()).ToArray();
        var hosted = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<BoolVar>()).ToArray();
        var headIfHosted = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<LinearExpr>()).ToArray();
        var tailIfHosted = Enumerable.Range(0, Accelerators.Length).Select(_ => new List<LinearExpr>()).ToArray();
        var pair = 0;
        for (var k = 0; k < Kernels.Length; k++)
        {
            for (var a = 0; a < Accelerators.Length; a++)
            {
                if (LoadMicroseconds[k][a] is not { } load)
                {
                    continue;
                }

                var literal = host[pair++]!;
                busy[a].Add(literal * load);
                hosted[a].Add(literal);
                headIfHosted[a].Add(maxHead - ((maxHead - head[k]) * literal));
                tailIfHosted[a].Add(maxTail - ((maxTail - tail[k]) * literal));
            }
        }

        for (var a = 0; a < Accelerators.Length; a++)
        {
            if (hosted[a].Count == 0)
            {
                continue;
            }

            var smallestHead = model.NewIntVar(0, maxHead, $"smallestHead_a{a}");
            var smallestTail = model.NewIntVar(0, maxTail, $"smallestTail_a{a}");
            model.AddMinEquality(smallestHead, headIfHosted[a]);
            model.AddMinEquality(smallestTail, tailIfHosted[a]);
            var used = model.NewBoolVar($"hostsAny_a{a}");
            model.AddBoolOr(hosted[a]).OnlyEnforceIf(used);
            foreach (var literal in hosted[a])
            {
                model.AddImplication(literal, used);
            }

            model.Add(LinearExpr.Sum(busy[a]) + smallestHead + smallestTail <= makespan).OnlyEnforceIf(used);
        }
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

        // Redundant with the intervals, but it gives the search the head-tail bound directly.
        AddHeadTailCuts(model, built.Host, makespan);

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
