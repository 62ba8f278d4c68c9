namespace Planning.Rollout;

/// <summary>
/// A lower bound on the makespan of a rollout trace on a GPU budget, for any schedule the simulator can run with the
/// same <see cref="IInferenceCostModel"/>: <see cref="Seconds"/> = max(<see cref="CriticalPathSeconds"/>, <see cref="ThroughputSeconds"/>).
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
/// at most G times that. Total decode tokens over that aggregate rate bounds the makespan (prefill time is left out,
/// since a simulator may overlap it with decode).</para>
/// </remarks>
/// <param name="Seconds">The lower bound: the larger of the two terms.</param>
/// <param name="CriticalPathSeconds">Term (a): the longest trajectory's own prefill, batch-1 decode at the fastest degree, and tool time.</param>
/// <param name="CriticalTrajectory">The trajectory (index in the trace) of term (a).</param>
/// <param name="ThroughputSeconds">Term (b): total decode tokens over the cluster's best aggregate decode rate.</param>
/// <param name="DecodeTokens">Decode tokens counted by term (b): the sum over turns of outputTokens - 1.</param>
/// <param name="BestTokensPerGpuSecond">The per-GPU decode rate no instance can exceed.</param>
/// <param name="BestDegree">The degree at which that rate is reached.</param>
/// <param name="BestBatch">The batch size at which that rate is reached.</param>
public sealed record RolloutLowerBound(
    double Seconds,
    double CriticalPathSeconds,
    int CriticalTrajectory,
    double ThroughputSeconds,
    long DecodeTokens,
    double BestTokensPerGpuSecond,
    int BestDegree,
    int BestBatch)
{
    /// <summary>Decode tokens per chunk in term (a), each evaluated at the chunk's starting context.</summary>
    public const int ChunkTokens = 16;

    /// <summary>The largest batch term (b) scans; beyond it the KV capacity of any real instance is exhausted.</summary>
    public const int MaxScannedBatch = 1 << 16;

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
        for (var t = 0; t < trace.Count; t++)
        {
            var seconds = CriticalPath(trace[t], cost, degrees);
            if (seconds > critical)
            {
                critical = seconds;
                criticalTrajectory = t;
            }

            foreach (var output in trace[t].OutputTokens)
            {
                decodeTokens += output - 1;
            }
        }

        var minPrompt = Math.Max(1, trace.Min(t => (long)t.PromptTokens));
        var (rate, bestDegree, bestBatch) = BestRate(cost, degrees, minPrompt);
        var throughput = decodeTokens / (rate * gpus);
        return new RolloutLowerBound(Math.Max(critical, throughput), critical, criticalTrajectory, throughput, decodeTokens, rate, bestDegree, bestBatch);
    }

    /// <summary>Term (a) for one trajectory (see the remarks).</summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="degrees">The degrees it may run at.</param>
    /// <returns>Seconds.</returns>
    public static double CriticalPath(Trajectory trajectory, IInferenceCostModel cost, IReadOnlyList<int> degrees)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(degrees);
        var seconds = trajectory.TotalToolSeconds;
        long context = trajectory.PromptTokens;
        for (var turn = 0; turn < trajectory.Turns; turn++)
        {
            if (turn == 0)
            {
                seconds += degrees.Min(d => cost.PrefillSeconds(trajectory.PromptTokens, 0, d));
            }
            else
            {
                var observation = trajectory.ObservationTokens[turn - 1];
                context += observation;
                if (observation > 0)
                {
                    var cached = context - observation;
                    seconds += degrees.Min(d => Math.Min(cost.PrefillSeconds(observation, cached, d), cost.PrefillSeconds(context, 0, d)));
                }
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
