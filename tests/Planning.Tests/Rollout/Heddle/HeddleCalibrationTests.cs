using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class HeddleCalibrationTests
{
    [Fact]
    public void Measure_GeneratedTrainingTrace_RatiosOfItsSumsAndTheMedianTurnZeroError()
    {
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Agentic, 8, 4, 11).Trajectories;
        var predictor = ProgressiveRemainingWorkPredictor.Train(training);

        var calibration = HeddleCalibration.Measure(training, predictor);

        // Oracle: the sums and the median written out by hand.
        double tool = 0;
        long output = 0;
        long observations = 0;
        var errors = new List<double>();
        foreach (var t in training)
        {
            for (var k = 0; k < t.Turns; k++)
            {
                output += t.OutputTokens[k];
                if (k < t.Turns - 1)
                {
                    tool += t.ToolSeconds[k];
                    observations += t.ObservationTokens[k];
                }
            }

            var turnZero = predictor.PredictRemainingTokens(new TrajectoryProgress(t.PromptTokens, 0, 0, t.PromptTokens, 0));
            errors.Add(Math.Abs(Math.Log(1 + turnZero) - Math.Log(1.0 + t.TotalOutputTokens)));
        }

        errors.Sort();
        Assert.True(observations > 0 && tool > 0, "the agentic family calls tools");
        Assert.Equal(tool / output, calibration.ToolSecondsPerOutputToken, 12);
        Assert.Equal(observations / (double)output, calibration.ObservationTokensPerOutputToken, 12);
        Assert.Equal(errors[errors.Count / 2], calibration.PlacementLogResolution, 12);
        Assert.Equal(training.Max(t => t.TotalOutputTokens), calibration.ExpectedLongestTokens);
    }

    [Fact]
    public void Measure_EmptyTrace_RejectedNamingTraining()
    {
        var error = Assert.Throws<PlanningInputException>(() => HeddleCalibration.Measure([], new ConstantPredictor(10)));

        Assert.Equal("training", error.Field);
    }

    [Theory]
    [InlineData("toolSecondsPerOutputToken")]
    [InlineData("observationTokensPerOutputToken")]
    [InlineData("placementLogResolution")]
    [InlineData("expectedLongestTokens")]
    public void Validate_NegativeOrNotFinite_NamesTheField(string field)
    {
        var calibration = field switch
        {
            "toolSecondsPerOutputToken" => new HeddleCalibration { ToolSecondsPerOutputToken = -1 },
            "observationTokensPerOutputToken" => new HeddleCalibration { ObservationTokensPerOutputToken = double.NaN },
            "placementLogResolution" => new HeddleCalibration { PlacementLogResolution = double.PositiveInfinity },
            _ => new HeddleCalibration { ExpectedLongestTokens = -5 },
        };

        var error = Assert.Throws<PlanningInputException>(() => calibration.Validate());

        Assert.Equal(field, error.Field);
    }
}
