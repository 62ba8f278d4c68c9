using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>
/// Named shapes of rollout work for <see cref="RolloutTraceGenerator"/>, from even to most long-tailed. Each is a
/// preset of <see cref="RolloutTraceGeneratorOptions"/> (see <see cref="RolloutTraceGeneratorOptions.ForFamily"/>).
/// </summary>
public enum RolloutTraceFamily
{
    /// <summary><c>balanced</c>: little spread between prompts or samples (log-normal sigmas 0.25), about 4 turns.</summary>
    Balanced,

    /// <summary><c>longtail</c>: log-normal difficulty (prompt sigma 0.7, sample sigma 0.5), about 6 turns.</summary>
    LongTail,

    /// <summary>
    /// <c>skewed</c>: the most skewed: log-normal prompt difficulty (sigma 0.9) times a Pareto per-sample factor
    /// (alpha 1.5), about 6 turns; the longest trajectory generates well over ten times the median's output.
    /// </summary>
    Skewed,

    /// <summary>
    /// <c>agentic</c>: SWE-style coding agents and tool use (the setting of the Heddle paper): many turns and large tool
    /// observations (file contents, test logs), so contexts grow to tens of thousands of tokens and the tail is many
    /// long trajectories rather than one outlier. Assumptions (see <see cref="RolloutTraceGeneratorOptions.ForFamily"/>):
    /// about 20 turns on average (Poisson around a log-normal difficulty, so a long tail), capped at 64; observations
    /// log-normal with median 1,200 tokens (sigma 1.0); output per turn median 250 tokens at median difficulty (at most
    /// 4,096); prompts median 2,500 tokens (sigma 0.4); the context window 65,536 tokens ends the longest ones; tool
    /// calls as the other families (median 0.8 s).
    /// </summary>
    Agentic,

    /// <summary>
    /// <c>mixed</c>: long-reasoning RL (a 32,768-token context window, as math and code recipes cap responses) with a
    /// heavy bulk and a few stragglers in one step, so that the question of degrees is real: the bulk's throughput time
    /// (the trace's decode work at the best per-GPU rate, the lower bound's throughput terms) is comparable to the
    /// longest trajectory's critical path (0.72-0.78 of it for 64 x 16 on 64 GPUs of an 8B-class model under the
    /// <c>modern</c> cost model, seeds 0-2; the test asserts a factor of 2 either way), where <c>skewed</c>'s bulk
    /// needs a third of its straggler's time or less. Its bulk has long contexts, which a high degree serves nearly as
    /// well per GPU as a low one under <c>modern</c>: on 8B, uniform TP8 is the best uniform layout here too
    /// (docs/benchmarks.md, "Heddle cost model `modern`"), so this family does not by itself make every uniform degree
    /// lose; a short-context bulk would need many more trajectories per GPU. Turns median 2,500 output tokens at
    /// median difficulty (at most 16,384), about 3 turns, prompts
    /// median 1,000 tokens, difficulty sigmas 0.5 (prompt) and 0.4 (sample) times a Pareto per-sample tail (alpha
    /// 1.5) that makes the stragglers; observations and tool calls as <c>longtail</c>.
    /// </summary>
    Mixed,
}

/// <summary>The rollout trace families by name, as the command line spells them.</summary>
public static class RolloutTraceFamilies
{
    /// <summary>The names, in the order of <see cref="RolloutTraceFamily"/>'s values.</summary>
    public static ImmutableArray<string> Names { get; } = ["balanced", "longtail", "skewed", "agentic", "mixed"];

    /// <summary>The command-line name of a family.</summary>
    /// <param name="family">The family.</param>
    /// <returns>Its name, such as <c>skewed</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined family.</exception>
    public static string Name(RolloutTraceFamily family) =>
        Enum.IsDefined(family) ? Names[(int)family] : throw new ArgumentOutOfRangeException(nameof(family), family, "not a defined rollout trace family");

    /// <summary>Looks a family up by its command-line name (exact, lower case).</summary>
    /// <param name="name">The name.</param>
    /// <param name="family">The family, when found.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? name, out RolloutTraceFamily family)
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        family = index < 0 ? default : (RolloutTraceFamily)index;
        return index >= 0;
    }

    /// <summary>Looks a family up by its command-line name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The family.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>family</c>).</exception>
    public static RolloutTraceFamily Parse(string? name) =>
        TryParse(name, out var family)
            ? family
            : throw new PlanningInputException("family", $"must be one of {string.Join(", ", Names)}, got \"{name}\"");
}
