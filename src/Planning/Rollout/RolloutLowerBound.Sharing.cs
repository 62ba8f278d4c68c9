namespace Planning.Rollout;

/// <summary>Term (d) of the bound: iterations that the trajectories' deadlines forbid to share (see <see cref="IterationSharingSeconds"/>).</summary>
public sealed partial record RolloutLowerBound
{
    /// <summary>Decode tokens per chunk in term (d), each evaluated at the chunk's starting context (a lower value, the context only grows).</summary>
    internal const int SharingChunkTokens = 128;

    /// <summary>The geometric step of the context grid on which term (d) checks its split of an iteration's time.</summary>
    internal const double SplitGridRatio = 1.0001;

    /// <summary>The multipliers λ term (d) tries for each trajectory: 0 and 10^-6 to 10^8, ten a decade.</summary>
    private static readonly double[] SharingMultipliers = [0, .. Enumerable.Range(-60, 141).Select(k => Math.Pow(10, k / 10.0))];

    /// <summary>
    /// Term (d), iteration sharing: the smallest makespan M at which G M covers the GPU-seconds that the decode
    /// iterations and prefills must hold when every trajectory finishes by M. It binds when many long trajectories
    /// must each run nearly alone to finish in time, so that their iterations cannot be shared (<c>mixed</c>: the
    /// longest trajectories hold a large share of the trace's context work). 0 when not computed.
    /// </summary>
    /// <remarks>
    /// <para>Split each degree's decode iteration as <c>DecodeIterationSeconds(b, C, d) &gt;= a_d + μ_d C</c> for every
    /// b &gt;= 1 and C up to the KV capacity cap_d (a fixed part and a context part; checked on a geometric grid of C,
    /// each cell's lowest C against its highest, valid by monotonicity in b and C). An iteration holds d GPUs for at
    /// least d a_d + ν C GPU-seconds, ν = min over d of d μ_d; charge its fixed part d a_d to its sequences in proportion
    /// to their contexts, d a_d c / C each. Summed over iterations the context parts give at least ν S (S as term (c)),
    /// the prefills P, and each trajectory's charged fixed parts some F_j, so G M &gt;= ν S + P + Σ F_j.</para>
    /// <para>F_j is small only when the trajectory shares its iterations with much context (c / C small), which slows
    /// each of its tokens: in an iteration of total context C on degree d its token takes at least a_d + μ_d C, and its
    /// tokens, prefills and tool calls run one after another by M, so Σ over its tokens of (a_d + μ_d C) &lt;= M − its
    /// tool seconds − its cheapest prefills = s_j. For any λ &gt;= 0, F_j &gt;= Σ over its tokens of
    /// min over d and c &lt;= C &lt;= cap_d of (d a_d c / C + λ (a_d + μ_d C)) − λ s_j (weak duality), where c is the
    /// token's context (a lower value in chunks of <see cref="SharingChunkTokens"/>, which only lowers the minimum); the
    /// inner minimum is in closed form (C = sqrt(d a_d c / (λ μ_d)) clamped to [c, cap_d]). The best λ of a fixed grid is
    /// taken per trajectory. The right side falls as M grows and the left rises, so the smallest M that satisfies the
    /// inequality, found by bisection and reported from below, bounds every schedule's makespan.</para>
    /// </remarks>
    public double IterationSharingSeconds { get; init; }

    /// <summary>Term (d) (<see cref="IterationSharingSeconds"/>).</summary>
    private static double IterationSharing(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, int[] degrees, double decodeContext, double prefillGpuSeconds)
    {
        var splits = degrees.Select(d => Split(cost, d)).ToArray();
        var contextPrice = splits.Min(s => s.Degree * s.PerContext);
        var fixedGpuSeconds = new double[trace.Count][];
        var slackBase = new double[trace.Count];
        for (var t = 0; t < trace.Count; t++)
        {
            fixedGpuSeconds[t] = DualTerms(trace[t], splits);
            slackBase[t] = trace[t].TotalToolSeconds + TurnPrefills(trace[t], cost, degrees, gpuSeconds: false);
        }

        // Covered(M) = G M − (ν S + P + Σ_j max over λ of (Φ_j(λ) − λ s_j(M))) rises with M; its root bounds the makespan.
        var committed = (contextPrice * decodeContext) + prefillGpuSeconds;
        double Covered(double makespan)
        {
            var charged = committed;
            for (var t = 0; t < trace.Count; t++)
            {
                var slack = makespan - slackBase[t];
                var best = 0.0;
                var phi = fixedGpuSeconds[t];
                for (var l = 0; l < phi.Length; l++)
                {
                    best = Math.Max(best, phi[l] - (SharingMultipliers[l] * slack));
                }

                charged += best;
            }

            return (gpus * makespan) - charged;
        }

        double lo = 0, hi = 1;
        for (var doubling = 0; doubling < 200 && Covered(hi) < 0; doubling++)
        {
            lo = hi;
            hi *= 2;
        }

        for (var iteration = 0; iteration < 100 && hi - lo > 1e-12 * hi; iteration++)
        {
            var mid = (lo + hi) / 2;
            if (Covered(mid) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        // lo is below the root (Covered(lo) < 0, or 0): a valid bound.
        return lo;
    }

    /// <summary>Φ_j(λ) for every λ of the grid: the sum over the trajectory's decode tokens of the inner minimum.</summary>
    private static double[] DualTerms(Trajectory trajectory, IterationSplit[] splits)
    {
        var phi = new double[SharingMultipliers.Length];
        long context = trajectory.PromptTokens;
        for (var turn = 0; turn < trajectory.Turns; turn++)
        {
            var decode = trajectory.OutputTokens[turn] - 1;
            for (var done = 0; done < decode; done += SharingChunkTokens)
            {
                var chunk = Math.Min(SharingChunkTokens, decode - done);
                double at = context + done;
                for (var l = 0; l < phi.Length; l++)
                {
                    phi[l] += chunk * CheapestToken(at, SharingMultipliers[l], splits);
                }
            }

            context += trajectory.OutputTokens[turn] + (turn < trajectory.Turns - 1 ? trajectory.ObservationTokens[turn] : 0);
        }

        return phi;
    }

    /// <summary>min over d and c &lt;= C &lt;= cap_d of d a_d c / C + λ (a_d + μ_d C); a degree whose cache cannot hold the context is skipped.</summary>
    private static double CheapestToken(double context, double multiplier, IterationSplit[] splits)
    {
        var best = double.PositiveInfinity;
        var anyFits = false;
        foreach (var s in splits)
        {
            if (context > s.Capacity)
            {
                continue;
            }

            anyFits = true;
            var fixedGpu = s.Degree * s.Fixed;
            var total = multiplier > 0 && s.PerContext > 0
                ? Math.Clamp(Math.Sqrt(fixedGpu * context / (multiplier * s.PerContext)), context, s.Capacity)
                : s.Capacity;
            best = Math.Min(best, (fixedGpu * context / total) + (multiplier * (s.Fixed + (s.PerContext * total))));
        }

        // No degree holds the context (the simulator would reject the trace): charge nothing rather than fail.
        return anyFits ? best : 0;
    }

    /// <summary>
    /// The split a_d + μ_d C &lt;= DecodeIterationSeconds(1, C, d) for C in [0, cap_d]: μ_d the chord slope, a_d the
    /// largest intercept the grid allows (each cell's lowest C against its highest); when that intercept is negative,
    /// a_d = 0 and μ_d the largest slope the grid allows instead.
    /// </summary>
    private static IterationSplit Split(IInferenceCostModel cost, int degree)
    {
        var capacity = cost.KvCapacityTokens(degree);
        var empty = cost.DecodeIterationSeconds(1, 0, degree);
        var slope = Math.Max(0, (cost.DecodeIterationSeconds(1, capacity, degree) - empty) / capacity);
        var intercept = double.PositiveInfinity;
        var steepest = double.PositiveInfinity;
        double lo = 0;
        while (lo < capacity)
        {
            var hi = Math.Min(capacity, Math.Max(lo + 1, Math.Floor(lo * SplitGridRatio)));
            var seconds = cost.DecodeIterationSeconds(1, (long)lo, degree);
            intercept = Math.Min(intercept, seconds - (slope * hi));
            steepest = Math.Min(steepest, seconds / hi);
            lo = hi;
        }

        return intercept >= 0 ? new IterationSplit(degree, intercept, slope, capacity) : new IterationSplit(degree, 0, steepest, capacity);
    }

    /// <summary>A degree's split of a decode iteration: <paramref name="Fixed"/> + <paramref name="PerContext"/> x C seconds, C at most <paramref name="Capacity"/>.</summary>
    private readonly record struct IterationSplit(int Degree, double Fixed, double PerContext, double Capacity);
}
