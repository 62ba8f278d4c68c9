using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class RolloutLowerBoundTests
{
    public static Arbitrary<(int Seed, int Count, int Gpus)> Traces() =>
        (from seed in Gen.Choose(0, 1_000_000)
         from count in Gen.Choose(1, 5)
         from gpus in Gen.Elements(1, 2, 4, 8)
         select (seed, count, gpus)).ToArbitrary();

    [Fact]
    public void Compute_OneTrajectoryAlone_EqualsItsExactMakespanAtTheBestDegree()
    {
        // Context-independent decode: the exact run of one trajectory on a TP8 instance (the fastest here) is the bound.
        var cost = new AffineCostModel(perKvTokenSeconds: 0);
        var trajectory = new Trajectory("t", "g", 300, [40, 25, 9], [12, 30], [1.5, 0.25]);

        var bound = RolloutLowerBound.Compute([trajectory], 8, cost);
        var exact = ReferenceMakespan([trajectory], [8], cost);

        Assert.Equal(exact, bound.CriticalPathSeconds, 1e-9);
        Assert.Equal(exact, bound.Seconds, 1e-9);
        Assert.Equal(0, bound.CriticalTrajectory);
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(RolloutLowerBoundTests)])]
    public bool Compute_NeverAboveAnySimulatedSchedule(ValueTuple<int, int, int> generated)
    {
        var (seed, count, gpus) = generated;
        var cost = new AffineCostModel(kvPerGpu: 1_000_000);
        var trace = RandomTrace(seed, count);
        var bound = RolloutLowerBound.Compute(trace, gpus, cost);

        // Several schedules the simulator could produce: all on one instance of each degree, or split over instances.
        foreach (var degrees in Layouts(gpus))
        {
            var makespan = ReferenceMakespan(trace, degrees, cost);
            Assert.True(bound.Seconds <= makespan + 1e-9, $"bound {bound.Seconds} > makespan {makespan} on [{string.Join(",", degrees)}]");
        }

        return true;
    }

    [Fact]
    public void Compute_ManyShortTrajectories_ThroughputTermDominates()
    {
        var cost = new AffineCostModel();
        var trace = Enumerable.Range(0, 400).Select(i => new Trajectory($"t{i}", "g", 100, [200], [], [])).ToArray();
        var bound = RolloutLowerBound.Compute(trace, 1, cost);
        Assert.True(bound.ThroughputSeconds > bound.CriticalPathSeconds);
        Assert.Equal(400 * 199, bound.DecodeTokens);
        Assert.True(bound.Seconds <= ReferenceMakespan(trace, [1], cost) + 1e-9);
    }

    [Fact]
    public void Compute_LongContextsOnSmallCaches_ContextTermAtLeastTheFullCachePrice()
    {
        // GPU-seconds of an iteration: weights (0.02) + 1e-8 per context token, at every degree; caches hold 20,000 tokens
        // a GPU. Iterations are cheapest per context token when the cache is full (TP8: 160,000 tokens), so λ2 = 1e-8 +
        // 0.02 / 160,000 with λ1 = 0 is feasible, and the bound is at least λ2 S / G. One short trajectory makes the
        // shortest prompt 10 tokens, so the batch-only term (b) is far lower.
        var cost = new AffineCostModel(weightsSeconds: 0.02, communicationSeconds: 0, perSequenceSeconds: 0, perKvTokenSeconds: 1e-8, kvPerGpu: 20_000);
        Trajectory[] trace =
        [
            .. Enumerable.Range(0, 64).Select(i => new Trajectory($"t{i}", "g", 8000, [300, 200], [500], [0.5])),
            new Trajectory("short", "g", 10, [2], [], []),
        ];

        var bound = RolloutLowerBound.Compute(trace, 8, cost);

        // Turn 0 decodes 299 tokens from context 8000, turn 1 199 from 8000 + 300 + 500; the short one 1 token from 10.
        var contexts = (64 * ((299 * 8000.0) + (299 * 298 / 2.0) + (199 * 8800.0) + (199 * 198 / 2.0))) + 10;
        Assert.Equal(contexts, bound.DecodeContextTokens, 6);
        Assert.Equal((64 * 498) + 1, bound.DecodeTokens);
        var fullCachePrice = 1e-8 + (0.02 / 160_000);

        // Prefill GPU-seconds are cheapest at TP1 (0.01 + 2e-5 x (new + 0.1 x cached) on one GPU): the prompt, then the
        // observation on the cached 8,300 tokens (cheaper than prefilling all 8,800 again).
        var prefill = (64 * ((0.01 + (2e-5 * 8000)) + (0.01 + (2e-5 * (500 + (0.1 * 8300)))))) + 0.01 + (2e-5 * 10);
        Assert.Equal(prefill, bound.PrefillGpuSeconds, 9);
        Assert.InRange(bound.ContextThroughputSeconds, (0.97 * fullCachePrice * contexts / 8) + (prefill / 8), (1.0001 * fullCachePrice * contexts / 8) + (prefill / 8));
        Assert.True(bound.ContextThroughputSeconds > 2 * Math.Max(bound.CriticalPathSeconds, bound.ThroughputSeconds), $"{bound}");
        Assert.Equal(bound.ContextThroughputSeconds, bound.Seconds);
    }

    [Fact]
    public void Compute_IdenticalLongTrajectoriesOnOneGpu_SharingTermNearTheirBatchedMakespan()
    {
        // One GPU, decode = 0.02 s + 1e-6 s per context token whatever the batch: running all four trajectories in every
        // iteration pays each iteration's fixed 0.02 s once, so the reference schedule (all batched) is optimal. Its
        // makespan is what term (d) charges (the fixed part of 2,999 iterations, every context token, the prefills);
        // term (d) may fall short of it only by its chunking, its grid of multipliers and its relaxation (each trajectory
        // may spread the others' context over its tokens as suits it best, which gains little when its context barely
        // grows: 10,000 to 11,000 tokens here). The critical path (one trajectory alone) and the context term (fixed
        // parts shared by a full cache) stay far lower.
        var cost = new AffineCostModel(communicationSeconds: 0, perSequenceSeconds: 0, perKvTokenSeconds: 1e-6, degrees: [1]);
        var trace = Enumerable.Range(0, 4).Select(i => new Trajectory($"t{i}", "g", 10_000, [1000], [], [])).ToArray();

        var bound = RolloutLowerBound.Compute(trace, 1, cost);
        var batched = ReferenceMakespan(trace, [1], cost);

        Assert.InRange(bound.IterationSharingSeconds, 0.98 * batched, batched);
        Assert.Equal(bound.IterationSharingSeconds, bound.Seconds);
        Assert.True(bound.IterationSharingSeconds > 1.2 * Math.Max(bound.CriticalPathSeconds, bound.ContextThroughputSeconds), $"{bound}");
    }

    [Property(MaxTest = 25, Arbitrary = [typeof(RolloutLowerBoundTests)])]
    public bool Compute_LongTrajectories_SharingTermNeverAboveAnySimulatedSchedule(ValueTuple<int, int, int> generated)
    {
        // Long turns and a costly KV cache, where term (d) binds: it must stay below every schedule the reference runs.
        var (seed, count, gpus) = generated;
        var cost = new AffineCostModel(perKvTokenSeconds: 2e-6, kvPerGpu: 200_000);
        var random = new Random(seed);
        var trace = Enumerable.Range(0, count + 1).Select(i => new Trajectory(
            $"t{i}", "g", random.Next(1, 2000), [random.Next(1, 700), random.Next(1, 700)], [random.Next(0, 300)], [Math.Round(random.NextDouble(), 2)])).ToArray();
        var bound = RolloutLowerBound.Compute(trace, gpus, cost);

        foreach (var degrees in Layouts(gpus))
        {
            var makespan = ReferenceMakespan(trace, degrees, cost);
            Assert.True(bound.IterationSharingSeconds <= makespan + 1e-9, $"term (d) {bound.IterationSharingSeconds} > makespan {makespan} on [{string.Join(",", degrees)}]");
        }

        return true;
    }

    [Fact]
    public void Compute_EmptyTrace_Throws()
    {
        var error = Assert.Throws<PlanningInputException>(() => RolloutLowerBound.Compute([], 8, new AffineCostModel()));
        Assert.Equal("trace", error.Field);
    }

    private static IEnumerable<int[]> Layouts(int gpus)
    {
        foreach (var d in new[] { 1, 2, 4, 8 }.Where(d => d <= gpus))
        {
            yield return [.. Enumerable.Repeat(d, gpus / d)];
            yield return [d];
        }
    }

    private static Trajectory[] RandomTrace(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var turns = random.Next(1, 4);
            return new Trajectory(
                $"t{i}",
                "g",
                random.Next(1, 400),
                [.. Enumerable.Range(0, turns).Select(_ => random.Next(1, 60))],
                [.. Enumerable.Range(0, turns - 1).Select(_ => random.Next(0, 50))],
                [.. Enumerable.Range(0, turns - 1).Select(_ => Math.Round(random.NextDouble() * 2, 2))]);
        })];
    }

    /// <summary>
    /// A token-level reference schedule: trajectories dealt round robin to instances and kept there (prefix reuse); an
    /// instance runs one pending prefill at a time (it emits the turn's first token) before decoding, else one decode
    /// iteration of every sequence not in a tool call; tool calls run off the GPU. One feasible schedule of the
    /// simulator's model, so the bound must not exceed its makespan.
    /// </summary>
    private static double ReferenceMakespan(IReadOnlyList<Trajectory> trace, int[] degrees, AffineCostModel cost)
    {
        var makespan = 0.0;
        for (var instance = 0; instance < degrees.Length; instance++)
        {
            var mine = trace.Where((_, i) => i % degrees.Length == instance).ToArray();
            var turn = new int[mine.Length];
            var left = new int[mine.Length];
            var context = mine.Select(t => (long)t.PromptTokens).ToArray();
            var readyAt = new double[mine.Length];
            var needsPrefill = Enumerable.Repeat(true, mine.Length).ToArray();
            var done = new bool[mine.Length];
            var now = 0.0;
            while (done.Contains(false))
            {
                var prefill = Enumerable.Range(0, mine.Length).FirstOrDefault(i => !done[i] && needsPrefill[i] && readyAt[i] <= now, -1);
                if (prefill >= 0)
                {
                    var t = mine[prefill];
                    long fresh = turn[prefill] == 0 ? t.PromptTokens : t.ObservationTokens[turn[prefill] - 1];
                    now += cost.PrefillSeconds(fresh, context[prefill] - fresh, degrees[instance]);
                    needsPrefill[prefill] = false;
                    left[prefill] = t.OutputTokens[turn[prefill]] - 1;
                    context[prefill]++;
                    Finish(prefill);
                    continue;
                }

                var batch = Enumerable.Range(0, mine.Length).Where(i => !done[i] && !needsPrefill[i] && readyAt[i] <= now).ToArray();
                if (batch.Length > 0)
                {
                    now += cost.DecodeIterationSeconds(batch.Length, batch.Sum(i => context[i]), degrees[instance]);
                    foreach (var i in batch)
                    {
                        left[i]--;
                        context[i]++;
                        Finish(i);
                    }

                    continue;
                }

                now = Enumerable.Range(0, mine.Length).Where(i => !done[i]).Min(i => readyAt[i]);
            }

            makespan = Math.Max(makespan, mine.Length == 0 ? 0 : now);

            void Finish(int i)
            {
                if (left[i] > 0)
                {
                    return;
                }

                var t = mine[i];
                if (turn[i] == t.Turns - 1)
                {
                    done[i] = true;
                    makespan = Math.Max(makespan, now);
                    return;
                }

                readyAt[i] = now + t.ToolSeconds[turn[i]];
                context[i] += t.ObservationTokens[turn[i]];
                turn[i]++;
                needsPrefill[i] = true;
            }
        }

        return makespan;
    }
}
