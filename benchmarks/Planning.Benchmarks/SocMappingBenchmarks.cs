using BenchmarkDotNet.Attributes;
using Planning.Soc;
using Planning.Solving;

namespace Planning.Benchmarks;

/// <summary>
/// Agent.xpu's offline mapping (<c>plan soc map</c>): one 1,024-token prefill of each model on the embedded Core Ultra
/// 5 125H-like SoC with the default bottleneck objective, solved to a proven optimum (one CP-SAT worker, seed 1, 10 s
/// limit), the schedule evaluated. (The makespan objective runs to its time limit, so it is measured once with the CLI
/// instead: docs/benchmarks.md.)
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 10)]
public class SocMappingBenchmarks
{
    private SocCostModel _cost = null!;

    /// <summary>The model.</summary>
    [Params("llama-3.2-3b", "llama-3.1-8b")]
    public string Model { get; set; } = "llama-3.2-3b";

    [GlobalSetup]
    public void Setup() => _cost = SocCostModel.For(SocSpec.Default, LlmSpec.Get(Model));

    [Benchmark]
    public SocMappingResult Map1024() => SocMapper.Map(_cost, 1024, new SocMappingOptions
    {
        Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(10), Workers = 1, Seed = 1 },
    });
}
