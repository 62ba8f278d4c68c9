namespace Planning.Tests;

/// <summary>
/// Files of the repository's <c>data</c> folder, which the test project copies next to its binaries (see the project
/// file), so the tests read nothing outside the repository.
/// </summary>
internal static class RepositoryData
{
    /// <summary>The copy of <c>data/FOLDER/FILE</c> next to the test binaries; throws when the build did not copy it.</summary>
    /// <param name="folder">The folder under <c>data</c>, such as <c>azure-llm-2023</c>.</param>
    /// <param name="file">The file's name.</param>
    public static string File(string folder, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", folder, file);
        return System.IO.File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: the test project copies data/{folder}/{file} there when it builds.", path);
    }
}
