using System.Text.Json;

namespace Planning.Provers.Tests.Lean;

/// <summary>The miniF2F statements in the shared data folder, a sibling of the repository root.</summary>
internal static class MiniF2FData
{
    private const string RelativePath = "shared/data/minif2f/minif2f.jsonl";

    /// <summary>
    /// Finds <c>shared/data/minif2f/minif2f.jsonl</c> by walking up from the test binaries, looking in each
    /// directory and its parent (the repository is <c>/work/main</c>, the data <c>/work/shared</c>).
    /// </summary>
    public static string FindFile()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(directory.FullName, RelativePath), Path.Combine(directory.FullName, "..", RelativePath) })
            {
                if (File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new FileNotFoundException(
            $"{RelativePath} was not found in any directory above {AppContext.BaseDirectory} or beside one of them.");
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
