using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Planning.Moe;
using Planning.Moe.Json;

namespace Planning.Execution.Tests.Adapters;

/// <summary>
/// The hand-checked small example (Golden/README.md): 4 ranks of 3 slots, 8 experts, one layer, a hand plan with
/// replicas of experts 1 (rank 1) and 0 (rank 3) that leaves ranks 0 and 2 one slot short.
/// </summary>
internal static class AdapterFixtures
{
    public static string GoldenPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden", file);

    public static string Golden(string file) => File.ReadAllText(GoldenPath(file));

    public static MoeCase SmallCase() => MoeCaseJson.Parse(Golden("small-case.json"));

    public static IReadOnlyList<IReadOnlyList<ExpertInstance>> SmallPlan() =>
        [.. BalancePlanJson.ReadPlacements(Golden("small-plan.json")).Select(layer => (IReadOnlyList<ExpertInstance>)layer)];

    /// <summary>The padded layout worked out by hand: rank 0 gets expert 5 (28 tokens a copy), rank 2 expert 1 (76 / 2 = 38).</summary>
    public static ImmutableArray<int> SmallMap { get; } = [0, 1, 5, 1, 2, 3, 1, 4, 5, 0, 6, 7];
}
