using System.Collections.Immutable;
using Planning.Rollout;

namespace Planning.Tests.Rollout.Prediction;

public sealed class ToolDurationPredictorTests
{
    private static Trajectory Make(int index, int prompt, int[] outputs, int[] observations, double[] tools) =>
        new($"t{index}", $"g{index}", prompt, [.. outputs], [.. observations], [.. tools]);

    [Fact]
    public void PredictSeconds_EveryTrainingCallTwoSeconds_PredictsTwoSeconds()
    {
        // Every feature row differs, every target is ln 3: the median fit is the constant ln 3, exp(ln 3) - 1 = 2.
        ImmutableArray<Trajectory> training =
        [
            Make(0, 100, [10, 20, 30], [5, 7], [2, 2]),
            Make(1, 300, [40, 8], [90], [2]),
            Make(2, 50, [3, 9, 27], [1, 2], [2, 2]),
            Make(3, 700, [70, 7, 700], [30, 3], [2, 2]),
        ];

        var predictor = ToolDurationPredictor.Fit(training);

        Assert.Equal(7, predictor.TrainingCalls);
        Assert.Equal(2.0, predictor.PredictSeconds(new TrajectoryProgress(50, 1, 12, 62, 12)), 6);
        Assert.Equal(2.0, predictor.PredictSeconds(new TrajectoryProgress(900, 4, 400, 5000, 77)), 6);
    }

    [Fact]
    public void PredictSeconds_ToolTimeGrowingWithTheTurnOutput_FollowsIt()
    {
        // ln(seconds + 1) = ln(turn output + 1) exactly on every call: the fit recovers the coefficient 1 on that feature,
        // so a call after a 99-token turn is predicted at 99 s and one after a 9-token turn at 9 s.
        var training = Enumerable.Range(0, 12)
            .Select(i => Make(i, 10 + i, [3 + (7 * i), 5], [4], [3 + (7 * i)]))
            .ToImmutableArray();

        var predictor = ToolDurationPredictor.Fit(training);

        Assert.Equal(99.0, predictor.PredictSeconds(new TrajectoryProgress(20, 1, 99, 119, 99)), 4);
        Assert.Equal(9.0, predictor.PredictSeconds(new TrajectoryProgress(20, 1, 9, 29, 9)), 4);
    }

    [Fact]
    public void Fit_NoToolCallInTheTrace_PredictsZero()
    {
        var predictor = ToolDurationPredictor.Fit([Make(0, 10, [5], [], [])]);

        Assert.Equal(0, predictor.TrainingCalls);
        Assert.Equal(0.0, predictor.PredictSeconds(new TrajectoryProgress(10, 1, 5, 15, 5)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Fit_QuantileOutOfRange_RejectedNamingIt(double quantile)
    {
        var error = Assert.Throws<PlanningInputException>(() => ToolDurationPredictor.Fit([Make(0, 10, [5, 5], [1], [1])], quantile));

        Assert.Equal("quantile", error.Field);
    }
}
