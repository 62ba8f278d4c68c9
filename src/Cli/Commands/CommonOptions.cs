using System.CommandLine;

namespace Planning.Cli.Commands;

/// <summary>How a command prints its result.</summary>
internal enum OutputFormat
{
    /// <summary>A readable table (the default).</summary>
    Table,

    /// <summary>One JSON document on stdout.</summary>
    Json,
}

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<OutputFormat> Format() => new("--format")
    {
        Description = "Output format: table (default) or json",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Option<double> TimeLimit(double seconds) => new("--time-limit")
    {
        Description = $"Solver time limit per solve, in seconds (default {seconds})",
        DefaultValueFactory = _ => seconds,
    };

    public static Option<int> Seed() => new("--seed")
    {
        Description = "Random seed (default 1)",
        DefaultValueFactory = _ => 1,
    };

    public static Option<int> Workers() => new("--workers")
    {
        Description = "Solver workers; 0 = one per core, at most 8 (default 0)",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>Writes text to a file atomically: a temporary file beside it, then a rename, so a failure leaves nothing half-written.</summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using (var stream = File.Create(temporary))
            {
                write(stream);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads an input file, turning a missing file into bad input that names the option.</summary>
    public static string ReadInput(string option, string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new PlanningInputException(option, $"file not found: {path}");
}
