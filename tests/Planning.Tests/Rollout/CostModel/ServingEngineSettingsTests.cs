using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ServingEngineSettingsTests
{
    [Fact]
    public void Default_TheEmbeddedEngineSection()
    {
        var engine = ServingEngineSettings.Default;

        Assert.Equal(0.9, engine.UsableMemoryFraction);
        Assert.Equal(2e9, engine.ActivationReserveBytesPerGpu);
        Assert.Equal(65_536, engine.MinKvTokens);
        Assert.Equal(2, engine.BytesPerParameter);
        Assert.Equal(2, engine.KvBytesPerElement);
        Assert.Same(engine, engine.Validate());
    }

    [Theory]
    [InlineData("usableMemoryFraction", 0)]
    [InlineData("usableMemoryFraction", 1.1)]
    [InlineData("usableMemoryFraction", double.NaN)]
    [InlineData("activationReserveBytesPerGpu", -1)]
    [InlineData("activationReserveBytesPerGpu", double.PositiveInfinity)]
    [InlineData("minKvTokens", 0)]
    [InlineData("bytesPerParameter", 0)]
    [InlineData("kvBytesPerElement", -2)]
    public void Validate_OutOfRange_NamesTheField(string field, double value)
    {
        var d = ServingEngineSettings.Default;
        var settings = field switch
        {
            "usableMemoryFraction" => d with { UsableMemoryFraction = value },
            "activationReserveBytesPerGpu" => d with { ActivationReserveBytesPerGpu = value },
            "minKvTokens" => d with { MinKvTokens = (long)value },
            "bytesPerParameter" => d with { BytesPerParameter = (int)value },
            _ => d with { KvBytesPerElement = (int)value },
        };

        Assert.Equal("engine." + field, Assert.Throws<PlanningInputException>(() => settings.Validate()).Field);
    }
}
