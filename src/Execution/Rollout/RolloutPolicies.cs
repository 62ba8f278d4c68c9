using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>The rollout policies by name.</summary>
public static class RolloutPolicies
{
    /// <summary>
    /// The names: <c>heddle</c>, <c>slime</c> (SGLang router's cache-aware routing), <c>slime-nocache</c> (slime's
    /// layout, least-loaded routing without cache affinity), <c>verl</c>, <c>fcfs</c>.
    /// </summary>
    public static ImmutableArray<string> Names { get; } = ["heddle", "slime", "slime-nocache", "verl", "fcfs"];

    /// <summary>Creates a fresh policy (policies keep per-simulation state).</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="heddle">Heddle's fitted planner (required for <c>heddle</c>, ignored otherwise): <see cref="HeddlePlanner.Fit"/>.</param>
    /// <param name="field">The field named in errors.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PlanningInputException">An unknown name.</exception>
    public static IRolloutPolicy Create(string name, HeddlePlanner? heddle = null, string field = "policy") =>
        (name ?? string.Empty).ToLowerInvariant() switch
        {
            "fcfs" => new FcfsRolloutPolicy(),
            "slime" => new SlimeRolloutPolicy(),
            "slime-nocache" => new SlimeNoCacheRolloutPolicy(),
            "verl" => new VerlRolloutPolicy(),
            "heddle" => new HeddleRolloutPolicy(heddle ?? throw new ArgumentNullException(nameof(heddle), "heddle needs its fitted planner (HeddlePlanner.Fit)")),
            _ => throw new PlanningInputException(field, $"must be one of {string.Join(", ", Names)}, got \"{name}\""),
        };
}
