using System.Collections.Immutable;
using Planning.Solving;

namespace Planning.Moe;

/// <summary>The balancing policies by name, as the command line and the contract spell them.</summary>
public static class BalancingPolicies
{
    /// <summary>The names of the available policies.</summary>
    public static ImmutableArray<string> Names { get; } = ["none", "eplb", "exact"];

    /// <summary>Creates a policy by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="solverOptions">Options for solver-backed policies.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PlanningInputException">The name is unknown.</exception>
    public static IBalancingPolicy Create(string name, SolverOptions? solverOptions = null) => name switch
    {
        "none" => new NoBalancingPolicy(),
        "eplb" => new EplbPolicy(),
        "exact" => new ExactPolicy(solverOptions ?? SolverOptions.Default),
        _ => throw new PlanningInputException("policy", $"must be one of {string.Join(", ", Names)}, got \"{name}\""),
    };
}
