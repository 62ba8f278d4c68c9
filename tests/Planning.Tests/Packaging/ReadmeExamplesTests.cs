using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Planning.Tests.Packaging;

/// <summary>
/// Every <c>```csharp</c> block of README.md and src/*/README.md, compiled as a method of one console project that
/// references the packed packages (not the projects), built once, then each block run in its own process: a block that
/// does not compile, throws, or does not print what its <c>// prints:</c> comments say fails the test, named by file and
/// block. The README's contributing note states the convention.
/// </summary>
[Collection(PackagingTests.Name)]
public sealed partial class ReadmeExamplesTests : IDisposable
{
    // A version no real release uses, removed from the global package cache first so that a stale copy never answers.
    private const string TestVersion = "0.0.0-readmetest";

    private static readonly (string Project, string PackageId)[] Packages =
    [
        (Path.Combine("src", "Planning", "Planning.csproj"), "Planning"),
        (Path.Combine("src", "Execution", "Execution.csproj"), "Planning.Execution"),
        (Path.Combine("src", "Provers", "Provers.csproj"), "Planning.Provers"),
    ];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("planning-readme-test-");

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>The READMEs whose csharp blocks are compiled: the repository's and each package's.</summary>
    private static ImmutableArray<string> ReadmeFiles(string root) =>
        ["README.md", .. Directory.GetDirectories(Path.Combine(root, "src")).Order(StringComparer.Ordinal)
            .Select(directory => Path.Combine(directory, "README.md"))
            .Where(File.Exists)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))];

    [Fact]
    public void CsharpBlocks_AgainstThePackedPackages_CompileRunAndPrintWhatTheySay()
    {
        var root = LocalPackages.RepositoryRoot();
        var blocks = ReadmeFiles(root).SelectMany(file => ReadmeCodeBlock.Parse(file, File.ReadAllText(Path.Combine(root, file)))).ToImmutableArray();
        Assert.Contains(blocks, block => block.File == "README.md");

        var feed = Path.Combine(_work.FullName, "feed");
        var consumer = Path.Combine(_work.FullName, "consumer");
        LocalPackages.Pack(feed, TestVersion, Packages);
        LocalPackages.WriteConsumerProject(consumer, feed, TestVersion, Packages.Select(package => package.PackageId));
        for (var i = 0; i < blocks.Length; i++)
        {
            File.WriteAllText(Path.Combine(consumer, ClassName(i) + ".cs"), blocks[i].ToSource(ClassName(i), Path.Combine(root, blocks[i].File)));
        }

        File.WriteAllText(Path.Combine(consumer, "Program.cs"), Dispatcher(blocks.Length));

        var build = LocalPackages.Execute(consumer, "dotnet", "build", "-c", "Release");
        Assert.True(build.ExitCode == 0, "README blocks do not compile:\n" + CompileErrors(root, blocks, build.Out + build.Error));

        var failures = new List<string>();
        var program = Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll");
        for (var i = 0; i < blocks.Length; i++)
        {
            // Blocks run from the repository root, as a reader of a clone would run them: paths such as
            // data/azure-llm-2023/... in a block resolve to the repository's data/.
            var run = LocalPackages.Execute(root, "dotnet", program, (i + 1).ToString(CultureInfo.InvariantCulture));
            if (run.ExitCode != 0)
            {
                failures.Add($"{blocks[i].Name} exited {run.ExitCode}:\n{run.Error}");
                continue;
            }

            var missing = blocks[i].MissingPrints(run.Out);
            if (!missing.IsEmpty)
            {
                failures.Add($"{blocks[i].Name} did not print, in order: {string.Join(" | ", missing)}\nIt printed:\n{run.Out}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static string ClassName(int index) => FormattableString.Invariant($"Block{index + 1}");

    /// <summary>A <c>Program.cs</c> that runs the block its one argument names (1-based); an exception exits non-zero.</summary>
    private static string Dispatcher(int count)
    {
        var source = new StringBuilder();
        source.AppendLine("switch (args.Length == 1 ? args[0] : string.Empty)");
        source.AppendLine("{");
        for (var i = 0; i < count; i++)
        {
            source.AppendLine(FormattableString.Invariant($"    case \"{i + 1}\": ReadmeExamples.{ClassName(i)}.Run(); return 0;"));
        }

        source.AppendLine("    default: Console.Error.WriteLine(\"usage: Consumer BLOCK\"); return 2;");
        source.AppendLine("}");
        return source.ToString();
    }

    /// <summary>The build's errors, each prefixed with the block its README line falls in (the <c>#line</c> directives point there).</summary>
    private static string CompileErrors(string root, ImmutableArray<ReadmeCodeBlock> blocks, string buildOutput)
    {
        var errors = buildOutput.ReplaceLineEndings("\n").Split('\n')
            .Where(line => line.Contains(": error ", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(line =>
            {
                var match = ErrorLocation().Match(line);
                if (match.Success)
                {
                    var file = Path.GetRelativePath(root, match.Groups["file"].Value.Trim()).Replace('\\', '/');
                    var number = int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture);
                    if (blocks.FirstOrDefault(block => block.File == file && number >= block.FirstLine && number < block.EndLine) is { } block)
                    {
                        return $"{block.Name}: {line.Trim()}";
                    }
                }

                return line.Trim();
            })
            .ToArray();
        return errors.Length == 0 ? buildOutput : string.Join("\n", errors);
    }

    [GeneratedRegex(@"^\s*(?<file>[^(]+)\((?<line>\d+),\d+\): error ")]
    private static partial Regex ErrorLocation();
}
