using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// What <see cref="HeddlePlanner"/> is told: which mechanisms run, the predictor's settings, and the thresholds of its
/// decisions. <see cref="Default"/> is the Heddle that <c>plan rollout simulate</c>, <c>plan demo</c> and the benchmarks
/// measure; what the planner measures on its training trace lives in <see cref="HeddleCalibration"/>.
/// </summary>
public sealed record HeddleOptions
{
    /// <summary>The defaults: every mechanism, the measured thresholds.</summary>
    public static HeddleOptions Default { get; } = new();

    /// <summary>The mechanisms that run (an ablation switches some off). Default <see cref="HeddleMechanisms.All"/>.</summary>
    public HeddleMechanisms Mechanisms { get; init; } = HeddleMechanisms.All;

    /// <summary>
    /// The progressive predictor's settings for <see cref="HeddlePlanner.Fit"/>. Default: refit every 256 completed
    /// trajectories when learning online (four times in a step of 1,024): each refit re-solves the quantile regression on
    /// the whole window, so refitting more often costs seconds for no measured gain.
    /// </summary>
    public ProgressivePredictorOptions Predictor { get; init; } = new() { RefitEvery = 256 };

    /// <summary>
    /// Whether a <see cref="ProgressiveRemainingWorkPredictor"/> learns from the rollout as it runs: each completed
    /// trajectory is observed (its GRPO group's evidence, and the predictor's own periodic refit), and predictions use
    /// the evidence of the trajectory's group. Default false: on the generated families it changed the makespan by
    /// under 2 % either way and cost about a second per 1,024 trajectories. Other predictors are used as they are. The
    /// planner's predictor then keeps learning across rollouts (as a training run's would); fit a fresh planner to repeat
    /// a measurement.
    /// </summary>
    public bool LearnOnline { get; init; }

    /// <summary>
    /// Trajectory-level admission (with <see cref="HeddleMechanisms.Priority"/>): a trajectory starts on an instance only
    /// when the predicted final contexts (context so far plus predicted remaining output and observations) of the
    /// unfinished trajectories already started there, with its own, stay within this fraction of the instance's KV
    /// capacity; an instance with none started always starts one. A started trajectory is never held back, so its cache
    /// is not evicted by newcomers while it waits on a tool: a step-centric engine admits whatever fits the memory of
    /// the moment and, on long agentic contexts, evicts caches of trajectories in tool calls that then re-prefill tens of
    /// thousands of tokens. Default 1.25: the sum of final contexts is the worst case, and the trajectories started on
    /// an instance do not all reach their final contexts at once (one that finishes frees its cache while the others
    /// grow), so admission overcommits by a quarter; on the agentic family (seeds 1 and 2, 16 and 64 GPUs, 8b to 32b)
    /// that was 0.4-9 % faster than 1 with few or no evictions, while 1.5 evicted thousands of caches. 0 or less turns
    /// admission off.
    /// </summary>
    public double AdmissionKvFraction { get; init; } = 1.25;

    /// <summary>
    /// Seconds between the resource manager's re-runs during the rollout (with <see cref="HeddleMechanisms.Resources"/>):
    /// each gives the GPUs of idle instances to the instance of their node with the most predicted remaining work when
    /// the higher degree saves more predicted time than the reload costs. Default 10; 0 or less turns re-runs off.
    /// </summary>
    public double RegroupEverySeconds { get; init; } = 10;

    /// <summary>
    /// The least fraction of an instance's predicted remaining seconds a regroup must save (after the reload) to be
    /// made; predictions are noisy, and a merge cannot be undone. Default 0.05.
    /// </summary>
    public double RegroupMinimumGain { get; init; } = 0.05;

    /// <summary>The preemption margins of the progressive priority; null for its defaults.</summary>
    public ProgressivePriorityOptions? Priority { get; init; }

    /// <summary>
    /// The migration planner's options; null for its defaults with the transfer bandwidth of the runtime that asks (the
    /// simulator passes its cluster's network link, <c>IRolloutState.MigrationBytesPerSecond</c>), so that the planner
    /// prices a transfer as the runtime will run it.
    /// </summary>
    public MigrationOptions? Migration { get; init; }

    /// <summary>The resource manager's options; null for its defaults.</summary>
    public ResourceManagerOptions? Resources { get; init; }

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public HeddleOptions Validate()
    {
        if ((Mechanisms & ~HeddleMechanisms.All) != 0)
        {
            throw new PlanningInputException("mechanisms", Invariant($"must combine the flags of {nameof(HeddleMechanisms)}, got {(int)Mechanisms}"));
        }

        if (Predictor is null)
        {
            throw new PlanningInputException("predictor", "must be set (the progressive predictor's settings)");
        }

        Predictor.Validate();
        if (double.IsNaN(AdmissionKvFraction))
        {
            throw new PlanningInputException("admissionKvFraction", "must be a number (0 or less turns admission off), got NaN");
        }

        if (double.IsNaN(RegroupEverySeconds))
        {
            throw new PlanningInputException("regroupEverySeconds", "must be a number of seconds (0 or less turns re-runs off), got NaN");
        }

        if (!double.IsFinite(RegroupMinimumGain))
        {
            throw new PlanningInputException("regroupMinimumGain", Invariant($"must be a finite fraction, got {RegroupMinimumGain}"));
        }

        Priority?.Validate();
        Migration?.Validate();
        Resources?.Validate();
        return this;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// What <see cref="HeddlePlanner.Fit"/> measures on the training trace (a rollout of the same size and family as the
/// ones it will plan) besides the predictor: the ratios that turn a predicted number of output tokens into tool time and
/// KV growth, the predictor's own resolution, and how long the straggler of such a rollout is.
/// </summary>
internal sealed record HeddleCalibration
{
    /// <summary>Nothing measured: every figure 0 (no tool time, no observations, no rounding, no expected straggler).</summary>
    public static HeddleCalibration None { get; } = new();

    /// <summary>
    /// Tool seconds expected per output token still to generate (a trajectory's predicted tool time is its predicted
    /// remaining tokens times this): the training trace's tool seconds over its output tokens.
    /// </summary>
    public double ToolSecondsPerOutputToken { get; init; }

    /// <summary>
    /// Observation tokens expected per output token still to generate: the training trace's observation tokens over its
    /// output tokens. The placement counts a trajectory's context as its prompt plus its predicted observations, so that
    /// a group's predicted KV peak includes what the tool calls will append.
    /// </summary>
    public double ObservationTokensPerOutputToken { get; init; }

    /// <summary>
    /// The width, in natural log of tokens, under which the initial placement treats two turn-0 predictions as equal:
    /// predictions are rounded to a geometric grid of this width before the presorted DP sorts them (ties then
    /// interleave GRPO siblings, see <see cref="HeddlePlanner.InitialWorkItems"/>). Measured as the predictor's typical
    /// error, the median absolute log error of its turn-0 predictions on the training trace: finer differences are
    /// noise, and sorting on them packs prompts of nearly equal prediction into one block. 0: no rounding.
    /// </summary>
    public double PlacementLogResolution { get; init; }

    /// <summary>
    /// Output tokens of the longest trajectory a rollout of this kind is expected to hold: the longest of the training
    /// trace. Turn-0 predictions cannot tell which trajectory will be the straggler (they regress to the mean), so the
    /// annealed layout is chosen for the predicted work alone while the unknown straggler's critical path, which decides
    /// a skewed rollout, may run at the layout's smallest degree. With this set, the layout is scored by the worse of
    /// the predicted makespan and that critical path (see <see cref="HeddlePlanner.TryChooseDegrees"/>). 0: the annealed
    /// layout as it is.
    /// </summary>
    public double ExpectedLongestTokens { get; init; }

    /// <summary>Measures the calibration on a training trace with the predictor fitted on it.</summary>
    /// <param name="training">The training trajectories (completed).</param>
    /// <param name="predictor">The predictor fitted on them.</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="PlanningInputException">The training trace is empty.</exception>
    public static HeddleCalibration Measure(IReadOnlyList<Trajectory> training, IRemainingWorkPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(predictor);
        if (training.Count == 0)
        {
            throw new PlanningInputException("training", "must hold at least one trajectory");
        }

        var outputTokens = Math.Max(1.0, training.Sum(t => t.TotalOutputTokens));
        return new HeddleCalibration
        {
            ToolSecondsPerOutputToken = training.Sum(t => t.TotalToolSeconds) / outputTokens,
            ObservationTokensPerOutputToken = training.Sum(t => t.ObservationTokens.Sum(o => (long)o)) / outputTokens,
            PlacementLogResolution = TurnZeroLogError(predictor, training),
            ExpectedLongestTokens = training.Max(t => t.TotalOutputTokens),
        };
    }

    /// <summary>Checks the calibration; errors name the field.</summary>
    /// <returns>This calibration.</returns>
    /// <exception cref="PlanningInputException">A figure is negative or not finite.</exception>
    public HeddleCalibration Validate()
    {
        AtLeastZero("toolSecondsPerOutputToken", ToolSecondsPerOutputToken);
        AtLeastZero("observationTokensPerOutputToken", ObservationTokensPerOutputToken);
        AtLeastZero("placementLogResolution", PlacementLogResolution);
        AtLeastZero("expectedLongestTokens", ExpectedLongestTokens);
        return this;
    }

    /// <summary>
    /// The median absolute error, in natural log, of the predictor's turn-0 predictions of total output on the training
    /// trace (the placement's resolution: finer differences between predictions are noise).
    /// </summary>
    private static double TurnZeroLogError(IRemainingWorkPredictor predictor, IReadOnlyList<Trajectory> training)
    {
        var errors = training
            .Select(t => Math.Abs(Math.Log(1 + predictor.PredictRemainingTokens(new TrajectoryProgress(t.PromptTokens, 0, 0, t.PromptTokens, 0))) - Math.Log(1.0 + t.TotalOutputTokens)))
            .Order()
            .ToArray();
        return errors[errors.Length / 2];
    }

    private static void AtLeastZero(string field, double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a finite number at least 0, got {value}"));
        }
    }
}
