using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Planning.Moe.ReLibra;

/// <summary>
/// How <see cref="RoutedExpertsImport"/> lays sequences out on a training cluster: the cluster's shape, the model's
/// routing dimensions, and how a training step packs sequences into ranks and microbatches. The defaults are
/// DeepSeek-V3's (61 hidden layers, the first 3 dense, 256 routed experts, top-8) on 16 nodes of 8 ranks.
/// </summary>
public sealed record RoutedExpertsLayout
{
    /// <summary>Expert-parallel ranks (each also a data-parallel rank that trains its own sequences). Positive.</summary>
    public int Ranks { get; init; } = 128;

    /// <summary>Ranks per node, also the scale-up domain. Positive, divides <see cref="Ranks"/>.</summary>
    public int RanksPerNode { get; init; } = 8;

    /// <summary>Master experts per rank: the model has <c>Ranks x ExpertsPerRank</c> routed experts. Positive.</summary>
    public int ExpertsPerRank { get; init; } = 2;

    /// <summary>Redundant slots per rank, for the replicas ReLibra places inside a node. Non-negative.</summary>
    public int RedundantSlotsPerRank { get; init; } = 2;

    /// <summary>The model's hidden layers: the second axis of every sequence's array (<c>num_hidden_layers</c>). Positive.</summary>
    public int HiddenLayers { get; init; } = 61;

    /// <summary>Experts per token: the third axis (<c>num_experts_per_tok</c>). Positive.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>
    /// Leading hidden layers that are dense, not MoE (DeepSeek's <c>first_k_dense_replace</c>): dropped, since the
    /// capture buffer holds no routing for them. Non-negative, below <see cref="HiddenLayers"/>. Default 3.
    /// </summary>
    public int FirstDenseLayers { get; init; } = 3;

    /// <summary>Microbatches each rank splits its sequences of a batch into. Positive.</summary>
    public int Microbatches { get; init; } = 8;

    /// <summary>Sequences per training batch (step), in file order; 0 puts every sequence in one batch. Non-negative.</summary>
    public int SequencesPerBatch { get; init; }

    /// <summary>Checks the fields; errors name the field.</summary>
    /// <returns>This layout.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public RoutedExpertsLayout Validate()
    {
        Positive("ranks", Ranks);
        Positive("ranksPerNode", RanksPerNode);
        Positive("expertsPerRank", ExpertsPerRank);
        Positive("hiddenLayers", HiddenLayers);
        Positive("topK", TopK);
        Positive("microbatches", Microbatches);
        if (Ranks % RanksPerNode != 0)
        {
            throw new PlanningInputException("ranksPerNode", string.Create(CultureInfo.InvariantCulture, $"must divide ranks ({Ranks}), got {RanksPerNode}"));
        }

        if (RedundantSlotsPerRank < 0)
        {
            throw new PlanningInputException("redundantSlotsPerRank", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {RedundantSlotsPerRank}"));
        }

        if (FirstDenseLayers < 0 || FirstDenseLayers >= HiddenLayers)
        {
            throw new PlanningInputException("firstDenseLayers", string.Create(CultureInfo.InvariantCulture, $"must be at least 0 and below hiddenLayers ({HiddenLayers}), got {FirstDenseLayers}"));
        }

        if (SequencesPerBatch < 0)
        {
            throw new PlanningInputException("sequencesPerBatch", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {SequencesPerBatch}"));
        }

        return this;
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be positive, got {value}"));
        }
    }
}

/// <summary>
/// Builds a routing replay from the routing a rollout engine returned with its samples: SGLang's
/// <c>return_routed_experts</c> (the field slime and verl read for rollout routing replay). Each line of the input is one
/// sequence's response, a JSON object holding <c>meta_info.routed_experts</c> (or a top-level <c>routed_experts</c>): the
/// base64 of a little-endian int32 array of shape <c>[tokens, hiddenLayers, topK]</c>, the logical expert each token
/// chose in each layer and top-k slot; <c>-1</c> marks a slot without a routed expert and is skipped.
/// </summary>
/// <remarks>
/// <para>Packing, as a data-parallel trainer balances its batch: the sequences of a batch (file order,
/// <see cref="RoutedExpertsLayout.SequencesPerBatch"/> at a time) go to ranks longest first, each to the rank with the
/// fewest tokens so far (lowest rank on ties); each rank's sequences then go to its microbatches by the same rule. A
/// microbatch's counts are, per MoE layer, the tokens each rank routes to each expert (one per token and top-k slot).</para>
/// <para>Every microbatch of the replay has the layout's shape, even one that got no sequence (all zeros).</para>
/// </remarks>
public static class RoutedExpertsImport
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>Reads SGLang responses (JSON Lines, blank lines skipped) into a replay.</summary>
    /// <param name="reader">The responses, one sequence a line.</param>
    /// <param name="layout">The cluster, the model's routing dimensions and the packing.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="PlanningInputException">
    /// The layout is out of range, or a line is malformed: the field is prefixed with <c>line N: </c>
    /// (<c>line 3: meta_info.routed_experts</c>).
    /// </exception>
    public static RoutingReplay ReadSglang(TextReader reader, RoutedExpertsLayout layout)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(layout);
        layout.Validate();
        var sequences = new List<SequenceCounts>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                sequences.Add(ReadSequence(line, layout));
            }
            catch (PlanningInputException ex)
            {
                throw new PlanningInputException(RoutingReplayJson.Line(number, ex.Field), ex.Problem);
            }
        }

        if (sequences.Count == 0)
        {
            throw new PlanningInputException("input", "must hold at least one sequence, got none");
        }

        var perBatch = layout.SequencesPerBatch == 0 ? sequences.Count : layout.SequencesPerBatch;
        var microbatches = new List<ReplayMicrobatch>();
        for (int start = 0, batch = 0; start < sequences.Count; start += perBatch, batch++)
        {
            microbatches.AddRange(PackBatch(batch, sequences.GetRange(start, Math.Min(perBatch, sequences.Count - start)), layout));
        }

        return RoutingReplay.Create(microbatches);
    }

    /// <summary>One sequence: its token count and, per MoE layer, its routed assignments per expert.</summary>
    private sealed record SequenceCounts(int Tokens, int[][] PerLayer);

    private static SequenceCounts ReadSequence(string line, RoutedExpertsLayout layout)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException("json", $"is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException("json", $"must be an object (an SGLang response), got {root.ValueKind}");
            }

            var (field, value) = root.TryGetProperty("meta_info", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("routed_experts", out var nested)
                ? ("meta_info.routed_experts", nested)
                : root.TryGetProperty("routed_experts", out var top)
                    ? ("routed_experts", top)
                    : throw new PlanningInputException("meta_info.routed_experts", "must be given (start SGLang with --enable-return-routed-experts and send return_routed_experts: true)");
            if (value.ValueKind != JsonValueKind.String)
            {
                throw new PlanningInputException(field, $"must be a base64 string, got {value.ValueKind}");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value.GetString()!);
            }
            catch (FormatException)
            {
                throw new PlanningInputException(field, "is not valid base64");
            }

            return Count(field, bytes, layout);
        }
    }

    private static SequenceCounts Count(string field, byte[] bytes, RoutedExpertsLayout layout)
    {
        var perToken = layout.HiddenLayers * layout.TopK * sizeof(int);
        if (bytes.Length % perToken != 0)
        {
            throw new PlanningInputException(
                field,
                string.Create(CultureInfo.InvariantCulture, $"holds {bytes.Length} bytes, not a whole number of tokens of {layout.HiddenLayers} layers x {layout.TopK} experts x 4 bytes ({perToken} bytes a token); check hiddenLayers and topK"));
        }

        var tokens = bytes.Length / perToken;
        var experts = layout.Ranks * layout.ExpertsPerRank;
        var moeLayers = layout.HiddenLayers - layout.FirstDenseLayers;
        var counts = new int[moeLayers][];
        for (var l = 0; l < moeLayers; l++)
        {
            counts[l] = new int[experts];
        }

        for (var t = 0; t < tokens; t++)
        {
            for (var l = layout.FirstDenseLayers; l < layout.HiddenLayers; l++)
            {
                for (var k = 0; k < layout.TopK; k++)
                {
                    var at = (((t * layout.HiddenLayers) + l) * layout.TopK) + k;
                    var expert = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at * sizeof(int), sizeof(int)));
                    if (expert == -1)
                    {
                        continue;
                    }

                    if (expert < 0 || expert >= experts)
                    {
                        throw new PlanningInputException(
                            string.Create(CultureInfo.InvariantCulture, $"{field}[{t}][{l}][{k}]"),
                            string.Create(CultureInfo.InvariantCulture, $"must be an expert below {experts} (ranks x expertsPerRank) or -1, got {expert}"));
                    }

                    counts[l - layout.FirstDenseLayers][expert]++;
                }
            }
        }

        return new SequenceCounts(tokens, counts);
    }

    private static IEnumerable<ReplayMicrobatch> PackBatch(int batch, List<SequenceCounts> sequences, RoutedExpertsLayout layout)
    {
        var byRank = Pack(sequences, layout.Ranks);
        var slots = new List<SequenceCounts>[layout.Microbatches, layout.Ranks];
        for (var r = 0; r < layout.Ranks; r++)
        {
            var split = Pack(byRank[r], layout.Microbatches);
            for (var m = 0; m < layout.Microbatches; m++)
            {
                slots[m, r] = split[m];
            }
        }

        var experts = layout.Ranks * layout.ExpertsPerRank;
        var moeLayers = layout.HiddenLayers - layout.FirstDenseLayers;
        for (var m = 0; m < layout.Microbatches; m++)
        {
            var layers = ImmutableArray.CreateBuilder<LayerTokens>(moeLayers);
            for (var l = 0; l < moeLayers; l++)
            {
                var rows = new int[layout.Ranks][];
                for (var r = 0; r < layout.Ranks; r++)
                {
                    rows[r] = new int[experts];
                    foreach (var sequence in slots[m, r])
                    {
                        var counts = sequence.PerLayer[l];
                        for (var e = 0; e < experts; e++)
                        {
                            rows[r][e] += counts[e];
                        }
                    }
                }

                layers.Add(new LayerTokens(rows));
            }

            var moeCase = MoeCase.Create(layout.Ranks, layout.RanksPerNode, layout.RanksPerNode, layout.ExpertsPerRank, layout.RedundantSlotsPerRank, null, layers.MoveToImmutable());
            yield return new ReplayMicrobatch(batch, m, moeCase);
        }
    }

    /// <summary>Longest first, each to the bin with the fewest tokens so far (lowest bin on ties); each bin keeps the order sequences came to it.</summary>
    private static List<SequenceCounts>[] Pack(List<SequenceCounts> sequences, int bins)
    {
        var packed = new List<SequenceCounts>[bins];
        var load = new long[bins];
        for (var b = 0; b < bins; b++)
        {
            packed[b] = [];
        }

        foreach (var sequence in sequences.Select((s, i) => (Sequence: s, Index: i)).OrderByDescending(x => x.Sequence.Tokens).ThenBy(x => x.Index))
        {
            var target = 0;
            for (var b = 1; b < bins; b++)
            {
                if (load[b] < load[target])
                {
                    target = b;
                }
            }

            packed[target].Add(sequence.Sequence);
            load[target] += sequence.Sequence.Tokens;
        }

        return packed;
    }
}
