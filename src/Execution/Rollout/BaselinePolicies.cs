using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// <c>fcfs</c>: equal TP, one global first-come-first-served queue; a turn goes to whichever instance has room first
/// (no affinity, so a later turn reuses its prefix only when it happens to land where its cache still is).
/// </summary>
internal sealed class FcfsRolloutPolicy : IRolloutPolicy
{
    /// <inheritdoc />
    public string Name => "fcfs";

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) =>
        EqualTensorParallel.Layout(trace, gpus, cost, options);

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory) => -1;

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => 0;

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

    /// <inheritdoc />
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
    }
}

/// <summary>
/// <c>slime</c> (step-centric) as its users run it: every instance at slime's recipe degree
/// (<see cref="BaselineRecipes"/>), each generation request routed on its own by SGLang router's default
/// <c>cache_aware</c> policy (<see cref="CacheAwareRouter"/>: prefix affinity unless the load is out of balance); FIFO
/// per instance.
/// </summary>
internal sealed class SlimeRolloutPolicy : IRolloutPolicy
{
    private readonly CacheAwareRouter _router = new();
    private int[] _loads = [];

    /// <inheritdoc />
    public string Name => "slime";

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) =>
        BaselineRecipes.Layout("slime", trace, gpus, cost, options);

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _router.Reset(state.Degrees.Length);
        _loads = new int[state.Degrees.Length];
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (var i = 0; i < _loads.Length; i++)
        {
            _loads[i] = state.ActiveRequests(i);
        }

        var prompt = state.Prompts[trajectory];
        return _router.Route(_loads, trajectory, prompt.Group, prompt.PromptTokens, state.Progress(trajectory).ContextTokens);
    }

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => 0;

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

    /// <inheritdoc />
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
    }
}

/// <summary>
/// <c>slime-nocache</c>, an ablation of slime without the router's cache affinity: every instance at slime's recipe
/// degree (<see cref="BaselineRecipes"/>); every generation request is routed on its own to the instance with the
/// fewest active (running and queued) requests, ties broken round robin; FIFO per instance. A later turn reuses its
/// prefix only when the router happens to send it back to the instance holding its cache.
/// </summary>
internal sealed class SlimeNoCacheRolloutPolicy : IRolloutPolicy
{
    private int _next;

    /// <inheritdoc />
    public string Name => "slime-nocache";

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) =>
        BaselineRecipes.Layout("slime", trace, gpus, cost, options);

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
        _next = 0;
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Degrees.Length;
        var best = -1;
        var bestLoad = int.MaxValue;

        // Scan from the round-robin pointer so that ties go to the next instance in turn.
        for (var k = 0; k < n; k++)
        {
            var i = (_next + k) % n;
            var load = state.ActiveRequests(i);
            if (load < bestLoad)
            {
                best = i;
                bestLoad = load;
            }
        }

        _next = (best + 1) % n;
        return best;
    }

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => 0;

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

    /// <inheritdoc />
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
    }
}

/// <summary>
/// <c>verl</c> (agent loop with sticky, cache-aware routing): every instance at verl's recipe degree
/// (<see cref="BaselineRecipes"/>); a trajectory's first request goes to the instance with the fewest requests assigned
/// so far, and every later turn returns to it (prefix reuse); FIFO per instance.
/// </summary>
internal sealed class VerlRolloutPolicy : IRolloutPolicy
{
    private readonly StickyRouter _router = new();

    /// <inheritdoc />
    public string Name => "verl";

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options) =>
        BaselineRecipes.Layout("verl", trace, gpus, cost, options);

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _router.Reset(state.Prompts.Count, state.Degrees.Length);
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory) => _router.Route(trajectory);

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => 0;

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => false;

    /// <inheritdoc />
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory) => ToolCallDecision.Stay;

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
    }
}
