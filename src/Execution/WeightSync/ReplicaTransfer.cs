using System.Collections.Immutable;
using System.Text;
using Planning.Moe;

namespace Planning.Execution.WeightSync;

/// <summary>
/// One expert's weights that must reach new replicas: <see cref="Bytes"/> bytes from the expert's master rank
/// (<see cref="SourceRank"/>) to every rank of <see cref="Receivers"/>. Immutable and validated on construction;
/// two transfers are equal when their fields are, the receivers compared element by element in order.
/// </summary>
public sealed record ReplicaTransfer
{
    /// <summary>Creates a transfer.</summary>
    /// <param name="expert">The logical expert whose weights move.</param>
    /// <param name="sourceRank">The rank that holds the weights: the expert's master.</param>
    /// <param name="receivers">The ranks that get new replicas: at least one, distinct, non-negative, without <paramref name="sourceRank"/>.</param>
    /// <param name="bytes">The size of the expert's weights, in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expert"/>, <paramref name="sourceRank"/> or a receiver is negative, or <paramref name="bytes"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="receivers"/> is empty, repeats a rank or contains the source rank.</exception>
    public ReplicaTransfer(int expert, int sourceRank, ImmutableArray<int> receivers, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expert);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceRank);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        if (receivers.IsDefaultOrEmpty)
        {
            throw new ArgumentException($"Expert {expert} has no receivers; a transfer needs at least one.", nameof(receivers));
        }

        var seen = new HashSet<int>();
        foreach (var receiver in receivers)
        {
            if (receiver < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(receivers), receiver, $"Expert {expert} has a negative receiver rank {receiver}.");
            }

            if (receiver == sourceRank)
            {
                throw new ArgumentException($"Expert {expert}'s receivers contain its source rank {sourceRank}, which already holds the weights.", nameof(receivers));
            }

            if (!seen.Add(receiver))
            {
                throw new ArgumentException($"Expert {expert}'s receivers name rank {receiver} more than once.", nameof(receivers));
            }
        }

        Expert = expert;
        SourceRank = sourceRank;
        Receivers = receivers;
        Bytes = bytes;
    }

    /// <summary>
    /// The transfers a placement needs: per expert, the ranks that host an instance of it that is neither on its master
    /// nor in <paramref name="inPlace"/>, sent from its master. This is how the step simulator and <c>plan moe sync</c>
    /// turn a plan into weight movement.
    /// </summary>
    /// <param name="placement">The placement's instances.</param>
    /// <param name="inPlace">The instances whose weights are already on their ranks (the previous plan's); masters always are.</param>
    /// <param name="expertMaster">The master rank of each expert, indexed by expert.</param>
    /// <param name="bytes">The size of one expert's weights, in bytes.</param>
    /// <returns>The transfers, by expert in ascending order, receivers in rank order; empty when every replica is in place.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An instance names an expert outside <paramref name="expertMaster"/>, or <paramref name="bytes"/> is not positive.</exception>
    public static ImmutableArray<ReplicaTransfer> NewReplicas(IEnumerable<ExpertInstance> placement, IEnumerable<ExpertInstance>? inPlace, IReadOnlyList<int> expertMaster, long bytes)
    {
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(expertMaster);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var present = new HashSet<(int Expert, int Rank)>();
        foreach (var instance in inPlace ?? [])
        {
            present.Add((instance.Expert, instance.Rank));
        }

        var receivers = new SortedDictionary<int, SortedSet<int>>();
        foreach (var instance in placement)
        {
            if ((uint)instance.Expert >= (uint)expertMaster.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(placement), instance.Expert, $"Expert {instance.Expert} has no master among the {expertMaster.Count} experts.");
            }

            var master = expertMaster[instance.Expert];
            if (instance.Rank != master && !present.Contains((instance.Expert, instance.Rank)))
            {
                if (!receivers.TryGetValue(instance.Expert, out var set))
                {
                    set = [];
                    receivers.Add(instance.Expert, set);
                }

                set.Add(instance.Rank);
            }
        }

        return [.. receivers.Select(pair => new ReplicaTransfer(pair.Key, expertMaster[pair.Key], [.. pair.Value], bytes))];
    }

    /// <summary>The logical expert whose weights move.</summary>
    public int Expert { get; }

    /// <summary>The rank that holds the weights: the expert's master.</summary>
    public int SourceRank { get; }

    /// <summary>The ranks that get new replicas, in the order given: distinct, without <see cref="SourceRank"/>.</summary>
    public ImmutableArray<int> Receivers { get; }

    /// <summary>The size of the expert's weights, in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Whether <paramref name="other"/> moves the same weights from the same rank to the same receivers in the same order.</summary>
    /// <param name="other">The transfer to compare with.</param>
    /// <returns><see langword="true"/> when every field is equal, the receivers element by element.</returns>
    public bool Equals(ReplicaTransfer? other) =>
        other is not null
        && Expert == other.Expert
        && SourceRank == other.SourceRank
        && Bytes == other.Bytes
        && Receivers.AsSpan().SequenceEqual(other.Receivers.AsSpan());

    /// <summary>A hash of every field, the receivers by content (consistent with <see cref="Equals(ReplicaTransfer?)"/>).</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Expert);
        hash.Add(SourceRank);
        hash.Add(Bytes);
        foreach (var receiver in Receivers)
        {
            hash.Add(receiver);
        }

        return hash.ToHashCode();
    }

    // The compiler's printer would show the ImmutableArray's type name instead of the ranks.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Expert = ").Append(Expert)
            .Append(", SourceRank = ").Append(SourceRank)
            .Append(", Receivers = [").AppendJoin(", ", Receivers)
            .Append("], Bytes = ").Append(Bytes);
        return true;
    }
}
