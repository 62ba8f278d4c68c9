using System.Collections.Immutable;

namespace Planning.Execution.Adapters.Moe;

/// <summary>
/// SGLang's static dispatch map, <c>logical_to_rank_dispatch_physical_map</c>, computed as
/// <c>compute_logical_to_rank_dispatch_physical_map</c> in sglang's <c>python/sglang/srt/eplb/expert_location.py</c>
/// does it (read at commit 01fec5c2e61f9568c41a6e1d4fd5ac46c88504f1): one <c>random.Random(seed)</c> for the whole map;
/// for every layer, then every logical expert, each rank takes the first replica on its own GPU; the ranks left over,
/// in ascending order, get <c>_fair_choices(replicas, k)</c>: every replica <c>k / replicas</c> times plus a
/// <c>sample</c> of <c>k mod replicas</c> of them, the list then shuffled.
/// </summary>
public static class SglangStaticDispatch
{
    /// <summary>SGLang's default seed.</summary>
    public const int DefaultSeed = 42;

    /// <summary>The dispatch map of every rank.</summary>
    /// <param name="layout">The slot layout.</param>
    /// <param name="seed">The seed (SGLang's default 42).</param>
    /// <returns><c>[rank][layer][logical expert]</c>: the physical slot the rank sends that expert's tokens to.</returns>
    public static ImmutableArray<ImmutableArray<ImmutableArray<int>>> Map(ExpertSlotLayout layout, int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var random = new PythonRandom((uint)seed);
        var map = new int[layout.Ranks][][];
        for (var g = 0; g < layout.Ranks; g++)
        {
            map[g] = new int[layout.Layers][];
        }

        for (var l = 0; l < layout.Layers; l++)
        {
            for (var g = 0; g < layout.Ranks; g++)
            {
                map[g][l] = new int[layout.Experts];
            }

            var all = layout.LogicalToAllPhysical(l);
            for (var e = 0; e < layout.Experts; e++)
            {
                var candidates = all[e];
                var remaining = new List<int>();
                for (var g = 0; g < layout.Ranks; g++)
                {
                    var local = candidates.FirstOrDefault(s => layout.RankOfSlot(s) == g, -1);
                    map[g][l][e] = local;
                    if (local < 0)
                    {
                        remaining.Add(g);
                    }
                }

                var choices = FairChoices(candidates, remaining.Count, random);
                for (var i = 0; i < remaining.Count; i++)
                {
                    map[remaining[i]][l][e] = choices[i];
                }
            }
        }

        return [.. map.Select(rank => rank.Select(layer => layer.ToImmutableArray()).ToImmutableArray())];
    }

    private static List<int> FairChoices(ImmutableArray<int> candidates, int k, PythonRandom random)
    {
        var quotient = Math.DivRem(k, candidates.Length, out var remainder);
        var result = new List<int>(k);
        for (var q = 0; q < quotient; q++)
        {
            result.AddRange(candidates);
        }

        result.AddRange(random.Sample(candidates, remainder));
        random.Shuffle(result);
        return result;
    }
}
