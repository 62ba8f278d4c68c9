using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner on the tight layer where only the placement annealing reaches the optimum (issue 21): layer 0
/// of <c>plan moe generate --ranks 16 --experts-per-rank 8 --redundant-slots 1 --ranks-per-domain 16 --layers 2
/// --tokens-per-rank 512 --top-k 4 --family zipf --seed 1</c>, one 16-rank domain. <see cref="QuotaPlannerBenchmarks.QuotaSolve"/>
/// plans 1.0000 (the greedy oracle alone, in the same run, 1.0044 before the fallbacks; EPLB 1.0034).
/// </summary>
public class UltraEpTightLayerBenchmarks : QuotaPlannerBenchmarks
{
    /// <inheritdoc />
    protected override MoeWorkloadSettings Workload() => new()
    {
        Ranks = 16,
        RanksPerNode = 8,
        RanksPerDomain = 16,
        ExpertsPerRank = 8,
        RedundantSlotsPerRank = 1,
        Layers = 2,
        TokensPerRank = 512,
        TopK = 4,
        Family = MoeWorkloadFamily.Zipf,
        Seed = 1,
    };
}
