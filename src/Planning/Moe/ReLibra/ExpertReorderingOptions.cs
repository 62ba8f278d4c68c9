using System.Globalization;
using Planning.Solving;

namespace Planning.Moe.ReLibra;

/// <summary>How <see cref="ExpertReordering"/> plans: the move penalty, whether to run CP-SAT after the heuristic, and the solver's limits.</summary>
public sealed record ExpertReorderingOptions
{
    /// <summary>The defaults: no move penalty, CP-SAT for 2 s with one worker and seed 0.</summary>
    public static ExpertReorderingOptions Default { get; } = new();

    /// <summary>
    /// The penalty for every expert that changes node, in the objective's unit (tokens of node load): the time its
    /// weights and optimizer state take over the inter-node network, expressed as the tokens a node computes in that
    /// time (<see cref="MovePenaltyTokens"/>). Non-negative. Default 0.
    /// </summary>
    public long MovePenalty { get; init; }

    /// <summary>Whether to run CP-SAT, warm-started by the heuristic, after it. Default <see langword="true"/>.</summary>
    public bool UseSolver { get; init; } = true;

    /// <summary>CP-SAT's time limit, seed and workers (and GLOP's, for the LP bound). Default 2 s, seed 0, one worker.</summary>
    public SolverOptions Solver { get; init; } = new() { TimeLimit = TimeSpan.FromSeconds(2), Workers = 1 };

    /// <summary>The most improving passes of the heuristic's swap search over all expert pairs. Positive. Default 64.</summary>
    public int MaxLocalSearchPasses { get; init; } = 64;

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public ExpertReorderingOptions Validate()
    {
        if (MovePenalty < 0)
        {
            throw new PlanningInputException("movePenalty", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {MovePenalty}"));
        }

        if (MaxLocalSearchPasses <= 0)
        {
            throw new PlanningInputException("maxLocalSearchPasses", string.Create(CultureInfo.InvariantCulture, $"must be positive, got {MaxLocalSearchPasses}"));
        }

        ArgumentNullException.ThrowIfNull(Solver);
        Solver.Validate();
        return this;
    }

    /// <summary>
    /// The move penalty in tokens: the seconds one expert's state adds to the boundary exchange
    /// (<paramref name="expertStateBytes"/> / <paramref name="networkBytesPerSecond"/>) times the tokens of node load a
    /// node gets through per second, rounded up. Moves between different pairs of nodes run at the same time, so where
    /// they spread over the nodes the bandwidth they share is every node's NICs together.
    /// </summary>
    /// <param name="expertStateBytes">Bytes that move with an expert: weights, and in training its fp32 main weights and Adam moments.</param>
    /// <param name="networkBytesPerSecond">The bandwidth the moves share, per direction (all nodes' NICs when moves spread evenly).</param>
    /// <param name="nodeTokensPerSecond">Tokens of node load a node gets through per second (its experts' compute and the tokens' all-to-all).</param>
    /// <returns>The penalty in tokens.</returns>
    /// <exception cref="PlanningInputException">A figure is negative, not finite, or the bandwidth is zero.</exception>
    public static long MovePenaltyTokens(long expertStateBytes, double networkBytesPerSecond, double nodeTokensPerSecond)
    {
        if (expertStateBytes < 0)
        {
            throw new PlanningInputException("expertStateBytes", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {expertStateBytes}"));
        }

        if (!(networkBytesPerSecond > 0 && double.IsFinite(networkBytesPerSecond)))
        {
            throw new PlanningInputException("networkBytesPerSecond", string.Create(CultureInfo.InvariantCulture, $"must be positive and finite, got {networkBytesPerSecond}"));
        }

        if (!(nodeTokensPerSecond >= 0 && double.IsFinite(nodeTokensPerSecond)))
        {
            throw new PlanningInputException("nodeTokensPerSecond", string.Create(CultureInfo.InvariantCulture, $"must be non-negative and finite, got {nodeTokensPerSecond}"));
        }

        return (long)Math.Ceiling(expertStateBytes / networkBytesPerSecond * nodeTokensPerSecond);
    }
}
