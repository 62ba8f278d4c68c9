using System.Globalization;

namespace Planning.Moe.ReLibra;

/// <summary>
/// The knobs of <see cref="RoutingReplayGenerator"/>: the cluster shape, the batch's size, and how RL-like the routing
/// is (themes whose hot sets shift from microbatch to microbatch, per-prompt skew, long-tailed sequence lengths). The
/// defaults are the 16-node setting: 16 nodes of 8 ranks, 256 experts, 8 microbatches a batch.
/// </summary>
public sealed record RoutingReplaySettings
{
    /// <summary>The default settings.</summary>
    public static RoutingReplaySettings Default { get; } = new();

    /// <summary>Ranks (expert-parallel degree). Default 128.</summary>
    public int Ranks { get; init; } = 128;

    /// <summary>Ranks per node, which is also the scale-up domain. Default 8.</summary>
    public int RanksPerNode { get; init; } = 8;

    /// <summary>Master experts per rank. Default 2 (256 experts on 128 ranks).</summary>
    public int ExpertsPerRank { get; init; } = 2;

    /// <summary>Redundant slots per rank, for replicas inside a node. Default 2.</summary>
    public int RedundantSlotsPerRank { get; init; } = 2;

    /// <summary>MoE layers per microbatch. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Training batches. Default 2.</summary>
    public int Batches { get; init; } = 2;

    /// <summary>Microbatches per batch. Default 8.</summary>
    public int Microbatches { get; init; } = 8;

    /// <summary>Tokens each rank packs per microbatch. Default 4096.</summary>
    public int TokensPerRank { get; init; } = 4096;

    /// <summary>Experts per token. Default 8.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>Themes (task families) per layer, each with its own hot set of experts. Default 4.</summary>
    public int Themes { get; init; } = 4;

    /// <summary>Experts in a theme's hot set. Default 16.</summary>
    public int HotExperts { get; init; } = 16;

    /// <summary>
    /// The mean share of a prompt's routing that goes to its theme's hot set (each prompt draws its own share,
    /// uniformly within +-50 % of this, at most 0.95: per-prompt skew). Default 0.5.
    /// </summary>
    public double HotShare { get; init; } = 0.5;

    /// <summary>
    /// The chance that a prompt follows its microbatch's dominant theme (drawn afresh every microbatch, so the hot set
    /// shifts); the other prompts pick a theme uniformly. Default 0.7.
    /// </summary>
    public double ThemeCoherence { get; init; } = 0.7;

    /// <summary>Sampled responses per prompt (a GRPO group); they share the prompt's routing preference. Default 8.</summary>
    public int GroupSize { get; init; } = 8;

    /// <summary>The median sequence length in tokens (log-normal lengths). Default 512.</summary>
    public int MedianSequenceLength { get; init; } = 512;

    /// <summary>The sigma of the log-normal sequence lengths: larger is a longer tail. Default 1.0.</summary>
    public double LengthSigma { get; init; } = 1.0;

    /// <summary>The Zipf exponent of the router's base popularity, fixed per layer. Default 0.6.</summary>
    public double BaseSkew { get; init; } = 0.6;

    /// <summary>The seed: the same settings give the same replay.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every field; errors name its command-line option.</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public RoutingReplaySettings Validate()
    {
        Positive("ranks", Ranks);
        Positive("ranks-per-node", RanksPerNode);
        Positive("experts-per-rank", ExpertsPerRank);
        Positive("layers", Layers);
        Positive("batches", Batches);
        Positive("microbatches", Microbatches);
        Positive("tokens-per-rank", TokensPerRank);
        Positive("top-k", TopK);
        Positive("themes", Themes);
        Positive("hot-experts", HotExperts);
        Positive("group-size", GroupSize);
        Positive("median-length", MedianSequenceLength);
        if (RedundantSlotsPerRank < 0)
        {
            throw Bad("redundant-slots", RedundantSlotsPerRank, "must be non-negative");
        }

        if (Ranks % RanksPerNode != 0)
        {
            throw Bad("ranks-per-node", RanksPerNode, string.Create(CultureInfo.InvariantCulture, $"must divide ranks ({Ranks})"));
        }

        var experts = (long)Ranks * ExpertsPerRank;
        if (TopK > experts || HotExperts > experts)
        {
            throw Bad(TopK > experts ? "top-k" : "hot-experts", Math.Max(TopK, HotExperts), string.Create(CultureInfo.InvariantCulture, $"must be at most the number of experts ({experts})"));
        }

        if (!(HotShare is >= 0 and <= 1))
        {
            throw Bad("hot-share", HotShare, "must be in [0, 1]");
        }

        if (!(ThemeCoherence is >= 0 and <= 1))
        {
            throw Bad("theme-coherence", ThemeCoherence, "must be in [0, 1]");
        }

        if (!(LengthSigma is >= 0 and <= 4))
        {
            throw Bad("length-sigma", LengthSigma, "must be in [0, 4]");
        }

        if (!(BaseSkew is >= 0 and <= 4))
        {
            throw Bad("base-skew", BaseSkew, "must be in [0, 4]");
        }

        return this;
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw Bad(field, value, "must be a positive integer");
        }
    }

    private static PlanningInputException Bad(string field, double value, string problem) =>
        new(field, string.Create(CultureInfo.InvariantCulture, $"{problem}, got {value}"));
}
