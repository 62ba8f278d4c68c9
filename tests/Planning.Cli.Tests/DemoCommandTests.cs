namespace Planning.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_NoArguments_PrintsEveryPolicy()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        Assert.Contains("EP64, 256 experts", output, StringComparison.Ordinal);
        foreach (var policy in new[] { "none", "eplb", "exact" })
        {
            Assert.Contains($"│ {policy} ", output, StringComparison.Ordinal);
        }
    }
}
