using System.Text;
using System.Text.Json;

namespace Planning.Provers;

/// <summary>One JSON document written to a string, the way the package's writers are printed.</summary>
internal static class JsonText
{
    /// <summary>Runs <paramref name="write"/> on an indented writer and returns the UTF-8 text it wrote.</summary>
    /// <param name="write">Writes one JSON value.</param>
    /// <returns>The document.</returns>
    public static string Indented(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
