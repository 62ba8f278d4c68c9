using System.Diagnostics;

namespace Planning.Tests.Packaging;

/// <summary>
/// Packs the Planning library into a local folder and builds a tiny console project that references the package from
/// that folder (not the project) and calls the balancer: proves the package carries what a consumer needs.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    // A version no real release uses, removed from the global package cache first so that a stale copy never answers.
    private const string TestVersion = "0.0.0-consumertest";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("planning-package-test-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void PackedPlanning_ConsoleConsumer_BalancesACase()
    {
        var root = RepositoryRoot();
        var feed = Path.Combine(_work.FullName, "feed");
        var consumer = Path.Combine(_work.FullName, "consumer");
        Directory.CreateDirectory(consumer);
        DeleteCachedTestPackage();

        Run(root, "dotnet", "pack", Path.Combine(root, "src", "Planning", "Planning.csproj"), "-c", "Release", "-o", feed, $"-p:PackageVersion={TestVersion}");
        Assert.True(File.Exists(Path.Combine(feed, $"Planning.{TestVersion}.nupkg")), "the package was not written");

        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-planning" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Planning" Version="{TestVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using Planning.Moe;
            using Planning.Moe.Workloads;

            var moeCase = MoeCaseGenerator.Generate(new MoeWorkloadSettings { Ranks = 16, RanksPerNode = 8, RanksPerDomain = 16, TargetImbalance = 2.0, Seed = 9 });
            var plan = MoeBalancer.Balance(moeCase, new EplbPolicy());
            Console.WriteLine($"imbalance={plan.Layers[0].Imbalance:R}");
            """);

        Run(consumer, "dotnet", "build", "-c", "Release");
        var output = Run(consumer, "dotnet", "run", "-c", "Release", "--no-build");

        // The same call in this process, through the project reference, must give the same number.
        var moeCase = global::Planning.Moe.MoeCaseGenerator.Generate(new global::Planning.Moe.Workloads.MoeWorkloadSettings { Ranks = 16, RanksPerNode = 8, RanksPerDomain = 16, TargetImbalance = 2.0, Seed = 9 });
        var expected = global::Planning.Moe.MoeBalancer.Balance(moeCase, new global::Planning.Moe.EplbPolicy()).Layers[0].Imbalance;
        Assert.Contains(FormattableString.Invariant($"imbalance={expected:R}"), output, StringComparison.Ordinal);
    }

    private static string Run(string directory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{fileName} {string.Join(' ', arguments)} timed out");
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    private static void DeleteCachedTestPackage()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(cache, "planning", TestVersion);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Planning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Planning.sln not found above " + AppContext.BaseDirectory);
    }
}
