using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// What the finished samples of a trajectory's GRPO group (the same prompt) show: the strongest signal of its length.
/// </summary>
/// <param name="FinishedSamples">Samples of the group that have finished (0 when none or unknown).</param>
/// <param name="MeanLogTotalOutputTokens">The mean of <c>ln(total output tokens + 1)</c> over them (ignored when none).</param>
internal readonly record struct RolloutGroupEvidence(int FinishedSamples, double MeanLogTotalOutputTokens)
{
    /// <summary>No finished sample.</summary>
    public static RolloutGroupEvidence None => default;
}

/// <summary>Settings of <see cref="ProgressiveRemainingWorkPredictor"/>.</summary>
public sealed record ProgressivePredictorOptions
{
    /// <summary>The quantile of <c>ln(remaining + 1)</c> predicted: 0.5 (default) the median; higher is more conservative.</summary>
    public double Quantile { get; init; } = 0.5;

    /// <summary>Refit after this many <see cref="ProgressiveRemainingWorkPredictor.Observe"/> calls; at least 1. Default 64.</summary>
    public int RefitEvery { get; init; } = 64;

    /// <summary>The most recent trajectories kept for training; at least 1. Default 4096.</summary>
    public int MaxTrainingTrajectories { get; init; } = 4096;

    /// <summary>What an unfitted predictor predicts for every trajectory, in tokens; at least 0. Default 2000.</summary>
    public double PriorRemainingTokens { get; init; } = 2000;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="PlanningInputException">A setting is out of range (field: its camel-case name).</exception>
    public void Validate()
    {
        if (!(Quantile > 0 && Quantile < 1))
        {
            throw new PlanningInputException("quantile", string.Create(CultureInfo.InvariantCulture, $"must be strictly between 0 and 1, got {Quantile}"));
        }

        if (RefitEvery < 1)
        {
            throw new PlanningInputException("refitEvery", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {RefitEvery}"));
        }

        if (MaxTrainingTrajectories < 1)
        {
            throw new PlanningInputException("maxTrainingTrajectories", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {MaxTrainingTrajectories}"));
        }

        if (!double.IsFinite(PriorRemainingTokens) || PriorRemainingTokens < 0)
        {
            throw new PlanningInputException("priorRemainingTokens", string.Create(CultureInfo.InvariantCulture, $"must be a finite number at least 0, got {PriorRemainingTokens}"));
        }
    }
}

/// <summary>
/// A progressive predictor of a trajectory's remaining output tokens: linear quantile regression (see
/// <see cref="QuantileRegression"/>) of <c>ln(remaining + 1)</c> on features of what has been seen so far
/// (<see cref="FeatureNames"/>): the prompt, the completed turns, the tokens generated so far and in the last turn, and,
/// where known, the finished samples of the same GRPO group. Trained on every turn-boundary prefix of each training
/// trajectory. For the group features of a training row, the samples of the group that would have finished first are
/// emulated as those whose total output is below what this trajectory has generated so far (samples start together
/// and generate at similar rates), so training sees what a running rollout sees. Online: <see cref="Observe"/> adds a
/// completed trajectory to the training window and to its group's evidence, and refits every
/// <see cref="ProgressivePredictorOptions.RefitEvery"/> observations. Deterministic; not thread-safe.
/// </summary>
internal sealed class ProgressiveRemainingWorkPredictor : IRemainingWorkPredictor
{
    private readonly ProgressivePredictorOptions options;
    private readonly List<Trajectory> window = [];
    private readonly Dictionary<string, (int Count, double SumLog)> groups = new(StringComparer.Ordinal);
    private int sinceRefit;

    /// <summary>Creates an unfitted predictor (it predicts <see cref="ProgressivePredictorOptions.PriorRemainingTokens"/> until fitted).</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="PlanningInputException">A setting is out of range.</exception>
    public ProgressiveRemainingWorkPredictor(ProgressivePredictorOptions? options = null)
    {
        this.options = options ?? new ProgressivePredictorOptions();
        this.options.Validate();
        Coefficients = [Math.Log(this.options.PriorRemainingTokens + 1), 0, 0, 0, 0, 0, 0, 0, 0];
    }

    /// <summary>The names of the features, in coefficient order.</summary>
    public static ImmutableArray<string> FeatureNames { get; } =
    [
        "intercept", "ln(prompt tokens)", "no turn completed", "completed turns", "ln(generated tokens + 1)",
        "ln(mean tokens per completed turn + 1)", "ln(last turn tokens + 1)", "group has finished samples", "group mean ln(total + 1)",
    ];

    /// <summary>The current coefficients, one per <see cref="FeatureNames"/> entry.</summary>
    public ImmutableArray<double> Coefficients { get; private set; }

    /// <summary>Whether a fit has been made.</summary>
    public bool IsFitted { get; private set; }

    /// <summary>The settings.</summary>
    public ProgressivePredictorOptions Options => options;

    /// <summary>Fits a predictor to trajectories (see <see cref="Fit"/>).</summary>
    /// <param name="training">Completed trajectories.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The fitted predictor.</returns>
    /// <exception cref="PlanningInputException">There is no training trajectory, or a setting is out of range.</exception>
    public static ProgressiveRemainingWorkPredictor Train(IEnumerable<Trajectory> training, ProgressivePredictorOptions? options = null)
    {
        var predictor = new ProgressiveRemainingWorkPredictor(options);
        predictor.Fit(training);
        return predictor;
    }

    /// <summary>What is known of a trajectory after <paramref name="completedTurns"/> turns, at the start of the next turn.</summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <param name="completedTurns">Turns completed, from 0 to the trajectory's turns.</param>
    /// <returns>Its progress.</returns>
    public static TrajectoryProgress ProgressAfter(Trajectory trajectory, int completedTurns)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentOutOfRangeException.ThrowIfNegative(completedTurns);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(completedTurns, trajectory.Turns);
        long generated = 0;
        long context = trajectory.PromptTokens;
        for (var i = 0; i < completedTurns; i++)
        {
            generated += trajectory.OutputTokens[i];
            context += trajectory.OutputTokens[i] + (i < trajectory.ObservationTokens.Length ? trajectory.ObservationTokens[i] : 0);
        }

        return new TrajectoryProgress(
            trajectory.PromptTokens, completedTurns, generated, context, completedTurns > 0 ? trajectory.OutputTokens[completedTurns - 1] : 0);
    }

    /// <summary>The features of a prediction (see <see cref="FeatureNames"/>).</summary>
    /// <param name="progress">The trajectory so far.</param>
    /// <param name="group">The group's finished samples.</param>
    /// <returns>The feature vector.</returns>
    public static double[] Features(in TrajectoryProgress progress, RolloutGroupEvidence group)
    {
        // The mean tokens of a completed turn measures how hard this sample is (its turns and its tokens per turn both
        // grow with difficulty), which the pooled ln(generated) cannot: it also grows with the turns done.
        var has = group.FinishedSamples > 0 ? 1.0 : 0.0;
        var turns = Math.Max(progress.CompletedTurns, 0);
        var generated = Math.Max(progress.GeneratedTokens, 0);
        return
        [
            1,
            Math.Log(Math.Max(progress.PromptTokens, 1)),
            turns == 0 ? 1 : 0,
            turns,
            Math.Log(generated + 1.0),
            turns == 0 ? 0 : Math.Log((generated / (double)turns) + 1.0),
            Math.Log(Math.Max(progress.LastTurnOutputTokens, 0) + 1.0),
            has,
            has * group.MeanLogTotalOutputTokens,
        ];
    }

    /// <summary>Replaces the training window with <paramref name="training"/> (the most recent ones if too many) and fits.</summary>
    /// <param name="training">Completed trajectories.</param>
    /// <exception cref="PlanningInputException">There is no training trajectory (field <c>training</c>).</exception>
    public void Fit(IEnumerable<Trajectory> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var list = training.ToList();
        if (list.Count == 0)
        {
            throw new PlanningInputException("training", "must hold at least one trajectory");
        }

        window.Clear();
        window.AddRange(list.Skip(Math.Max(0, list.Count - options.MaxTrainingTrajectories)));
        Refit();
    }

    /// <summary>
    /// Records a completed trajectory: its group's evidence (used by <see cref="PredictRemainingTokens(in TrajectoryProgress, string)"/>)
    /// and the training window; refits every <see cref="ProgressivePredictorOptions.RefitEvery"/> calls.
    /// </summary>
    /// <param name="completed">The trajectory, all its turns done.</param>
    public void Observe(Trajectory completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        var (count, sum) = groups.GetValueOrDefault(completed.Group);
        groups[completed.Group] = (count + 1, sum + Math.Log(completed.TotalOutputTokens + 1.0));
        window.Add(completed);
        if (window.Count > options.MaxTrainingTrajectories)
        {
            window.RemoveRange(0, window.Count - options.MaxTrainingTrajectories);
        }

        if (++sinceRefit >= options.RefitEvery)
        {
            Refit(warm: true);
        }
    }

    /// <summary>Forgets the groups' evidence (for a new rollout step whose group names may repeat); keeps the fit.</summary>
    public void ForgetGroups() => groups.Clear();

    /// <summary>The evidence observed so far for a group.</summary>
    /// <param name="group">The group.</param>
    /// <returns>Its finished samples.</returns>
    public RolloutGroupEvidence Evidence(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return groups.TryGetValue(group, out var g) ? new RolloutGroupEvidence(g.Count, g.SumLog / g.Count) : RolloutGroupEvidence.None;
    }

    /// <inheritdoc/>
    public double PredictRemainingTokens(in TrajectoryProgress progress) => PredictRemainingTokens(progress, RolloutGroupEvidence.None);

    /// <summary>Predicts with the evidence <see cref="Observe"/> has gathered for the trajectory's group.</summary>
    /// <param name="progress">The trajectory so far.</param>
    /// <param name="group">Its GRPO group.</param>
    /// <returns>Predicted remaining output tokens (at least 0).</returns>
    public double PredictRemainingTokens(in TrajectoryProgress progress, string group) => PredictRemainingTokens(progress, Evidence(group));

    /// <summary>Predicts with explicit group evidence.</summary>
    /// <param name="progress">The trajectory so far.</param>
    /// <param name="group">Its group's finished samples.</param>
    /// <returns>Predicted remaining output tokens (at least 0).</returns>
    public double PredictRemainingTokens(in TrajectoryProgress progress, RolloutGroupEvidence group)
    {
        var features = Features(progress, group);
        var log = 0.0;
        for (var j = 0; j < features.Length; j++)
        {
            log += features[j] * Coefficients[j];
        }

        // Clamp the log so a wild extrapolation cannot overflow; e^20 tokens is far beyond any context.
        return Math.Max(0, Math.Exp(Math.Clamp(log, 0, 20)) - 1);
    }

    /// <summary>
    /// The training rows of trajectories: one per turn boundary (after 0 .. turns - 1 completed turns), the target
    /// <c>ln(remaining + 1)</c>, group evidence emulated from the other trajectories of the same group in the set.
    /// </summary>
    /// <param name="trajectories">Completed trajectories.</param>
    /// <returns>The feature rows and targets.</returns>
    public static (List<double[]> Features, List<double> Targets) TrainingRows(IReadOnlyList<Trajectory> trajectories)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var features = new List<double[]>();
        var targets = new List<double>();
        var byGroup = trajectories.GroupBy(t => t.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var t in trajectories)
        {
            var siblings = byGroup[t.Group];
            for (var k = 0; k < t.Turns; k++)
            {
                var progress = ProgressAfter(t, k);
                features.Add(Features(progress, EmulatedEvidence(t, siblings, progress.GeneratedTokens)));
                targets.Add(Math.Log(t.TotalOutputTokens - progress.GeneratedTokens + 1.0));
            }
        }

        return (features, targets);
    }

    /// <summary>
    /// The group evidence a running rollout would have for <paramref name="trajectory"/> once it has generated
    /// <paramref name="generated"/> tokens: its siblings whose whole output is smaller (they finished first).
    /// </summary>
    /// <param name="trajectory">The trajectory (excluded from its own evidence).</param>
    /// <param name="siblings">The trajectories of its group (it may be among them).</param>
    /// <param name="generated">Tokens it has generated so far.</param>
    /// <returns>The evidence.</returns>
    public static RolloutGroupEvidence EmulatedEvidence(Trajectory trajectory, IReadOnlyList<Trajectory> siblings, long generated)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(siblings);
        var count = 0;
        var sum = 0.0;
        foreach (var s in siblings)
        {
            if (!ReferenceEquals(s, trajectory) && s.Id != trajectory.Id && s.TotalOutputTokens < generated)
            {
                count++;
                sum += Math.Log(s.TotalOutputTokens + 1.0);
            }
        }

        return count > 0 ? new RolloutGroupEvidence(count, sum / count) : RolloutGroupEvidence.None;
    }

    private void Refit(bool warm = false)
    {
        sinceRefit = 0;
        var (features, targets) = TrainingRows(window);

        // An online refit starts from the current fit and takes at most 20 reweighting steps: the window moved by
        // RefitEvery trajectories, so the optimum moved little, and a rollout step must not stall on its predictor.
        Coefficients = warm && IsFitted
            ? QuantileRegression.Fit(features, targets, options.Quantile, Coefficients, maxSteps: 20)
            : QuantileRegression.Fit(features, targets, options.Quantile);
        IsFitted = true;
    }
}
