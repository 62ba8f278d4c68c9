namespace Planning.Rollout;

/// <summary>
/// A lower bound on the makespan of a rollout trace on a GPU budget, for any schedule the simulator can run with the
/// same <see cref="IInferenceCostModel"/>: <see cref="Seconds"/> = max(<see cref="CriticalPathSeconds"/>,
/// <see cref="ThroughputSeconds"/>, <see cref="ContextThroughputSeconds"/>, <see cref="IterationSharingSeconds"/>).
/// </summary>
/// <remarks>
/// <para>Assumptions (what makes both terms true bounds): a decode iteration of b sequences with total context C on an
/// instance of degree d takes <c>DecodeIterationSeconds(b, C, d)</c>, nondecreasing in b and C, and gives each of the b
/// sequences one token; prefill takes <c>PrefillSeconds</c>; an instance never holds more KV tokens than its capacity;
/// a trajectory's turns run in order with its tool calls between them. Because a simulator may emit a turn's first token
/// with its prefill, each turn is credited only (outputTokens - 1) decode iterations.</para>
/// <para>(a) Critical path: for each trajectory, the sum over its turns of the cheapest prefill of what the turn must
/// prefill (the prompt for turn 0; the observation on top of the cached context after a tool call, the cheapest case, prefix
/// reuse), plus its decode iterations each at batch 1 (the fastest a batch can be) on the fastest degree for that token,
/// plus all its tool seconds; decode is evaluated in chunks of <see cref="ChunkTokens"/> tokens at the context of the
/// chunk's start, a lower value since the context only grows. The largest over trajectories bounds the makespan.</para>
/// <para>(b) Throughput: every decode token of the trace needs a slot in some iteration. An instance of degree d running
/// b sequences makes b tokens per <c>DecodeIterationSeconds(b, C, d)</c>, with C at least b times the shortest prompt
/// and b at most its KV capacity over the shortest prompt; so no GPU makes more than
/// <c>max over d, b of b / (d * DecodeIterationSeconds(b, b * minPrompt, d))</c> tokens per second, and the G GPUs together
/// at most G times that. Total decode tokens over that aggregate rate bounds the makespan (prefill time is left out of
/// this term; term (c) counts it).</para>
/// <para>(c) Context-weighted throughput, for long contexts: an iteration of b sequences with total context C on degree
/// d holds d GPUs for <c>DecodeIterationSeconds(b, C, d)</c>, and C is at most the instance's KV capacity. For any
/// prices λ1, λ2 &gt;= 0 with <c>λ1 b + λ2 C &lt;= d DecodeIterationSeconds(b, C, d)</c> for every feasible (b, C, d), the
/// GPU-seconds of all iterations are at least λ1 N + λ2 S, where N is the number of decode tokens and S the sum of the
/// contexts they are decoded at (at least the context at the start of their turn plus the tokens of the turn before
/// them). Prefills hold the instance's GPUs too, between iterations (the simulator, like an engine without chunked
/// prefill, does not overlap them with decode): every turn adds at least its cheapest prefill (as in term (a)) times the
/// degree it runs at, P in all. G GPUs supply G seconds per second, so (λ1 N + λ2 S + P) / G bounds the makespan. The
/// prices are the best such pair (a two-variable linear program, solved over λ2 by golden-section search, its objective
/// being concave): λ2 is what one context token costs when iterations run with their KV cache full, which binds when
/// the KV cache, not the batch, limits throughput (agentic traces with contexts of tens of thousands of tokens). The constraint is checked on a grid of b and C, each cell's cheapest corner
/// against its largest (b, C), which monotonicity makes valid for every point of the cell.</para>
/// <para>(d) Iteration sharing, for many long trajectories: they must each finish by the makespan, so they cannot share
/// their decode iterations with much context, and unshared iterations pay their fixed cost (layers, weights, all-reduce)
/// for few tokens; see <see cref="IterationSharingSeconds"/>.</para>
/// </remarks>
/// <param name="Seconds">The lower bound: the largest of the terms.</param>
/// <param name="CriticalPathSeconds">Term (a): the longest trajectory's own prefill, batch-1 decode at the fastest degree, and tool time.</param>
/// <param name="CriticalTrajectory">The trajectory (index in the trace) of term (a).</param>
/// <param name="ThroughputSeconds">Term (b): total decode tokens over the cluster's best aggregate decode rate.</param>
/// <param name="DecodeTokens">Decode tokens counted by term (b): the sum over turns of outputTokens - 1.</param>
/// <param name="BestTokensPerGpuSecond">The per-GPU decode rate no instance can exceed.</param>
/// <param name="BestDegree">The degree at which that rate is reached.</param>
/// <param name="BestBatch">The batch size at which that rate is reached.</param>
/// <param name="ContextThroughputSeconds">Term (c): (λ1 N + λ2 S + P) / G at the best prices.</param>
/// <param name="DecodeContextTokens">S of term (c): the sum of the contexts the decode tokens are decoded at.</param>
/// <param name="GpuSecondsPerDecodeToken">λ1 of term (c).</param>
/// <param name="GpuSecondsPerContextToken">λ2 of term (c).</param>
/// <param name="PrefillGpuSeconds">P of term (c): every turn's cheapest prefill, in GPU-seconds.</param>
public sealed partial record RolloutLowerBound(
    double Seconds,
    double CriticalPathSeconds,
    int CriticalTrajectory,
    double ThroughputSeconds,
    long DecodeTokens,
    double BestTokensPerGpuSecond,
    int BestDegree,
    int BestBatch,
    double ContextThroughputSeconds,
    double DecodeContextTokens,
    double GpuSecondsPerDecodeToken,
    double GpuSecondsPerContextToken,
    double PrefillGpuSeconds)
{
    /// <summary>The geometric step of term (c)'s grid of total contexts.</summary>
    internal const double ContextGridRatio = 1.02;

    /// <summary>The geometric step of term (c)'s grid of batch sizes past 16 (every size up to 16).</summary>
    internal const double BatchGridRatio = 1.0625;

    /// <summary>Decode tokens per chunk in term (a), each evaluated at the chunk's starting context.</summary>
    internal const int ChunkTokens = 16;

    /// <summary>The largest batch term (b) scans; beyond it the KV capacity of any real instance is exhausted.</summary>
    internal const int MaxScannedBatch = 1 << 16;

    /// <summary>Computes the bound.</summary>
    /// <param name="trace">The trajectories; at least one.</param>
    /// <param name="gpus">The GPU budget G.</param>
    /// <param name="cost">The cost model the simulator uses.</param>
    /// <returns>The bound and its parts.</returns>
    /// <exception cref="PlanningInputException">The trace is empty, or no degree fits <paramref name="gpus"/> with KV room.</exception>
    public static RolloutLowerBound Compute(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        if (trace.Count == 0)
        {
            throw new PlanningInputException("trace", "must contain at least one trajectory");
        }

        for (var i = 0; i < trace.Count; i++)
        {
            if (trace[i] is null)
            {
                throw new PlanningInputException($"trace[{i}]", "must not be null");
            }
        }

        if (gpus < 1)
        {
            throw new PlanningInputException("gpus", $"must be at least 1, got {gpus}");
        }

        var degrees = cost.TensorParallelDegrees.Where(d => d >= 1 && d <= gpus && cost.KvCapacityTokens(d) > 0).Distinct().ToArray();
        if (degrees.Length == 0)
        {
            throw new PlanningInputException("gpus", $"no tensor-parallel degree of {cost.ModelName} fits {gpus} GPUs with KV-cache room");
        }

        var critical = 0.0;
        var criticalTrajectory = 0;
        long decodeTokens = 0;
        double decodeContext = 0;
        double prefill = 0;
        for (var t = 0; t < trace.Count; t++)
        {
            var seconds = CriticalPath(trace[t], cost, degrees);
            if (seconds > critical)
            {
                critical = seconds;
                criticalTrajectory = t;
            }

            prefill += TurnPrefills(trace[t], cost, degrees, gpuSeconds: true);

            // A turn's decode tokens (all but the first, which the prefill may emit) are decoded at contexts of at least
            // its starting context plus 0, 1, ..., outputTokens - 2.
            double context = trace[t].PromptTokens;
            for (var turn = 0; turn < trace[t].Turns; turn++)
            {
                var decode = trace[t].OutputTokens[turn] - 1;
                decodeTokens += decode;
                decodeContext += (decode * context) + (decode * (decode - 1.0) / 2);
                context += trace[t].OutputTokens[turn] + (turn < trace[t].Turns - 1 ? trace[t].ObservationTokens[turn] : 0);
            }
        }

        var minPrompt = Math.Max(1, trace.Min(t => (long)t.PromptTokens));
        var (rate, bestDegree, bestBatch) = BestRate(cost, degrees, minPrompt);
        var throughput = decodeTokens / (rate * gpus);
        var (perToken, perContext) = BestPrices(cost, degrees, minPrompt, decodeTokens, decodeContext);
        var contextThroughput = ((perToken * decodeTokens) + (perContext * decodeContext) + prefill) / gpus;
        var sharing = IterationSharing(trace, gpus, cost, degrees, decodeContext, prefill);
        return new RolloutLowerBound(
            Math.Max(Math.Max(critical, sharing), Math.Max(throughput, contextThroughput)),
            critical,
            criticalTrajectory,
            throughput,
            decodeTokens,
            rate,
            bestDegree,
            bestBatch,
            contextThroughput,
            decodeContext,
            perToken,
            perContext,
            prefill)
        {
            IterationSharingSeconds = sharing,
        };
    }

    /// <summary>Term (a) for one trajectory (see the remarks).</summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="degrees">The degrees it may run at.</param>
    /// <returns>Seconds.</returns>
    internal static double CriticalPath(Trajectory trajectory, IInferenceCostModel cost, IReadOnlyList<int> degrees)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(degrees);
        var seconds = trajectory.TotalToolSeconds + TurnPrefills(trajectory, cost, degrees, gpuSeconds: false);
        long context = trajectory.PromptTokens;
        for (var turn = 0; turn < trajectory.Turns; turn++)
        {
            if (turn > 0)
            {
                context += trajectory.ObservationTokens[turn - 1];
            }

            // The turn's decode iterations, past the first token, at batch 1, chunk by chunk at the chunk's start context.
            var decode = trajectory.OutputTokens[turn] - 1;
            var chunkContext = context;
            for (var done = 0; done < decode; done += ChunkTokens)
            {
                var chunk = Math.Min(ChunkTokens, decode - done);
                var at = chunkContext + done;
                seconds += chunk * degrees.Min(d => cost.DecodeIterationSeconds(1, at, d));
            }

            context += trajectory.OutputTokens[turn];
        }

        return seconds;
    }

    /// <summary>
    /// The sum over a trajectory's turns of the cheapest prefill of what the turn must prefill: the prompt at turn 0; after
    /// a tool call the observation on top of the cached context (prefix reuse) or the whole context, whichever is cheaper.
    /// In seconds (the critical path) or in GPU-seconds (seconds times the degree), each minimised over the degrees.
    /// </summary>
    private static double TurnPrefills(Trajectory trajectory, IInferenceCostModel cost, IReadOnlyList<int> degrees, bool gpuSeconds)
    {
        double Scale(int d) => gpuSeconds ? d : 1;
        var total = degrees.Min(d => Scale(d) * cost.PrefillSeconds(trajectory.PromptTokens, 0, d));
        long context = trajectory.PromptTokens;
        for (var turn = 1; turn < trajectory.Turns; turn++)
        {
            var observation = trajectory.ObservationTokens[turn - 1];
            context += trajectory.OutputTokens[turn - 1] + observation;
            if (observation > 0)
            {
                var cached = context - observation;
                total += degrees.Min(d => Scale(d) * Math.Min(cost.PrefillSeconds(observation, cached, d), cost.PrefillSeconds(context, 0, d)));
            }
        }

        return total;
    }

    /// <summary>
    /// Term (c)'s prices: the constraints λ1 bHi + λ2 CHi &lt;= d DecodeIterationSeconds(bLo, CLo, d) over grid cells
    /// [bLo, bHi] x [CLo, CHi] of every degree (C from bLo x the shortest prompt to the KV capacity), and the pair that
    /// maximises λ1 N + λ2 S: for a given λ2 the best λ1 is the smallest (g - λ2 CHi) / bHi, a concave function of λ2.
    /// </summary>
    private static (double PerToken, double PerContext) BestPrices(IInferenceCostModel cost, int[] degrees, long minPrompt, long decodeTokens, double decodeContext)
    {
        var constraints = new List<(double Batch, double Context, double GpuSeconds)>();
        foreach (var d in degrees)
        {
            var capacity = cost.KvCapacityTokens(d);
            var maxBatch = (int)Math.Clamp(capacity / minPrompt, 1, MaxScannedBatch);
            for (var bLo = 1; bLo <= maxBatch;)
            {
                var bNext = bLo < 16 ? bLo + 1 : Math.Max(bLo + 1, (int)Math.Ceiling(bLo * BatchGridRatio));
                var bHi = Math.Min(bNext - 1, maxBatch);
                var cLo = Math.Min((double)bLo * minPrompt, capacity);
                do
                {
                    var cHi = Math.Min(capacity, Math.Max(cLo + 1, Math.Floor(cLo * ContextGridRatio)));
                    constraints.Add((bHi, cHi, d * cost.DecodeIterationSeconds(bLo, (long)cLo, d)));
                    cLo = cHi;
                }
                while (cLo < capacity);

                bLo = bNext;
            }
        }

        var perContextMax = constraints.Min(c => c.GpuSeconds / c.Context);
        double PerToken(double perContext)
        {
            var best = double.PositiveInfinity;
            foreach (var c in constraints)
            {
                best = Math.Min(best, (c.GpuSeconds - (perContext * c.Context)) / c.Batch);
            }

            return Math.Max(0, best);
        }

        double Objective(double perContext) => (PerToken(perContext) * decodeTokens) + (perContext * decodeContext);

        // Golden-section search for the maximum of the concave objective on [0, perContextMax]; the end points are
        // candidates too, since the maximum may sit on one of them.
        var golden = (Math.Sqrt(5) - 1) / 2;
        double lo = 0, hi = perContextMax;
        var x1 = hi - (golden * (hi - lo));
        var x2 = lo + (golden * (hi - lo));
        double f1 = Objective(x1), f2 = Objective(x2);
        for (var iteration = 0; iteration < 80; iteration++)
        {
            if (f1 < f2)
            {
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + (golden * (hi - lo));
                f2 = Objective(x2);
            }
            else
            {
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - (golden * (hi - lo));
                f1 = Objective(x1);
            }
        }

        double[] candidates = [0, perContextMax, (lo + hi) / 2];
        var chosen = candidates.MaxBy(Objective);
        return (PerToken(chosen), chosen);
    }

    private static (double Rate, int Degree, int Batch) BestRate(IInferenceCostModel cost, int[] degrees, long minPrompt)
    {
        var best = (Rate: 0.0, Degree: degrees[0], Batch: 1);
        foreach (var d in degrees)
        {
            var maxBatch = (int)Math.Clamp(cost.KvCapacityTokens(d) / minPrompt, 1, MaxScannedBatch);
            for (var b = 1; b <= maxBatch; b++)
            {
                var rate = b / (d * cost.DecodeIterationSeconds(b, b * minPrompt, d));
                if (rate > best.Rate)
                {
                    best = (rate, d, b);
                }
            }
        }

        return best;
    }
}
