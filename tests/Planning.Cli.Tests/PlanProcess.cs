using System.Diagnostics;

namespace Planning.Cli.Tests;

/// <summary>
/// Runs the built tool (<c>plan.dll</c>, copied next to the test binaries by the project reference) as a child process,
/// for the tests that must kill it or signal it: the crash test of <c>plan kb ingest</c>, the graceful stop of
/// <c>plan kb serve</c>.
/// </summary>
internal static class PlanProcess
{
    /// <summary>Starts <c>dotnet plan.dll ARGS</c> with redirected streams.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "plan.dll");
        Assert.True(File.Exists(tool), $"{tool} is missing: the test project references the Cli project, which puts it there");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Sends SIGTERM (what a service manager sends to stop a process) through the <c>kill</c> utility.</summary>
    public static void Terminate(Process process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
