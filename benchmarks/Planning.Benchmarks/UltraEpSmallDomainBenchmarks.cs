using BenchmarkDotNet.Attributes;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner on small scale-up domains (issue 21), where the bin filling and the bounded search run: EP64,
/// 4 masters per rank, 4-, 8- or 16-rank domains (H800 nodes are 8), 1 or 2 redundant slots, Zipf initial imbalance 2.0,
/// 8192 tokens per rank, top-8.
/// </summary>
public class UltraEpSmallDomainBenchmarks : QuotaPlannerBenchmarks
{
    /// <summary>Ranks per scale-up domain.</summary>
    [Params(4, 8, 16)]
    public int RanksPerDomain { get; set; }

    /// <summary>Redundant slots per rank.</summary>
    [Params(1, 2)]
    public int Redundant { get; set; }

    /// <inheritdoc />
    protected override MoeWorkloadSettings Workload() => new()
    {
        Ranks = 64,
        RanksPerNode = Math.Min(8, RanksPerDomain),
        RanksPerDomain = RanksPerDomain,
        ExpertsPerRank = 4,
        RedundantSlotsPerRank = Redundant,
        TokensPerRank = 8192,
        TopK = 8,
        TargetImbalance = 2.0,
        Seed = 1,
    };
}
