namespace Planning.Rollout;

/// <summary>
/// Predicts how many output tokens a trajectory has still to generate from what has been seen so far. Progressive:
/// a prediction made after more completed turns should be closer to the truth. Schedulers rank by it.
/// </summary>
internal interface IRemainingWorkPredictor
{
    /// <summary>The predicted output tokens still to generate (at least 0).</summary>
    /// <param name="progress">The trajectory so far.</param>
    /// <returns>Predicted remaining output tokens.</returns>
    double PredictRemainingTokens(in TrajectoryProgress progress);
}
