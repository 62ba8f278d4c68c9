namespace Planning.Cli.Commands;

/// <summary>
/// The data sets that live beside the repository (<c>shared/data/...</c>, see SOURCES.md), found by walking up from the
/// working directory: the default for the commands that read them when no path is given.
/// </summary>
internal static class SharedData
{
    /// <summary>The first <paramref name="relativePath"/> under the working directory or one of its parents, or null.</summary>
    /// <param name="relativePath">A path such as <c>shared/data/minif2f/minif2f.jsonl</c>.</param>
    /// <returns>The full path of the file, or <see langword="null"/> when no directory up the tree has it.</returns>
    public static string? Find(string relativePath)
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
