namespace Planning.Moe;

/// <summary>What <see cref="MoeCaseGenerator"/> generates.</summary>
public sealed record MoeGeneratorSettings
{
    /// <summary>The number of ranks. Default 64.</summary>
    public int Ranks { get; init; } = 64;

    /// <summary>Ranks per node. Default 8.</summary>
    public int RanksPerNode { get; init; } = 8;

    /// <summary>Ranks per scale-up domain. Default 64.</summary>
    public int RanksPerDomain { get; init; } = 64;

    /// <summary>Master experts per rank. Default 4.</summary>
    public int ExpertsPerRank { get; init; } = 4;

    /// <summary>Redundant slots per rank. Default 2.</summary>
    public int RedundantSlotsPerRank { get; init; } = 2;

    /// <summary>EPLB expert groups, or <see langword="null"/> for the number of nodes.</summary>
    public int? ExpertGroups { get; init; }

    /// <summary>Layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Tokens each rank routes per layer. Default 8192.</summary>
    public int TokensPerRank { get; init; } = 8192;

    /// <summary>Experts each token is routed to. Default 8.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>The initial imbalance (max / mean master-rank load) to aim for; at least 1. Default 2.</summary>
    public double TargetImbalance { get; init; } = 2.0;

    /// <summary>The seed; the same settings and seed give the same case.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Generates MoE balancing cases with Zipf-shaped hot experts. Each layer ranks the experts in a random order and
/// gives the expert of popularity rank <c>i</c> weight <c>1 / (i + 1)^s</c>; each source rank perturbs the weights
/// with log-normal noise (sigma 0.25) and routes <c>tokensPerRank x topK</c> assignments in proportion, at most
/// <c>tokensPerRank</c> to one expert (a token picks distinct experts), rounded by largest remainder. The Zipf
/// exponent <c>s</c> is found by bisection so that the master ranks' imbalance is as close to the target as the
/// sizes allow.
/// </summary>
public static class MoeCaseGenerator
{
    private const double NoiseSigma = 0.25;

    /// <summary>Generates a case.</summary>
    /// <param name="settings">Sizes, target imbalance and seed.</param>
    /// <returns>The case.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range or the target imbalance cannot be reached.</exception>
    public static MoeCase Generate(MoeGeneratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);
        var random = new Random(settings.Seed);
        var experts = settings.Ranks * settings.ExpertsPerRank;
        var layers = new List<LayerTokens>(settings.Layers);
        for (var l = 0; l < settings.Layers; l++)
        {
            var popularity = Permutation(random, experts);
            var noise = new double[settings.Ranks, experts];
            for (var s = 0; s < settings.Ranks; s++)
            {
                for (var e = 0; e < experts; e++)
                {
                    noise[s, e] = Math.Exp(NoiseSigma * StandardNormal(random));
                }
            }

            layers.Add(new LayerTokens(FitExponent(settings, popularity, noise)));
        }

        return MoeCase.Create(
            settings.Ranks, settings.RanksPerDomain, settings.RanksPerNode, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.ExpertGroups, layers);
    }

    private static int[][] FitExponent(MoeGeneratorSettings settings, int[] popularity, double[,] noise)
    {
        var flat = Route(settings, popularity, noise, 0.0);
        if (MasterImbalance(settings, flat) >= settings.TargetImbalance)
        {
            return flat;
        }

        double low = 0, high = 1;
        var highRows = Route(settings, popularity, noise, high);
        while (MasterImbalance(settings, highRows) < settings.TargetImbalance)
        {
            low = high;
            high *= 2;
            if (high > 64)
            {
                throw new PlanningInputException(
                    "imbalance",
                    $"cannot reach {settings.TargetImbalance} with {settings.Ranks} ranks x {settings.ExpertsPerRank} experts and top-{settings.TopK}; the most is about {MasterImbalance(settings, highRows):0.00}");
            }

            highRows = Route(settings, popularity, noise, high);
        }

        var best = highRows;
        for (var i = 0; i < 40 && high - low > 1e-4; i++)
        {
            var mid = (low + high) / 2;
            var rows = Route(settings, popularity, noise, mid);
            if (MasterImbalance(settings, rows) < settings.TargetImbalance)
            {
                low = mid;
            }
            else
            {
                high = mid;
                best = rows;
            }
        }

        return best;
    }

    private static int[][] Route(MoeGeneratorSettings settings, int[] popularity, double[,] noise, double exponent)
    {
        var experts = popularity.Length;
        var rows = new int[settings.Ranks][];
        var weights = new double[experts];
        for (var s = 0; s < settings.Ranks; s++)
        {
            for (var e = 0; e < experts; e++)
            {
                weights[e] = Math.Pow(popularity[e] + 1, -exponent) * noise[s, e];
            }

            rows[s] = Apportion(weights, (long)settings.TokensPerRank * settings.TopK, settings.TokensPerRank);
        }

        return rows;
    }

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="weights"/>, no share above <paramref name="cap"/>, by water-filling and largest remainder.</summary>
    internal static int[] Apportion(double[] weights, long total, int cap)
    {
        var n = weights.Length;
        var share = new double[n];
        var capped = new bool[n];
        double remaining = total;
        while (true)
        {
            double free = 0;
            for (var i = 0; i < n; i++)
            {
                free += capped[i] ? 0 : weights[i];
            }

            var changed = false;
            for (var i = 0; i < n; i++)
            {
                if (capped[i])
                {
                    continue;
                }

                share[i] = remaining * weights[i] / free;
                if (share[i] > cap)
                {
                    capped[i] = true;
                    share[i] = cap;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }

            remaining = total;
            for (var i = 0; i < n; i++)
            {
                remaining -= capped[i] ? cap : 0;
            }
        }

        var counts = new int[n];
        long assigned = 0;
        for (var i = 0; i < n; i++)
        {
            counts[i] = (int)Math.Floor(share[i]);
            assigned += counts[i];
        }

        var order = Enumerable.Range(0, n)
            .Where(i => counts[i] < cap)
            .OrderByDescending(i => share[i] - counts[i])
            .ThenBy(i => i)
            .ToArray();
        for (var k = 0; assigned < total; k = (k + 1) % order.Length)
        {
            counts[order[k]]++;
            assigned++;
        }

        return counts;
    }

    private static double MasterImbalance(MoeGeneratorSettings settings, int[][] rows)
    {
        var loads = new long[settings.Ranks];
        foreach (var row in rows)
        {
            for (var e = 0; e < row.Length; e++)
            {
                loads[e / settings.ExpertsPerRank] += row[e];
            }
        }

        return LoadMath.Imbalance(loads);
    }

    private static int[] Permutation(Random random, int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        return order;
    }

    private static double StandardNormal(Random random)
    {
        // Box-Muller: 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static void Validate(MoeGeneratorSettings settings)
    {
        Positive("ranks", settings.Ranks);
        Positive("ranks-per-node", settings.RanksPerNode);
        Positive("ranks-per-domain", settings.RanksPerDomain);
        Positive("experts-per-rank", settings.ExpertsPerRank);
        Positive("layers", settings.Layers);
        Positive("tokens-per-rank", settings.TokensPerRank);
        Positive("top-k", settings.TopK);
        if (settings.RedundantSlotsPerRank < 0)
        {
            throw new PlanningInputException("redundant-slots", $"must be non-negative, got {settings.RedundantSlotsPerRank}");
        }

        if (settings.TopK > settings.Ranks * settings.ExpertsPerRank)
        {
            throw new PlanningInputException("top-k", $"must not exceed the number of experts ({settings.Ranks * settings.ExpertsPerRank}), got {settings.TopK}");
        }

        if (!(settings.TargetImbalance >= 1.0) || double.IsInfinity(settings.TargetImbalance))
        {
            throw new PlanningInputException("imbalance", $"must be a number of at least 1, got {settings.TargetImbalance}");
        }

        if ((long)settings.TokensPerRank * settings.TopK * settings.Ranks > int.MaxValue)
        {
            throw new PlanningInputException("tokens-per-rank", $"tokens x top-k x ranks must stay below {int.MaxValue}, got {settings.TokensPerRank}");
        }
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw new PlanningInputException(field, $"must be a positive integer, got {value}");
        }
    }
}
