namespace Planning.Cli.Tests;

/// <summary>Runs the tool in-process and captures its streams.</summary>
internal static class PlanRunner
{
    public static (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PlanApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The copy of the repository's <c>data/FOLDER/FILE</c> next to the test binaries (see the project file).</summary>
    public static string RepositoryData(string folder, string file)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "data", folder, file);
        return System.IO.File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: the test project copies data/{folder}/{file} there when it builds.", path);
    }

    /// <summary>A temporary directory removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = Directory.CreateTempSubdirectory("plan-cli-tests-").FullName;
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
