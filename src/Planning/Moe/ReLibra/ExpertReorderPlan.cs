using System.Collections.Immutable;
using Planning.Solving;

namespace Planning.Moe.ReLibra;

/// <summary>Where the layout an <see cref="ExpertReordering"/> plan keeps came from.</summary>
public enum ReorderSource
{
    /// <summary>The current layout: nothing beat it.</summary>
    NoMove,

    /// <summary>The heuristic (swap search from the current layout, or from LPT).</summary>
    Heuristic,

    /// <summary>CP-SAT: it strictly beat the heuristic.</summary>
    Solver,
}

/// <summary>
/// One layer's reordering for the next batch: which expert each master slot holds, the experts that change node, and
/// the objective (the sum over the batch's microbatches of the largest node load, plus the move penalty per moved
/// expert) with its proven bound.
/// </summary>
public sealed record ExpertReorderPlan
{
    /// <summary>The expert in each master slot (slot <c>s</c> on rank <c>s / expertsPerRank</c>) for the next batch.</summary>
    public required ImmutableArray<int> SlotExpert { get; init; }

    /// <summary>The node of each expert for the next batch.</summary>
    public required ImmutableArray<int> ExpertNode { get; init; }

    /// <summary>The experts whose node changes, ascending: each moves its weights and optimizer state over the network.</summary>
    public required ImmutableArray<int> MovedExperts { get; init; }

    /// <summary>Per microbatch, the largest node load under the new layout.</summary>
    public required ImmutableArray<long> MaxNodeLoads { get; init; }

    /// <summary>The objective: <c>sum of MaxNodeLoads + movePenalty x MovedExperts.Length</c>.</summary>
    public required long Objective { get; init; }

    /// <summary>The objective of keeping the current layout (no move).</summary>
    public required long NoMoveObjective { get; init; }

    /// <summary>The heuristic's objective (never above <see cref="NoMoveObjective"/>).</summary>
    public required long HeuristicObjective { get; init; }

    /// <summary>A proven lower bound on the objective of every layout.</summary>
    public required long Bound { get; init; }

    /// <summary><see cref="SolveStatus.Optimal"/> when the bound meets the objective, else <see cref="SolveStatus.Feasible"/>.</summary>
    public required SolveStatus Status { get; init; }

    /// <summary>Where the kept layout came from.</summary>
    public required ReorderSource Source { get; init; }

    /// <summary>The heuristic's wall time.</summary>
    public required TimeSpan HeuristicTime { get; init; }

    /// <summary>The whole plan's wall time: heuristic, LP bound and CP-SAT.</summary>
    public required TimeSpan WallTime { get; init; }

    /// <summary>The relative gap <c>(objective - bound) / objective</c>; 0 for a zero objective.</summary>
    public double Gap => Objective == 0 ? 0 : (Objective - Bound) / (double)Objective;

    /// <summary>The sum over the microbatches of the largest node load (the objective without the penalty).</summary>
    public long SumOfMaxNodeLoads => MaxNodeLoads.Sum();

    /// <summary>The bytes the reordering moves over the network: moved experts x the bytes of one expert's state.</summary>
    /// <param name="expertStateBytes">Bytes per expert (weights, plus optimizer state in training).</param>
    /// <returns>Bytes.</returns>
    public long MovedBytes(long expertStateBytes) => MovedExperts.Length * expertStateBytes;
}
