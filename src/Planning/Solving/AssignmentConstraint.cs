using System.Collections.Immutable;

namespace Planning.Solving;

/// <summary>
/// The named constraint families of a <see cref="MinMaxAssignment"/> model. Each family is one rule of the problem
/// (or, for <see cref="SymmetryByLoad"/>, one device of the search), added to the model in this order, work by work
/// and then resource by resource. An infeasible model names the family that made it so
/// (<see cref="MinMaxAssignmentResult.InfeasibleFamilies"/>), and a solution says which families are tight
/// (<see cref="MinMaxAssignmentResult.TightFamilies"/>).
/// </summary>
internal enum AssignmentConstraint
{
    /// <summary>Every work without a fixed piece is hosted somewhere: <c>sum over r of host[w, r] &gt;= 1</c>.</summary>
    EveryWorkPlaced,

    /// <summary>A work's amounts add up to its weight: <c>sum over r of amount[w, r] == weight[w]</c>.</summary>
    AmountsCoverWeight,

    /// <summary>A resource serves a work only if it hosts it: <c>amount[w, r] &lt;= weight[w] x host[w, r]</c>.</summary>
    AmountNeedsHost,

    /// <summary>A hosted optional piece of a loaded work serves at least the minimum: <c>amount[w, r] &gt;= minimum x host[w, r]</c>.</summary>
    MinimumAmount,

    /// <summary>A work that may not be split lies on one resource: <c>sum over r of host[w, r] &lt;= 1</c> (fixed pieces count).</summary>
    NotSplit,

    /// <summary>A resource holds at most its slot limit of optional pieces: <c>sum over w of host[w, r] &lt;= slots[r]</c>.</summary>
    SlotLimit,

    /// <summary>A resource's load stays within its capacity: <c>load[r] &lt;= capacity[r]</c>.</summary>
    LoadWithinCapacity,

    /// <summary>Every resource's load is at most the objective's <c>maxLoad</c>: <c>load[r] &lt;= maxLoad</c>.</summary>
    LoadBelowMax,

    /// <summary>Interchangeable resources are ordered by load, heaviest first: <c>load[r] &gt;= load[r + 1]</c>.</summary>
    SymmetryByLoad,
}

/// <summary>The justification of each <see cref="AssignmentConstraint"/> family, in one line.</summary>
internal static class AssignmentConstraints
{
    /// <summary>Every family, in the order the model adds them (and the order a diagnosis tries them).</summary>
    public static ImmutableArray<AssignmentConstraint> All { get; } = [.. Enum.GetValues<AssignmentConstraint>()];

    /// <summary>Why the family is in the model.</summary>
    /// <param name="family">The family.</param>
    /// <returns>One line.</returns>
    public static string Justification(this AssignmentConstraint family) => family switch
    {
        AssignmentConstraint.EveryWorkPlaced => "a work with nowhere to run cannot be served (an expert needs an instance, a kernel a device)",
        AssignmentConstraint.AmountsCoverWeight => "all of a work is served: no token is dropped, no kernel left half run",
        AssignmentConstraint.AmountNeedsHost => "a resource can only serve what it hosts (a rank without a copy of the expert gets none of its tokens)",
        AssignmentConstraint.MinimumAmount => "a piece too small to pay for its weights is not worth hosting (UltraEP's minimum replica quota)",
        AssignmentConstraint.NotSplit => "some work runs whole on one resource (a kernel is not split across devices)",
        AssignmentConstraint.SlotLimit => "a resource has room for only so many pieces (a rank's expert slots)",
        AssignmentConstraint.LoadWithinCapacity => "a resource cannot take more than it can hold or run in time",
        AssignmentConstraint.LoadBelowMax => "the objective is the largest load, so every load is bounded by it",
        AssignmentConstraint.SymmetryByLoad => "interchangeable resources give the same plan relabelled; fixing an order spares the search those copies",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown constraint family."),
    };
}
