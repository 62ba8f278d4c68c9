using System.Collections.Immutable;
using System.Globalization;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Benchmarks;

/// <summary>
/// <c>rollout-hindsight [FAMILY] [MODELS] [SEEDS]</c> (defaults <c>mixed 8b,14b,32b 1,2,3</c>): how far a layout that
/// knows every trajectory's length in advance gets on 64 GPUs, beside heddle, the best uniform layout of slime and verl,
/// and the lower bound, all on the trace <c>plan rollout simulate --family F --prompts 64 --samples 16 --seed S</c>
/// generates. The hindsight policy (<see cref="HindsightLanesPolicy"/>) is not a system anyone can run: it reads the
/// trace's future. It answers whether a target over the best uniform layout is reachable by separating the long
/// trajectories from the bulk at all, whatever a predictor could tell.
/// </summary>
internal static class RolloutHindsightScenario
{
    private const int Gpus = 64;

    /// <summary>How many of the longest trajectories the lanes hold, the grid the scenario tries.</summary>
    private static readonly int[] LongestCounts = [40, 60, 84, 100, 120, 160, 200, 300];

    /// <summary>The bulk instances' degrees the scenario tries (the lanes are TP8).</summary>
    private static readonly int[] BulkDegrees = [8, 4];

    public static int Run(string[] args)
    {
        var family = RolloutTraceFamilies.Parse(args.Length > 0 ? args[0] : "mixed");
        var models = (args.Length > 1 ? args[1] : "8b,14b,32b").Split(',');
        var seeds = (args.Length > 2 ? args[2] : "1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var options = RolloutSimulationOptions.Default with { MaxContextTokens = RolloutTraceGeneratorOptions.ForFamily(family).MaxContextTokens };
        Console.WriteLine("model seed bound_s heddle_s best_uniform_s (layout) hindsight_s (lanes x TP, bulk TP, long) uniform/bound hindsight/bound uniform/hindsight");
        foreach (var model in models)
        {
            var cost = ModernCostModel.ForModel(model);
            foreach (var seed in seeds)
            {
                var trace = RolloutTraceGenerator.Generate(family, 64, 16, seed).Trajectories;
                var bound = RolloutLowerBound.Compute(trace, Gpus, cost).Seconds;
                var heddle = Simulate(trace, cost, options, new HeddleRolloutPolicy(HeddlePlanner.Fit(HeddlePlanner.GenerateTrainingTrace(family, seed).Trajectories)));
                var uniform = (Seconds: double.PositiveInfinity, Layout: "");
                foreach (var baseline in new[] { "slime", "verl" })
                {
                    foreach (var degree in cost.TensorParallelDegrees)
                    {
                        var makespan = TrySimulate(trace, cost, options with { EqualTensorParallelDegree = degree }, RolloutPolicies.Create(baseline));
                        if (makespan < uniform.Seconds)
                        {
                            uniform = (makespan, $"{baseline} TP{degree}");
                        }
                    }
                }

                var hindsight = (Seconds: double.PositiveInfinity, Layout: "");
                foreach (var bulkDegree in BulkDegrees.Where(d => cost.TensorParallelDegrees.Contains(d)))
                {
                    for (var lanes = 2; lanes <= 7; lanes++)
                    {
                        foreach (var longest in LongestCounts)
                        {
                            var makespan = TrySimulate(trace, cost, options, new HindsightLanesPolicy(trace, lanes, 8, bulkDegree, longest));
                            if (makespan < hindsight.Seconds)
                            {
                                hindsight = (makespan, $"{lanes} x TP8, bulk TP{bulkDegree}, {longest} longest");
                            }
                        }
                    }
                }

                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{model} {seed} {bound:F1} {heddle:F1} {uniform.Seconds:F1} ({uniform.Layout}) {hindsight.Seconds:F1} ({hindsight.Layout}) {uniform.Seconds / bound:F3} {hindsight.Seconds / bound:F3} {uniform.Seconds / hindsight.Seconds:F3}"));
            }
        }

        return 0;
    }

    private static double Simulate(IReadOnlyList<Trajectory> trace, IInferenceCostModel cost, RolloutSimulationOptions options, IRolloutPolicy policy) =>
        new RolloutSimulator(cost, options).Simulate(trace, Gpus, policy).MakespanSeconds;

    /// <summary>A layout the model or the trace cannot run (a degree without KV room) is no candidate.</summary>
    private static double TrySimulate(IReadOnlyList<Trajectory> trace, IInferenceCostModel cost, RolloutSimulationOptions options, IRolloutPolicy policy)
    {
        try
        {
            return Simulate(trace, cost, options, policy);
        }
        catch (PlanningInputException)
        {
            return double.PositiveInfinity;
        }
    }
}

/// <summary>
/// A hindsight layout (reads the trace's future; a reference, not a system): <c>lanes</c> instances of degree
/// <c>laneDegree</c> hold only the <c>longest</c> trajectories by total output (dealt longest first to the lane with the
/// least output so far), the rest of the GPUs form instances of <c>bulkDegree</c> that hold every other trajectory
/// (dealt the same way, by output per GPU). Trajectories stay on their instance; FIFO, no preemption, no migration.
/// </summary>
internal sealed class HindsightLanesPolicy(IReadOnlyList<Trajectory> future, int lanes, int laneDegree, int bulkDegree, int longest) : IRolloutPolicy
{
    private int[] _instanceOf = [];

    public string Name => "hindsight-lanes";

    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        var degrees = Enumerable.Repeat(laneDegree, lanes).ToList();
        for (var left = gpus - (lanes * laneDegree); left >= bulkDegree; left -= bulkDegree)
        {
            degrees.Add(bulkDegree);
        }

        return [.. degrees];
    }

    public void Start(IRolloutState state)
    {
        static double Output(Trajectory t) => t.OutputTokens.Sum(o => (double)o);
        _instanceOf = new int[future.Count];
        var load = new double[state.Degrees.Length];
        var order = Enumerable.Range(0, future.Count).OrderByDescending(i => Output(future[i])).ThenBy(i => i).ToArray();
        for (var k = 0; k < order.Length; k++)
        {
            var candidates = k < longest ? Enumerable.Range(0, lanes) : Enumerable.Range(lanes, state.Degrees.Length - lanes);
            var target = candidates.MinBy(j => load[j] / state.Degrees[j]);
            _instanceOf[order[k]] = target;
            load[target] += Output(future[order[k]]);
        }
    }

    public int Route(IRolloutState state, int trajectory) => _instanceOf[trajectory];

    public double Priority(IRolloutState state, int trajectory) => 0;

    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

    public void OnCompleted(IRolloutState state, int trajectory)
    {
    }
}
