using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;
using Planning.Solving;

namespace Planning.Soc;

/// <summary>What the offline mapping minimises.</summary>
public enum SocMappingObjective
{
    /// <summary>
    /// The makespan of one prefill, exactly: a lower bound from the builder's mapping model with each accelerator's
    /// smallest head and tail added (<c>busy + head + tail</c>), a schedule from list scheduling and local search, and,
    /// when they do not meet, the builder's model extended with an interval per (kernel, accelerator) pair, no overlap
    /// per accelerator and the kernels' precedences.
    /// </summary>
    Makespan,

    /// <summary>
    /// The bottleneck only: the busiest accelerator or the DRAM (the builder's min-max model). For a pipelined prefill
    /// the makespan is the bottleneck plus the pipeline's fill and drain, which this objective does not see; the schedule
    /// is then the evaluator's list schedule of the mapping.
    /// </summary>
    Bottleneck,
}

/// <summary>How <see cref="SocMapper.Map(SocCostModel, int, SocMappingOptions?, CancellationToken)"/> runs.</summary>
public sealed record SocMappingOptions
{
    /// <summary>The defaults: a 10 s limit, one worker, seed 0, no deadline.</summary>
    public static SocMappingOptions Default { get; } = new();

    /// <summary>
    /// What the solver minimises. Default <see cref="SocMappingObjective.Makespan"/>: a list-scheduling and local-search
    /// schedule checked against the head-tail bound, and CP-SAT's interval model only when they do not meet (the
    /// makespan of a 1,024-token prefill of either model is proven optimal this way); <see cref="SocMappingObjective.Bottleneck"/>
    /// stops at the busiest accelerator's proven optimum and the evaluator's schedule of that mapping.
    /// </summary>
    public SocMappingObjective Objective { get; init; } = SocMappingObjective.Makespan;

    /// <summary>Each CP-SAT solve's limit, seed and workers. Default 10 s, seed 0, one worker (deterministic).</summary>
    public SolverOptions Solver { get; init; } = new() { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1 };

    /// <summary>
    /// A time budget for every accelerator's busy time, in milliseconds, or <see langword="null"/> (the default) for
    /// none. A budget no mapping meets makes the model infeasible, and the result names the constraint family
    /// (<c>LoadWithinCapacity</c>).
    /// </summary>
    public double? DeadlineMilliseconds { get; init; }

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">The solver options are invalid or the deadline is not positive.</exception>
    public SocMappingOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Solver);
        Solver.Validate();
        if (DeadlineMilliseconds is { } deadline && !(deadline > 0 && double.IsFinite(deadline)))
        {
            throw new PlanningInputException("deadlineMilliseconds", string.Create(CultureInfo.InvariantCulture, $"must be positive, got {deadline}"));
        }

        return this;
    }
}

/// <summary>Where and when one kernel runs in a mapped prefill's schedule.</summary>
/// <param name="Kernel">The kernel.</param>
/// <param name="Accelerator">The accelerator it is mapped to.</param>
/// <param name="StartMilliseconds">Its start in the evaluated schedule.</param>
/// <param name="EndMilliseconds">Its end in the evaluated schedule.</param>
public readonly record struct KernelAssignment(SocKernel Kernel, DeviceKind Accelerator, double StartMilliseconds, double EndMilliseconds);

/// <summary>
/// The offline mapping of one prefill: the solver's status for the objective, the makespan of the reported schedule
/// (checked independently of the solver), a proven lower bound on any mapping's makespan and the gap, the bottleneck
/// model's own optimum, and every kernel's accelerator and times.
/// </summary>
public sealed record SocMappingResult
{
    /// <summary>What was minimised.</summary>
    public required SocMappingObjective Objective { get; init; }

    /// <summary>The CP-SAT status of <see cref="Objective"/>: <see cref="SolveStatus.Optimal"/> when its optimum is proven.</summary>
    public required SolveStatus Status { get; init; }

    /// <summary>The makespan of the reported schedule, in ms (the solver's schedule, verified; or for the bottleneck objective the evaluator's list schedule); <see langword="null"/> without a mapping.</summary>
    public required double? MakespanMilliseconds { get; init; }

    /// <summary>
    /// A proven lower bound on the makespan of any mapping and schedule, in ms: the largest of the makespan solve's
    /// bound (when it ran), the bottleneck's bound (an accelerator or the DRAM is busy that long), and the critical path
    /// at every kernel's fastest accelerator.
    /// </summary>
    public required double LowerBoundMilliseconds { get; init; }

    /// <summary>The bottleneck model's objective for its mapping: the largest busy time of an accelerator or of the DRAM, in ms; <see langword="null"/> without one.</summary>
    public required double? BottleneckMilliseconds { get; init; }

    /// <summary>The bottleneck model's status.</summary>
    public required SolveStatus BottleneckStatus { get; init; }

    /// <summary>The proven lower bound on the bottleneck, in ms.</summary>
    public required double BottleneckBoundMilliseconds { get; init; }

    /// <summary>The critical path of the kernel graph with every kernel on its fastest accelerator, in ms.</summary>
    public required double CriticalPathMilliseconds { get; init; }

    /// <summary>The prefill's DRAM traffic over the shared DRAM bandwidth, in ms.</summary>
    public required double DramMilliseconds { get; init; }

    /// <summary>The largest DRAM bandwidth the reported schedule draws at any moment, in bytes per second (uncontended kernel rates, summed over the kernels running at once).</summary>
    public required double PeakDramBytesPerSecond { get; init; }

    /// <summary>Every kernel's accelerator and times, in the kernels' order; empty without a mapping.</summary>
    public required ImmutableArray<KernelAssignment> Assignments { get; init; }

    /// <summary>Each accelerator's busy time under the reported mapping, in ms.</summary>
    public required ImmutableDictionary<DeviceKind, double> BusyMilliseconds { get; init; }

    /// <summary>For an infeasible model, the constraint families whose relaxation alone makes it feasible (such as <c>LoadWithinCapacity</c>); empty otherwise.</summary>
    public required ImmutableArray<string> InfeasibleConstraints { get; init; }

    /// <summary>The planner's wall time: building the models, solving them and checking the schedule, in ms.</summary>
    public required double SolveMilliseconds { get; init; }

    /// <summary>The plan as an annotated graph: the SoC's devices, a <see cref="KernelVertex"/> per kernel, precedence edges and assignment edges (amount: the kernel's time in microseconds); <see langword="null"/> without a mapping.</summary>
    public PlanGraph? Graph { get; init; }

    /// <summary>The relative gap between the makespan and its lower bound, <c>(makespan - bound) / makespan</c>; <see langword="null"/> without a mapping.</summary>
    public double? Gap => MakespanMilliseconds is { } makespan && makespan > 0 ? Math.Max(0, makespan - LowerBoundMilliseconds) / makespan : null;
}

/// <summary>
/// Agent.xpu's offline mapping as a solver model: which accelerator runs each kernel of one prefill, on the shared
/// min-max assignment builder (CP-SAT).
/// </summary>
/// <remarks>
/// <para>Two models, stated exactly. The bottleneck model (the builder's): every kernel goes whole to one accelerator
/// it may use (<c>NotSplit</c>, <c>EveryWorkPlaced</c>); its load there is its uncontended time on that accelerator in
/// microseconds (a pair load); the shared DRAM is a resource whose load is the prefill's bytes over its bandwidth; the
/// objective is the largest load. The makespan model (the default objective) adds, over the builder's own variables,
/// an optional interval per (kernel, accelerator) pair present when the pair is hosted, no overlap per accelerator,
/// the kernels' precedences (<see cref="SocCostModel.Prefill"/>: a chunk's attention after its linear kernel and the
/// previous chunk's, a layer group after the previous group's attention), and minimises the last kernel's end; it is
/// warm-started from the bottleneck model's mapping and its list schedule.</para>
/// <para>The schedule the solver returns is checked by an evaluator that does not use the solver (precedences, one
/// kernel per accelerator at a time) before its makespan is reported; the lower bound combines proven bounds only.</para>
/// </remarks>
public static class SocMapper
{
    /// <summary>Maps the prefill of a prompt.</summary>
    /// <param name="cost">The cost model (SoC, model, chunk).</param>
    /// <param name="promptTokens">Prompt tokens, 1 to <see cref="SocCostModel.MaxContextTokens"/>.</param>
    /// <param name="options">Objective, solver options and deadline; <see langword="null"/> for <see cref="SocMappingOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the search; the best mapping so far is kept.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="PlanningInputException">The prompt or an option is out of range.</exception>
    public static SocMappingResult Map(SocCostModel cost, int promptTokens, SocMappingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cost);
        options = (options ?? SocMappingOptions.Default).Validate();
        var clock = options.Solver.Clock;
        var started = clock.GetTimestamp();
        var problem = SocMappingProblem.From(cost, cost.Prefill(promptTokens), options.DeadlineMilliseconds);

        // The time limit bounds the whole mapping, not each of its solves: every later solve gets what is left.
        SolverOptions Remaining()
        {
            var left = options.Solver.TimeLimit - clock.GetElapsedTime(started);
            return options.Solver with { TimeLimit = left > MinimumSolveTime ? left : MinimumSolveTime };
        }

        var bottleneck = problem.SolveBottleneck(options.Solver, cancellationToken);
        var critical = problem.CriticalPath();
        var lower = Math.Max(Math.Max(bottleneck.Bound, critical), problem.DramMicroseconds);
        var status = bottleneck.Status;
        var mapping = bottleneck.Mapping;
        long[]? starts = null;
        if (!mapping.IsEmpty)
        {
            starts = problem.Evaluate(mapping).Start;
            if (options.Objective == SocMappingObjective.Makespan)
            {
                // List scheduling first: when its schedule meets a proven bound it is optimal and CP-SAT need not run.
                var warm = problem.Verify(mapping, starts);
                var listed = problem.ListScheduleJointly(options.Solver.Seed, lower, mapping);
                if (listed.Makespan < warm && problem.WithinBudget(listed.Mapping))
                {
                    (mapping, starts, warm) = ([.. listed.Mapping], listed.Start, problem.Verify(listed.Mapping, listed.Start));
                }

                // Then the head-tail bound, searched only between the bound in hand and the schedule's makespan.
                if (warm > lower)
                {
                    lower = Math.Max(lower, problem.SolveHeadTailBound(Remaining(), cancellationToken, lower, (mapping, warm)));
                }

                if (warm > lower)
                {
                    var exact = problem.SolveMakespan(Remaining(), mapping, lower, cancellationToken);
                    lower = Math.Max(lower, exact.Bound);
                    if (exact.Makespan is { } found && found < warm)
                    {
                        mapping = exact.Mapping;
                        starts = [.. exact.Starts];
                    }
                }

                // A schedule is in hand (the warm start's at worst); it is optimal when it meets the proven bound.
                status = problem.Verify(mapping, starts) <= lower ? SolveStatus.Optimal : SolveStatus.Feasible;
            }
        }

        var elapsed = clock.GetElapsedTime(started).TotalMilliseconds;
        return Result(problem, cost.Soc, options.Objective, status, bottleneck, mapping, starts, lower, critical, elapsed);
    }

    // A solve needs a moment to return its best (a warm start's schedule, its bound) even when the limit is spent.
    private static readonly TimeSpan MinimumSolveTime = TimeSpan.FromMilliseconds(50);

    private static SocMappingResult Result(
        SocMappingProblem problem,
        SocSpec soc,
        SocMappingObjective objective,
        SolveStatus status,
        (SolveStatus Status, long? Objective, long Bound, ImmutableArray<int> Mapping, ImmutableArray<string> Infeasible) bottleneck,
        ImmutableArray<int> mapping,
        long[]? starts,
        long lower,
        long critical,
        double elapsed)
    {
        var busy = mapping.IsEmpty ? null : problem.Busy(mapping);
        long[]? ends = starts is null ? null : [.. starts.Select((s, k) => s + problem.LoadMicroseconds[k][mapping[k]]!.Value)];
        return new SocMappingResult
        {
            Objective = objective,
            Status = status,
            MakespanMilliseconds = ends is null ? null : ends.DefaultIfEmpty(0).Max() / 1000.0,
            LowerBoundMilliseconds = lower / 1000.0,
            BottleneckMilliseconds = bottleneck.Mapping.IsEmpty ? null : problem.Objective(bottleneck.Mapping) / 1000.0,
            BottleneckStatus = bottleneck.Status,
            BottleneckBoundMilliseconds = bottleneck.Bound / 1000.0,
            CriticalPathMilliseconds = critical / 1000.0,
            DramMilliseconds = problem.DramMicroseconds / 1000.0,
            PeakDramBytesPerSecond = starts is null || ends is null ? 0 : problem.PeakDramBytesPerSecond(mapping, starts, ends),
            Assignments = starts is null || ends is null
                ? []
                : [.. problem.Kernels.Select((k, i) => new KernelAssignment(k, problem.Accelerators[mapping[i]], starts[i] / 1000.0, ends[i] / 1000.0))],
            BusyMilliseconds = busy is null
                ? ImmutableDictionary<DeviceKind, double>.Empty
                : problem.Accelerators.Select((a, i) => (a, i)).ToImmutableDictionary(x => x.a, x => busy[x.i] / 1000.0),
            InfeasibleConstraints = bottleneck.Infeasible,
            SolveMilliseconds = elapsed,
            Graph = mapping.IsEmpty ? null : problem.ToPlanGraph(soc, mapping),
        };
    }
}
