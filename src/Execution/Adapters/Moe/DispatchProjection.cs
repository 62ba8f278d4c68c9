using System.Collections.Immutable;
using Planning.Moe;

namespace Planning.Execution.Adapters.Moe;

/// <summary>The tokens every physical slot and every rank receives in one layer under a serving system's dispatch rule.</summary>
/// <param name="SlotTokens">Tokens per physical slot.</param>
/// <param name="RankLoads">Tokens per rank.</param>
public sealed record LayerProjection(ImmutableArray<long> SlotTokens, ImmutableArray<long> RankLoads)
{
    /// <summary>Max rank load / mean rank load (1 with no load).</summary>
    public double Imbalance => LoadMath.Imbalance(RankLoads.AsSpan());
}

/// <summary>
/// What a placement without quotas does with a case's tokens: the loads the target system's own dispatch rule gives
/// (<see cref="ExpertDispatchRule"/>), from the tokens each source rank routes to each logical expert.
/// </summary>
public static class DispatchProjection
{
    /// <summary>Projects every layer.</summary>
    /// <param name="layout">The slot layout.</param>
    /// <param name="moeCase">The case whose tokens are dispatched (same ranks, experts and layers).</param>
    /// <param name="rule">The dispatch rule.</param>
    /// <returns>One projection per layer; the tokens of every layer add up to the case's.</returns>
    /// <exception cref="PlanningInputException">The case does not match the layout (field <c>--case</c>).</exception>
    public static ImmutableArray<LayerProjection> Project(ExpertSlotLayout layout, MoeCase moeCase, ExpertDispatchRule rule)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(moeCase);
        if (moeCase.Ranks != layout.Ranks || moeCase.Experts != layout.Experts || moeCase.Layers.Length != layout.Layers)
        {
            throw new PlanningInputException("--case", string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"has {moeCase.Ranks} ranks, {moeCase.Experts} experts and {moeCase.Layers.Length} layers; the placement has {layout.Ranks}, {layout.Experts} and {layout.Layers}"));
        }

        var dispatch = rule == ExpertDispatchRule.SglangStatic ? SglangStaticDispatch.Map(layout) : default;
        var result = ImmutableArray.CreateBuilder<LayerProjection>(layout.Layers);
        for (var l = 0; l < layout.Layers; l++)
        {
            var tokens = moeCase.Layers[l];
            var slotTokens = new long[layout.PhysicalSlots];
            var replicas = rule == ExpertDispatchRule.EvenSplit ? layout.LogicalToAllPhysical(l) : default;
            for (var source = 0; source < layout.Ranks; source++)
            {
                for (var e = 0; e < layout.Experts; e++)
                {
                    long count = tokens[source, e];
                    if (rule == ExpertDispatchRule.SglangStatic)
                    {
                        slotTokens[dispatch[source][l][e]] += count;
                        continue;
                    }

                    var slots = replicas[e];
                    for (var j = 0; j < slots.Length; j++)
                    {
                        slotTokens[slots[j]] += LoadMath.EvenShare(count, slots.Length, j);
                    }
                }
            }

            var rankLoads = new long[layout.Ranks];
            for (var s = 0; s < slotTokens.Length; s++)
            {
                rankLoads[layout.RankOfSlot(s)] += slotTokens[s];
            }

            result.Add(new LayerProjection([.. slotTokens], [.. rankLoads]));
        }

        return result.MoveToImmutable();
    }
}
