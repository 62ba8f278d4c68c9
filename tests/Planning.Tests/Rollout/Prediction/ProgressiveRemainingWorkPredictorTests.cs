using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ProgressiveRemainingWorkPredictorTests
{
    private static readonly Lazy<ProgressiveRemainingWorkPredictor> Skewed = new(() =>
        ProgressiveRemainingWorkPredictor.Train(RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, seed: 1).Trajectories));

    [Fact]
    public void Evaluate_HeldOutSkewed_CorrelationGrowsAsTurnsComplete()
    {
        var heldOut = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, seed: 100);

        var plain = PredictorEvaluation.Evaluate(Skewed.Value, heldOut);
        var grouped = PredictorEvaluation.EvaluateWithGroups(Skewed.Value, heldOut);

        // Before any turn the generator gives nothing to go on (prompt length is independent of difficulty), so
        // turn 0 is near 0; each completed turn reveals the sample's difficulty.
        Assert.InRange(plain.Spearman(0), -0.2, 0.2);
        Assert.True(plain.Spearman(1) > plain.Spearman(0) + 0.3, plain.Report());
        Assert.True(plain.Spearman(2) > plain.Spearman(0) + 0.4, plain.Report());
        Assert.True(plain.Spearman(4) >= plain.Spearman(1), plain.Report());
        Assert.True(plain.Checkpoints[2].TailRecall > 0.4, plain.Report());

        // Finished siblings of the same prompt add information.
        Assert.True(grouped.Spearman(2) > plain.Spearman(2), grouped.Report());
    }

    [Fact]
    public void Train_SameData_SameCoefficients()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, 16, 8, seed: 4);

        var a = ProgressiveRemainingWorkPredictor.Train(trace.Trajectories);
        var b = ProgressiveRemainingWorkPredictor.Train(trace.Trajectories);

        Assert.Equal(a.Coefficients.ToArray(), b.Coefficients.ToArray());
        Assert.Equal(ProgressiveRemainingWorkPredictor.FeatureNames.Length, a.Coefficients.Length);
    }

    [Fact]
    public void ProgressAfter_MatchesTheTrajectory()
    {
        var t = new Trajectory("t", "g", 100, [10, 20, 30], [5, 6], [0.5, 0.7]);

        var start = ProgressiveRemainingWorkPredictor.ProgressAfter(t, 0);
        var two = ProgressiveRemainingWorkPredictor.ProgressAfter(t, 2);
        var done = ProgressiveRemainingWorkPredictor.ProgressAfter(t, 3);

        Assert.Equal(new TrajectoryProgress(100, 0, 0, 100, 0), start);
        Assert.Equal(new TrajectoryProgress(100, 2, 30, t.ContextBeforeTurn(2), 20), two);
        Assert.Equal(new TrajectoryProgress(100, 3, 60, t.FinalContextTokens, 30), done);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProgressiveRemainingWorkPredictor.ProgressAfter(t, 4));
    }

    [Fact]
    public void PredictRemainingTokens_Unfitted_IsThePrior()
    {
        var predictor = new ProgressiveRemainingWorkPredictor(new ProgressivePredictorOptions { PriorRemainingTokens = 1234 });

        Assert.False(predictor.IsFitted);
        Assert.Equal(1234, predictor.PredictRemainingTokens(new TrajectoryProgress(50, 3, 900, 2000, 300)), 6);
    }

    [Fact]
    public void Observe_RecordsGroupEvidenceAndRefitsEveryN()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, 8, 4, seed: 6);
        var predictor = new ProgressiveRemainingWorkPredictor(new ProgressivePredictorOptions { RefitEvery = 10 });

        foreach (var t in trace.Trajectories.Take(9))
        {
            predictor.Observe(t);
        }

        var fittedAfterNine = predictor.IsFitted;
        predictor.Observe(trace.Trajectories[9]);
        var evidence = predictor.Evidence(trace.Trajectories[0].Group);

        Assert.False(fittedAfterNine);
        Assert.True(predictor.IsFitted);
        Assert.Equal(4, evidence.FinishedSamples);
        Assert.Equal(trace.Trajectories.Take(4).Average(t => Math.Log(t.TotalOutputTokens + 1.0)), evidence.MeanLogTotalOutputTokens, 12);

        predictor.ForgetGroups();
        Assert.Equal(RolloutGroupEvidence.None, predictor.Evidence(trace.Trajectories[0].Group));
    }

    [Fact]
    public void PredictRemainingTokens_GroupOfLongSamples_PredictsMoreThanGroupOfShortOnes()
    {
        var progress = new TrajectoryProgress(1500, 2, 3000, 6000, 1500);

        var longGroup = Skewed.Value.PredictRemainingTokens(progress, new RolloutGroupEvidence(3, Math.Log(2500)));
        var shortGroup = Skewed.Value.PredictRemainingTokens(progress, new RolloutGroupEvidence(3, Math.Log(2000)));

        // Evidence only from siblings that finished below this sample's 3000 tokens; larger means a harder prompt.
        Assert.True(longGroup > shortGroup, $"{longGroup} vs {shortGroup}");
    }

    [Fact]
    public void PredictRemainingTokens_HigherQuantile_PredictsMoreOnAverage()
    {
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, seed: 3).Trajectories;
        var median = ProgressiveRemainingWorkPredictor.Train(training);
        var upper = ProgressiveRemainingWorkPredictor.Train(training, new ProgressivePredictorOptions { Quantile = 0.9 });
        var heldOut = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, 16, 16, seed: 30).Trajectories;

        var progresses = heldOut.Where(t => t.Turns > 1).Select(t => ProgressiveRemainingWorkPredictor.ProgressAfter(t, 1)).ToArray();
        var covered = heldOut.Where(t => t.Turns > 1).Zip(progresses).Count(p => upper.PredictRemainingTokens(p.Second) >= p.First.TotalOutputTokens - p.Second.GeneratedTokens) / (double)progresses.Length;

        Assert.True(progresses.Average(p => upper.PredictRemainingTokens(p)) > progresses.Average(p => median.PredictRemainingTokens(p)));

        // A 0.9-quantile model should cover roughly 90% of held-out outcomes (the median about half).
        Assert.InRange(covered, 0.8, 0.97);
    }

    [Fact]
    public void Fit_NoTrajectory_Rejected_BadOptionsRejected()
    {
        Assert.Equal("training", Assert.Throws<PlanningInputException>(() => ProgressiveRemainingWorkPredictor.Train([])).Field);
        Assert.Equal("quantile", Assert.Throws<PlanningInputException>(() => new ProgressiveRemainingWorkPredictor(new ProgressivePredictorOptions { Quantile = 1.5 })).Field);
        Assert.Equal("refitEvery", Assert.Throws<PlanningInputException>(() => new ProgressiveRemainingWorkPredictor(new ProgressivePredictorOptions { RefitEvery = 0 })).Field);
    }

    [Fact]
    public void TrainingRows_OnePerTurnBoundary_WithEmulatedSiblings()
    {
        var a = new Trajectory("a", "g", 10, [100], [], []);
        var b = new Trajectory("b", "g", 10, [50, 200], [5], [1.0]);

        var (features, targets) = ProgressiveRemainingWorkPredictor.TrainingRows([a, b]);

        Assert.Equal(3, features.Count);
        Assert.Equal([Math.Log(101), Math.Log(251), Math.Log(201)], targets.ToArray());

        // b after its first turn has generated 50 < 100, so a has not finished yet; no evidence at that point.
        Assert.Equal(0, features[2][7]);
        Assert.Equal(1, ProgressiveRemainingWorkPredictor.EmulatedEvidence(b, [a, b], 150).FinishedSamples);
    }
}
