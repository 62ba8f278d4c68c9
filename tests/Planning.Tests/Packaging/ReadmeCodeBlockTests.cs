namespace Planning.Tests.Packaging;

public sealed class ReadmeCodeBlockTests
{
    private const string Markdown = """
        # Title

        ```sh
        plan demo
        ```

        ```csharp
        using Planning.Moe;
        using Alias = System.Text.StringBuilder;

        // A comment about the first statement.
        using var stream = new MemoryStream();
        Console.WriteLine("one"); // prints: one
        Console.WriteLine(stream.Length); // prints: 0
        ```

        Text between.

          ```csharp
          Console.WriteLine("two");
          ```
        """;

    [Fact]
    public void Parse_TwoCsharpBlocks_NumbersLinesAndSkipsOtherFences()
    {
        var blocks = ReadmeCodeBlock.Parse("README.md", Markdown);

        Assert.Equal(2, blocks.Length);
        Assert.Equal((1, 8, 7), (blocks[0].Number, blocks[0].FirstLine, blocks[0].Lines.Length));
        Assert.Equal("using Planning.Moe;", blocks[0].Lines[0]);
        Assert.Equal((2, 20), (blocks[1].Number, blocks[1].FirstLine));
        Assert.Equal("README.md, block 2 (line 20)", blocks[1].Name);
        Assert.Equal(["one", "0"], blocks[0].ExpectedPrints.ToArray());
    }

    [Fact]
    public void Parse_UnclosedBlock_Throws()
    {
        Assert.Throws<FormatException>(() => ReadmeCodeBlock.Parse("README.md", "```csharp\nvar x = 1;\n"));
    }

    [Fact]
    public void ToSource_UsingsAtTheTop_StatementsInTheMethod_LinesMappedToTheReadme()
    {
        var block = ReadmeCodeBlock.Parse("README.md", Markdown)[0];

        var lines = block.ToSource("Block1", "/repo/README.md").ReplaceLineEndings("\n").Split('\n');

        // The usings keep their README lines (8, 9); the rest, from the blank line 10 on, is the body of Run().
        Assert.Equal("#line 8 \"/repo/README.md\"", lines[0]);
        Assert.Equal(["using Planning.Moe;", "using Alias = System.Text.StringBuilder;"], lines[1..3]);
        var run = Array.IndexOf(lines, "    public static void Run()");
        var bodyLine = Array.IndexOf(lines, "#line 10 \"/repo/README.md\"");
        Assert.True(run > 2 && bodyLine > run, string.Join("\n", lines));
        Assert.Equal("// A comment about the first statement.", lines[bodyLine + 2]);
        Assert.Equal("using var stream = new MemoryStream();", lines[bodyLine + 3]);
    }

    [Theory]
    [InlineData("one\n0\n", true)]
    [InlineData("header\none  \nmiddle\n0\n", true)]
    [InlineData("0\none\n", false)]
    [InlineData("one\n", false)]
    public void MissingPrints_ExpectedLinesInOrder_EmptyOnlyWhenAllFound(string output, bool complete)
    {
        var block = ReadmeCodeBlock.Parse("README.md", Markdown)[0];

        Assert.Equal(complete, block.MissingPrints(output).IsEmpty);
    }
}
