using System.Diagnostics;

namespace Planning.Tests.Packaging;

/// <summary>The output of a finished process.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Out">Everything it wrote to stdout.</param>
/// <param name="Error">Everything it wrote to stderr.</param>
internal sealed record ProcessOutput(int ExitCode, string Out, string Error);

/// <summary>
/// Packs the repository's libraries into a local folder and writes console projects that consume the packages from that
/// folder (not the projects), so a test sees what a user of the packages sees.
/// </summary>
internal static class LocalPackages
{
    /// <summary>The directory holding <c>Planning.sln</c>, above the test binaries.</summary>
    public static string RepositoryRoot()
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

    /// <summary>
    /// Packs each project (a path under the repository root) at <paramref name="version"/> into <paramref name="feed"/>,
    /// after removing that version of each package id from the global package cache, so that a stale copy never answers.
    /// Project references are packed at the same version (the property flows to them).
    /// </summary>
    public static void Pack(string feed, string version, IReadOnlyList<(string Project, string PackageId)> packages)
    {
        var root = RepositoryRoot();
        foreach (var (project, packageId) in packages)
        {
            DeleteCachedPackage(packageId, version);
            Run(root, "dotnet", "pack", Path.Combine(root, project), "-c", "Release", "-o", feed, $"-p:PackageVersion={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"{packageId}.{version}.nupkg")), $"the package {packageId} was not written");
        }
    }

    /// <summary>Writes a console project in <paramref name="directory"/> that references the packages from the feed only.</summary>
    public static void WriteConsumerProject(string directory, string feed, string version, IEnumerable<string> packageIds)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-planning" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var references = string.Join(
            Environment.NewLine,
            packageIds.Select(id => $"""    <PackageReference Include="{id}" Version="{version}" />"""));
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <InvariantGlobalization>true</InvariantGlobalization>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>Runs a process to completion (at most five minutes) and asserts that it exited 0.</summary>
    /// <returns>What it wrote to stdout.</returns>
    public static string Run(string directory, string fileName, params string[] arguments)
    {
        var output = Execute(directory, fileName, arguments);
        Assert.True(output.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} exited {output.ExitCode}:\n{output.Out}\n{output.Error}");
        return output.Out;
    }

    /// <summary>Runs a process to completion (at most five minutes) and returns its exit code and output.</summary>
    public static ProcessOutput Execute(string directory, string fileName, params string[] arguments)
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
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} timed out");
        }

        return new ProcessOutput(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static void DeleteCachedPackage(string packageId, string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(cache, packageId.ToLowerInvariant(), version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }
}
