using Planning.Execution.Soc;

namespace Planning.Execution.Tests.Soc;

public sealed class SocSchedulerOptionsTests
{
    [Theory]
    [InlineData("agentxpu", SocPolicy.AgentXpu)]
    [InlineData("llamacpp", SocPolicy.LlamaCpp)]
    [InlineData("openvino", SocPolicy.OpenVino)]
    [InlineData("serial", SocPolicy.Serial)]
    public void For_Name_ThatPolicyRoundTrips(string name, SocPolicy policy)
    {
        var options = SocSchedulerOptions.For(name);

        Assert.Equal(policy, options.Policy);
        Assert.Equal(name, SocSchedulerOptions.PolicyName(policy));
        Assert.Same(options, options.Validate());
    }

    [Theory]
    [InlineData("AgentXpu")]
    [InlineData("vllm")]
    [InlineData(null)]
    public void For_UnknownName_NamesPolicy(string? name)
    {
        var ex = Assert.Throws<PlanningInputException>(() => SocSchedulerOptions.For(name));

        Assert.Equal("policy", ex.Field);
        Assert.Contains("agentxpu, llamacpp, openvino, serial", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void For_AgentXpu_PaperSettings()
    {
        var options = SocSchedulerOptions.For(SocPolicy.AgentXpu);

        Assert.Equal(3, options.MaxProactivePerReactiveBatch);
        Assert.Equal(0.4, options.LowPressure);
        Assert.Equal(0.7, options.HighPressure);
    }

    [Fact]
    public void Validate_EachFieldOutOfRange_NamesIt()
    {
        var valid = SocSchedulerOptions.For(SocPolicy.AgentXpu);

        Assert.Equal("maxProactivePerReactiveBatch", Field(valid with { MaxProactivePerReactiveBatch = -1 }));
        Assert.Equal("maxDecodeBatch", Field(valid with { MaxDecodeBatch = 0 }));
        Assert.Equal("lowPressure", Field(valid with { LowPressure = 1.5 }));
        Assert.Equal("highPressure", Field(valid with { HighPressure = 0.3 }));
        Assert.Equal("ageLimitMs", Field(valid with { AgeLimitMs = 0 }));
        Assert.Equal("ageLimitMs", Field(valid with { AgeLimitMs = double.NaN }));
        Assert.Equal("maxBatchedTokens", Field(valid with { MaxBatchedTokens = 0 }));
        Assert.Equal("maxSequences", Field(valid with { MaxSequences = 0 }));
        Assert.Equal("policy", Field(valid with { Policy = (SocPolicy)9 }));
    }

    private static string Field(SocSchedulerOptions options) => Assert.Throws<PlanningInputException>(() => options.Validate()).Field;
}
