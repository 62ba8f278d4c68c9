using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace Planning.Tests.Packaging;

/// <summary>
/// One <c>```csharp</c> block of a README: its <c>using</c> directives, then statements. <see cref="ToSource"/> turns it
/// into a static class with one method, with <c>#line</c> directives so that a compiler error names the README's file
/// and line; <see cref="MissingPrints"/> checks its output against its <c>// prints: TEXT</c> comments.
/// </summary>
/// <param name="File">The README, relative to the repository root, with <c>/</c> separators.</param>
/// <param name="Number">The block's position among the file's csharp blocks, from 1.</param>
/// <param name="FirstLine">The file's line (from 1) of the block's first code line, just after the fence.</param>
/// <param name="Lines">The code lines.</param>
internal sealed partial record ReadmeCodeBlock(string File, int Number, int FirstLine, ImmutableArray<string> Lines)
{
    private const string PrintsMarker = "// prints:";

    /// <summary>The file's line (from 1) just after the block's last code line, the closing fence.</summary>
    public int EndLine => FirstLine + Lines.Length;

    /// <summary>The block in words, for failure messages: <c>src/Execution/README.md, block 2 (line 41)</c>.</summary>
    public string Name => $"{File}, block {Number} (line {FirstLine})";

    /// <summary>The lines the block says it prints, in order: the text after each <c>// prints:</c>, trimmed.</summary>
    public ImmutableArray<string> ExpectedPrints =>
        [.. Lines.Select(line => line.IndexOf(PrintsMarker, StringComparison.Ordinal) is var at and >= 0 ? line[(at + PrintsMarker.Length)..].Trim() : null)
            .OfType<string>()];

    /// <summary>Every <c>```csharp</c> block of a Markdown text, in order.</summary>
    /// <param name="file">The file's name, relative to the repository root.</param>
    /// <param name="markdown">The file's text.</param>
    public static ImmutableArray<ReadmeCodeBlock> Parse(string file, string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = ImmutableArray.CreateBuilder<ReadmeCodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            var end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new FormatException($"{file}: the csharp block opened at line {i + 1} is never closed");
            }

            blocks.Add(new ReadmeCodeBlock(file, blocks.Count + 1, i + 2, [.. lines[(i + 1)..end]]));
            i = end;
        }

        return blocks.ToImmutable();
    }

    /// <summary>
    /// The block as a C# file: its leading <c>using</c> directives (with the blank and comment lines among them) at the
    /// top, the rest as the body of <c>public static void Run()</c> in <c>internal static class CLASS</c>.
    /// </summary>
    /// <param name="className">The class's name.</param>
    /// <param name="path">The README's full path, for the <c>#line</c> directives.</param>
    public string ToSource(string className, string path)
    {
        var body = 0;
        while (body < Lines.Length && (UsingDirective().IsMatch(Lines[body]) || string.IsNullOrWhiteSpace(Lines[body]) || Lines[body].TrimStart().StartsWith("//", StringComparison.Ordinal)))
        {
            body++;
        }

        // Comments before the first statement belong with it, not with the usings.
        while (body > 0 && !UsingDirective().IsMatch(Lines[body - 1]))
        {
            body--;
        }

        var source = new StringBuilder();
        var quoted = path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        source.AppendLine(FormattableString.Invariant($"#line {FirstLine} \"{quoted}\""));
        foreach (var line in Lines[..body])
        {
            source.AppendLine(line);
        }

        source.AppendLine("#line hidden");
        source.AppendLine("namespace ReadmeExamples;");
        source.AppendLine(FormattableString.Invariant($"internal static class {className}"));
        source.AppendLine("{");
        source.AppendLine("    public static void Run()");
        source.AppendLine("    {");
        source.AppendLine(FormattableString.Invariant($"#line {FirstLine + body} \"{quoted}\""));
        foreach (var line in Lines[body..])
        {
            source.AppendLine(line);
        }

        source.AppendLine("#line hidden");
        source.AppendLine("    }");
        source.AppendLine("}");
        return source.ToString();
    }

    /// <summary>The expected lines (<see cref="ExpectedPrints"/>) the output does not hold in order; empty when it does.</summary>
    /// <param name="output">What the block printed.</param>
    public ImmutableArray<string> MissingPrints(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var printed = output.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd()).ToArray();
        var missing = ImmutableArray.CreateBuilder<string>();
        var next = 0;
        foreach (var expected in ExpectedPrints)
        {
            var found = Array.IndexOf(printed, expected, next);
            if (found < 0)
            {
                missing.Add(expected);
            }
            else
            {
                next = found + 1;
            }
        }

        return missing.ToImmutable();
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;\s*(//.*)?$")]
    private static partial Regex UsingDirective();
}
