namespace Planning.Cli.Tests;

public sealed class DemoUltraEpSectionTests
{
    [Fact]
    public void Demo_AfterThePolicyTable_PrintsTheUltraEpSection()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        var section = output.IndexOf("UltraEP: imbalance ", StringComparison.Ordinal);
        Assert.True(section > output.IndexOf("│ ultraep-exact ", StringComparison.Ordinal), output);
        Assert.Contains("Simulated training step, deepseek-v3 (EP64), zipf imbalance 2.0", output, StringComparison.Ordinal);
        foreach (var hardware in new[] { "│ h800 ", "│ nvl72 " })
        {
            Assert.Contains(hardware, output[section..], StringComparison.Ordinal);
        }
    }
}
