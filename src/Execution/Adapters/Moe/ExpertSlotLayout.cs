using System.Collections.Immutable;
using System.Globalization;
using Planning.Moe;

namespace Planning.Execution.Adapters.Moe;

/// <summary>
/// An expert placement in the shape every serving system's file takes: per layer, the logical expert held by each of
/// <c>Ranks x SlotsPerRank</c> physical slots, slot <c>s</c> on rank <c>s / SlotsPerRank</c> (SGLang's
/// <c>physical_to_logical_map</c>, DeepSeek EPLB's <c>phy2log</c>). Every slot holds an expert and every logical expert
/// has at least one slot. Immutable; build it from a plan with <see cref="FromPlacements(MoeCase, IReadOnlyList{IReadOnlyList{ExpertInstance}}, int)"/> or from a file's map
/// with <see cref="Create"/>.
/// </summary>
public sealed class ExpertSlotLayout
{
    private ExpertSlotLayout(int ranks, int experts, int slotsPerRank, ImmutableArray<ImmutableArray<int>> physicalToLogical, ImmutableArray<int> paddedSlots)
    {
        Ranks = ranks;
        Experts = experts;
        SlotsPerRank = slotsPerRank;
        PhysicalToLogical = physicalToLogical;
        PaddedSlots = paddedSlots;
    }

    /// <summary>The number of ranks (the expert-parallel size).</summary>
    public int Ranks { get; }

    /// <summary>The number of logical experts.</summary>
    public int Experts { get; }

    /// <summary>Physical slots on each rank.</summary>
    public int SlotsPerRank { get; }

    /// <summary>Physical slots in all: <c>Ranks x SlotsPerRank</c>.</summary>
    public int PhysicalSlots => Ranks * SlotsPerRank;

    /// <summary>Physical slots beyond one per logical expert: SGLang's <c>--ep-num-redundant-experts</c>.</summary>
    public int RedundantExperts => PhysicalSlots - Experts;

    /// <summary>The number of layers.</summary>
    public int Layers => PhysicalToLogical.Length;

    /// <summary>Per layer, the logical expert in each physical slot.</summary>
    public ImmutableArray<ImmutableArray<int>> PhysicalToLogical { get; }

    /// <summary>Per layer, how many slots the export filled with a padding replica (0 for a layout read from a file).</summary>
    public ImmutableArray<int> PaddedSlots { get; }

    /// <summary>The rank that holds a physical slot.</summary>
    /// <param name="slot">The physical slot.</param>
    /// <returns><c>slot / SlotsPerRank</c>.</returns>
    public int RankOfSlot(int slot) => slot / SlotsPerRank;

    /// <summary>
    /// SGLang's <c>logical_to_all_physical_map</c> for one layer, unpadded: the slots of each logical expert in
    /// ascending order (DeepSeek EPLB's <c>log2phy</c> row without its -1 padding).
    /// </summary>
    /// <param name="layer">The layer.</param>
    /// <returns>Per logical expert, its slots.</returns>
    public ImmutableArray<ImmutableArray<int>> LogicalToAllPhysical(int layer)
    {
        var slots = new List<int>[Experts];
        for (var e = 0; e < Experts; e++)
        {
            slots[e] = [];
        }

        var map = PhysicalToLogical[layer];
        for (var s = 0; s < map.Length; s++)
        {
            slots[map[s]].Add(s);
        }

        return [.. slots.Select(list => list.ToImmutableArray())];
    }

    /// <summary>
    /// A layout from a file's slot map, checked as the serving systems check it: every layer the same number of slots,
    /// divisible by the ranks, every entry a logical expert, every logical expert in at least one slot.
    /// </summary>
    /// <param name="ranks">The expert-parallel size.</param>
    /// <param name="experts">The number of logical experts.</param>
    /// <param name="physicalToLogical">Per layer, the logical expert of each slot.</param>
    /// <param name="field">The name of the map in the file, for errors (for example <c>physical_to_logical_map</c>).</param>
    /// <returns>The layout.</returns>
    /// <exception cref="PlanningInputException">The map breaks one of the rules; the field names the entry.</exception>
    public static ExpertSlotLayout Create(int ranks, int experts, IReadOnlyList<IReadOnlyList<int>> physicalToLogical, string field)
    {
        ArgumentNullException.ThrowIfNull(physicalToLogical);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        if (physicalToLogical.Count == 0)
        {
            throw new PlanningInputException(field, "needs at least one layer");
        }

        var physical = physicalToLogical[0].Count;
        if (physical == 0 || physical % ranks != 0)
        {
            throw new PlanningInputException($"{field}[0]", Invariant($"has {physical} physical slots, which is not a positive multiple of the {ranks} ranks"));
        }

        if (physical < experts)
        {
            throw new PlanningInputException($"{field}[0]", Invariant($"has {physical} physical slots, fewer than the {experts} logical experts"));
        }

        var layers = ImmutableArray.CreateBuilder<ImmutableArray<int>>(physicalToLogical.Count);
        for (var l = 0; l < physicalToLogical.Count; l++)
        {
            var row = physicalToLogical[l];
            if (row.Count != physical)
            {
                throw new PlanningInputException($"{field}[{l}]", Invariant($"has {row.Count} slots, layer 0 has {physical}"));
            }

            var seen = new bool[experts];
            for (var s = 0; s < physical; s++)
            {
                if ((uint)row[s] >= (uint)experts)
                {
                    throw new PlanningInputException(Invariant($"{field}[{l}][{s}]"), Invariant($"must be a logical expert in [0, {experts}), got {row[s]}"));
                }

                seen[row[s]] = true;
            }

            var missing = Array.IndexOf(seen, false);
            if (missing >= 0)
            {
                throw new PlanningInputException($"{field}[{l}]", Invariant($"gives logical expert {missing} no physical slot"));
            }

            layers.Add([.. row]);
        }

        return new ExpertSlotLayout(ranks, experts, physical / ranks, layers.MoveToImmutable(), [.. new int[physicalToLogical.Count]]);
    }

    /// <summary>
    /// The layout of a plan's placements with <paramref name="slotsPerRank"/> slots on every rank. A rank's slots hold
    /// its instances in ascending expert order. A rank with fewer instances than slots is padded, one slot at a time
    /// (ranks in ascending order): the padding slot gets another replica of the expert, not yet on that rank, with
    /// the most tokens per copy so far (its load in <paramref name="moeCase"/> over its copies), ties to the lowest
    /// expert id; every copy lowers the share the even-split rule sends to each replica of the busiest expert.
    /// </summary>
    /// <param name="moeCase">The case the plan was made for (ranks, experts, loads).</param>
    /// <param name="placements">Per layer, the plan's instances (<c>layers[].placement</c>).</param>
    /// <param name="slotsPerRank">Slots on every rank.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="PlanningInputException">
    /// The layers do not match the case, an instance is outside it, an expert has no instance, or a rank holds more
    /// instances than <paramref name="slotsPerRank"/> (field <c>plan.layers[l].placement</c>).
    /// </exception>
    public static ExpertSlotLayout FromPlacements(MoeCase moeCase, IReadOnlyList<IReadOnlyList<ExpertInstance>> placements, int slotsPerRank)
    {
        ArgumentNullException.ThrowIfNull(moeCase);
        ArgumentNullException.ThrowIfNull(placements);
        if (placements.Count != moeCase.Layers.Length)
        {
            throw new PlanningInputException("plan.layers", Invariant($"has {placements.Count} layers, the case has {moeCase.Layers.Length}"));
        }

        return Pad(moeCase.Ranks, moeCase.Experts, placements, slotsPerRank, l => moeCase.Layers[l].ExpertLoads);
    }

    /// <summary>
    /// The layout of a plan's placements without its case: as <see cref="FromPlacements(MoeCase, IReadOnlyList{IReadOnlyList{ExpertInstance}}, int)"/>,
    /// the padding ranking experts by their quotas in the plan (the quotas of an expert add up to its load).
    /// </summary>
    /// <param name="ranks">The number of ranks (the plan's <c>rankLoads</c> length).</param>
    /// <param name="experts">The number of logical experts.</param>
    /// <param name="placements">Per layer, the plan's instances.</param>
    /// <param name="slotsPerRank">Slots on every rank.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="PlanningInputException">An instance is outside the shape, an expert has no instance, or a rank holds more instances than slots.</exception>
    public static ExpertSlotLayout FromPlacements(int ranks, int experts, IReadOnlyList<IReadOnlyList<ExpertInstance>> placements, int slotsPerRank)
    {
        ArgumentNullException.ThrowIfNull(placements);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        if (placements.Count == 0)
        {
            throw new PlanningInputException("plan.layers", "needs at least one layer");
        }

        return Pad(ranks, experts, placements, slotsPerRank, l =>
        {
            var loads = new long[experts];
            foreach (var instance in placements[l])
            {
                if ((uint)instance.Expert < (uint)experts)
                {
                    loads[instance.Expert] += instance.Quota;
                }
            }

            return [.. loads];
        });
    }

    private static ExpertSlotLayout Pad(int ranksCount, int expertCount, IReadOnlyList<IReadOnlyList<ExpertInstance>> placements, int slotsPerRank, Func<int, ImmutableArray<long>> loadsOf)
    {
        if (slotsPerRank < 1)
        {
            throw new PlanningInputException("--slots-per-rank", Invariant($"must be at least 1, got {slotsPerRank}"));
        }

        if ((long)ranksCount * slotsPerRank < expertCount)
        {
            throw new PlanningInputException("--slots-per-rank", Invariant($"{ranksCount} ranks x {slotsPerRank} slots cannot hold the {expertCount} logical experts"));
        }

        var layers = ImmutableArray.CreateBuilder<ImmutableArray<int>>(placements.Count);
        var padded = ImmutableArray.CreateBuilder<int>(placements.Count);
        for (var l = 0; l < placements.Count; l++)
        {
            var path = $"plan.layers[{l}].placement";
            var perRank = new List<int>[ranksCount];
            for (var r = 0; r < ranksCount; r++)
            {
                perRank[r] = [];
            }

            var copies = new long[expertCount];
            foreach (var instance in placements[l])
            {
                if ((uint)instance.Rank >= (uint)ranksCount || (uint)instance.Expert >= (uint)expertCount)
                {
                    throw new PlanningInputException(path, Invariant($"instance (expert {instance.Expert}, rank {instance.Rank}) is outside the case ({expertCount} experts on {ranksCount} ranks)"));
                }

                perRank[instance.Rank].Add(instance.Expert);
                copies[instance.Expert]++;
            }

            var missing = Array.IndexOf(copies, 0L);
            if (missing >= 0)
            {
                throw new PlanningInputException(path, Invariant($"gives expert {missing} no instance"));
            }

            var full = Array.FindIndex(perRank, list => list.Count > slotsPerRank);
            if (full >= 0)
            {
                throw new PlanningInputException(path, Invariant($"puts {perRank[full].Count} instances on rank {full}, more than its {slotsPerRank} slots (--slots-per-rank)"));
            }

            var loads = loadsOf(l);
            var fills = 0;
            for (var r = 0; r < ranksCount; r++)
            {
                while (perRank[r].Count < slotsPerRank)
                {
                    var chosen = PaddingExpert(loads, copies, perRank[r]);
                    perRank[r].Add(chosen);
                    copies[chosen]++;
                    fills++;
                }
            }

            layers.Add([.. perRank.SelectMany(list => list.Order())]);
            padded.Add(fills);
        }

        return new ExpertSlotLayout(ranksCount, expertCount, slotsPerRank, layers.MoveToImmutable(), padded.MoveToImmutable());
    }

    /// <summary>The expert with the most tokens per copy among those not on the rank (any expert when all are), lowest id on ties.</summary>
    private static int PaddingExpert(ImmutableArray<long> loads, long[] copies, List<int> onRank)
    {
        var best = -1;
        var allowAll = onRank.Distinct().Count() >= loads.Length;
        for (var e = 0; e < loads.Length; e++)
        {
            if (!allowAll && onRank.Contains(e))
            {
                continue;
            }

            // loads[e] / copies[e] > loads[best] / copies[best], in integers.
            if (best < 0 || ((Int128)loads[e] * copies[best]) > ((Int128)loads[best] * copies[e]))
            {
                best = e;
            }
        }

        return best;
    }

    /// <summary>The plan's instances, one per slot, each with the tokens a projection sends it.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="slotTokens">The tokens of each physical slot.</param>
    /// <returns>The instances in slot order.</returns>
    public ImmutableArray<ExpertInstance> Instances(int layer, IReadOnlyList<long> slotTokens)
    {
        ArgumentNullException.ThrowIfNull(slotTokens);
        var map = PhysicalToLogical[layer];
        return [.. Enumerable.Range(0, map.Length).Select(s => new ExpertInstance(map[s], RankOfSlot(s), slotTokens[s]))];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
