using System.Collections.Immutable;

namespace Planning.Execution.Adapters.Moe;

/// <summary>The placement files <c>plan moe export</c> writes (and, for two of them, <c>plan moe import</c> reads).</summary>
public enum MoePlacementFormat
{
    /// <summary>SGLang's <c>--init-expert-location</c> JSON: <c>physical_to_logical_map</c> [layers][physical slots].</summary>
    Sglang,

    /// <summary>TensorRT-LLM's <c>moe_load_balancer</c> YAML: <c>num_slots</c>, <c>initial_global_assignments</c>, <c>layer_updates_per_iter: 0</c>.</summary>
    TrtLlm,

    /// <summary>DeepSeek EPLB's tensors as JSON: <c>phy2log</c>, <c>log2phy</c> (-1 padded), <c>logcnt</c>.</summary>
    DeepSeek,

    /// <summary>vllm-ascend's <c>expert_map_path</c> JSON: <c>moe_layer_count</c>, <c>layer_list</c> of <c>device_list</c> with <c>device_expert</c>.</summary>
    VllmAscend,
}

/// <summary>Names of the placement formats on the command line, and the dispatch rule each target system applies.</summary>
public static class MoePlacementFormats
{
    /// <summary>The names, in the enum's order: <c>sglang</c>, <c>trtllm</c>, <c>deepseek</c>, <c>vllm-ascend</c>.</summary>
    public static ImmutableArray<string> Names { get; } = ["sglang", "trtllm", "deepseek", "vllm-ascend"];

    /// <summary>The formats that can be read back: <c>sglang</c> and <c>deepseek</c>.</summary>
    public static ImmutableArray<string> ReadableNames { get; } = ["sglang", "deepseek"];

    /// <summary>A format's name.</summary>
    /// <param name="format">The format.</param>
    /// <returns>Its command-line name.</returns>
    public static string Name(MoePlacementFormat format) => Names[(int)format];

    /// <summary>Parses a command-line name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="format">The format, when known.</param>
    /// <returns>Whether the name is a format.</returns>
    public static bool TryParse(string? name, out MoePlacementFormat format)
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        format = (MoePlacementFormat)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>
    /// The dispatch rule the format's system applies, used for the projection: SGLang's static dispatch for
    /// <see cref="MoePlacementFormat.Sglang"/>, the even split for the others (vLLM and DeepSeek EPLB pick the replica
    /// by token position modulo the replica count; TensorRT-LLM's and vllm-ascend's routing is taken to do the same).
    /// </summary>
    /// <param name="format">The format.</param>
    /// <returns>The rule.</returns>
    public static ExpertDispatchRule DispatchRule(MoePlacementFormat format) =>
        format == MoePlacementFormat.Sglang ? ExpertDispatchRule.SglangStatic : ExpertDispatchRule.EvenSplit;
}
