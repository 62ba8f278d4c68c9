using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class PredictorEvaluationTests
{
    /// <summary>
    /// Knows the truth: the evaluation asks, checkpoint by checkpoint, about the running trajectories in trace order,
    /// so the oracle follows the same order (samples of one prompt look alike before their first turn).
    /// </summary>
    private sealed class Oracle(RolloutTrace trace, double sign) : IRemainingWorkPredictor
    {
        private int checkpoint = -1;
        private int next;

        public double PredictRemainingTokens(in TrajectoryProgress progress)
        {
            if (progress.CompletedTurns != checkpoint)
            {
                checkpoint = progress.CompletedTurns;
                next = 0;
            }

            while (trace.Trajectories[next].Turns <= checkpoint)
            {
                next++;
            }

            var t = trace.Trajectories[next++];
            Assert.Equal(ProgressiveRemainingWorkPredictor.ProgressAfter(t, checkpoint), progress);
            return 1e6 + (sign * (t.TotalOutputTokens - progress.GeneratedTokens));
        }
    }

    [Fact]
    public void Evaluate_Oracle_PerfectRanking_ReverseOracle_Inverted()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, 6, 5, seed: 2);

        var perfect = PredictorEvaluation.Evaluate(new Oracle(trace, 1), trace);
        var inverted = PredictorEvaluation.Evaluate(new Oracle(trace, -1), trace, [0, 1]);

        Assert.Equal([0, 1, 2, 4], perfect.Checkpoints.Select(c => c.CompletedTurns).ToArray());
        Assert.All(perfect.Checkpoints.Where(c => c.Trajectories >= 2), c =>
        {
            Assert.Equal(1, c.SpearmanCorrelation, 9);
            Assert.Equal(1, c.TailRecall);
        });
        Assert.Equal(-1, inverted.Checkpoints[0].SpearmanCorrelation, 9);
        Assert.Equal(0, inverted.Checkpoints[0].TailRecall);
        Assert.Equal(30, perfect.Checkpoints[0].Trajectories);
        Assert.Equal(trace.Trajectories.Count(t => t.Turns > 1), perfect.Checkpoints[1].Trajectories);
    }

    [Fact]
    public void TailRecall_ByHand()
    {
        // 20 items: the true top 10% are items 19 and 18; the prediction ranks 19 first and 0 second.
        var truth = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        var predicted = truth.Select(v => v == 0 ? 100 : v == 19 ? 200 : v / 100).ToArray();

        Assert.Equal(0.5, PredictorEvaluation.TailRecall(predicted, truth));
        Assert.Equal(1.0, PredictorEvaluation.TailRecall(truth, truth));
    }
}
