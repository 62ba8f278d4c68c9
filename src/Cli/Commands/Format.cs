using System.Globalization;
using System.Text;
using System.Text.Json;
using Planning.Solving;

namespace Planning.Cli.Commands;

/// <summary>Formatting shared by the commands.</summary>
internal static class Format
{
    /// <summary>Writes one indented JSON document to stdout.</summary>
    public static void WriteJson(ConsoleIo io, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        io.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A solver result in a few words: status and gap.</summary>
    public static string Solver(SolveResult? result) => result switch
    {
        null => "-",
        { RelativeGap: { } gap } => string.Create(CultureInfo.InvariantCulture, $"{result.Status.ToString().ToLowerInvariant()}, gap {gap:P2}, {result.WallTime.TotalSeconds:0.00} s"),
        _ => result.Status.ToString().ToLowerInvariant(),
    };
}
