using System.Collections;
using System.Runtime.InteropServices;

namespace Planning.Cli;

/// <summary>
/// Runs <c>plan kb serve</c> and <c>plan kb eval</c> with tiered compilation. The tool is built without it (<c>TieredCompilation=false</c> in
/// Cli.csproj) so that the MoE planners run fully optimised code from their first solve; a long-running knowledge-base
/// server is the opposite case, whose searches are about a quarter faster with tiering's dynamic PGO (feedback-stage
/// p99 at 100k experiences 42.9 ms against 55.2 ms: docs/benchmarks.md). The JIT mode is fixed when the runtime starts,
/// so on Linux these commands replace their own process image (<c>execve</c>: the same process id, standard streams and
/// parent, so service managers and signals see no difference) with the same command line and
/// <c>DOTNET_TieredCompilation=1</c>; <c>kb eval</c> too, so that the latency it reports is the server's. A mode the
/// user set (either value) is kept.
/// </summary>
internal static class TieredServerRestart
{
    /// <summary>The runtime's switch; also read under its legacy prefix <c>COMPlus_</c>.</summary>
    internal const string Variable = "DOTNET_TieredCompilation";

    /// <summary>
    /// Whether <paramref name="args"/> start the knowledge-base server or its evaluation on Linux and no JIT mode was chosen in the
    /// environment (<paramref name="environment"/> reads a variable).
    /// </summary>
    internal static bool Applies(IReadOnlyList<string> args, Func<string, string?> environment) =>
        OperatingSystem.IsLinux()
        && args.Count >= 2 && args[0] == "kb" && args[1] is ("serve" or "eval")
        && environment(Variable) is null && environment("COMPlus_TieredCompilation") is null;

    /// <summary>
    /// The command line of this process from <c>/proc/self/cmdline</c> (NUL-terminated arguments, the host's own first:
    /// <c>dotnet plan.dll ...</c> or the <c>plan</c> apphost), empty arguments kept.
    /// </summary>
    internal static string[] ParseCommandLine(string cmdline) =>
        cmdline.Length == 0 ? [] : (cmdline.EndsWith('\0') ? cmdline[..^1] : cmdline).Split('\0');

    /// <summary>
    /// Replaces this process with the same command line and tiered compilation switched on. Returns only when that is
    /// not possible; the caller then runs the command in this process, as built, after the warning written to <paramref name="error"/>.
    /// </summary>
    internal static void Restart(TextWriter error)
    {
        string[] argv;
        try
        {
            argv = ParseCommandLine(File.ReadAllText("/proc/self/cmdline"));
        }
        catch (IOException failure)
        {
            error.WriteLine($"warning: running without tiered compilation: /proc/self/cmdline: {failure.Message}");
            return;
        }

        var environment = new List<string?>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        environment.Add($"{Variable}=1");
        environment.Add(null);
        _ = NativeMethods.Execve("/proc/self/exe", [.. argv, null], [.. environment]);

        // execve returns only on failure.
        error.WriteLine($"warning: running without tiered compilation: execve failed (errno {Marshal.GetLastPInvokeError()})");
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "execve", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        internal static extern int Execve(string path, string?[] argv, string?[] envp);
    }
}
