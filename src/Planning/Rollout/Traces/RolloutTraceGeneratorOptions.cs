using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// Settings of <see cref="RolloutTraceGenerator"/>. A trajectory's work scale is <c>w = d x e</c>: a per-prompt
/// difficulty <c>d</c> (log-normal, shared by the prompt's GRPO group, so its samples are correlated) times a
/// per-sample factor <c>e</c> (log-normal, optionally times a Pareto tail draw, so samples of one prompt differ). Both
/// its turn count and its tokens per turn grow with <c>sqrt(w)</c>, so its total output grows about like <c>w</c>.
/// Defaults are the <c>longtail</c> family with 64 prompts x 16 samples.
/// </summary>
public sealed record RolloutTraceGeneratorOptions
{
    /// <summary>Prompts (GRPO groups); at least 1. Default 64.</summary>
    public int Prompts { get; init; } = 64;

    /// <summary>Samples (trajectories) per prompt, the GRPO group size; at least 1. Default 16.</summary>
    public int SamplesPerPrompt { get; init; } = 16;

    /// <summary>The seed; the same options give the same trace.</summary>
    public int Seed { get; init; }

    /// <summary>Sigma of the log of the per-prompt difficulty (the skew between groups); at least 0. Default 0.7.</summary>
    public double PromptDifficultySigma { get; init; } = 0.7;

    /// <summary>Sigma of the log of the per-sample factor (the spread inside a group); at least 0. Default 0.5.</summary>
    public double SampleSigma { get; init; } = 0.5;

    /// <summary>
    /// When set, the per-sample factor is also multiplied by a Pareto draw of this shape (scaled to median 1), which
    /// gives a power-law tail: smaller is heavier. Greater than 1 (so the mean is finite); null (the default) for none.
    /// </summary>
    public double? TailAlpha { get; init; }

    /// <summary>The mean number of turns of a trajectory (before the context limit); at least 1. Default 6.</summary>
    public double MeanTurns { get; init; } = 6;

    /// <summary>The most turns a trajectory may have; at least 1. Default 40.</summary>
    public int MaxTurns { get; init; } = 40;

    /// <summary>The median output tokens of one turn of a trajectory of median difficulty; at least 1. Default 400.</summary>
    public double OutputTokensPerTurn { get; init; } = 400;

    /// <summary>Sigma of the log of a turn's output tokens around its trajectory's level; at least 0. Default 0.6.</summary>
    public double TurnTokensSigma { get; init; } = 0.6;

    /// <summary>The most output tokens of one turn (a generation length limit); at least 1. Default 8192.</summary>
    public int MaxOutputTokensPerTurn { get; init; } = 8192;

    /// <summary>The median prompt tokens (log-normal, shared by a group); at least 1. Default 1500.</summary>
    public double PromptTokens { get; init; } = 1500;

    /// <summary>Sigma of the log of the prompt tokens; at least 0. Default 0.5.</summary>
    public double PromptTokensSigma { get; init; } = 0.5;

    /// <summary>The median tokens a tool call appends (log-normal); at least 0. Default 300.</summary>
    public double ObservationTokens { get; init; } = 300;

    /// <summary>Sigma of the log of the observation tokens; at least 0. Default 0.8.</summary>
    public double ObservationTokensSigma { get; init; } = 0.8;

    /// <summary>
    /// The median seconds of a tool call (log-normal). Default 0.8 with <see cref="ToolSecondsSigma"/> 0.35, so about
    /// 92% of calls take 0.4-1.4 s, the range the Heddle paper reports.
    /// </summary>
    public double ToolSeconds { get; init; } = 0.8;

    /// <summary>Sigma of the log of a tool call's seconds; at least 0. Default 0.35.</summary>
    public double ToolSecondsSigma { get; init; } = 0.35;

    /// <summary>
    /// The context window: a trajectory ends (its last turn cut short) when its context would pass it; at least 2.
    /// Default 65,536.
    /// </summary>
    public int MaxContextTokens { get; init; } = 65_536;

    /// <summary>The preset of a family (64 prompts x 16 samples, seed 0; change them with <c>with</c>).</summary>
    /// <param name="family">The family.</param>
    /// <returns>Its options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined family.</exception>
    public static RolloutTraceGeneratorOptions ForFamily(RolloutTraceFamily family) => family switch
    {
        RolloutTraceFamily.Balanced => new() { PromptDifficultySigma = 0.25, SampleSigma = 0.25, MeanTurns = 4, TurnTokensSigma = 0.4 },
        RolloutTraceFamily.LongTail => new(),
        RolloutTraceFamily.Skewed => new() { PromptDifficultySigma = 0.9, SampleSigma = 0.5, TailAlpha = 1.5, MeanTurns = 6 },

        // Agentic: a difficulty spread like longtail's (prompt sigma 0.6, sample sigma 0.5) scales both the turn count
        // and the output per turn; the observations, not the outputs, fill most of the context.
        RolloutTraceFamily.Agentic => new()
        {
            PromptDifficultySigma = 0.6,
            SampleSigma = 0.5,
            MeanTurns = 20,
            MaxTurns = 64,
            OutputTokensPerTurn = 250,
            TurnTokensSigma = 0.6,
            MaxOutputTokensPerTurn = 4096,
            PromptTokens = 2500,
            PromptTokensSigma = 0.4,
            ObservationTokens = 1200,
            ObservationTokensSigma = 1.0,
        },

        // Mixed: heavy reasoning-style turns make the bulk's throughput time comparable to the stragglers' critical
        // path, which the Pareto tail stretches (see RolloutTraceFamily.Mixed for the property and its test).
        RolloutTraceFamily.Mixed => new()
        {
            PromptDifficultySigma = 0.5,
            SampleSigma = 0.4,
            TailAlpha = 1.5,
            MeanTurns = 3,
            MaxTurns = 40,
            OutputTokensPerTurn = 2500,
            TurnTokensSigma = 0.5,
            MaxOutputTokensPerTurn = 16_384,
            PromptTokens = 1000,
            PromptTokensSigma = 0.5,
            MaxContextTokens = 32_768,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a defined rollout trace family"),
    };

    /// <summary>Checks every setting.</summary>
    /// <exception cref="PlanningInputException">A setting is out of range; the field is the property's camel-case name, such as <c>samplesPerPrompt</c>.</exception>
    public void Validate()
    {
        AtLeast("prompts", Prompts, 1);
        AtLeast("samplesPerPrompt", SamplesPerPrompt, 1);
        if ((long)Prompts * SamplesPerPrompt > 10_000_000)
        {
            throw new PlanningInputException("prompts", string.Create(CultureInfo.InvariantCulture, $"prompts x samplesPerPrompt must be at most 10,000,000, got {(long)Prompts * SamplesPerPrompt}"));
        }

        AtLeast("promptDifficultySigma", PromptDifficultySigma, 0);
        AtLeast("sampleSigma", SampleSigma, 0);
        if (TailAlpha is { } alpha && (!double.IsFinite(alpha) || alpha <= 1))
        {
            throw new PlanningInputException("tailAlpha", string.Create(CultureInfo.InvariantCulture, $"must be a finite number above 1 (or absent), got {alpha}"));
        }

        AtLeast("meanTurns", MeanTurns, 1);
        AtLeast("maxTurns", MaxTurns, 1);
        AtLeast("outputTokensPerTurn", OutputTokensPerTurn, 1);
        AtLeast("turnTokensSigma", TurnTokensSigma, 0);
        AtLeast("maxOutputTokensPerTurn", MaxOutputTokensPerTurn, 1);
        AtLeast("promptTokens", PromptTokens, 1);
        AtLeast("promptTokensSigma", PromptTokensSigma, 0);
        AtLeast("observationTokens", ObservationTokens, 0);
        AtLeast("observationTokensSigma", ObservationTokensSigma, 0);
        AtLeast("toolSeconds", ToolSeconds, 0);
        AtLeast("toolSecondsSigma", ToolSecondsSigma, 0);
        AtLeast("maxContextTokens", MaxContextTokens, 2);

        // Sigmas above 5 make exp() overflow-prone and are never a realistic workload.
        foreach (var (name, sigma) in new[]
        {
            ("promptDifficultySigma", PromptDifficultySigma), ("sampleSigma", SampleSigma), ("turnTokensSigma", TurnTokensSigma),
            ("promptTokensSigma", PromptTokensSigma), ("observationTokensSigma", ObservationTokensSigma), ("toolSecondsSigma", ToolSecondsSigma),
        })
        {
            if (sigma > 5)
            {
                throw new PlanningInputException(name, string.Create(CultureInfo.InvariantCulture, $"must be at most 5, got {sigma}"));
            }
        }

        if (PromptTokens >= MaxContextTokens)
        {
            throw new PlanningInputException("promptTokens", string.Create(CultureInfo.InvariantCulture, $"must be below maxContextTokens ({MaxContextTokens}), got {PromptTokens}"));
        }
    }

    private static void AtLeast(string field, double value, double minimum)
    {
        if (!double.IsFinite(value) || value < minimum)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a finite number at least {minimum}, got {value}"));
        }
    }
}
