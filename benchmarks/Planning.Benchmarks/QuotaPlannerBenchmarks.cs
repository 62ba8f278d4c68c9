using BenchmarkDotNet.Attributes;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner on one generated layer: <see cref="QuotaSolve"/> is the planner, <see cref="QuotaSolveGreedy"/>
/// the same with the greedy oracle alone (the planner before issue 21), in the same run. Subclasses name the workload.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public abstract class QuotaPlannerBenchmarks
{
    private QuotaPlanner _planner = null!;
    private QuotaPlanner _greedy = null!;
    private long[] _loads = [];

    [GlobalSetup]
    public void Setup()
    {
        var moeCase = MoeCaseGenerator.Generate(Workload());
        var topology = MoeTopology.From(moeCase);
        _loads = [.. moeCase.Layers[0].ExpertLoads];
        _planner = new QuotaPlanner(topology);
        _greedy = new QuotaPlanner(topology, greedyOnly: true);
        SetUpMore(moeCase, topology);
    }

    [Benchmark]
    public long QuotaSolve() => _planner.Solve(_loads);

    [Benchmark]
    public long QuotaSolveGreedy() => _greedy.Solve(_loads);

    /// <summary>The first layer's expert loads.</summary>
    protected long[] Loads => _loads;

    /// <summary>Builds what a subclass's own benchmark methods need, after the shared setup.</summary>
    /// <param name="moeCase">The generated case.</param>
    /// <param name="topology">Its topology.</param>
    protected virtual void SetUpMore(MoeCase moeCase, MoeTopology topology)
    {
    }

    /// <summary>The workload whose first layer is planned.</summary>
    /// <returns>The generator's settings.</returns>
    protected abstract MoeWorkloadSettings Workload();
}
