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
internal static partial class Rerouter
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
        var count = plan.Instances.Length;
        var experts = new int[count];
        var ranks = new int[count];
        var quotas = new long[count];
        var quotaSums = new long[tokens.Experts];
        for (var i = 0; i < count; i++)
        {
            var instance = plan.Instances[i];
            (experts[i], ranks[i], quotas[i]) = (instance.Expert, instance.Rank, instance.Quota);
            quotaSums[instance.Expert] += instance.Quota;
        }

        for (var expert = 0; expert < tokens.Experts; expert++)
        {
            if (quotaSums[expert] != tokens.ExpertLoads[expert])
            {
                throw new ArgumentException($"Expert {expert}: the quotas sum to {quotaSums[expert]} but {tokens.ExpertLoads[expert]} tokens are routed to it.", nameof(plan));
            }
        }

        var counts = new long[tokens.SourceRanks * tokens.Experts];
        for (var s = 0; s < tokens.SourceRanks; s++)
        {
            for (var e = 0; e < tokens.Experts; e++)
            {
                counts[(s * tokens.Experts) + e] = tokens[s, e];
            }
        }

        // Two passes over the same table: the first counts the rows (nothing is written to an empty buffer).
        var table = new RerouteTable(tokens.SourceRanks, tokens.Experts, count);
        var rows = table.Route(counts, experts, ranks, quotas, []);
        var cells = new long[rows * 4];
        table.Route(counts, experts, ranks, quotas, cells);
        var routes = ImmutableArray.CreateBuilder<TokenRoute>((int)rows);
        for (var row = 0; row < rows; row++)
        {
            var at = row * 4;
            routes.Add(new TokenRoute((int)cells[at], (int)cells[at + 1], (int)cells[at + 2], cells[at + 3]));
        }

        return routes.MoveToImmutable();
    }
}
