using System.Collections.Immutable;

namespace Planning.Moe;

/// <summary>How <see cref="MoeBalancer"/> times a real-time policy.</summary>
public sealed record BalanceTimingOptions
{
    /// <summary>The default: one warm-up solve and 20 timed solves per layer.</summary>
    public static BalanceTimingOptions Default { get; } = new();

    /// <summary>Untimed solves per layer before timing starts, at least (JIT and caches warm).</summary>
    public int WarmupSolves { get; init; } = 1;

    /// <summary>
    /// How long the warm-up of each layer lasts at least (default 250 ms, at most 10,000 solves): long enough for the
    /// runtime's tiered JIT to replace the first, unoptimised code, so the timed solves see steady state.
    /// </summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Timed solves per layer for a real-time policy; at least 1.</summary>
    public int TimedSolves { get; init; } = 20;

    /// <summary>The clock that times solves.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Balances every layer of a <see cref="MoeCase"/> with one policy and measures the planner's own time per layer.
/// A real-time policy (<see cref="IBalancingPolicy.IsRealTime"/>) is timed in steady state: after the warm-up, each
/// layer is solved <see cref="BalanceTimingOptions.TimedSolves"/> times and the median and p99 are taken over all
/// those solves. A solver-backed policy runs to its time limit, so each layer's single solve is timed.
/// </summary>
public static class MoeBalancer
{
    private const int MaxWarmupSolves = 10_000;

    /// <summary>Balances every layer.</summary>
    /// <param name="moeCase">The case.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="history">Earlier loads to place from (EPLB as deployed), one layer each; <see langword="null"/> to place from the case's own loads.</param>
    /// <param name="timing">Timing options; <see langword="null"/> for the default.</param>
    /// <param name="previous">The previous microbatch's instances, one list per layer, for incremental policies; <see langword="null"/> for a fresh plan.</param>
    /// <param name="cancellationToken">Stops solver-backed policies early.</param>
    /// <returns>The plan of every layer and the solve time.</returns>
    /// <exception cref="PlanningInputException">The history or the previous plan does not match the case.</exception>
    public static BalancePlan Balance(
        MoeCase moeCase,
        IBalancingPolicy policy,
        MoeCase? history = null,
        BalanceTimingOptions? timing = null,
        ImmutableArray<ImmutableArray<ExpertInstance>>? previous = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(moeCase);
        ArgumentNullException.ThrowIfNull(policy);
        timing ??= BalanceTimingOptions.Default;
        if (timing.TimedSolves < 1 || timing.WarmupSolves < 0)
        {
            throw new PlanningInputException("repeats", $"timed solves must be at least 1 and warm-up solves non-negative, got {timing.TimedSolves} and {timing.WarmupSolves}");
        }

        var topology = MoeTopology.From(moeCase);
        if (previous is { } earlier && earlier.Length != moeCase.Layers.Length)
        {
            throw new PlanningInputException("previous.layers", $"must have the case's {moeCase.Layers.Length} layers, got {earlier.Length}");
        }

        var problems = moeCase.Layers
            .Select((layer, l) => new MoeLayerProblem(topology, layer.ExpertLoads, PlacementFor(moeCase, history, l), layer, PreviousFor(topology, previous, l)))
            .ToArray();

        var plans = ImmutableArray.CreateBuilder<LayerPlan>(problems.Length);
        var samples = new List<double>();
        foreach (var problem in problems)
        {
            if (!policy.IsRealTime)
            {
                var started = timing.Clock.GetTimestamp();
                plans.Add(policy.Plan(problem, cancellationToken));
                samples.Add(timing.Clock.GetElapsedTime(started).TotalMicroseconds);
                continue;
            }

            var warmupStarted = timing.Clock.GetTimestamp();
            for (var w = 0; w < MaxWarmupSolves && (w < timing.WarmupSolves || timing.Clock.GetElapsedTime(warmupStarted) < timing.WarmupDuration); w++)
            {
                policy.Plan(problem, cancellationToken);
            }

            LayerPlan? plan = null;
            for (var i = 0; i < timing.TimedSolves; i++)
            {
                var started = timing.Clock.GetTimestamp();
                plan = policy.Plan(problem, cancellationToken);
                samples.Add(timing.Clock.GetElapsedTime(started).TotalMicroseconds);
            }

            plans.Add(plan!);
        }

        if (policy.ReroutesTokens)
        {
            for (var l = 0; l < plans.Count; l++)
            {
                plans[l] = plans[l].WithRoutes(Rerouter.Route(moeCase.Layers[l], plans[l]));
            }
        }

        return new BalancePlan(policy.Name, plans.MoveToImmutable(), SolveTiming.From(samples));
    }

    private static ImmutableArray<ExpertInstance>? PreviousFor(MoeTopology topology, ImmutableArray<ImmutableArray<ExpertInstance>>? previous, int layer)
    {
        if (previous is not { } earlier)
        {
            return null;
        }

        foreach (var instance in earlier[layer])
        {
            if (instance.Expert >= topology.Experts || instance.Rank >= topology.Ranks)
            {
                throw new PlanningInputException($"previous.layers[{layer}].placement", $"names expert {instance.Expert} on rank {instance.Rank}, outside the case's {topology.Experts} experts on {topology.Ranks} ranks");
            }
        }

        return earlier[layer];
    }

    private static ImmutableArray<long>? PlacementFor(MoeCase moeCase, MoeCase? history, int layer)
    {
        if (history is null)
        {
            return null;
        }

        if (history.Experts != moeCase.Experts)
        {
            throw new PlanningInputException("history", $"must have the case's {moeCase.Experts} experts, got {history.Experts}");
        }

        if (history.Layers.Length != moeCase.Layers.Length)
        {
            throw new PlanningInputException("history.tokensPerRankLayer", $"must have the case's {moeCase.Layers.Length} layers, got {history.Layers.Length}");
        }

        return history.Layers[layer].ExpertLoads;
    }
}
