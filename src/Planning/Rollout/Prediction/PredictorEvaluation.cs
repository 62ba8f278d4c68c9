using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MathNet.Numerics.Statistics;

namespace Planning.Rollout;

/// <summary>How well a predictor ranks the trajectories still running after a number of completed turns.</summary>
/// <param name="CompletedTurns">Turns completed when predicting.</param>
/// <param name="Trajectories">Held-out trajectories still running then (more turns than <paramref name="CompletedTurns"/>).</param>
/// <param name="SpearmanCorrelation">Spearman rank correlation of predicted and true remaining output tokens.</param>
/// <param name="TailRecall">The fraction of the true top 10% by remaining tokens that is in the predicted top 10%.</param>
public sealed record PredictorCheckpoint(int CompletedTurns, int Trajectories, double SpearmanCorrelation, double TailRecall);

/// <summary>
/// Evaluates a remaining-work predictor on held-out traces at turn boundaries: for each checkpoint k, every trajectory
/// with more than k turns is predicted after k completed turns and compared with its true remaining output tokens.
/// Top-10% sets break ties by trace order, so the figures are deterministic.
/// </summary>
public sealed class PredictorEvaluation
{
    private PredictorEvaluation(ImmutableArray<PredictorCheckpoint> checkpoints) => Checkpoints = checkpoints;

    /// <summary>The checkpoints, in the order asked.</summary>
    public ImmutableArray<PredictorCheckpoint> Checkpoints { get; }

    /// <summary>The default checkpoints: 0, 1, 2 and 4 completed turns.</summary>
    public static ImmutableArray<int> DefaultTurns { get; } = [0, 1, 2, 4];

    /// <summary>Evaluates a predictor through <see cref="IRemainingWorkPredictor"/> (no group evidence).</summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="heldOut">Held-out trajectories.</param>
    /// <param name="turns">Checkpoints; null for <see cref="DefaultTurns"/>.</param>
    /// <returns>The evaluation.</returns>
    internal static PredictorEvaluation Evaluate(IRemainingWorkPredictor predictor, RolloutTrace heldOut, IReadOnlyList<int>? turns = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        return Evaluate(heldOut, turns, (t, _, progress) => predictor.PredictRemainingTokens(progress));
    }

    /// <summary>
    /// Evaluates the progressive predictor with group evidence emulated as in training: the siblings whose whole output
    /// is below what the trajectory has generated so far have finished.
    /// </summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="heldOut">Held-out trajectories.</param>
    /// <param name="turns">Checkpoints; null for <see cref="DefaultTurns"/>.</param>
    /// <returns>The evaluation.</returns>
    internal static PredictorEvaluation EvaluateWithGroups(ProgressiveRemainingWorkPredictor predictor, RolloutTrace heldOut, IReadOnlyList<int>? turns = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(heldOut);
        var byGroup = heldOut.Trajectories.GroupBy(t => t.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        return Evaluate(heldOut, turns, (t, _, progress) =>
            predictor.PredictRemainingTokens(progress, ProgressiveRemainingWorkPredictor.EmulatedEvidence(t, byGroup[t.Group], progress.GeneratedTokens)));
    }

    /// <summary>The Spearman rank correlation at a checkpoint.</summary>
    /// <param name="completedTurns">The checkpoint.</param>
    /// <returns>The correlation.</returns>
    public double Spearman(int completedTurns) => Checkpoints.First(c => c.CompletedTurns == completedTurns).SpearmanCorrelation;

    /// <summary>One line per checkpoint.</summary>
    /// <returns>The table.</returns>
    public string Report()
    {
        var text = new StringBuilder("turns  running  spearman  tail-recall@10%");
        foreach (var c in Checkpoints)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{c.CompletedTurns,5}  {c.Trajectories,7}  {c.SpearmanCorrelation,8:F3}  {c.TailRecall,15:F3}");
        }

        return text.ToString();
    }

    /// <summary>The fraction of the true top <paramref name="fraction"/> that the predicted top <paramref name="fraction"/> finds (ties by index).</summary>
    /// <param name="predicted">Predicted values.</param>
    /// <param name="truth">True values.</param>
    /// <param name="fraction">The top fraction, such as 0.1 (at least one item).</param>
    /// <returns>The recall, from 0 to 1.</returns>
    internal static double TailRecall(IReadOnlyList<double> predicted, IReadOnlyList<double> truth, double fraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        var count = Math.Max(1, (int)Math.Ceiling(fraction * truth.Count));
        var trueTop = Top(truth, count);
        var predictedTop = Top(predicted, count);
        return trueTop.Intersect(predictedTop).Count() / (double)count;
    }

    private static int[] Top(IReadOnlyList<double> values, int count) =>
        [.. Enumerable.Range(0, values.Count).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count)];

    private static PredictorEvaluation Evaluate(RolloutTrace heldOut, IReadOnlyList<int>? turns, Func<Trajectory, int, TrajectoryProgress, double> predict)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var checkpoints = ImmutableArray.CreateBuilder<PredictorCheckpoint>();
        foreach (var k in turns ?? DefaultTurns)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(k);
            var predicted = new List<double>();
            var truth = new List<double>();
            foreach (var t in heldOut.Trajectories.Where(t => t.Turns > k))
            {
                var progress = ProgressiveRemainingWorkPredictor.ProgressAfter(t, k);
                predicted.Add(predict(t, k, progress));
                truth.Add(t.TotalOutputTokens - progress.GeneratedTokens);
            }

            var spearman = predicted.Count >= 2 ? Correlation.Spearman(predicted, truth) : double.NaN;
            checkpoints.Add(new PredictorCheckpoint(k, predicted.Count, double.IsFinite(spearman) ? spearman : 0, predicted.Count > 0 ? TailRecall(predicted, truth) : 0));
        }

        return new PredictorEvaluation(checkpoints.ToImmutable());
    }
}
