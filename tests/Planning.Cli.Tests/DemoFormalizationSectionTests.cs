namespace Planning.Cli.Tests;

public sealed class DemoFormalizationSectionTests
{
    [Fact]
    public void Demo_AfterUltraEp_PrintsTheFormalizationSectionWithItsClusters()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        var section = output.IndexOf("Autoformalization: ", StringComparison.Ordinal);
        Assert.True(section > output.IndexOf("UltraEP: imbalance ", StringComparison.Ordinal), output);
        // Candidates 0, 1 and 3 are one problem (renamed and reordered; y = 4 under the hypotheses), 2 reads it over ℕ
        // and 4 drops a hypothesis: three clusters, and the selection is in the big one.
        Assert.Contains("; 3 clusters;", output[section..], StringComparison.Ordinal);
        Assert.Matches(@"selected [013];", output[section..]);
    }
}
