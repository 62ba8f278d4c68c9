using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// The tensor-parallel degree each baseline's public recipe uses for a model size, which <c>slime</c>,
/// <c>slime-nocache</c> and <c>verl</c> run at unless a degree is fixed (<see cref="RolloutSimulationOptions.EqualTensorParallelDegree"/>,
/// the hand-tuned <c>slime*</c> / <c>verl*</c>):
/// <list type="table">
/// <listheader><term>system, model</term><description>degree (recipe)</description></listheader>
/// <item><term>slime 8b</term><description>1 (THUDM/slime <c>scripts/run-llama3.1-8B.sh</c>: <c>--rollout-num-gpus-per-engine 1</c>)</description></item>
/// <item><term>slime 14b</term><description>1 (no 14B recipe; the nearest size's, <c>scripts/run-glm4-9B.sh</c>: 1, where <c>run-qwen3-32B.sh</c> uses 8)</description></item>
/// <item><term>slime 32b</term><description>8 (<c>scripts/run-qwen3-32B.sh</c>: <c>--rollout-num-gpus-per-engine 8</c>)</description></item>
/// <item><term>verl 8b</term><description>2 (volcengine/verl <c>examples/grpo_trainer/run_qwen3-8b_reorder.sh</c>: <c>gen_tp=2</c>)</description></item>
/// <item><term>verl 14b</term><description>4 (<c>examples/grpo_trainer/run_mistral13b_skyworkrm_hhrlhf.sh</c>, a 12B model: <c>gen_tp=4</c>)</description></item>
/// <item><term>verl 32b</term><description>4 (<c>recipe/dapo/run_dapo_qwen2.5_32b.sh</c>: <c>gen_tp=4</c>)</description></item>
/// </list>
/// A recipe's degree whose KV cache cannot hold the trace's longest trajectory (or that exceeds the budget) is raised to
/// the smallest degree of the model that can, as a user would; a model without a recipe uses the equal-TP rule
/// (<see cref="EqualTensorParallel"/>).
/// </summary>
public static class BaselineRecipes
{
    private static readonly ImmutableDictionary<(string System, string Model), int> Degrees = new Dictionary<(string, string), int>
    {
        [("slime", "8b")] = 1,
        [("slime", "14b")] = 1,
        [("slime", "32b")] = 8,
        [("verl", "8b")] = 2,
        [("verl", "14b")] = 4,
        [("verl", "32b")] = 4,
    }.ToImmutableDictionary();

    /// <summary>The recipe's degree for a system (<c>slime</c> or <c>verl</c>) and a model name (<c>8b</c>, <c>14b</c>, <c>32b</c>), or 0 when there is none.</summary>
    /// <param name="system">The baseline system.</param>
    /// <param name="model">The model's name (<see cref="IInferenceCostModel.ModelName"/>).</param>
    /// <returns>The degree, or 0.</returns>
    public static int Degree(string system, string model) =>
        Degrees.TryGetValue((system ?? string.Empty, model ?? string.Empty), out var degree) ? degree : 0;

    /// <summary>
    /// The baseline's layout: every instance at the fixed degree when the options fix one, else at the recipe's degree
    /// (raised until the KV cache holds the longest trajectory), else at the equal-TP rule's.
    /// </summary>
    /// <param name="system">The baseline system (<c>slime</c> or <c>verl</c>).</param>
    /// <param name="trace">The trajectories (when <see cref="RolloutSimulationOptions.MaxContextTokens"/> is not configured, their longest final context is the context length the engines are started with).</param>
    /// <param name="gpus">The GPU budget.</param>
    /// <param name="cost">The cost model.</param>
    /// <param name="options">The options.</param>
    /// <returns>One degree per instance.</returns>
    /// <exception cref="PlanningInputException">As <see cref="EqualTensorParallel.Layout"/>.</exception>
    public static ImmutableArray<int> Layout(string system, IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        var recipe = Degree(system, cost.ModelName);
        if (options.EqualTensorParallelDegree > 0 || recipe == 0)
        {
            return EqualTensorParallel.Layout(trace, gpus, cost, options);
        }

        var longest = options.LayoutContextTokens(trace);
        foreach (var d in cost.TensorParallelDegrees.Where(d => d >= recipe && d <= gpus).Order())
        {
            if (cost.KvCapacityTokens(d) >= longest)
            {
                return [.. Enumerable.Repeat(d, gpus / d)];
            }
        }

        return EqualTensorParallel.Layout(trace, gpus, cost, options);
    }
}
