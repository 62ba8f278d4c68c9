namespace Planning.Cli.Commands;

/// <summary>
/// The data sets the tool carries in its assembly (the repository's <c>data/</c>, see data/README.md for sources and
/// licences), so that <c>plan formal minif2f</c> and <c>plan rollout generate --azure</c> work wherever the tool is
/// installed; <c>--data</c> and <c>--azure-data</c> still read a file the user names.
/// </summary>
internal static class EmbeddedData
{
    /// <summary>The miniF2F statements, <c>data/minif2f/minif2f.jsonl</c>.</summary>
    public const string MiniF2F = "minif2f.jsonl";

    /// <summary>The peer formalization of miniF2F (yangky11/miniF2F-lean4) that <c>plan formal peers</c> compares with by default.</summary>
    public const string MiniF2FLean4 = "minif2f-lean4.jsonl";

    private const string ResourcePrefix = "Planning.Cli.Data.";

    /// <summary>A reader over an embedded file.</summary>
    /// <param name="name">The file's name, such as <see cref="MiniF2F"/> or <c>AzureLLMInferenceTrace_conv.csv</c>.</param>
    /// <returns>A UTF-8 reader the caller disposes.</returns>
    public static StreamReader Open(string name) => new(
        typeof(EmbeddedData).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix}{name} is missing"));

    /// <summary>Every line of an embedded file.</summary>
    /// <param name="name">The file's name.</param>
    /// <returns>The lines, in order.</returns>
    public static IEnumerable<string> ReadLines(string name)
    {
        using var reader = Open(name);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
