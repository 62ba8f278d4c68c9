using System.Collections.Immutable;

namespace Planning.Moe.Workloads;

/// <summary>
/// A generated workload: a sequence of microbatches, each a <see cref="MoeCase"/> with the same topology and number of
/// layers, in the order a trainer or server would see them. Immutable; made by <see cref="MoeWorkloadGenerator"/>.
/// </summary>
public sealed class MoeWorkload
{
    internal MoeWorkload(MoeWorkloadSettings settings, ImmutableArray<MoeCase> microbatches)
    {
        Settings = settings;
        Microbatches = microbatches;
    }

    /// <summary>The family the workload was generated from.</summary>
    public MoeWorkloadFamily Family => Settings.Family;

    /// <summary>The settings the workload was generated from.</summary>
    public MoeWorkloadSettings Settings { get; }

    /// <summary>The microbatches, in order; never empty.</summary>
    public ImmutableArray<MoeCase> Microbatches { get; }
}
