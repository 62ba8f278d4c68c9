using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;
using Planning.Soc;
using Planning.Solving;

namespace Planning.Tests.Soc;

public sealed class SocMappingProblemTests
{
    private static readonly SolverOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(20), Workers = 1, Seed = 5 };

    private static readonly ImmutableArray<DeviceKind> Lanes = [DeviceKind.Cpu, DeviceKind.IntegratedGpu, DeviceKind.Npu];

    // Small kernel graphs: 1 to 7 kernels, each allowed on a non-empty subset of the three accelerators with a time
    // of 1 to 60 us there, a chain of predecessors or none, and DRAM traffic worth 0 to 40 us in all.
    private static Gen<SocMappingProblem> SmallProblems(int maxKernels = 7) =>
        from count in Gen.Choose(1, maxKernels)
        from masks in Gen.ArrayOf(Gen.Choose(1, 7), count)
        from times in Gen.ArrayOf(Gen.Choose(1, 60), count * 3)
        from chained in Gen.Elements(true, false)
        from dram in Gen.Choose(0, 40)
        select Problem(masks, times, chained, dram);

    [Property(MaxTest = 60)]
    public Property Solve_SmallGraphs_ProvenOptimumEqualsBruteForce() =>
        Prop.ForAll(SmallProblems().ToArbitrary(), problem =>
        {
            var expected = AllMappings(problem).Min(problem.Objective);

            var solution = problem.SolveBottleneck(Options, CancellationToken.None);

            Assert.Equal(SolveStatus.Optimal, solution.Status);
            Assert.Equal(expected, solution.Objective);
            Assert.Equal(expected, problem.Objective(solution.Mapping));
            Assert.Equal(expected, solution.Bound);
            return true;
        });

    [Property(MaxTest = 40)]
    public Property SolveMakespan_SmallGraphs_ProvenOptimumEqualsBruteForceOverMappingsAndOrders() =>
        Prop.ForAll(SmallProblems(maxKernels: 5).ToArbitrary(), problem =>
        {
            var expected = AllMappings(problem).Min(mapping => BestMakespan(problem, mapping));
            var lower = Math.Max(problem.CriticalPath(), problem.DramMicroseconds);

            var solution = problem.SolveMakespan(Options, hint: null, lower, CancellationToken.None);

            Assert.Equal(SolveStatus.Optimal, solution.Status);
            Assert.Equal(expected, solution.Makespan);
            Assert.Equal(expected, solution.Bound);
            Assert.Equal(expected, Math.Max(problem.DramMicroseconds, problem.Verify(solution.Mapping, solution.Starts)));
            return true;
        });

    [Property(MaxTest = 40)]
    public Property SolveHeadTailBound_SmallDags_NeverAboveTheBruteForceOptimum() =>
        Prop.ForAll(SmallDags().ToArbitrary(), problem =>
        {
            var expected = AllMappings(problem).Min(mapping => BestMakespan(problem, mapping));

            var bound = problem.SolveHeadTailBound(Options, CancellationToken.None);

            Assert.InRange(bound, Math.Max(problem.CriticalPath(), problem.TrivialBound()), expected);
            return true;
        });

    [Property(MaxTest = 40)]
    public Property SolveHeadTailBound_CappedByAScheduleInHand_SameBoundAsUncapped() =>
        Prop.ForAll(SmallDags().ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (problem, seed) =>
        {
            var uncapped = problem.SolveHeadTailBound(Options, CancellationToken.None);
            var (mapping, start, _) = problem.ListScheduleJointly(seed, target: 0);
            var makespan = Math.Max(problem.DramMicroseconds, problem.Verify(mapping, start));

            var capped = problem.SolveHeadTailBound(Options, CancellationToken.None, problem.TrivialBound(), (mapping, makespan));

            Assert.Equal(uncapped, capped);
            return true;
        });

    [Property(MaxTest = 40)]
    public Property ListScheduleJointly_SmallDags_AValidScheduleNoShorterThanTheOptimum() =>
        Prop.ForAll(SmallDags().ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (problem, seed) =>
        {
            var expected = AllMappings(problem).Min(mapping => BestMakespan(problem, mapping));

            var (mapping, start, makespan) = problem.ListScheduleJointly(seed, target: 0);

            Assert.All(Enumerable.Range(0, mapping.Length), k => Assert.NotNull(problem.LoadMicroseconds[k][mapping[k]]));
            Assert.Equal(makespan, problem.Verify(mapping, start));
            Assert.True(Math.Max(problem.DramMicroseconds, makespan) >= expected);
            return true;
        });

    [Fact]
    public void HeadsAndTails_KernelsFixedToOneAccelerator_ShareIt()
    {
        // Kernel 0 (anywhere, 10 us) feeds kernels 1 and 2, both on the iGPU only (5 and 7 us): whatever the mapping,
        // 12 us of iGPU work follows kernel 0, one kernel at a time, though the longest chain after it is 7 us.
        var problem = new SocMappingProblem
        {
            Kernels = [Kernel(0), Kernel(1), Kernel(2)],
            Accelerators = Lanes,
            LoadMicroseconds = [[10, 10, 10], [null, 5, null], [null, 7, null]],
            Bytes = [0, 0, 0],
            Predecessors = [[], [0], [0]],
            DramBytesPerSecond = 1e9,
        };

        var (head, tail) = problem.HeadsAndTails();

        Assert.Equal([0L, 10, 10], head);
        Assert.Equal([12L, 0, 0], tail);
    }

    [Property(MaxTest = 100)]
    public Property Evaluate_AnyMapping_ScheduleRespectsLanesAndPrecedences() =>
        Prop.ForAll(SmallProblems().ToArbitrary(), problem =>
        {
            foreach (var mapping in AllMappings(problem).Take(20))
            {
                var (start, end, makespan) = problem.Evaluate(mapping);
                for (var k = 0; k < problem.Kernels.Length; k++)
                {
                    Assert.Equal(problem.LoadMicroseconds[k][mapping[k]], end[k] - start[k]);
                    Assert.All(problem.Predecessors[k], p => Assert.True(start[k] >= end[p]));
                    for (var j = 0; j < k; j++)
                    {
                        Assert.True(mapping[j] != mapping[k] || end[j] <= start[k] || end[k] <= start[j]);
                    }
                }

                Assert.True(makespan >= problem.Busy(mapping).Max());
                Assert.True(makespan >= problem.CriticalPath());
            }

            return true;
        });

    [Fact]
    public void Evaluate_TwoChains_OverlapAcrossLanes()
    {
        // a0 (npu, 10) -> b0 (gpu, 5); a1 (npu, 10) -> b1 (gpu, 5): the npu runs a0, a1 back to back, the gpu b0 at 10
        // and b1 at 20, so the makespan is 25, not the 30 of running them one after another.
        var problem = new SocMappingProblem
        {
            Kernels = [Kernel(0), Kernel(1), Kernel(2), Kernel(3)],
            Accelerators = [DeviceKind.IntegratedGpu, DeviceKind.Npu],
            LoadMicroseconds = [[null, 10], [5, null], [null, 10], [5, null]],
            Bytes = [0, 0, 0, 0],
            Predecessors = [[], [0], [], [2]],
            DramBytesPerSecond = 1e9,
        };

        var (start, end, makespan) = problem.Evaluate([1, 0, 1, 0]);

        Assert.Equal([0L, 10, 10, 20], start);
        Assert.Equal([10L, 15, 20, 25], end);
        Assert.Equal(25, makespan);
        Assert.Equal(15, problem.CriticalPath());
    }

    [Fact]
    public void PrefillPredecessors_ThreeChunksTwoGroups_AttentionWaitsForEveryEarlierChunk()
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B, chunkTokens: 100);
        var kernels = cost.Prefill(300);
        int Of(SocKernelKind kind, int context, int group) =>
            kernels.IndexOf(kernels.First(k => k.Kind == kind && k.ContextTokens == context && k.FirstLayer == cost.PrefillLayerGroups[group].FirstLayer));

        var predecessors = SocMappingProblem.PrefillPredecessors(kernels);

        Assert.Empty(predecessors[Of(SocKernelKind.PrefillChunk, 0, 0)]);
        Assert.Equal([Of(SocKernelKind.PrefillChunk, 0, 0)], predecessors[Of(SocKernelKind.PrefillAttention, 0, 0)].ToArray());
        Assert.Equal([Of(SocKernelKind.PrefillAttention, 0, 0)], predecessors[Of(SocKernelKind.PrefillChunk, 0, 1)].ToArray());
        Assert.Equal(
            new[] { Of(SocKernelKind.PrefillChunk, 0, 1), Of(SocKernelKind.PrefillChunk, 100, 1) }.Order(),
            predecessors[Of(SocKernelKind.PrefillAttention, 100, 1)].ToArray());

        // The third chunk's attention reads the KV of chunks 0 and 1 as well as its own; chunk 1's linear kernel does
        // not depend on chunk 0's, so both must be direct predecessors.
        Assert.Equal(
            new[] { Of(SocKernelKind.PrefillChunk, 0, 1), Of(SocKernelKind.PrefillChunk, 100, 1), Of(SocKernelKind.PrefillChunk, 200, 1) }.Order(),
            predecessors[Of(SocKernelKind.PrefillAttention, 200, 1)].ToArray());
    }

    // Small kernel graphs with any precedences: each kernel may depend on any set of the kernels before it.
    private static Gen<SocMappingProblem> SmallDags() =>
        from count in Gen.Choose(1, 5)
        from masks in Gen.ArrayOf(Gen.Choose(1, 7), count)
        from times in Gen.ArrayOf(Gen.Choose(1, 60), count * 3)
        from edges in Gen.ArrayOf(Gen.Choose(0, 15), count)
        from dram in Gen.Choose(0, 40)
        select Problem(masks, times, chained: false, dram) with
        {
            Predecessors = [.. Enumerable.Range(0, count).Select(k => Enumerable.Range(0, k).Where(p => (edges[k] & (1 << p)) != 0).ToImmutableArray())],
        };

    private static SocMappingProblem Problem(int[] masks, int[] times, bool chained, int dramMicroseconds)
    {
        var count = masks.Length;
        return new SocMappingProblem
        {
            Kernels = [.. Enumerable.Range(0, count).Select(Kernel)],
            Accelerators = Lanes,
            LoadMicroseconds = [.. Enumerable.Range(0, count).Select(k => Enumerable.Range(0, 3).Select(a => (masks[k] & (1 << a)) != 0 ? times[(k * 3) + a] : (long?)null).ToImmutableArray())],
            Bytes = [.. Enumerable.Range(0, count).Select(k => k == 0 ? dramMicroseconds * 1000.0 : 0)],
            Predecessors = [.. Enumerable.Range(0, count).Select(k => chained && k > 0 ? ImmutableArray.Create(k - 1) : [])],
            DramBytesPerSecond = 1e9,
        };
    }

    private static SocKernel Kernel(int index) =>
        new(SocKernelKind.DecodeStep, index, index + 1, 1, 0, 1, [DeviceKind.IntegratedGpu]);

    /// <summary>
    /// The shortest schedule of a mapping, by brute force: every order of each accelerator's kernels, each kernel as
    /// early as its predecessors and the kernel before it on its accelerator allow (orders that contradict the
    /// precedences are skipped); the DRAM time bounds it from below as in the model.
    /// </summary>
    private static long BestMakespan(SocMappingProblem problem, int[] mapping)
    {
        var lanes = Enumerable.Range(0, problem.Accelerators.Length).Select(a => Enumerable.Range(0, mapping.Length).Where(k => mapping[k] == a).ToArray()).ToArray();
        var best = long.MaxValue;
        foreach (var orders in Orders(lanes, 0))
        {
            var previous = new int[mapping.Length];
            Array.Fill(previous, -1);
            foreach (var order in orders)
            {
                for (var i = 1; i < order.Length; i++)
                {
                    previous[order[i]] = order[i - 1];
                }
            }

            var end = new long[mapping.Length];
            var changed = true;
            for (var round = 0; changed && round <= mapping.Length + 1; round++)
            {
                changed = false;
                for (var k = 0; k < mapping.Length; k++)
                {
                    var start = problem.Predecessors[k].Select(p => end[p]).Append(previous[k] >= 0 ? end[previous[k]] : 0).Max();
                    var finish = start + problem.LoadMicroseconds[k][mapping[k]]!.Value;
                    changed |= finish != end[k];
                    end[k] = finish;
                }

                if (changed && round == mapping.Length + 1)
                {
                    end = null!;
                }
            }

            if (end is not null)
            {
                best = Math.Min(best, Math.Max(problem.DramMicroseconds, end.DefaultIfEmpty(0).Max()));
            }
        }

        return best;
    }

    private static IEnumerable<int[][]> Orders(int[][] lanes, int lane)
    {
        if (lane == lanes.Length)
        {
            yield return new int[lanes.Length][];
            yield break;
        }

        foreach (var order in Permutations(lanes[lane]))
        {
            foreach (var rest in Orders(lanes, lane + 1))
            {
                rest[lane] = order;
                yield return rest;
            }
        }
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    /// <summary>Every mapping of the kernels to the accelerators they may use.</summary>
    private static IEnumerable<int[]> AllMappings(SocMappingProblem problem)
    {
        var choices = problem.LoadMicroseconds.Select(l => Enumerable.Range(0, l.Length).Where(a => l[a] is not null).ToArray()).ToArray();
        var current = new int[choices.Length];
        IEnumerable<int[]> From(int k)
        {
            if (k == choices.Length)
            {
                yield return (int[])current.Clone();
                yield break;
            }

            foreach (var a in choices[k])
            {
                current[k] = a;
                foreach (var mapping in From(k + 1))
                {
                    yield return mapping;
                }
            }
        }

        return From(0);
    }
}
