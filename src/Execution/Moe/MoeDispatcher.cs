using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Planning.Moe;

namespace Planning.Execution.Moe;

/// <summary>
/// Routes one layer's tokens to the expert instances of a <see cref="LayerPlan"/>. A plan fixes how many tokens each
/// instance serves (its quota) but not whose tokens; the dispatcher decides that with a deterministic rule, per expert:
/// <list type="number">
/// <item><description>
/// Local first: each instance, in instance order, takes the tokens of the rank that hosts it, up to its quota. A source
/// rank that hosts instances of the expert thus keeps as many of its tokens as those instances' quotas allow, and no
/// other rule keeps more tokens local.
/// </description></item>
/// <item><description>
/// Then the rest: source ranks in rank order hand their remaining tokens to the instances with capacity left, filled
/// in instance order. These tokens always leave their source rank, since a source with tokens left has filled every
/// instance it hosts.
/// </description></item>
/// </list>
/// </summary>
public static class MoeDispatcher
{
    /// <summary>Routes every token of the layer to an instance of its expert under <paramref name="plan"/>.</summary>
    /// <param name="tokens">The layer: tokens each source rank routes to each expert.</param>
    /// <param name="plan">The plan: every instance's rank and quota; the quotas of an expert must sum to its load.</param>
    /// <returns>The routes; every token is routed exactly once and every instance receives exactly its quota.</returns>
    /// <exception cref="MoeDispatchException">
    /// The plan is for a different number of ranks than the layer has source ranks, an instance names an expert the
    /// layer does not have, an expert with tokens has no instance, or an expert's quotas do not sum to its load.
    /// </exception>
    public static MoeDispatch Dispatch(LayerTokens tokens, LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(plan);
        var ranks = plan.RankLoads.Length;
        var experts = tokens.Experts;
        if (tokens.SourceRanks != ranks)
        {
            throw new MoeDispatchException($"The layer has {tokens.SourceRanks} source ranks but the plan is for {ranks} ranks.");
        }

        var instances = plan.Instances.AsSpan();
        var (instanceStarts, byExpert) = GroupByExpert(instances, experts);
        var remaining = new long[instances.Length];
        for (var i = 0; i < instances.Length; i++)
        {
            remaining[i] = instances[i].Quota;
        }

        var left = new int[ranks];
        var routeStarts = new int[experts + 1];
        var routes = ImmutableArray.CreateBuilder<MoeRoute>(instances.Length + ranks);
        for (var e = 0; e < experts; e++)
        {
            routeStarts[e] = routes.Count;
            var mine = byExpert.AsSpan(instanceStarts[e], instanceStarts[e + 1] - instanceStarts[e]);
            CheckQuotas(e, mine, instances, tokens.ExpertLoads[e]);
            for (var s = 0; s < ranks; s++)
            {
                left[s] = tokens[s, e];
            }

            // Local first: each instance serves its own rank's tokens.
            foreach (var i in mine)
            {
                var rank = instances[i].Rank;
                var take = (int)Math.Min(left[rank], remaining[i]);
                if (take > 0)
                {
                    routes.Add(new MoeRoute(rank, e, i, rank, take));
                    left[rank] -= take;
                    remaining[i] -= take;
                }
            }

            // Then the rest: sources in rank order fill instances in instance order. The quotas sum to the load, so
            // capacity runs out exactly when the tokens do and k stays inside the expert's instances.
            var k = 0;
            for (var s = 0; s < ranks; s++)
            {
                while (left[s] > 0)
                {
                    while (remaining[mine[k]] == 0)
                    {
                        k++;
                    }

                    var i = mine[k];
                    var take = (int)Math.Min(left[s], remaining[i]);
                    routes.Add(new MoeRoute(s, e, i, instances[i].Rank, take));
                    left[s] -= take;
                    remaining[i] -= take;
                }
            }
        }

        routeStarts[experts] = routes.Count;
        return new MoeDispatch(plan, ranks, experts, routes.DrainToImmutable(), ImmutableCollectionsMarshal.AsImmutableArray(routeStarts));
    }

    /// <summary>Dispatches the layer under the plan and measures the result (<see cref="Dispatch"/>, then <see cref="MoeLayerExecution.Measure"/>).</summary>
    /// <param name="tokens">The layer: tokens each source rank routes to each expert.</param>
    /// <param name="plan">The plan: every instance's rank and quota.</param>
    /// <returns>The measured execution.</returns>
    /// <exception cref="MoeDispatchException">The plan cannot serve the layer's tokens (see <see cref="Dispatch"/>).</exception>
    public static MoeLayerExecution Execute(LayerTokens tokens, LayerPlan plan) => MoeLayerExecution.Measure(Dispatch(tokens, plan));

    /// <summary>A stable counting sort of instance indices by expert: expert e's instances are <c>byExpert[starts[e]..starts[e + 1]]</c>.</summary>
    private static (int[] Starts, int[] ByExpert) GroupByExpert(ReadOnlySpan<ExpertInstance> instances, int experts)
    {
        var starts = new int[experts + 1];
        for (var i = 0; i < instances.Length; i++)
        {
            var expert = instances[i].Expert;
            if ((uint)expert >= (uint)experts)
            {
                throw new MoeDispatchException(expert, $"Plan instance {i} serves expert {expert}, but the layer has only {experts} experts.");
            }

            starts[expert + 1]++;
        }

        for (var e = 0; e < experts; e++)
        {
            starts[e + 1] += starts[e];
        }

        var next = starts.AsSpan(0, experts).ToArray();
        var byExpert = new int[instances.Length];
        for (var i = 0; i < instances.Length; i++)
        {
            byExpert[next[instances[i].Expert]++] = i;
        }

        return (starts, byExpert);
    }

    private static void CheckQuotas(int expert, ReadOnlySpan<int> mine, ReadOnlySpan<ExpertInstance> instances, long load)
    {
        if (mine.IsEmpty)
        {
            if (load > 0)
            {
                throw new MoeDispatchException(expert, $"Expert {expert} has no instance in the plan, but {load} tokens are routed to it.");
            }

            return;
        }

        long quotas = 0;
        foreach (var i in mine)
        {
            quotas += instances[i].Quota;
        }

        if (quotas != load)
        {
            throw new MoeDispatchException(
                expert,
                $"The quotas of expert {expert}'s {mine.Length} instance(s) sum to {quotas}, but {load} tokens are routed to it; they must be equal.");
        }
    }
}
