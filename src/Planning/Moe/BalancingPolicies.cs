using System.Collections.Immutable;
using Planning.Moe.UltraEp;
using Planning.Solving;

namespace Planning.Moe;

/// <summary>The balancing policies by name, as the command line and the contract spell them.</summary>
public static class BalancingPolicies
{
    /// <summary>The names of the available policies.</summary>
    public static ImmutableArray<string> Names { get; } = ["none", "eplb", "exact", "ultraep", "ultraep-exact"];

    /// <summary>Creates a policy by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="solverOptions">Options for solver-backed policies.</param>
    /// <param name="ultraEpOptions">Options of the UltraEP policies.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PlanningInputException">The name is unknown.</exception>
    public static IBalancingPolicy Create(string name, SolverOptions? solverOptions = null, UltraEpOptions? ultraEpOptions = null) => name switch
    {
        "none" => new NoBalancingPolicy(),
        "eplb" => new EplbPolicy(),
        "exact" => new ExactPolicy(solverOptions ?? SolverOptions.Default),
        "ultraep" => new UltraEpPolicy(ultraEpOptions ?? UltraEpOptions.Default),
        "ultraep-exact" => new UltraEpExactPolicy(solverOptions ?? SolverOptions.Default, ultraEpOptions ?? UltraEpOptions.Default),
        _ => throw new PlanningInputException("policy", $"must be one of {string.Join(", ", Names)}, got \"{name}\""),
    };
}
