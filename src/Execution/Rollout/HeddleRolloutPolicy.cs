using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// <c>heddle</c> on the rollout simulator: an adapter that turns the simulator's state into calls of a
/// <see cref="HeddlePlanner"/>, which makes every decision (layout, placement, priority and preemption, admission,
/// migration, regroups). The adapter keeps only a rollout's bookkeeping: which instance each trajectory is assigned to
/// (sticky, verl's routing for trajectories the placement left unassigned) and each trajectory's latest prediction, made
/// at its turn boundaries. Mechanisms the planner does not run fall back to the baselines': equal TP, first request to
/// the instance with the fewest, FIFO, stay.
/// </summary>
public sealed class HeddleRolloutPolicy : IRolloutPolicy
{
    private readonly StickyRouter _router = new();
    private double[] _predicted = [];
    private long[] _predictedAt = [];
    private IReadOnlyList<RolloutPrompt> _prompts = [];

    /// <summary>Creates the policy.</summary>
    /// <param name="planner">The fitted planner (<see cref="HeddlePlanner.Fit"/>); with a predictor that learns online, one rollout at a time.</param>
    public HeddleRolloutPolicy(HeddlePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(planner);
        Planner = planner;
    }

    /// <summary>The planner that decides.</summary>
    public HeddlePlanner Planner { get; }

    /// <summary>The mechanisms that run.</summary>
    public HeddleMechanisms Mechanisms => Planner.Mechanisms;

    /// <inheritdoc />
    public string Name => Planner.Name;

    /// <inheritdoc />
    public bool PrioritiesChangeOnCompletion => Planner.Uses(HeddleMechanisms.Priority) && Planner.LearnsOnline;

    /// <inheritdoc />
    public double RegroupIntervalSeconds => Planner.RegroupIntervalSeconds;

    /// <inheritdoc />
    public ImmutableArray<int> ChooseDegrees(IReadOnlyList<Trajectory> trace, int gpus, IInferenceCostModel cost, RolloutSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        return Planner.TryChooseDegrees(trace, options.LayoutContextTokens(trace), gpus, cost, out var degrees) ? degrees : EqualTensorParallel.Layout(trace, gpus, cost, options);
    }

    /// <inheritdoc />
    public void Start(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Prompts.Count;
        _prompts = state.Prompts;
        Planner.BeginRollout();
        _router.Reset(n, state.Degrees.Length);
        _predicted = new double[n];
        _predictedAt = new long[n];
        for (var t = 0; t < n; t++)
        {
            _predicted[t] = Predict(t, state.Progress(t));
        }

        if (Planner.TryPlace(state.Prompts, state.Degrees, state.Cost, out var plan))
        {
            // The placement joins the layout on the cluster graph (trajectory -> instance, amount its predicted output),
            // and the router reads it back from there, as an adapter to a real engine would.
            var placed = state.Cluster.Annotate(state.Plan.Assignments.Concat(plan!.AssignmentsOf(state.Prompts, _predicted)));
            var instanceOf = PlacementPlan.InstancesOfPrompts(placed, state.Prompts);
            for (var t = 0; t < n; t++)
            {
                _router.Assign(t, instanceOf[t]);
            }
        }
    }

    /// <inheritdoc />
    public int Route(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);

        // A new prediction after every completed turn (progressive): the queue key and the migration loads use it.
        Repredict(state, trajectory);
        return _router.Route(trajectory);
    }

    /// <inheritdoc />
    public double Priority(IRolloutState state, int trajectory) => Planner.Priority(_predicted[trajectory]);

    /// <inheritdoc />
    public bool ShouldPreempt(IRolloutState state, double waitingPriority, double runningPriority) => Planner.ShouldPreempt(waitingPriority, runningPriority);

    /// <inheritdoc />
    /// <remarks>
    /// The call's duration is predicted (<see cref="HeddlePlanner.PredictToolSeconds"/>), never read from the trace; the
    /// transfer is priced at the source link's fair share with the transfers already in flight on it.
    /// </remarks>
    public ToolCallDecision OnToolCall(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        var progress = Repredict(state, trajectory);
        var source = state.CachedOn(trajectory);
        if (!Planner.Uses(HeddleMechanisms.Migration) || source < 0)
        {
            return ToolCallDecision.Stay;
        }

        var forecasts = Forecasts(state);
        var n = state.Degrees.Length;
        var resident = new long[n];
        for (var t = 0; t < _router.Trajectories; t++)
        {
            var instance = _router.InstanceOf(t);
            if (t != trajectory && instance >= 0 && _predicted[t] > 0 && !state.IsFinished(t))
            {
                resident[instance] += PredictedFinalContext(state, t);
            }
        }

        var free = new long[n];
        for (var i = 0; i < n; i++)
        {
            free[i] = state.FreeKvTokens(i);
        }

        var decision = Planner.DecideMigration(
            new HeddleMigrationRequest(source, _router.InstanceOf(trajectory), _predicted[trajectory], progress.ContextTokens, Planner.PredictToolSeconds(progress), forecasts, state.Degrees, free, resident),
            state.Cost,
            state.MigrationBytesPerSecond / (1 + state.TransfersInFlight(source)));
        if (decision.Kind == MigrationKind.Stay)
        {
            return ToolCallDecision.Stay;
        }

        _router.Assign(trajectory, decision.TargetInstance);
        return new ToolCallDecision(decision.Kind == MigrationKind.MigrateKv ? ToolCallAction.MigrateKv : ToolCallAction.Reprefill, decision.TargetInstance);
    }

    /// <inheritdoc />
    public bool MayStart(IRolloutState state, int instance, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Planner.ControlsAdmission)
        {
            return true;
        }

        long started = 0;
        var count = 0;
        foreach (var t in _router.Members(instance))
        {
            if (t != trajectory && state.HasStarted(t) && !state.IsFinished(t))
            {
                started += PredictedFinalContext(state, t);
                count++;
            }
        }

        return Planner.MayStart(PredictedFinalContext(state, trajectory), started, count, state.Cost.KvCapacityTokens(state.Degrees[instance]));
    }

    /// <inheritdoc />
    public void OnCompleted(IRolloutState state, int trajectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        _predicted[trajectory] = 0;
        if (!Planner.LearnsOnline)
        {
            return;
        }

        var completed = state.Completed(trajectory);
        Planner.Observe(completed);

        // The group's evidence changed: refresh its unfinished members' predictions (the simulator re-keys the queues
        // with them, see PrioritiesChangeOnCompletion), so a waiting turn is ranked by what is known now.
        var group = completed.Group;
        for (var t = 0; t < _predicted.Length; t++)
        {
            var progress = state.Progress(t);
            if (t != trajectory && !state.IsFinished(t) && _prompts[t].Group == group)
            {
                _predicted[t] = Predict(t, progress);
                _predictedAt[t] = progress.GeneratedTokens;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The planner's <see cref="HeddlePlanner.PlanRegroup"/> on the forecasts of the trajectories assigned to each
    /// instance; an instance may give its GPUs away when the simulator finds it idle and no unfinished trajectory is
    /// assigned to it.
    /// </remarks>
    public IReadOnlyList<InstanceMerge> Regroup(IRolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Degrees.Length;
        var forecasts = Forecasts(state);
        var assigned = new int[n];
        for (var t = 0; t < _router.Trajectories; t++)
        {
            if (_router.InstanceOf(t) >= 0 && !state.IsFinished(t))
            {
                assigned[_router.InstanceOf(t)]++;
            }
        }

        var instances = new RegroupInstance[n];
        for (var j = 0; j < n; j++)
        {
            instances[j] = new RegroupInstance(state.Degrees[j], state.NodeOf(j), state.IsRetired(j), state.IsIdle(j) && assigned[j] == 0);
        }

        return Planner.PlanRegroup(instances, forecasts, state.Cost, state.ReloadBytesPerSecond, state.Options.TensorParallelChange);
    }

    private double Predict(int trajectory, TrajectoryProgress progress) => Planner.PredictRemainingTokens(progress, _prompts[trajectory].Group);

    /// <summary>A fresh prediction at a turn boundary (the predictor is trained at turn boundaries); returns the progress it used.</summary>
    private TrajectoryProgress Repredict(IRolloutState state, int trajectory)
    {
        var progress = state.Progress(trajectory);
        _predicted[trajectory] = Predict(trajectory, progress);
        _predictedAt[trajectory] = progress.GeneratedTokens;
        return progress;
    }

    /// <summary>
    /// A trajectory's predicted remaining output now: the prediction made at its last turn boundary less the tokens
    /// generated since.
    /// </summary>
    private double RemainingSincePrediction(TrajectoryProgress progress, int trajectory) =>
        Math.Max(0, _predicted[trajectory] - (progress.GeneratedTokens - _predictedAt[trajectory]));

    private long PredictedFinalContext(IRolloutState state, int trajectory)
    {
        var progress = state.Progress(trajectory);
        return Planner.PredictedFinalContext(progress.ContextTokens, RemainingSincePrediction(progress, trajectory));
    }

    /// <summary>
    /// The forecasts of the unfinished trajectories assigned to an instance with a positive prediction, in trace order.
    /// Fresh predictions when learning online (the group evidence may have grown since the trajectory's last turn);
    /// otherwise the prediction made at its last turn boundary less the tokens generated since: re-predicting every
    /// trajectory at every tool call cost seconds a rollout on long agentic traces.
    /// </summary>
    private List<TrajectoryForecast> Forecasts(IRolloutState state)
    {
        var forecasts = new List<TrajectoryForecast>();
        for (var t = 0; t < _router.Trajectories; t++)
        {
            if (_router.InstanceOf(t) < 0 || _predicted[t] <= 0)
            {
                continue;
            }

            var progress = state.Progress(t);
            if (!state.IsFinished(t))
            {
                double work;
                if (Planner.LearnsOnline)
                {
                    _predicted[t] = Predict(t, progress);
                    _predictedAt[t] = progress.GeneratedTokens;
                    work = _predicted[t];
                }
                else
                {
                    work = RemainingSincePrediction(progress, t);
                }

                forecasts.Add(new TrajectoryForecast(_router.InstanceOf(t), work, progress.ContextTokens));
            }
        }

        return forecasts;
    }
}
