using System.Collections.Immutable;
using System.Globalization;
using Planning.Moe;

namespace Planning.Execution.Adapters.Moe;

/// <summary>What exporting one layer costs: the plan's own imbalance (its quotas) against the format's projection.</summary>
/// <param name="PlanImbalance">Max / mean rank load under the plan's quotas.</param>
/// <param name="ProjectedImbalance">Max / mean rank load under the target system's dispatch rule.</param>
/// <param name="PaddedSlots">Slots filled with a padding replica in this layer.</param>
public sealed record LayerExportCost(double PlanImbalance, double ProjectedImbalance, int PaddedSlots)
{
    /// <summary>How much the projection loses: projected minus planned imbalance.</summary>
    public double ImbalanceCost => ProjectedImbalance - PlanImbalance;
}

/// <summary>A plan exported to a placement file.</summary>
/// <param name="Format">The file's format.</param>
/// <param name="Text">The file's text.</param>
/// <param name="Layout">The slot layout written.</param>
/// <param name="Rule">The dispatch rule of the projection.</param>
/// <param name="Projection">Per layer, the projection's slot tokens and rank loads; empty when exported without the case.</param>
/// <param name="Costs">Per layer, the plan's imbalance against the projection's; empty when exported without the case.</param>
public sealed record MoePlacementExportResult(
    MoePlacementFormat Format,
    string Text,
    ExpertSlotLayout Layout,
    ExpertDispatchRule Rule,
    ImmutableArray<LayerProjection> Projection,
    ImmutableArray<LayerExportCost> Costs);

/// <summary>
/// <c>plan moe export</c> and <c>plan moe import</c> as library calls: a <c>plan moe balance</c> plan into a serving
/// system's placement file with the loads that system's dispatch would give, and such a file back into a plan.
/// </summary>
public static class MoePlacementExport
{
    /// <summary>Exports a plan.</summary>
    /// <param name="moeCase">The case the plan was made for: its shape and the tokens the projection dispatches.</param>
    /// <param name="placements">Per layer, the plan's instances with their quotas.</param>
    /// <param name="format">The file format.</param>
    /// <param name="slotsPerRank">Slots on every rank; <see langword="null"/> for the case's <c>expertsPerRank + redundantSlotsPerRank</c>.</param>
    /// <returns>The file, its layout, the projection and its cost per layer.</returns>
    /// <exception cref="PlanningInputException">The plan does not fit the case or the slots (the field names the layer).</exception>
    public static MoePlacementExportResult Export(MoeCase moeCase, IReadOnlyList<IReadOnlyList<ExpertInstance>> placements, MoePlacementFormat format, int? slotsPerRank = null)
    {
        ArgumentNullException.ThrowIfNull(moeCase);
        ArgumentNullException.ThrowIfNull(placements);
        var layout = ExpertSlotLayout.FromPlacements(moeCase, placements, slotsPerRank ?? (moeCase.ExpertsPerRank + moeCase.RedundantSlotsPerRank));
        var rule = MoePlacementFormats.DispatchRule(format);
        var projection = DispatchProjection.Project(layout, moeCase, rule);
        var costs = ImmutableArray.CreateBuilder<LayerExportCost>(layout.Layers);
        for (var l = 0; l < layout.Layers; l++)
        {
            var loads = moeCase.Layers[l].ExpertLoads;
            var quotas = new long[moeCase.Experts];
            var rankLoads = new long[moeCase.Ranks];
            foreach (var instance in placements[l])
            {
                quotas[instance.Expert] += instance.Quota;
                rankLoads[instance.Rank] += instance.Quota;
            }

            for (var e = 0; e < quotas.Length; e++)
            {
                if (quotas[e] != loads[e])
                {
                    throw new PlanningInputException($"plan.layers[{l}].placement", string.Create(CultureInfo.InvariantCulture, $"quotas of expert {e} add up to {quotas[e]}, the case routes {loads[e]} tokens to it: the plan is for another case"));
                }
            }

            costs.Add(new LayerExportCost(LoadMath.Imbalance(rankLoads), projection[l].Imbalance, layout.PaddedSlots[l]));
        }

        return new MoePlacementExportResult(format, MoePlacementFiles.Write(layout, format), layout, rule, projection, costs.MoveToImmutable());
    }

    /// <summary>
    /// Exports a plan without its case: the file only. The shape comes from the plan (its ranks, experts numbered from 0
    /// to the largest it names), the padding ranks experts by their quotas, and there is no projection: that needs the
    /// tokens each source rank routes to each expert, which only the case holds.
    /// </summary>
    /// <param name="ranks">The number of ranks (the plan's <c>rankLoads</c> length).</param>
    /// <param name="placements">Per layer, the plan's instances.</param>
    /// <param name="format">The file format.</param>
    /// <param name="slotsPerRank">Slots on every rank; <see langword="null"/> for the most instances any rank holds in any layer.</param>
    /// <returns>The file and its layout; <see cref="MoePlacementExportResult.Projection"/> and <see cref="MoePlacementExportResult.Costs"/> empty.</returns>
    /// <exception cref="PlanningInputException">The plan has no layer or instance, or breaks the slot rules.</exception>
    public static MoePlacementExportResult ExportWithoutCase(int ranks, IReadOnlyList<IReadOnlyList<ExpertInstance>> placements, MoePlacementFormat format, int? slotsPerRank = null)
    {
        ArgumentNullException.ThrowIfNull(placements);
        if (ranks < 1 || placements.Count == 0 || placements.All(layer => layer.Count == 0))
        {
            throw new PlanningInputException("plan.layers", "needs at least one layer with instances on at least one rank");
        }

        var experts = placements.Max(layer => layer.Count == 0 ? -1 : layer.Max(i => i.Expert)) + 1;
        var slots = slotsPerRank ?? placements.Max(layer => layer.Count == 0 ? 0 : layer.GroupBy(i => i.Rank).Max(g => g.Count()));
        var layout = ExpertSlotLayout.FromPlacements(ranks, experts, placements, slots);
        return new MoePlacementExportResult(format, MoePlacementFiles.Write(layout, format), layout, MoePlacementFormats.DispatchRule(format), [], []);
    }

    /// <summary>
    /// Imports a placement file as a plan in the <c>plan moe balance</c> shape: one instance per physical slot, in
    /// slot order, its quota what the format's dispatch rule sends it on the case's tokens; <c>lowerBound</c> is the
    /// slot-rules bound for the file's slots (the mean, and the heaviest expert over the most copies it could have).
    /// </summary>
    /// <param name="moeCase">The case: ranks, experts, and the tokens that set the quotas.</param>
    /// <param name="text">The file's text.</param>
    /// <param name="format"><see cref="MoePlacementFormat.Sglang"/> or <see cref="MoePlacementFormat.DeepSeek"/>.</param>
    /// <returns>The plan, its policy named <c>import:FORMAT</c>, no solve timing (0 samples).</returns>
    /// <exception cref="PlanningInputException">The file is malformed, breaks a rule, or does not match the case.</exception>
    public static BalancePlan Import(MoeCase moeCase, string text, MoePlacementFormat format)
    {
        ArgumentNullException.ThrowIfNull(moeCase);
        var layout = MoePlacementFiles.Read(text, format, moeCase.Ranks, moeCase.Experts);
        if (layout.Layers != moeCase.Layers.Length)
        {
            throw new PlanningInputException(format == MoePlacementFormat.Sglang ? "physical_to_logical_map" : "phy2log", string.Create(CultureInfo.InvariantCulture, $"has {layout.Layers} layers, the case has {moeCase.Layers.Length}"));
        }

        var projection = DispatchProjection.Project(layout, moeCase, MoePlacementFormats.DispatchRule(format));
        var topology = MoeTopology.From(moeCase);
        var maxCopies = Math.Min(layout.Ranks, layout.PhysicalSlots - layout.Experts + 1);
        var layers = ImmutableArray.CreateBuilder<LayerPlan>(layout.Layers);
        for (var l = 0; l < layout.Layers; l++)
        {
            var loads = moeCase.Layers[l].ExpertLoads;
            var total = loads.Sum();
            var bound = Math.Max(LoadMath.CeilDiv(total, layout.Ranks), LoadMath.CeilDiv(loads.Max(), maxCopies));
            layers.Add(LayerPlan.Create(topology, layout.Instances(l, projection[l].SlotTokens), BalanceBounds.ToImbalance(bound, total, layout.Ranks)));
        }

        return new BalancePlan("import:" + MoePlacementFormats.Name(format), layers.MoveToImmutable(), new SolveTiming(0, 0, 0));
    }
}
