using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Adapters.Moe;

namespace Planning.Execution.Tests.Adapters;

public sealed class SglangStaticDispatchTests
{
    [Fact]
    public void Map_SmallLayout_MatchesSglangsRuleRunUnderCPython()
    {
        // Expected: sglang's compute_logical_to_rank_dispatch_physical_map transcribed and run under CPython 3.11.7
        // (random.Random(42)) on physical_to_logical_map [[0,1,5,1,2,3,1,4,5,0,6,7]] with 4 GPUs. By hand: every rank
        // holding a copy uses it (rank 1 expert 1 -> slot 3, rank 2 -> slot 6); the rest come from the fair choice.
        var layout = ExpertSlotLayout.Create(4, 8, [AdapterFixtures.SmallMap], "physical_to_logical_map");

        var map = SglangStaticDispatch.Map(layout);

        int[][] expected =
        [
            [0, 1, 4, 5, 7, 2, 10, 11],
            [9, 3, 4, 5, 7, 8, 10, 11],
            [0, 6, 4, 5, 7, 8, 10, 11],
            [9, 1, 4, 5, 7, 2, 10, 11],
        ];
        Assert.Equal(expected, map.Select(rank => rank[0].ToArray()));
    }

    [Fact]
    public void Map_LargerLayout_MatchesTheCPythonRunIncludingSamplesSetBranch()
    {
        // Golden/sglang-dispatch-24x2.json: the map and, per rank, the dispatch map sglang's function computed under CPython.
        using var json = System.Text.Json.JsonDocument.Parse(AdapterFixtures.Golden("sglang-dispatch-24x2.json"));
        var map = json.RootElement.GetProperty("physical_to_logical_map").EnumerateArray()
            .Select(layer => (IReadOnlyList<int>)[.. layer.EnumerateArray().Select(e => e.GetInt32())]).ToArray();
        var expected = json.RootElement.GetProperty("logical_to_rank_dispatch_physical_map").EnumerateArray()
            .Select(rank => rank.EnumerateArray().Select(layer => layer.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray()).ToArray();
        var layout = ExpertSlotLayout.Create(24, 27, map, "physical_to_logical_map");

        var dispatch = SglangStaticDispatch.Map(layout);

        Assert.Equal(expected, dispatch.Select(rank => rank.Select(layer => layer.ToArray()).ToArray()).ToArray());
    }

    /// <summary>Layouts of 1..6 ranks, 1..4 slots each, 1..3 layers: a random map that holds every expert at least once.</summary>
    internal static Arbitrary<ExpertSlotLayout> Layouts { get; } =
        (from ranks in Gen.Choose(1, 6)
         from slots in Gen.Choose(1, 4)
         from experts in Gen.Choose(1, ranks * slots)
         from layers in Gen.Choose(1, 3)
         from maps in Gen.Choose(0, experts - 1).ArrayOf((ranks * slots) - experts).ArrayOf(layers)
         from seed in Gen.Choose(0, 1000)
         select Build(ranks, slots, experts, maps, seed))
        .ToArbitrary();

    private static ExpertSlotLayout Build(int ranks, int slots, int experts, int[][] extras, int seed)
    {
        // Every expert once, then the extra copies, in an order shuffled by the seed.
        var random = new Random(seed);
        var maps = extras.Select(extra => (IReadOnlyList<int>)Enumerable.Range(0, experts).Concat(extra).OrderBy(_ => random.Next()).ToArray()).ToArray();
        return ExpertSlotLayout.Create(ranks, experts, maps, "map");
    }

    [Property(MaxTest = 200)]
    public Property Map_GeneratedLayouts_PicksAReplicaOfTheExpertLocalFirstAndFair() =>
        Prop.ForAll(Layouts, layout =>
        {
            var map = SglangStaticDispatch.Map(layout);
            for (var l = 0; l < layout.Layers; l++)
            {
                var all = layout.LogicalToAllPhysical(l);
                for (var e = 0; e < layout.Experts; e++)
                {
                    var remote = new Dictionary<int, int>();
                    for (var g = 0; g < layout.Ranks; g++)
                    {
                        var slot = map[g][l][e];
                        Assert.Equal(e, layout.PhysicalToLogical[l][slot]);
                        var local = all[e].Where(s => layout.RankOfSlot(s) == g).ToArray();
                        if (local.Length > 0)
                        {
                            Assert.Equal(local[0], slot);
                        }
                        else
                        {
                            remote[slot] = remote.GetValueOrDefault(slot) + 1;
                        }
                    }

                    // The fair choice: over the ranks without a local copy, every replica is picked k / n or k / n + 1 times.
                    var k = remote.Values.Sum();
                    var counts = all[e].Select(s => remote.GetValueOrDefault(s)).ToArray();
                    Assert.All(counts, c => Assert.InRange(c, k / all[e].Length, (k / all[e].Length) + 1));
                }
            }

            return true;
        });
}
