using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// The shape of a dense decoder-only transformer that <see cref="CalibratedCostModel"/> needs: what its weights and KV
/// cache weigh and how many FLOPs a token costs. The named defaults (<c>8b</c>, <c>14b</c>, <c>32b</c>, <c>70b</c>)
/// are embedded in <c>Rollout/CostModel/Data/inference-models.json</c>.
/// </summary>
public sealed record InferenceModelSpec
{
    /// <summary>Creates a model shape.</summary>
    /// <param name="name">The name, such as <c>8b</c>; not empty.</param>
    /// <param name="description">What it stands for, such as <c>Llama-3.1-8B-class</c>.</param>
    /// <param name="layers">Transformer layers, at least 1.</param>
    /// <param name="hiddenSize">Hidden size (query heads x head dimension), at least 1.</param>
    /// <param name="kvHeads">Key/value heads (grouped-query attention), at least 1.</param>
    /// <param name="headDim">Head dimension, at least 1.</param>
    /// <param name="parameters">Parameters, at least 1.</param>
    /// <exception cref="PlanningInputException">A value is out of range (field <c>model.NAME</c>).</exception>
    public InferenceModelSpec(string name, string description, int layers, int hiddenSize, int kvHeads, int headDim, double parameters)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new PlanningInputException("model.name", "must be a non-empty string");
        }

        Positive("model.layers", layers);
        Positive("model.hiddenSize", hiddenSize);
        Positive("model.kvHeads", kvHeads);
        Positive("model.headDim", headDim);
        if (!double.IsFinite(parameters) || parameters < 1)
        {
            throw new PlanningInputException("model.parameters", string.Create(CultureInfo.InvariantCulture, $"must be a finite number at least 1, got {parameters}"));
        }

        Name = name;
        Description = description ?? string.Empty;
        Layers = layers;
        HiddenSize = hiddenSize;
        KvHeads = kvHeads;
        HeadDim = headDim;
        Parameters = parameters;
    }

    /// <summary>The name, such as <c>8b</c>.</summary>
    public string Name { get; }

    /// <summary>What it stands for, such as <c>Llama-3.1-8B-class</c>.</summary>
    public string Description { get; }

    /// <summary>Transformer layers.</summary>
    public int Layers { get; }

    /// <summary>Hidden size (query heads x head dimension).</summary>
    public int HiddenSize { get; }

    /// <summary>Key/value heads.</summary>
    public int KvHeads { get; }

    /// <summary>Head dimension.</summary>
    public int HeadDim { get; }

    /// <summary>Parameters.</summary>
    public double Parameters { get; }

    /// <summary>Bytes of KV cache a token takes: keys and values of every layer.</summary>
    /// <param name="bytesPerElement">Bytes an element takes (2 for bf16).</param>
    /// <returns>Bytes a token.</returns>
    public long KvBytesPerToken(int bytesPerElement) => 2L * Layers * KvHeads * HeadDim * bytesPerElement;

    private static void Positive(string field, int value)
    {
        if (value < 1)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {value}"));
        }
    }
}
