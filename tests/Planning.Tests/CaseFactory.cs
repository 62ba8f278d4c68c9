using Planning.Moe;

namespace Planning.Tests;

/// <summary>Builds small MoE cases for tests from explicit loads or a seed.</summary>
internal static class CaseFactory
{
    /// <summary>A one-layer case whose source rank 0 routes every expert's load (other ranks route nothing).</summary>
    public static MoeCase FromLoads(int ranks, int ranksPerNode, int expertsPerRank, int redundant, IReadOnlyList<int> loads, int? groups = null)
    {
        var rows = new List<IReadOnlyList<int>>();
        for (var s = 0; s < ranks; s++)
        {
            rows.Add(s == 0 ? loads : new int[loads.Count]);
        }

        return MoeCase.Create(ranks, ranks, ranksPerNode, expertsPerRank, redundant, groups, [new LayerTokens(rows)]);
    }

    /// <summary>A random one- or two-layer case of the given sizes, tokens spread over all source ranks.</summary>
    public static MoeCase Random(int seed, int ranks, int ranksPerNode, int expertsPerRank, int redundant, int layers, int maxTokens)
    {
        var random = new Random(seed);
        var experts = ranks * expertsPerRank;
        var layerList = new List<LayerTokens>();
        for (var l = 0; l < layers; l++)
        {
            var rows = new List<IReadOnlyList<int>>();
            for (var s = 0; s < ranks; s++)
            {
                // A few hot experts: squared uniform draws are skewed towards 0.
                rows.Add(Enumerable.Range(0, experts).Select(_ => (int)(Math.Pow(random.NextDouble(), 3) * maxTokens)).ToArray());
            }

            layerList.Add(new LayerTokens(rows));
        }

        return MoeCase.Create(ranks, ranks, ranksPerNode, expertsPerRank, redundant, null, layerList);
    }
}
