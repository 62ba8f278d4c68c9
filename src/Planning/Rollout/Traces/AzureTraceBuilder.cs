using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Planning.Rollout;

/// <summary>Which Azure LLM inference trace (2023-11-16, github.com/Azure/AzurePublicDataset) token lengths come from.</summary>
public enum AzureTraceKind
{
    /// <summary><c>conv</c>: conversation requests (AzureLLMInferenceTrace_conv.csv).</summary>
    Conversation,

    /// <summary><c>code</c>: code-completion requests (AzureLLMInferenceTrace_code.csv).</summary>
    Code,
}

/// <summary>
/// Builds rollout traces whose token lengths are drawn from an Azure LLM inference trace (CSV
/// <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>; CC-BY-4.0, cite "Splitwise: Efficient generative LLM inference
/// using phase splitting"): each prompt's tokens from <c>ContextTokens</c> and each turn's output tokens from
/// <c>GeneratedTokens</c>. Turn counts, observations and tool times come from <see cref="RolloutTraceGenerator"/>'s
/// distributions. The draw is by quantile: the generator's deviate <c>z</c> picks the <c>Phi(z)</c> quantile of the
/// measured lengths, so the marginal distribution is Azure's while harder prompts and samples still get longer turns.
/// Immutable; deterministic for a seed.
/// </summary>
public sealed class AzureTraceBuilder
{
    private AzureTraceBuilder(string source, ImmutableArray<int> contextTokens, ImmutableArray<int> generatedTokens)
    {
        Source = source;
        ContextTokens = contextTokens;
        GeneratedTokens = generatedTokens;
    }

    /// <summary>Where the rows came from (a file name), for reports.</summary>
    public string Source { get; }

    /// <summary>The measured context (prompt) lengths, ascending.</summary>
    public ImmutableArray<int> ContextTokens { get; }

    /// <summary>The measured generated (output) lengths, ascending.</summary>
    public ImmutableArray<int> GeneratedTokens { get; }

    /// <summary>The file name of a kind's trace, such as <c>AzureLLMInferenceTrace_conv.csv</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The file name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined kind.</exception>
    public static string FileName(AzureTraceKind kind) => kind switch
    {
        AzureTraceKind.Conversation => "AzureLLMInferenceTrace_conv.csv",
        AzureTraceKind.Code => "AzureLLMInferenceTrace_code.csv",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined Azure trace kind"),
    };

    /// <summary>Looks a kind up by its command-line name, <c>conv</c> or <c>code</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>azure</c>).</exception>
    public static AzureTraceKind ParseKind(string? name) => name switch
    {
        "conv" => AzureTraceKind.Conversation,
        "code" => AzureTraceKind.Code,
        _ => throw new PlanningInputException("azure", $"must be conv or code, got \"{name}\""),
    };

    /// <summary>Loads a trace CSV from a file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="PlanningInputException">The file is missing or a row is malformed (field <c>FILE:LINE</c>).</exception>
    public static AzureTraceBuilder Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new PlanningInputException(path, "no such file (expected an Azure LLM inference trace CSV)");
        }

        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path));
    }

    /// <summary>Reads a trace CSV: a header naming <c>ContextTokens</c> and <c>GeneratedTokens</c>, then one request a row.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="source">The file name used in errors and reports.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="PlanningInputException">The header lacks a column, a row has the wrong number of fields or a length is not a positive integer, or there are no rows; the field is <c>SOURCE:LINE</c> (1-based).</exception>
    public static AzureTraceBuilder Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var header = reader.ReadLine() ?? throw new PlanningInputException(Where(source, 1), "is empty; expected the header TIMESTAMP,ContextTokens,GeneratedTokens");
        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        var contextColumn = Array.IndexOf(columns, "ContextTokens");
        var generatedColumn = Array.IndexOf(columns, "GeneratedTokens");
        if (contextColumn < 0 || generatedColumn < 0)
        {
            throw new PlanningInputException(Where(source, 1), $"header must name ContextTokens and GeneratedTokens, got \"{header}\"");
        }

        var context = new List<int>();
        var generated = new List<int>();
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != columns.Length)
            {
                throw new PlanningInputException(
                    Where(source, number), string.Create(CultureInfo.InvariantCulture, $"must have {columns.Length} comma-separated fields, got {fields.Length}: \"{line}\""));
            }

            context.Add(Positive(fields[contextColumn], "ContextTokens", source, number));
            generated.Add(Positive(fields[generatedColumn], "GeneratedTokens", source, number));
        }

        if (context.Count == 0)
        {
            throw new PlanningInputException(source, "has no request rows after the header");
        }

        context.Sort();
        generated.Sort();
        return new AzureTraceBuilder(source, [.. context], [.. generated]);
    }

    /// <summary>Builds a trace: the generator's structure (groups, turns, tools) with Azure's token lengths.</summary>
    /// <param name="options">The generator settings; its prompt and per-turn token medians and sigmas are replaced by the measured lengths.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range.</exception>
    public RolloutTrace Build(RolloutTraceGeneratorOptions options) => RolloutTraceGenerator.Generate(options, new QuantileLengths(this));

    private static int Positive(string text, string column, string source, int line) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw new PlanningInputException(Where(source, line), $"{column} must be a positive integer, got \"{text}\"");

    private static string Where(string source, int line) => string.Create(CultureInfo.InvariantCulture, $"{source}:{line}");

    private sealed class QuantileLengths(AzureTraceBuilder builder) : IRolloutTokenLengths
    {
        public int PromptTokens(double z) => Quantile(builder.ContextTokens, z);

        public int TurnOutputTokens(double z) => Quantile(builder.GeneratedTokens, z);

        private static int Quantile(ImmutableArray<int> sorted, double z)
        {
            var u = Normal.CDF(0, 1, z);
            return sorted[Math.Clamp((int)Math.Floor(u * sorted.Length), 0, sorted.Length - 1)];
        }
    }
}
