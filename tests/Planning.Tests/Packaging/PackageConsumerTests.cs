namespace Planning.Tests.Packaging;

/// <summary>
/// Packs the Planning library into a local folder and builds a tiny console project that references the package from
/// that folder (not the project) and calls the balancer: proves the package carries what a consumer needs.
/// </summary>
[Collection(PackagingTests.Name)]
public sealed class PackageConsumerTests : IDisposable
{
    // A version no real release uses, removed from the global package cache first so that a stale copy never answers.
    private const string TestVersion = "0.0.0-consumertest";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("planning-package-test-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void PackedPlanning_ConsoleConsumer_BalancesACase()
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var consumer = Path.Combine(_work.FullName, "consumer");
        LocalPackages.Pack(feed, TestVersion, [(Path.Combine("src", "Planning", "Planning.csproj"), "Planning")]);
        LocalPackages.WriteConsumerProject(consumer, feed, TestVersion, ["Planning"]);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using Planning.Moe;
            using Planning.Moe.Workloads;

            var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 8, RanksPerDomain = 16, TargetImbalance = 2.0, Seed = 9 });
            var plan = MoeBalancer.Balance(moeCase, new EplbPolicy());
            Console.WriteLine($"imbalance={plan.Layers[0].Imbalance:R}");
            """);

        LocalPackages.Run(consumer, "dotnet", "build", "-c", "Release");
        var output = LocalPackages.Run(consumer, "dotnet", "run", "-c", "Release", "--no-build");

        // The same call in this process, through the project reference, must give the same number.
        var moeCase = global::Planning.Moe.MoeCaseGenerator.Generate(new global::Planning.Moe.Workloads.MoeWorkloadSettings { Ranks = 16, RanksPerNode = 8, RanksPerDomain = 16, TargetImbalance = 2.0, Seed = 9 });
        var expected = global::Planning.Moe.MoeBalancer.Balance(moeCase, new global::Planning.Moe.EplbPolicy()).Layers[0].Imbalance;
        Assert.Contains(FormattableString.Invariant($"imbalance={expected:R}"), output, StringComparison.Ordinal);
    }
}
