namespace Planning.Knowledge;

/// <summary>
/// The sizes an experience may have (in UTF-16 characters unless stated). They bound what one record can cost the
/// store, the indexes and a response; <see cref="ExperienceJson"/> and <see cref="KnowledgeBase.Ingest"/> reject
/// anything larger, naming the field.
/// </summary>
public static class ExperienceLimits
{
    /// <summary>The longest task.</summary>
    public const int MaxTaskChars = 4_000;

    /// <summary>The longest domain.</summary>
    public const int MaxDomainChars = 200;

    /// <summary>The longest difficulty.</summary>
    public const int MaxDifficultyChars = 100;

    /// <summary>The most plan steps.</summary>
    public const int MaxSteps = 100;

    /// <summary>The longest plan step.</summary>
    public const int MaxStepChars = 2_000;

    /// <summary>The longest experience text.</summary>
    public const int MaxExperienceChars = 20_000;

    /// <summary>The longest suggestions text.</summary>
    public const int MaxSuggestionsChars = 20_000;

    /// <summary>The longest outcome reason.</summary>
    public const int MaxOutcomeReasonChars = 4_000;

    /// <summary>The longest source framework name.</summary>
    public const int MaxSourceChars = 200;

    /// <summary>The most links.</summary>
    public const int MaxLinks = 50;

    /// <summary>The longest link.</summary>
    public const int MaxLinkChars = 2_000;

    /// <summary>The longest JSONL line, in UTF-8 bytes (a line above it is rejected before it is parsed).</summary>
    public const int MaxLineBytes = 1 << 20;
}
