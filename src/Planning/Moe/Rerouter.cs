using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>
/// Locality-aware rerouting: splits each expert's quotas over the source ranks that hold its tokens. Tokens already on
/// a rank that hosts an instance of the expert stay there first (up to that instance's quota); the rest of every
/// source's tokens go to the instances' remaining capacity in proportion, rounded so that every count is exact: per
/// (source, expert) the routed tokens equal the tokens it holds, and per instance they equal its quota.
/// </summary>
/// <remarks>
/// Rounding: each proportional share <c>rest(s) x room(i) / total</c> is floored; the units left over go, source by
/// source in rank order, to the instances with the largest fractional remainder that still have room (lowest instance
/// on ties). Since both margins are integers, the leftovers always fit.
/// </remarks>
internal static class Rerouter
{
    /// <summary>Builds the reroute table of a plan.</summary>
    /// <param name="tokens">The layer's routing.</param>
    /// <param name="plan">A plan whose quotas of each expert sum to the expert's load in <paramref name="tokens"/>.</param>
    /// <returns>The routes, grouped by expert, local routes first.</returns>
    /// <exception cref="ArgumentException">The plan's quotas do not match the tokens.</exception>
    public static ImmutableArray<TokenRoute> Route(LayerTokens tokens, LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(plan);
        var byExpert = new List<int>[tokens.Experts];
        for (var i = 0; i < plan.Instances.Length; i++)
        {
            var expert = plan.Instances[i].Expert;
            (byExpert[expert] ??= []).Add(i);
        }

        var routes = ImmutableArray.CreateBuilder<TokenRoute>();
        var rest = new long[tokens.SourceRanks];
        for (var expert = 0; expert < tokens.Experts; expert++)
        {
            var instances = byExpert[expert] ?? [];
            var quotaSum = instances.Sum(i => plan.Instances[i].Quota);
            if (quotaSum != tokens.ExpertLoads[expert])
            {
                throw new ArgumentException($"Expert {expert}: the quotas sum to {quotaSum} but {tokens.ExpertLoads[expert]} tokens are routed to it.", nameof(plan));
            }

            if (quotaSum == 0)
            {
                continue;
            }

            for (var s = 0; s < tokens.SourceRanks; s++)
            {
                rest[s] = tokens[s, expert];
            }

            // Local first: an instance keeps the tokens of its own rank.
            var room = new long[instances.Count];
            for (var k = 0; k < instances.Count; k++)
            {
                var instance = plan.Instances[instances[k]];
                var local = Math.Min(rest[instance.Rank], instance.Quota);
                room[k] = instance.Quota - local;
                if (local > 0)
                {
                    rest[instance.Rank] -= local;
                    routes.Add(new TokenRoute(instance.Rank, expert, instances[k], local));
                }
            }

            Proportional(expert, instances, rest, room, routes);
        }

        return routes.ToImmutable();
    }

    private static void Proportional(int expert, List<int> instances, long[] rest, long[] room, ImmutableArray<TokenRoute>.Builder routes)
    {
        var total = room.Sum();
        if (total == 0)
        {
            return;
        }

        var remainder = new double[room.Length];
        var give = new long[room.Length];
        var used = new bool[room.Length];
        for (var s = 0; s < rest.Length; s++)
        {
            if (rest[s] == 0)
            {
                continue;
            }

            long assigned = 0;
            for (var k = 0; k < room.Length; k++)
            {
                var exact = (double)rest[s] * room[k] / total;
                give[k] = Math.Min((long)Math.Floor(exact), room[k]);
                remainder[k] = exact - give[k];
                assigned += give[k];
            }

            // Leftover units of this source: largest remainder first among instances with room left, one unit each
            // per round (lowest instance on ties).
            var leftover = rest[s] - assigned;
            Array.Clear(used);
            while (leftover > 0)
            {
                var best = -1;
                for (var k = 0; k < room.Length; k++)
                {
                    if (!used[k] && room[k] - give[k] > 0 && (best < 0 || remainder[k] > remainder[best]))
                    {
                        best = k;
                    }
                }

                if (best < 0)
                {
                    Array.Clear(used);
                    continue;
                }

                give[best]++;
                used[best] = true;
                leftover--;
            }

            for (var k = 0; k < room.Length; k++)
            {
                if (give[k] > 0)
                {
                    routes.Add(new TokenRoute(s, expert, instances[k], give[k]));
                    room[k] -= give[k];
                    total -= give[k];
                }
            }
        }
    }
}
