namespace Planning.Moe.Workloads;

/// <summary>
/// The routing machinery every workload family shares: per-source
/// log-normal noise (sigma 0.25) on per-expert weights, <see cref="Apportion"/> of
/// <c>tokensPerRank x topK</c> assignments capped at <c>tokensPerRank</c> per expert, and a doubling-then-bisection
/// search on one skew parameter until the master ranks' imbalance reaches a target. <see cref="MoeCaseGenerator"/> is the first
/// microbatch of the zipf family.
/// </summary>
internal static class WorkloadRouting
{
    /// <summary>The sigma of the per-source, per-expert log-normal noise.</summary>
    public const double NoiseSigma = 0.25;

    /// <summary>The largest skew parameter the search tries before it reports the target out of reach.</summary>
    private const double MaxParameter = 64;

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="weights"/>, no share above <paramref name="cap"/>, by water-filling and largest remainder.</summary>
    public static int[] Apportion(double[] weights, long total, int cap)
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

    /// <summary>A random permutation of <c>0..n-1</c>.</summary>
    public static int[] Permutation(Random random, int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>A standard normal draw (Box-Muller, one uniform pair per draw).</summary>
    public static double StandardNormal(Random random)
    {
        // 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Per source rank and expert, a log-normal noise factor, drawn source by source.</summary>
    public static double[,] Noise(Random random, int ranks, int experts)
    {
        var noise = new double[ranks, experts];
        for (var s = 0; s < ranks; s++)
        {
            for (var e = 0; e < experts; e++)
            {
                noise[s, e] = Math.Exp(NoiseSigma * StandardNormal(random));
            }
        }

        return noise;
    }

    /// <summary>
    /// Routes every source rank's assignments in proportion to <c>expertWeights[e] x noise[s, e]</c>; an expert of
    /// weight 0 receives nothing (the caller keeps at least <c>topK</c> experts of positive weight).
    /// </summary>
    public static int[][] Route(MoeWorkloadSettings settings, double[] expertWeights, double[,] noise)
    {
        var experts = expertWeights.Length;
        var positive = Enumerable.Range(0, experts).Where(e => expertWeights[e] > 0).ToArray();
        var total = (long)settings.TokensPerRank * settings.TopK;
        var rows = new int[settings.Ranks][];
        var weights = new double[positive.Length];
        for (var s = 0; s < settings.Ranks; s++)
        {
            for (var i = 0; i < positive.Length; i++)
            {
                var e = positive[i];
                weights[i] = expertWeights[e] * noise[s, e];
            }

            var counts = Apportion(weights, total, settings.TokensPerRank);
            if (positive.Length == experts)
            {
                rows[s] = counts;
            }
            else
            {
                var row = new int[experts];
                for (var i = 0; i < positive.Length; i++)
                {
                    row[positive[i]] = counts[i];
                }

                rows[s] = row;
            }
        }

        return rows;
    }

    /// <summary>Max / mean of the master ranks' loads when nothing is balanced.</summary>
    public static double MasterImbalance(MoeWorkloadSettings settings, int[][] rows)
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

    /// <summary>
    /// Finds the smallest skew parameter <c>x</c> in [0, 64] (to 1e-4) whose routing reaches <paramref name="target"/>,
    /// given weights that grow more skewed with <c>x</c> and are flat-ish at 0; returns the routing at 0 when that
    /// already reaches the target. When even <c>x = 64</c> stays below the target, a <paramref name="lenient"/> fit
    /// returns that most skewed routing; a strict one throws.
    /// </summary>
    /// <exception cref="PlanningInputException">A strict fit cannot reach the target (field <c>imbalance</c>).</exception>
    public static (int[][] Rows, double Parameter) Fit(MoeWorkloadSettings settings, double target, Func<double, double[]> expertWeights, double[,] noise, bool lenient = false)
    {
        var flat = Route(settings, expertWeights(0.0), noise);
        if (MasterImbalance(settings, flat) >= target)
        {
            return (flat, 0.0);
        }

        double low = 0, high = 1;
        var highRows = Route(settings, expertWeights(high), noise);
        while (MasterImbalance(settings, highRows) < target)
        {
            low = high;
            high *= 2;
            if (high > MaxParameter)
            {
                if (lenient)
                {
                    return (highRows, low);
                }

                var family = settings.Family == MoeWorkloadFamily.Zipf ? string.Empty : $" in family {MoeWorkloadFamilies.Name(settings.Family)}";
                throw new PlanningInputException(
                    "imbalance",
                    $"cannot reach {target} with {settings.Ranks} ranks x {settings.ExpertsPerRank} experts and top-{settings.TopK}{family}; the most is about {MasterImbalance(settings, highRows):0.00}");
            }

            highRows = Route(settings, expertWeights(high), noise);
        }

        var best = highRows;
        var bestParameter = high;
        for (var i = 0; i < 40 && high - low > 1e-4; i++)
        {
            var mid = (low + high) / 2;
            var rows = Route(settings, expertWeights(mid), noise);
            if (MasterImbalance(settings, rows) < target)
            {
                low = mid;
            }
            else
            {
                high = mid;
                best = rows;
                bestParameter = mid;
            }
        }

        return (best, bestParameter);
    }

    /// <summary>
    /// Picks <paramref name="count"/> distinct experts spread over random ranks: ranks in random order (ranks holding
    /// none of <paramref name="avoid"/> first), one random expert from each in turn, then a second from each, and so
    /// on; experts in <paramref name="avoid"/> only once no other is left.
    /// </summary>
    public static bool[] SelectSpread(Random random, int ranks, int expertsPerRank, int count, bool[]? avoid)
    {
        var experts = ranks * expertsPerRank;
        var preferred = new List<int>();
        var others = new List<int>();
        var candidates = new List<int>[ranks];
        for (var r = 0; r < ranks; r++)
        {
            candidates[r] = [];
            var touched = false;
            for (var e = r * expertsPerRank; e < (r + 1) * expertsPerRank; e++)
            {
                if (avoid is not null && avoid[e])
                {
                    touched = true;
                }
                else
                {
                    candidates[r].Add(e);
                }
            }

            (touched ? others : preferred).Add(r);
        }

        var order = Shuffled(random, preferred).Concat(Shuffled(random, others)).ToArray();
        var lists = order.Select(r => Shuffled(random, candidates[r])).ToArray();
        var chosen = new bool[experts];
        var picked = 0;
        for (var round = 0; round < expertsPerRank && picked < count; round++)
        {
            for (var i = 0; i < lists.Length && picked < count; i++)
            {
                if (round < lists[i].Length)
                {
                    chosen[lists[i][round]] = true;
                    picked++;
                }
            }
        }

        if (picked < count)
        {
            var rest = Shuffled(random, Enumerable.Range(0, experts).Where(e => !chosen[e]).ToList());
            for (var i = 0; picked < count; i++, picked++)
            {
                chosen[rest[i]] = true;
            }
        }

        return chosen;
    }

    private static int[] Shuffled(Random random, List<int> items)
    {
        var array = items.ToArray();
        random.Shuffle(array);
        return array;
    }
}
