using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// Predicts how long a tool call that has just started will run, from what an orchestrator knows when it starts: the
/// trajectory's context, the output of the turn that issued the call and how many turns it has completed. Fitted on the
/// tool calls of a training trace (completed trajectories, not the rollout it serves), like the remaining-work predictor:
/// linear quantile regression (<see cref="QuantileRegression"/>) of <c>ln(seconds + 1)</c> on
/// <c>[1, ln(context + 1), ln(turn output + 1), ln(completed turns + 1)]</c>; a prediction is
/// <c>exp(x . beta) - 1</c>, at least 0. Deterministic.
/// </summary>
public sealed class ToolDurationPredictor
{
    private readonly ImmutableArray<double> _coefficients;

    private ToolDurationPredictor(ImmutableArray<double> coefficients, double quantile, int calls)
    {
        _coefficients = coefficients;
        Quantile = quantile;
        TrainingCalls = calls;
    }

    /// <summary>The quantile of <c>ln(seconds + 1)</c> predicted (0.5: the median).</summary>
    public double Quantile { get; }

    /// <summary>How many tool calls of the training trace it was fitted on (0: it predicts 0 seconds).</summary>
    public int TrainingCalls { get; }

    /// <summary>Fits the predictor on every tool call of a training trace.</summary>
    /// <param name="training">Completed trajectories (not the rollout to be planned).</param>
    /// <param name="quantile">The quantile predicted, strictly between 0 and 1; default 0.5 (the median).</param>
    /// <returns>The fitted predictor; with no tool call in the trace, one that predicts 0.</returns>
    /// <exception cref="PlanningInputException">The quantile is out of range.</exception>
    public static ToolDurationPredictor Fit(IReadOnlyList<Trajectory> training, double quantile = 0.5)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (!(quantile > 0 && quantile < 1))
        {
            throw new PlanningInputException("quantile", string.Create(CultureInfo.InvariantCulture, $"must be strictly between 0 and 1, got {quantile}"));
        }

        var features = new List<double[]>();
        var targets = new List<double>();
        foreach (var t in training)
        {
            long context = t.PromptTokens;
            for (var turn = 0; turn < t.Turns - 1; turn++)
            {
                context += t.OutputTokens[turn];
                features.Add(Features(context, t.OutputTokens[turn], turn + 1));
                targets.Add(Math.Log(t.ToolSeconds[turn] + 1));
                context += t.ObservationTokens[turn];
            }
        }

        return features.Count == 0
            ? new ToolDurationPredictor([0, 0, 0, 0], quantile, 0)
            : new ToolDurationPredictor(QuantileRegression.Fit(features, targets, quantile), quantile, features.Count);
    }

    /// <summary>The predicted seconds of a tool call that starts now.</summary>
    /// <param name="progress">The trajectory at the call: its context includes the turn that issued it, and <see cref="TrajectoryProgress.LastTurnOutputTokens"/> is that turn's output.</param>
    /// <returns>Seconds, at least 0.</returns>
    public double PredictSeconds(in TrajectoryProgress progress)
    {
        if (TrainingCalls == 0)
        {
            return 0;
        }

        var x = Features(progress.ContextTokens, progress.LastTurnOutputTokens, progress.CompletedTurns);
        var log = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            log += x[k] * _coefficients[k];
        }

        var seconds = Math.Exp(log) - 1;
        return double.IsFinite(seconds) && seconds > 0 ? seconds : 0;
    }

    private static double[] Features(long contextTokens, int turnOutputTokens, int completedTurns) =>
        [1, Math.Log(contextTokens + 1.0), Math.Log(turnOutputTokens + 1.0), Math.Log(completedTurns + 1.0)];
}
