using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Moe.ReLibra;

/// <summary>One microbatch of a routing replay: its batch, its place in the batch and its routing (a case of <c>plan moe balance</c>).</summary>
/// <param name="Batch">The training batch (step), from 0.</param>
/// <param name="Microbatch">The microbatch's index inside its batch, from 0.</param>
/// <param name="Case">The tokens each source rank routes to each expert, per layer, and the cluster shape.</param>
public sealed record ReplayMicrobatch(int Batch, int Microbatch, MoeCase Case);

/// <summary>
/// A routing replay: the token-to-expert routing of every microbatch of one or more training batches, known before
/// training because the rollout already ran the same router with the same weights (ReLibra's input). Every microbatch
/// shares one cluster shape and number of layers; batches are numbered 0, 1, ... and the microbatches of a batch 0, 1,
/// ... in order. Construct it with <see cref="Create"/>, which checks all of that.
/// </summary>
public sealed class RoutingReplay
{
    private RoutingReplay(ImmutableArray<ReplayMicrobatch> microbatches, ImmutableArray<ImmutableArray<ReplayMicrobatch>> batches)
    {
        Microbatches = microbatches;
        Batches = batches;
    }

    /// <summary>Every microbatch, batch by batch, in order.</summary>
    public ImmutableArray<ReplayMicrobatch> Microbatches { get; }

    /// <summary>The microbatches of each batch, by batch number.</summary>
    public ImmutableArray<ImmutableArray<ReplayMicrobatch>> Batches { get; }

    /// <summary>The first microbatch's case: the cluster shape every microbatch shares.</summary>
    public MoeCase Shape => Microbatches[0].Case;

    /// <summary>MoE layers per microbatch.</summary>
    public int Layers => Shape.Layers.Length;

    /// <summary>Creates a replay after checking the numbering and that every microbatch has the first one's shape.</summary>
    /// <param name="microbatches">The microbatches, in order.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="PlanningInputException">
    /// There is none; a batch or microbatch number is out of order (<c>microbatches[i].batch</c>,
    /// <c>microbatches[i].microbatch</c>); or a shape differs from the first (<c>microbatches[i].ranks</c>, ...).
    /// </exception>
    public static RoutingReplay Create(IEnumerable<ReplayMicrobatch> microbatches)
    {
        ArgumentNullException.ThrowIfNull(microbatches);
        var all = microbatches.ToImmutableArray();
        if (all.IsEmpty)
        {
            throw new PlanningInputException("microbatches", "must hold at least one microbatch, got none");
        }

        var batches = ImmutableArray.CreateBuilder<ImmutableArray<ReplayMicrobatch>>();
        var current = ImmutableArray.CreateBuilder<ReplayMicrobatch>();
        for (var i = 0; i < all.Length; i++)
        {
            var item = all[i] ?? throw new PlanningInputException(Path(i, string.Empty), "must be given");
            CheckNumbering(i, item, i == 0 ? null : all[i - 1]);
            CheckSameShape(all[0].Case, item.Case, i);
            if (item.Microbatch == 0 && current.Count > 0)
            {
                batches.Add(current.ToImmutable());
                current.Clear();
            }

            current.Add(item);
        }

        batches.Add(current.ToImmutable());
        return new RoutingReplay(all, batches.ToImmutable());
    }

    /// <summary>Per microbatch of a batch, per expert, the tokens routed to it in one layer (its load).</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="layer">The layer.</param>
    /// <returns>One load vector per microbatch, in microbatch order.</returns>
    public ImmutableArray<ImmutableArray<long>> Loads(int batch, int layer)
    {
        if ((uint)batch >= (uint)Batches.Length)
        {
            throw new PlanningInputException("batch", string.Create(CultureInfo.InvariantCulture, $"must be in [0, {Batches.Length}), got {batch}"));
        }

        if ((uint)layer >= (uint)Layers)
        {
            throw new PlanningInputException("layer", string.Create(CultureInfo.InvariantCulture, $"must be in [0, {Layers}), got {layer}"));
        }

        return [.. Batches[batch].Select(m => m.Case.Layers[layer].ExpertLoads)];
    }

    private static void CheckNumbering(int index, ReplayMicrobatch item, ReplayMicrobatch? previous)
    {
        if (previous is null)
        {
            Expect(index, "batch", item.Batch, 0);
            Expect(index, "microbatch", item.Microbatch, 0);
        }
        else if (item.Batch == previous.Batch)
        {
            Expect(index, "microbatch", item.Microbatch, previous.Microbatch + 1);
        }
        else
        {
            Expect(index, "batch", item.Batch, previous.Batch + 1);
            Expect(index, "microbatch", item.Microbatch, 0);
        }
    }

    private static void Expect(int index, string field, int actual, int expected)
    {
        if (actual != expected)
        {
            throw new PlanningInputException(
                Path(index, field),
                string.Create(CultureInfo.InvariantCulture, $"must be {expected} (batches from 0, each batch's microbatches from 0, in order), got {actual}"));
        }
    }

    private static void CheckSameShape(MoeCase first, MoeCase other, int index)
    {
        Same("ranks", first.Ranks, other.Ranks);
        Same("ranksPerDomain", first.RanksPerDomain, other.RanksPerDomain);
        Same("ranksPerNode", first.RanksPerNode, other.RanksPerNode);
        Same("expertsPerRank", first.ExpertsPerRank, other.ExpertsPerRank);
        Same("redundantSlotsPerRank", first.RedundantSlotsPerRank, other.RedundantSlotsPerRank);
        Same("tokensPerRankLayer", first.Layers.Length, other.Layers.Length);

        void Same(string field, int expected, int actual)
        {
            if (expected != actual)
            {
                throw new PlanningInputException(Path(index, field), string.Create(CultureInfo.InvariantCulture, $"must match the first microbatch ({expected}), got {actual}"));
            }
        }
    }

    private static string Path(int index, string field) =>
        string.Create(CultureInfo.InvariantCulture, $"microbatches[{index}]{(field.Length > 0 ? "." + field : string.Empty)}");
}
