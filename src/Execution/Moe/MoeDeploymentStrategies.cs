using System.Collections.Immutable;
using Planning.Execution.Moe.Strategies;
using Planning.Moe;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Moe;

/// <summary>
/// The deployment policies <see cref="MoeWorkloadSimulation"/> knows, by name: <c>none</c>, <c>eplb</c>,
/// <c>eplb-oracle</c>, <c>ultraep</c>, <c>ultraep-reorder</c>, <c>ideal</c>. Each name stands for one strategy that
/// decides, microbatch by microbatch, what its planner is asked, whether masters move, whether tokens are rerouted and
/// what weight sync and planner time the step pays; the simulation builds only the strategies a run asks for (and the
/// two references, <c>none</c> and <c>ideal</c>, which plan next to nothing).
/// </summary>
public sealed class MoeDeploymentStrategies
{
    private readonly ImmutableArray<(string Name, Func<MoeSimulationOptions, MoeModelConfig, IMoeDeploymentStrategy> Create)> _entries;

    /// <summary>Builds a registry from named factories, in the stable order of the names (tests build their own).</summary>
    /// <param name="entries">Each policy's name and how to build its strategy for a run's options and model.</param>
    internal MoeDeploymentStrategies(IEnumerable<(string Name, Func<MoeSimulationOptions, MoeModelConfig, IMoeDeploymentStrategy> Create)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        Names = [.. _entries.Select(entry => entry.Name)];
    }

    /// <summary>The simulator's policies, in a stable order (the order they run in).</summary>
    public static MoeDeploymentStrategies Default { get; } = new(
    [
        (NoBalancingStrategy.PolicyName, static (_, _) => new NoBalancingStrategy(static () => new NoBalancingPolicy())),
        (EplbStrategy.PolicyName, static (options, _) => new EplbStrategy(options.EplbWindow, static () => new EplbPolicy())),
        (EplbOracleStrategy.PolicyName, static (_, _) => new EplbOracleStrategy(static () => new EplbPolicy())),
        (UltraEpStrategy.PolicyName, static (options, model) => new UltraEpStrategy(() => new UltraEpPolicy(UltraEpOptionsFor(options, model)))),
        (UltraEpReorderStrategy.PolicyName, static (options, model) => new UltraEpReorderStrategy(
            () => new UltraEpPolicy(UltraEpOptionsFor(options, model)),
            options.ReorderEvery,
            options.ReorderWindow,
            options.ReorderFromReplay,
            options.Reordering,
            options.ReorderBytesPerExpert ?? model.ExpertStateBytes(options.Phase))),
        (IdealStrategy.PolicyName, static (_, _) => new IdealStrategy()),
    ]);

    /// <summary>The policies' names, in the order they run in.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>Parses a comma-separated list of policy names (spaces around names ignored, duplicates dropped).</summary>
    /// <param name="list">The list, such as <c>none,eplb,ultraep,ideal</c>.</param>
    /// <param name="field">The field to blame (the CLI passes <c>--policies</c>).</param>
    /// <returns>The names, in the order given.</returns>
    /// <exception cref="PlanningInputException">The list is empty or names an unknown policy.</exception>
    public ImmutableArray<string> Parse(string list, string field = "policies")
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = new List<string>();
        foreach (var part in list.Split(','))
        {
            var name = part.Trim();
            if (!Names.Contains(name))
            {
                throw new PlanningInputException(field, $"must be a comma-separated list of {string.Join(", ", Names)}, got \"{name}\"");
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    /// <summary>Builds the strategy of a known policy for a run.</summary>
    /// <param name="name">The policy's name (from <see cref="Names"/>).</param>
    /// <param name="options">The run's options.</param>
    /// <param name="model">The run's model.</param>
    /// <returns>The strategy.</returns>
    internal IMoeDeploymentStrategy Create(string name, MoeSimulationOptions options, MoeModelConfig model)
    {
        foreach (var entry in _entries)
        {
            if (entry.Name == name)
            {
                var strategy = entry.Create(options, model);
                return strategy.Name == name
                    ? strategy
                    : throw new InvalidOperationException($"The factory of {name} built the strategy {strategy.Name}.");
            }
        }

        throw new KeyNotFoundException($"No strategy is registered as \"{name}\".");
    }

    /// <summary>UltraEP's options for a run: the model's expert size, the rest as given.</summary>
    private static UltraEpOptions UltraEpOptionsFor(MoeSimulationOptions options, MoeModelConfig model) => options.UltraEp with { ExpertBytes = model.ExpertBytes };
}
