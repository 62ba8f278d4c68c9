using System.Text.Json;

namespace Planning.Provers.Tests.Lean;

/// <summary>
/// The miniF2F statements of the repository's <c>data/minif2f/minif2f.jsonl</c>, which the test project copies next to
/// its binaries (see the project file), so the tests read nothing outside the repository.
/// </summary>
internal static class MiniF2FData
{
    /// <summary>The copy of <c>data/minif2f/minif2f.jsonl</c> next to the test binaries.</summary>
    public static string FindFile()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "minif2f", "minif2f.jsonl");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: the test project copies data/minif2f/minif2f.jsonl there when it builds.", path);
    }

    /// <summary>Reads every statement: its <c>name</c> and its <c>formal_statement</c>.</summary>
    public static IReadOnlyList<(string Name, string Statement)> ReadStatements()
    {
        List<(string Name, string Statement)> statements = [];
        foreach (string line in File.ReadLines(FindFile()))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            statements.Add((root.GetProperty("name").GetString()!, root.GetProperty("formal_statement").GetString()!));
        }

        return statements;
    }
}
