using BenchmarkDotNet.Attributes;
using Planning.Moe.Workloads;

namespace Planning.Benchmarks;

/// <summary>
/// UltraEP's quota planner where its flow search runs (issue 21): the zero-load-rank family (one rank of each domain
/// idle), where the optimum relays load through chains of ranks. EP64, 2 masters per rank, 8-, 16- or 64-rank domains,
/// 1 or 2 redundant slots, initial imbalance 2.0, 512 tokens per rank, top-4 (the quality map's settings, layer 0).
/// </summary>
public class UltraEpIdleRankBenchmarks : QuotaPlannerBenchmarks
{
    /// <summary>Ranks per scale-up domain.</summary>
    [Params(8, 16, 64)]
    public int RanksPerDomain { get; set; }

    /// <summary>Redundant slots per rank.</summary>
    [Params(1, 2)]
    public int Redundant { get; set; }

    /// <inheritdoc />
    protected override MoeWorkloadSettings Workload() => new()
    {
        Family = MoeWorkloadFamily.ZeroLoadRank,
        Ranks = 64,
        RanksPerNode = Math.Min(8, RanksPerDomain),
        RanksPerDomain = RanksPerDomain,
        ExpertsPerRank = 2,
        RedundantSlotsPerRank = Redundant,
        TokensPerRank = 512,
        TopK = 4,
        TargetImbalance = 2.0,
        Seed = 1,
    };
}
