using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Execution.Moe;

/// <summary>
/// The sizes of a Mixture-of-Experts model that the step simulator needs: the routed experts, the experts per token,
/// the hidden and expert intermediate sizes, the bytes per parameter and the deployment's masters per rank. Embedded
/// defaults (<see cref="Names"/>) hold the published sizes; <see cref="Load"/> also reads a user file of the same shape.
/// </summary>
/// <remarks>
/// <para>Embedded models (every number is also stated, with its source, in the JSON's <c>assumptions</c>):</para>
/// <list type="bullet">
/// <item><description><c>deepseek-v3</c>: 256 experts, top-8, hidden 7168, intermediate 2048; 4 masters per rank (EP64).</description></item>
/// <item><description><c>qwen3-235b-a22b</c>: 128 experts, top-8, hidden 4096, intermediate 1536; 4 masters per rank (EP32).</description></item>
/// <item><description><c>glm-4.5-air</c>: 128 experts, top-8, hidden 4096, intermediate 1408; 4 masters per rank (EP32).</description></item>
/// </list>
/// <para>The 128-expert models run on EP32 with 4 masters per rank rather than EP64 with 2: the same per-rank layout
/// as DeepSeek-V3 on EP64 (4 masters + 2 redundant slots, UltraEP's README), so the three models differ only in their
/// sizes. Weights and the all-to-all's activations are bf16 (<see cref="BytesPerParameter"/> = 2).</para>
/// </remarks>
public sealed record MoeModelConfig
{
    /// <summary>The embedded models, by name.</summary>
    public static ImmutableArray<string> Names { get; } = ["deepseek-v3", "qwen3-235b-a22b", "glm-4.5-air"];

    /// <summary>The model's name.</summary>
    public required string Name { get; init; }

    /// <summary>A sentence about the model; empty when none is given.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The number of routed experts per MoE layer.</summary>
    public required int Experts { get; init; }

    /// <summary>The experts each token is routed to.</summary>
    public required int TopK { get; init; }

    /// <summary>The hidden size (a token's activation has this many elements).</summary>
    public required int Hidden { get; init; }

    /// <summary>The intermediate size of one expert's MLP.</summary>
    public required int ExpertIntermediate { get; init; }

    /// <summary>Bytes per weight and per activation element: 2 for bf16.</summary>
    public int BytesPerParameter { get; init; } = 2;

    /// <summary>Master experts per rank in the deployment; the expert-parallel degree is <c>Experts / ExpertsPerRank</c>.</summary>
    public required int ExpertsPerRank { get; init; }

    /// <summary>The expert-parallel degree (ranks): <c>Experts / ExpertsPerRank</c>.</summary>
    public int Ranks => Experts / ExpertsPerRank;

    /// <summary>
    /// The parameters of one expert: its three matrices (gate, up and down projections), each
    /// <c>Hidden x ExpertIntermediate</c>.
    /// </summary>
    public long ExpertParameters => 3L * Hidden * ExpertIntermediate;

    /// <summary>The bytes of one expert's weights, the size of a replica's weight copy: <c>ExpertParameters x BytesPerParameter</c>.</summary>
    public long ExpertBytes => ExpertParameters * BytesPerParameter;

    /// <summary>The bytes of one token's activation in the all-to-all: <c>Hidden x BytesPerParameter</c>.</summary>
    public long TokenBytes => (long)Hidden * BytesPerParameter;

    /// <summary>Loads an embedded model by name, or a user file by path.</summary>
    /// <param name="nameOrPath">One of <see cref="Names"/> or the path of a JSON file of the same shape.</param>
    /// <param name="field">The field to blame when the name is unknown (default <c>model</c>; the CLI passes <c>--model</c>).</param>
    /// <returns>The checked model.</returns>
    /// <exception cref="PlanningInputException">The name is unknown, the file is missing or malformed, or a field is out of range (the field is named).</exception>
    public static MoeModelConfig Load(string nameOrPath, string field = "model")
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (Names.Contains(nameOrPath))
        {
            return Parse(ReadEmbedded(nameOrPath), $"embedded model \"{nameOrPath}\"");
        }

        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
        {
            return File.Exists(nameOrPath)
                ? Parse(File.ReadAllText(nameOrPath), $"file {nameOrPath}")
                : throw new PlanningInputException(field, $"file not found: {nameOrPath}");
        }

        throw new PlanningInputException(field, $"must be one of {string.Join(", ", Names)} or a JSON file, got \"{nameOrPath}\"");
    }

    /// <summary>Reads a model from JSON text.</summary>
    /// <param name="json">The JSON: <c>name</c>, <c>experts</c>, <c>topK</c>, <c>hidden</c>, <c>expertIntermediate</c>, <c>bytesPerParameter</c>, <c>expertsPerRank</c>, and optionally <c>description</c> and <c>assumptions</c> (an object of strings).</param>
    /// <param name="source">Where the text comes from, for messages.</param>
    /// <returns>The checked model.</returns>
    /// <exception cref="PlanningInputException">The JSON is malformed, a field is missing, unknown, of the wrong type or out of range (the field is named: <c>model.hidden</c>, ...).</exception>
    public static MoeModelConfig Parse(string json, string source = "input") =>
        JsonFields.Read(json, "model", source, root =>
        {
            root.OnlyFields("name", "description", "experts", "topK", "hidden", "expertIntermediate", "bytesPerParameter", "expertsPerRank", "assumptions");

            // The notes are read only to check that each is a string: a number there is a misplaced figure.
            root.Notes("assumptions");
            return new MoeModelConfig
            {
                Name = root.String("name"),
                Description = root.String("description", string.Empty),
                Experts = root.Int32("experts"),
                TopK = root.Int32("topK"),
                Hidden = root.Int32("hidden"),
                ExpertIntermediate = root.Int32("expertIntermediate"),
                BytesPerParameter = root.Int32("bytesPerParameter"),
                ExpertsPerRank = root.Int32("expertsPerRank"),
            }.Validate(source);
        });

    /// <summary>
    /// Bytes that move with one expert when it changes rank between batches: its weights, and in training also its
    /// fp32 main weights and Adam's two fp32 moments (12 bytes per parameter), which live with the expert.
    /// </summary>
    /// <param name="phase">Training (weights and optimizer state) or prefill (weights).</param>
    /// <returns>Bytes per expert.</returns>
    public long ExpertStateBytes(MoeStepPhase phase) =>
        ExpertBytes + (phase == MoeStepPhase.Training ? 12L * ExpertParameters : 0L);

    /// <summary>
    /// Expert FLOPs per routed token (per token-expert assignment) in a phase. One token through one expert is three
    /// GEMMs of <c>Hidden x ExpertIntermediate</c> (gate, up, down), 2 FLOPs per multiply-add: <c>2 x 3 x H x I</c>
    /// forward. Training also runs the backward pass, twice the forward (input and weight gradients):
    /// <c>6 x 3 x H x I</c>. The issue's "tokens x 6 x hidden x intermediate, or 2 x" is read as this factor per GEMM,
    /// with the three GEMMs of a gated MLP on top.
    /// </summary>
    /// <param name="phase">Training (forward and backward) or prefill (forward only).</param>
    /// <returns>FLOPs per token-expert assignment.</returns>
    public double FlopsPerRoutedToken(MoeStepPhase phase) =>
        (phase == MoeStepPhase.Training ? 6.0 : 2.0) * 3.0 * Hidden * ExpertIntermediate;

    /// <summary>Checks every field; errors name it (<c>model.hidden</c>, ...).</summary>
    /// <param name="source">Where the configuration comes from, for messages.</param>
    /// <returns>This configuration.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public MoeModelConfig Validate(string source = "input")
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw Bad(source, "name", "must be a non-empty string");
        }

        Positive(source, "experts", Experts);
        Positive(source, "topK", TopK);
        Positive(source, "hidden", Hidden);
        Positive(source, "expertIntermediate", ExpertIntermediate);
        Positive(source, "bytesPerParameter", BytesPerParameter);
        Positive(source, "expertsPerRank", ExpertsPerRank);
        if (TopK > Experts)
        {
            throw Bad(source, "topK", string.Create(CultureInfo.InvariantCulture, $"must not exceed experts ({Experts}), got {TopK}"));
        }

        if (Experts % ExpertsPerRank != 0)
        {
            throw Bad(source, "expertsPerRank", string.Create(CultureInfo.InvariantCulture, $"must divide experts ({Experts}), got {ExpertsPerRank}"));
        }

        return this;
    }

    private static void Positive(string source, string field, int value)
    {
        if (value <= 0)
        {
            throw Bad(source, field, string.Create(CultureInfo.InvariantCulture, $"must be a positive integer, got {value}"));
        }
    }

    private static string ReadEmbedded(string name)
    {
        var resource = $"Planning.Execution.Moe.Configs.{name}.model.json";
        using var stream = typeof(MoeModelConfig).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded model {resource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static PlanningInputException Bad(string source, string field, string problem) => new($"model.{field}", $"{problem} ({source})");
}
