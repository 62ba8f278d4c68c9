using System.Collections.Immutable;

namespace Planning.Execution.Moe.ReLibra;

/// <summary>
/// The redundant slots of every (layer, rank) over one batch: which replicas each holds, least recently used first.
/// A microbatch's replicas that a rank already holds cost nothing; the others are fetched, each taking a free slot or
/// the least recently used one the microbatch does not need, whose accumulated gradients are flushed to its master
/// first. With no slots to keep replicas in (capacity 0), every replica is fetched and flushed in the microbatch that
/// uses it.
/// </summary>
internal sealed class ReplicaSlots
{
    private readonly List<Replica>[] _held;
    private readonly int _ranks;
    private readonly int _capacity;

    /// <summary>Creates empty slots.</summary>
    /// <param name="layers">Layers.</param>
    /// <param name="ranks">Ranks.</param>
    /// <param name="capacity">Redundant slots per rank and layer; 0 keeps nothing between microbatches.</param>
    public ReplicaSlots(int layers, int ranks, int capacity)
    {
        _ranks = ranks;
        _capacity = capacity;
        _held = new List<Replica>[layers * ranks];
        for (var i = 0; i < _held.Length; i++)
        {
            _held[i] = [];
        }
    }

    /// <summary>Records one microbatch's replicas of a layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="replicas">The replicas serving tokens in the microbatch (at most <c>capacity</c> per rank when capacity is positive).</param>
    /// <returns>The replicas to fetch from their masters, and the held replicas whose gradients go to their masters first.</returns>
    public (ImmutableArray<Replica> Fetches, ImmutableArray<Replica> Flushes) Use(int layer, ImmutableArray<Replica> replicas)
    {
        if (_capacity == 0)
        {
            return (replicas, replicas);
        }

        var fetches = ImmutableArray.CreateBuilder<Replica>();
        var flushes = ImmutableArray.CreateBuilder<Replica>();
        foreach (var group in replicas.GroupBy(r => r.Rank))
        {
            var held = _held[(layer * _ranks) + group.Key];
            var needed = group.Select(r => r.Expert).ToHashSet();
            foreach (var replica in group)
            {
                var at = held.FindIndex(h => h.Expert == replica.Expert);
                if (at >= 0)
                {
                    // Held since an earlier microbatch: most recently used now.
                    held.RemoveAt(at);
                    held.Add(replica);
                    continue;
                }

                if (held.Count >= _capacity)
                {
                    var victim = held.FindIndex(h => !needed.Contains(h.Expert));
                    if (victim < 0)
                    {
                        throw new InvalidOperationException($"rank {group.Key} of layer {layer} serves more than {_capacity} replicas in one microbatch");
                    }

                    flushes.Add(held[victim]);
                    held.RemoveAt(victim);
                }

                fetches.Add(replica);
                held.Add(replica);
            }
        }

        return (fetches.ToImmutable(), flushes.ToImmutable());
    }

    /// <summary>Empties every slot at the end of the batch.</summary>
    /// <returns>The replicas held, whose accumulated gradients go to their masters before the optimizer step.</returns>
    public ImmutableArray<Replica> FlushAll()
    {
        var all = ImmutableArray.CreateBuilder<Replica>();
        foreach (var held in _held)
        {
            all.AddRange(held);
            held.Clear();
        }

        return all.ToImmutable();
    }

    /// <summary>A replica: the expert (its slot in the batch's layout), its master's rank and the rank holding the replica.</summary>
    /// <param name="Expert">The expert.</param>
    /// <param name="Master">The master's rank.</param>
    /// <param name="Rank">The replica's rank.</param>
    internal readonly record struct Replica(int Expert, int Master, int Rank);
}
