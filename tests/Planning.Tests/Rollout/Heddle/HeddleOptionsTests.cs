using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class HeddleOptionsTests
{
    [Fact]
    public void Default_TheMeasuredHeddle_EveryMechanismAndTheDocumentedThresholds()
    {
        var options = HeddleOptions.Default.Validate();

        Assert.Equal(HeddleMechanisms.All, options.Mechanisms);
        Assert.Equal(256, options.Predictor.RefitEvery);
        Assert.False(options.LearnOnline);
        Assert.Equal(1.25, options.AdmissionKvFraction);
        Assert.Equal(10, options.RegroupEverySeconds);
        Assert.Equal(0.05, options.RegroupMinimumGain);
        Assert.Null(options.Migration);
    }

    [Theory]
    [InlineData("mechanisms")]
    [InlineData("admissionKvFraction")]
    [InlineData("regroupEverySeconds")]
    [InlineData("regroupMinimumGain")]
    [InlineData("refitEvery")]
    [InlineData("transferBytesPerSecond")]
    [InlineData("iterations")]
    [InlineData("relativeMargin")]
    public void Validate_FieldOutOfRange_NamesTheField(string field)
    {
        var options = field switch
        {
            "mechanisms" => new HeddleOptions { Mechanisms = (HeddleMechanisms)16 },
            "admissionKvFraction" => new HeddleOptions { AdmissionKvFraction = double.NaN },
            "regroupEverySeconds" => new HeddleOptions { RegroupEverySeconds = double.NaN },
            "regroupMinimumGain" => new HeddleOptions { RegroupMinimumGain = double.PositiveInfinity },
            "refitEvery" => new HeddleOptions { Predictor = new ProgressivePredictorOptions { RefitEvery = 0 } },
            "transferBytesPerSecond" => new HeddleOptions { Migration = new MigrationOptions { TransferBytesPerSecond = 0 } },
            "iterations" => new HeddleOptions { Resources = new ResourceManagerOptions { Iterations = -1 } },
            _ => new HeddleOptions { Priority = new ProgressivePriorityOptions { RelativeMargin = -1 } },
        };

        var error = Assert.Throws<PlanningInputException>(() => options.Validate());

        Assert.Equal(field, error.Field);
    }
}
